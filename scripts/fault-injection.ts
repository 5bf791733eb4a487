// The worst failure cases of issue 10 in a loop, against real servers (and a fake RESP server
// where a real one cannot misbehave on demand), with a pass/fail table at the end. Each case
// runs the CLI from source as a user would and checks exit code, timing, messages and that
// issued = completed + errors.
//
//   bun scripts/fault-injection.ts [--rounds N] [--no-cluster]
//
// Servers take ports from VSB_PORT_RANGE (e.g. 40900-41199) when set, else the tests' range.

import { killNode } from "../test/support/cluster-ops.ts";
import { startFakeServer, type FakeServer } from "../test/support/fake-server.ts";
import { parseInfo } from "../test/support/info.ts";
import { reservePort } from "../test/support/ports.ts";
import { callsOf, collectRun, resetServer, runBench, spawnBench, waitFor, type RunResult } from "../test/support/run-cli.ts";
import { startCluster, startValkey, type ValkeyServer } from "../test/support/valkey.ts";
import type { JsonTestReport } from "../src/report/json.ts";

interface Outcome {
  pass: boolean;
  detail: string;
}
interface Case {
  name: string;
  cluster?: boolean;
  run(): Promise<Outcome>;
}

const argv = process.argv.slice(2);
const rounds = Number(argv[argv.indexOf("--rounds") + 1] ?? 1) || 1;
const withCluster = !argv.includes("--no-cluster");

function onlyTest(run: RunResult): JsonTestReport | undefined {
  try {
    return (JSON.parse(run.stdout) as { tests: JsonTestReport[] }).tests[0];
  } catch {
    return undefined;
  }
}

/** Checks in order; the first failing one is the detail. */
function judge(checks: [boolean, string][], ok: string): Outcome {
  const failed = checks.find(([pass]) => !pass);
  return failed ? { pass: false, detail: failed[1] } : { pass: true, detail: ok };
}

function accounted(t: JsonTestReport | undefined): boolean {
  return t !== undefined && t.requests.issued === t.requests.completed + t.requests.errors;
}

const fake = (reply: Parameters<typeof startFakeServer>[0]["reply"]): FakeServer => startFakeServer({ port: reservePort(), reply });
const stalledReply = (cmd: string[]) => (cmd[0] === "SET" ? null : "+OK\r\n");
const elapsed = (t0: number) => (performance.now() - t0) / 1000;

