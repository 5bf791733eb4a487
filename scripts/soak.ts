// Soak: a paced SET run for --minutes (default 10) against one valkey-server, with a CLIENT KILL
// of the benchmark's connections every minute and one server restart halfway. Checks that the
// client's RSS and the accounting stay flat: exit 0 (with --max-errors 1%), issued = completed +
// errors, completed <= SETs the server executed <= issued, RSS at the end within 25% of RSS at
// 2 minutes, and every full minute at >= 80% of the target rate.
//
//   bun scripts/soak.ts [--minutes 10] [--rps 5000] [--clients 10]
//
// The server takes a port from VSB_PORT_RANGE (e.g. 40900-41199) when set.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { reservePort } from "../test/support/ports.ts";
import { collectRun, spawnBench } from "../test/support/run-cli.ts";
import type { JsonTestReport } from "../src/report/json.ts";

const argv = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const minutes = opt("minutes", 10);
const rps = opt("rps", 5000);
const clients = opt("clients", 10);

const port = reservePort();
const dir = mkdtempSync(join(tmpdir(), "vsb-soak-"));
let server: ReturnType<typeof Bun.spawn> | undefined;

function cli(...args: string[]): string {
  const r = Bun.spawnSync(["valkey-cli", "-p", String(port), ...args]);
  return r.stdout.toString().trim();
}

async function startServer(): Promise<void> {
  server = Bun.spawn(["valkey-server", "--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no", "--dir", dir, "--logfile", join(dir, "valkey.log")], { stdout: "ignore", stderr: "ignore" });
  for (let i = 0; i < 200; i++) {
    if (cli("PING") === "PONG") return;
    await Bun.sleep(25);
  }
  throw new Error(`valkey-server on ${port} did not start`);
}

function setCalls(): number {
  const m = /cmdstat_set:calls=(\d+)/.exec(cli("INFO", "commandstats"));
  return m ? Number(m[1]) : 0;
}

function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

await startServer();
const durationSec = minutes * 60;
const args = ["-p", String(port), "-t", "set", "-c", String(clients), "-r", "100000", "--rps", String(rps), "--duration", String(durationSec), "--max-errors", "1%", "--interval", "60", "--output-format", "json"];
const proc = spawnBench(args, { timeoutMs: (durationSec + 120) * 1000 });
const collected = collectRun(proc, args);
const t0 = performance.now();
const rss: { sec: number; mb: number }[] = [];
let kills = 0;
let restarts = 0;
let setsBeforeRestart = 0;
const secondsIn = () => (performance.now() - t0) / 1000;
let nextKill = 60;
let restartAt = durationSec / 2;
let nextRss = 10;
while (proc.exitCode === null && secondsIn() < durationSec + 60) {
  await Bun.sleep(200);
  const s = secondsIn();
  if (s >= nextRss) {
    rss.push({ sec: Math.round(s), mb: rssMb(proc.pid) });
    nextRss += 10;
  }
  if (s >= restartAt && restarts === 0) {
    // Writes are paused while the count is read, so no SET runs between the read and the kill.
    cli("CLIENT", "PAUSE", "3000", "WRITE");
    setsBeforeRestart = setCalls();
    server!.kill("SIGKILL");
    await server!.exited;
    await startServer();
    restarts++;
    restartAt = Infinity;
  }
  if (s >= nextKill && s < durationSec - 5) {
    cli("CLIENT", "KILL", "TYPE", "normal");
    kills++;
    nextKill += 60;
  }
}
const run = await collected;
const setsAfterRestart = setCalls();
server?.kill("SIGTERM");
await server?.exited;
rmSync(dir, { recursive: true, force: true });

let t: JsonTestReport | undefined;
try {
  t = (JSON.parse(run.stdout) as { tests: JsonTestReport[] }).tests[0];
} catch {
  console.log(`no JSON report (exit ${run.code}):\n${run.stderr.slice(0, 2000)}`);
  process.exit(1);
}
const r = t!;
const serverSets = setsBeforeRestart + setsAfterRestart;
console.log(`soak: ${minutes} min, --rps ${rps}, -c ${clients}; ${kills} CLIENT KILLs, ${restarts} restart; exit ${run.code}`);
const types = Object.entries(r.errorsByType).map(([k, v]) => `${k}: ${v}`).join(", ");
console.log(`requests: issued ${r.requests.issued}, completed ${r.requests.completed}, errors ${r.requests.errors}${types ? ` (${types})` : ""}`);
console.log(`server SET calls: ${serverSets} (${setsBeforeRestart} before the restart + ${setsAfterRestart} after)`);
console.log(`throughput ${r.throughput} /s, error rate ${r.errorRate} /s, p50 ${r.latencyMs?.p50} ms, p99 ${r.latencyMs?.p99} ms\n`);

type Point = { startMs: number; endMs: number; client: { requests: number; completed: number; errors: number; throughput: number; latencyMs: { p99: number } | null } };
const points = ((r as unknown as { timeline?: { points: Point[] } }).timeline?.points ?? []) as Point[];
console.log("minute  requests  errors  successful/s  p99 ms");
points.forEach((p, i) => console.log(`${String(i + 1).padStart(6)}  ${String(p.client.requests).padStart(8)}  ${String(p.client.errors).padStart(6)}  ${p.client.throughput.toFixed(1).padStart(12)}  ${p.client.latencyMs?.p99 ?? "-"}`));
const full = points.filter((p) => p.endMs - p.startMs >= 59_000);
const rates = full.map((p) => p.client.throughput);
// The baseline is after warm-up: 2 minutes in (or a fifth of a shorter run).
const baselineSec = Math.min(120, durationSec / 5);
const at2 = rss.find((x) => x.sec >= baselineSec)?.mb ?? NaN;
const end = rss.at(-1)?.mb ?? NaN;
const mbs = rss.map((x) => x.mb).filter((x) => !Number.isNaN(x));
console.log(`\nclient RSS (MB) every 10 s: ${rss.map((x) => x.mb.toFixed(1)).join(" ")}`);
console.log(`(min ${Math.min(...mbs).toFixed(1)}, max ${Math.max(...mbs).toFixed(1)}, ${at2.toFixed(1)} at ${baselineSec} s, ${end.toFixed(1)} at the end)\n`);

const checks: [boolean, string][] = [
  [run.code === 0, `exit ${run.code} (--max-errors 1%)`],
  [r.requests.issued === r.requests.completed + r.requests.errors, "issued = completed + errors"],
  [r.requests.completed <= serverSets && serverSets <= r.requests.issued, `completed (${r.requests.completed}) <= server SET calls (${serverSets}) <= issued (${r.requests.issued})`],
  [end <= at2 * 1.25, `RSS ${at2.toFixed(1)} MB at ${baselineSec} s -> ${end.toFixed(1)} MB at the end (within 25%)`],
  [rates.length > 0 && Math.min(...rates) >= 0.8 * rps, `per-minute successful rate flat (${Math.round(Math.min(...rates))}..${Math.round(Math.max(...rates))} /s, target ${rps})`],
];
for (const [ok, what] of checks) console.log(`${ok ? "pass" : "FAIL"}  ${what}`);
process.exit(checks.every(([ok]) => ok) ? 0 : 1);
