/**
 * What realistic workloads cost the client (issue 15): key patterns, value-size ranges and
 * lists, and --verify-writes against uniform keys with a fixed -d, on one fresh valkey-server,
 * variants interleaved round by round. Prints, per case, the median throughput and the median
 * client CPU seconds per million requests (user + sys of the benchmark process from its rusage,
 * minus the CPU of starting up, measured with -n 1), and the ratio to the uniform baseline.
 * valkey-benchmark's uniform run is shown for reference (it has no key patterns).
 * First, without a server: nanoseconds per request of the workload's patch step alone (keys,
 * sizes, stamps written into a -P 16 buffer), in process, which the shared machine's load
 * disturbs far less than the end-to-end runs.
 *
 *   npm run build && bun scripts/bench-workloads.ts [--rounds 3] [--port 42110] [--quick] [--patch-only]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCli } from "../src/cli/parse-cli.ts";
import type { BenchConfig } from "../src/config/types.ts";
import { createKvWorkload, type KvParams } from "../src/workload/kv-workload.ts";
import { planKvTests } from "../src/workload/plan.ts";
import { WORKLOADS } from "../src/workloads/index.ts";

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv.splice(i, 2)[1]! : dflt;
};
const rounds = Number(opt("--rounds", "3"));
const port = Number(opt("--port", "42110"));
const quick = argv.includes("--quick");
const patchOnly = argv.includes("--patch-only");
const BIN = join(import.meta.dir, "../dist/valkey-search-benchmark");

const KEYS = ["-r", "100000"];
const VARIANTS: { name: string; args: string[]; tests: string[]; tool?: "vb" }[] = [
  { name: "valkey-benchmark -r uniform, -d 64 (reference)", args: [...KEYS, "-d", "64"], tests: ["set", "get"], tool: "vb" },
  { name: "-r uniform, -d 64 (baseline)", args: [...KEYS, "-d", "64"], tests: ["set", "get"] },
  { name: "--key-pattern Z, -d 64", args: [...KEYS, "--key-pattern", "Z", "-d", "64"], tests: ["set", "get"] },
  { name: "--key-pattern G, -d 64", args: [...KEYS, "--key-pattern", "G", "-d", "64"], tests: ["get"] },
  { name: "-r uniform, --data-size-range 32-96", args: [...KEYS, "--data-size-range", "32-96"], tests: ["set"] },
  { name: "Z + --data-size-range 32-96", args: [...KEYS, "--key-pattern", "Z", "--data-size-range", "32-96"], tests: ["set"] },
  { name: "Z + --data-size-list 32:60,96:30,160:10", args: [...KEYS, "--key-pattern", "Z", "--data-size-list", "32:60,96:30,160:10"], tests: ["set"] },
  { name: "--verify-writes, -d 64 (incl. read-back)", args: [...KEYS, "-d", "64", "--verify-writes"], tests: ["set"] },
];
const SHAPES = [
  { pipeline: 1, requests: quick ? 50_000 : 200_000 },
  { pipeline: 16, requests: quick ? 200_000 : 1_000_000 },
];

interface Sample {
  rps: number;
  cpuSec: number;
}

async function runOnce(cmd: string[]): Promise<{ cpuSec: number; out: string }> {
  const p = Bun.spawn(cmd, { stdout: "pipe", stderr: "pipe" });
  const out = await new Response(p.stdout).text();
  const code = await p.exited;
  if (code !== 0) throw new Error(`${cmd.join(" ")} exited ${code}: ${await new Response(p.stderr).text()}`);
  const usage = p.resourceUsage();
  return { cpuSec: usage ? Number(usage.cpuTime.user + usage.cpuTime.system) / 1e6 : NaN, out };
}

async function sample(variant: (typeof VARIANTS)[number], test: string, pipeline: number, requests: number, startupCpu: number): Promise<Sample> {
  const common = ["-p", String(port), "-c", "50", "-P", String(pipeline), "-n", String(requests), "-t", test, ...variant.args];
  if (variant.tool === "vb") {
    const { cpuSec, out } = await runOnce(["valkey-benchmark", ...common, "--csv"]);
    const row = out.trim().split("\n").at(-1)!.split(",");
    return { rps: Number(JSON.parse(row[1]!)), cpuSec };
  }
  const { cpuSec, out } = await runOnce([BIN, ...common, "--output-format", "json"]);
  const doc = JSON.parse(out) as { tests: { throughput?: number; rps?: number; requests: { completed: number } }[] };
  const t = doc.tests[0]! as Record<string, unknown>;
  const rps = Number(t.throughput ?? t.rps ?? (t.summary as Record<string, unknown> | undefined)?.rps);
  return { rps, cpuSec: Math.max(0, cpuSec - startupCpu) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Nanoseconds per request of patch() alone, -P 16, best of 5 runs of 2M requests. */