const CASES: Case[] = [
  {
    name: "stalled server, -n (gives the node up)",
    async run() {
      const f = fake(stalledReply);
      try {
        const t0 = performance.now();
        const run = await runBench(["-p", String(f.port), "-c", "5", "-n", "100000", "-t", "set", "--request-timeout", "1000", "--output-format", "json"], { timeoutMs: 30_000 });
        const t = onlyTest(run);
        const lines = run.stderr.split("\n").filter((l) => l.includes("stopped answering"));
        return judge(
          [[!run.timedOut && elapsed(t0) < 15, `ran ${elapsed(t0).toFixed(1)} s`], [run.code === 1, `exit ${run.code}`], [lines.length === 1, `${lines.length} lines naming the node`], [accounted(t), "issued != completed + errors"]],
          "ended; exit 1; one line naming the node; issued = completed + errors",
        );
      } finally {
        f.stop();
      }
    },
  },
  {
    name: "stalled server, --duration 2 (hard deadline)",
    async run() {
      const f = fake(stalledReply);
      try {
        const t0 = performance.now();
        const run = await runBench(["-p", String(f.port), "-c", "2", "--duration", "2", "-t", "set", "--output-format", "json"], { timeoutMs: 30_000 });
        const t = onlyTest(run);
        return judge(
          [[!run.timedOut && elapsed(t0) < 8, `ran ${elapsed(t0).toFixed(1)} s`], [(t?.errorsByType.UNANSWERED ?? 0) > 0, "no UNANSWERED"], [accounted(t), "issued != completed + errors"]],
          `ended in ${elapsed(t0).toFixed(1)} s; UNANSWERED counted; issued = completed + errors`,
        );
      } finally {
        f.stop();
      }
    },
  },
  {
    name: "stalled server, Ctrl-C (reports at once)",
    async run() {
      const f = fake(stalledReply);
      try {
        const args = ["-p", String(f.port), "-c", "2", "-n", "1000", "-t", "set", "--output-format", "json"];
        const proc = spawnBench(args, { timeoutMs: 30_000 });
        await waitFor("SET on the fake", () => (f.calls.SET ?? 0) > 0, 15_000);
        const t0 = performance.now();
        proc.kill("SIGINT");
        const run = await collectRun(proc, args);
        return judge(
          [[elapsed(t0) < 3, `report after ${elapsed(t0).toFixed(1)} s`], [run.code === 130, `exit ${run.code}`], [accounted(onlyTest(run)), "no report or issued != completed + errors"]],
          `report ${elapsed(t0).toFixed(1)} s after SIGINT; exit 130`,
        );
      } finally {
        f.stop();
      }
    },
  },
  {
    name: "maxclients 5 with -c 50 (rates, exit code)",
    async run() {
      const s = await startValkey({ args: ["--maxclients", "5"] });
      try {
        const run = await runBench(["-p", String(s.port), "-c", "50", "-n", "5000", "-t", "set", "--output-format", "json"], { timeoutMs: 60_000 });
        const t = onlyTest(run);
        const expected = t ? t.requests.completed / t.durationSec : NaN;
        return judge(
          [[run.code === 1, `exit ${run.code}`], [t !== undefined && Math.abs(t.throughput - expected) <= 0.01 * expected + 0.01, `throughput ${t?.throughput} != completed / duration ${expected.toFixed(2)}`], [accounted(t), "issued != completed + errors"]],
          `exit 1; throughput ${t?.throughput} = completed / duration, errors ${t?.errorRate}/s`,
        );
      } finally {
        await s.stop();
      }
    },
  },
  {
    name: "server closes connections after 100 replies",
    async run() {
      const f = fake((_cmd, conn) => (conn.answered >= 100 ? "close" : "+OK\r\n"));
      try {
        const run = await runBench(["-p", String(f.port), "-c", "2", "-n", "1000", "-t", "set", "--output-format", "json"]);
        const t = onlyTest(run);
        return judge([[run.code === 1, `exit ${run.code}`], [accounted(t), "issued != completed + errors"]], `exit 1; ${t?.requests.errors} errors; issued = completed + errors`);
      } finally {
        f.stop();
      }
    },
  },
  {
    name: "CLIENT KILL mid-run, then --max-errors",
    async run() {
      const s = await startValkey();
      try {
        const codes: (number | null)[] = [];
        let ok = true;
        for (const extra of [[], ["--max-errors", "5%"]]) {
          await resetServer(s);
          const args = ["-p", String(s.port), "-c", "5", "--duration", "3", "-t", "set", "--output-format", "json", ...extra];
          const proc = spawnBench(args, { timeoutMs: 30_000 });
          await waitFor("SETs", async () => (await callsOf(s, "set")) > 100, 15_000);
          await s.cli("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
          const run = await collectRun(proc, args);
          codes.push(run.code);
          ok &&= accounted(onlyTest(run));
        }
        return judge([[codes[0] === 1 && codes[1] === 0, `exits ${codes.join(", ")}`], [ok, "issued != completed + errors"]], "exit 1 without --max-errors; exit 0 with --max-errors 5%; issued = completed + errors");
      } finally {
        await s.stop();
      }
    },
  },
  {
    name: "standalone restart within 0.3 s",
    async run() {
      const f = fake(() => "+OK\r\n");
      try {
        const args = ["-p", String(f.port), "-c", "4", "-n", "100000", "-t", "set", "--max-errors", "1%", "--output-format", "json"];
        const proc = spawnBench(args, { timeoutMs: 60_000 });
        await waitFor("SETs", () => (f.calls.SET ?? 0) > 200, 15_000);
        await f.restart(300);
        const atRestart = f.calls.SET ?? 0;
        const run = await collectRun(proc, args);
        const t = onlyTest(run);
        const after = (f.calls.SET ?? 0) - atRestart;
        return judge(
          [[run.code === 0, `exit ${run.code}`], [t?.requests.issued === 100_000, `issued ${t?.requests.issued}`], [after > 0, "no SET after the restart"], [accounted(t), "issued != completed + errors"]],
          `exit 0; ${after} SETs after the restart; issued = completed + errors`,
        );
      } finally {
        f.stop();
      }
    },
  },
  {
    name: "-3 SUBSCRIBE ch (refused)",
    async run() {
      const run = await runBench(["-p", "1", "-3", "SUBSCRIBE", "ch"]);
      const lines = run.stderr.trim().split("\n");
      return judge([[run.code === 2, `exit ${run.code}`], [lines.length === 1 && /cannot be benchmarked/.test(lines[0]!), run.stderr.slice(0, 200)]], "exit 2; one line saying why");
    },
  },
  {
    name: "reply after --request-timeout (TIMEOUT)",
    async run() {
      const f = fake((_cmd, conn) => ({ delayMs: conn.answered === 0 ? 500 : 2100, reply: "+OK\r\n" }));
      try {
        const run = await runBench(["-p", String(f.port), "-c", "1", "-n", "2", "-t", "set", "--request-timeout", "2000", "--output-format", "json"]);
        const t = onlyTest(run);
        return judge([[t?.errorsByType.TIMEOUT === 1 && t.requests.completed === 1, JSON.stringify(t?.errorsByType)], [accounted(t), "issued != completed + errors"]], "the late reply counted as TIMEOUT");
      } finally {
        f.stop();
      }
    },
  },
  {
    name: "--rps 0.5 -n 2 (achieved rate)",
    async run() {
      const f = fake(() => "+OK\r\n");
      try {
        const run = await runBench(["-p", String(f.port), "-c", "1", "-n", "2", "--rps", "0.5", "-t", "set", "--output-format", "json"]);
        const a = onlyTest(run)?.rate?.achievedRps ?? NaN;
        return judge([[a > 0.45 && a <= 0.5, `achieved ${a}`]], `achieved ${a}`);
      } finally {
        f.stop();
      }
    },
  },
  {
    name: "CLUSTERDOWN after a primary without replica dies",
    cluster: true,
    async run() {
      const c = await startCluster({ primaries: 3, replicasPerPrimary: 0 });
      try {
        const [entry, , victim] = c.nodes as [ValkeyServer, ValkeyServer, ValkeyServer];
        const survivors = c.nodes.filter((n) => n !== victim);
        const rejectedNow = async () => (await Promise.all(survivors.map((n) => n.info("errorstats")))).reduce((sum, e) => sum + Number((e.errorstat_CLUSTERDOWN ?? "count=0").split("=")[1]), 0);
        const before = await rejectedNow();
        const args = ["-p", String(entry.port), "-t", "set", "--duration", "12", "-c", "6", "-r", "100000", "--output-format", "json"];
        const proc = spawnBench(args, { timeoutMs: 60_000 });
        await waitFor("SETs on the victim", async () => (await callsOf(victim, "set")) >= 500, 15_000);
        killNode(victim);
        await waitFor("cluster_state:fail", async () => parseInfo(await entry.cli("CLUSTER", "INFO")).cluster_state === "fail", 20_000);
        const run = await collectRun(proc, args);
        const t = onlyTest(run);
        const failed = t?.errorsByType.CLUSTERDOWN ?? 0;
        const rejected = (await rejectedNow()) - before;
        return judge(
          [[failed > 0, "no CLUSTERDOWN errors"], [rejected <= 4 * failed, `${rejected} rejections for ${failed} failed requests`], [!run.stderr.includes("keeps moving"), "false 'keeps moving' message"], [accounted(t), "issued != completed + errors"]],
          `${failed} CLUSTERDOWN errors; ${rejected} refused calls on the servers (at most 4 per request); issued = completed + errors`,
        );
      } finally {
        await c.stop();
      }
    },
  },
];

const rows: string[] = [];
let passed = 0;
let total = 0;
for (let round = 1; round <= rounds; round++) {
  for (const c of CASES) {
    if (c.cluster && !withCluster) continue;
    const t0 = performance.now();
    let o: Outcome;
    try {
      o = await c.run();
    } catch (e) {
      o = { pass: false, detail: `threw: ${(e as Error).message.split("\n")[0]}` };
    }
    total++;
    if (o.pass) passed++;
    const row = `${c.name.padEnd(50)} ${String(round).padStart(5)}  ${(o.pass ? "pass" : "FAIL").padEnd(6)} ${elapsed(t0).toFixed(1).padStart(7)}  ${o.detail}`;
    rows.push(row);
    console.error(row);
  }
}
console.log(`${"case".padEnd(50)} round  result  seconds  detail`);
for (const r of rows) console.log(r);
console.log(`\n${passed} of ${total} passed`);
process.exit(passed === total ? 0 : 1);