async function patchCost(variant: (typeof VARIANTS)[number], test: string): Promise<number> {
  const parsed = await parseCli(["-P", "16", "-t", test, "--seed", "1", ...variant.args]);
  if (parsed.kind !== "bench") throw new Error("not a benchmark command line");
  const config: BenchConfig = parsed.config;
  const params = planKvTests(config, false)[0]!.workload.params as KvParams;
  let seq = 0;
  const w = await createKvWorkload(params, { config, workerIndex: 0, workers: 1, nextSequence: () => seq++, catalog: WORKLOADS });
  const conn = w.forConnection(0, { address: "127.0.0.1:1", host: "127.0.0.1", port: 1, role: "primary", slots: new Uint16Array(0) });
  let buffer = conn.allocate?.(16);
  if (!buffer) {
    buffer = new Uint8Array(conn.unit.bytes.length * 16);
    for (let i = 0; i < 16; i++) buffer.set(conn.unit.bytes, i * conn.unit.bytes.length);
  }
  const batches = 125_000;
  let best = Infinity;
  for (let run = 0; run < 5; run++) {
    const t0 = Bun.nanoseconds();
    for (let b = 0; b < batches; b++) conn.patch(buffer, 16, b * 16);
    best = Math.min(best, (Bun.nanoseconds() - t0) / (batches * 16));
  }
  return best;
}

console.log("patch step alone, -P 16, in process (ns per request, best of 5 x 2M):");
console.log("| test | workload | ns/request |");
console.log("|---|---|---|");
for (const test of ["set", "get"]) {
  for (const v of VARIANTS) {
    if (v.tool === "vb" || !v.tests.includes(test)) continue;
    console.log(`| ${test} | ${v.name} | ${(await patchCost(v, test)).toFixed(1)} |`);
  }
}
console.log("");
if (patchOnly) process.exit(0);

const dir = mkdtempSync(join(tmpdir(), "bench-workloads-"));
const server = Bun.spawn(["valkey-server", "--port", String(port), "--save", "", "--appendonly", "no", "--dir", dir], { stdout: "ignore", stderr: "ignore" });
try {
  for (let i = 0; i < 100; i++) {
    const ping = Bun.spawnSync(["valkey-cli", "-p", String(port), "PING"]);
    if (ping.stdout.toString().includes("PONG")) break;
    await Bun.sleep(100);
  }
  const startup: number[] = [];
  for (let i = 0; i < 3; i++) startup.push((await runOnce([BIN, "-p", String(port), "-t", "ping_mbulk", "-n", "1", "-c", "1", "-q"])).cpuSec);
  const startupCpu = median(startup);
  // GET needs the keys: write them once.
  await runOnce([BIN, "-p", String(port), "-t", "set", "--key-pattern", "S", "-r", "100000", "-n", "100000", "-d", "64", "-P", "16", "-q"]);
  console.log(`${rounds} interleaved rounds, -c 50, one valkey-server on 127.0.0.1:${port}; startup CPU ${startupCpu.toFixed(3)} s subtracted from our runs`);
  console.log("| test | -P | requests | workload | rps (median) | client CPU-s/Mreq | CPU vs baseline |");
  console.log("|---|---|---|---|---|---|---|");
  for (const test of ["set", "get"]) {
    for (const { pipeline, requests } of SHAPES) {
      const variants = VARIANTS.filter((v) => v.tests.includes(test));
      const samples = variants.map(() => [] as Sample[]);
      for (let r = 0; r < rounds; r++) {
        for (const [i, v] of variants.entries()) samples[i]!.push(await sample(v, test, pipeline, requests, startupCpu));
      }
      const perM = (s: Sample[]) => median(s.map((x) => x.cpuSec)) / (requests / 1e6);
      const baseline = perM(samples[1]!);
      for (const [i, v] of variants.entries()) {
        const cpu = perM(samples[i]!);
        console.log(`| ${test} | ${pipeline} | ${requests} | ${v.name} | ${Math.round(median(samples[i]!.map((x) => x.rps)))} | ${cpu.toFixed(2)} | ${(cpu / baseline).toFixed(2)} |`);
      }
    }
  }
} finally {
  server.kill();
  await server.exited;
  rmSync(dir, { recursive: true, force: true });
}
