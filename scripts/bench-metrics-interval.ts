/**
 * What --metrics-interval 1 costs the benchmark:
 *
 * 1. One sample's main-thread CPU: INFO of the sampled sections read, parsed and evaluated (the
 *    timeline's metrics and the default set), on a server with 100k keys and a filled
 *    commandstats; averaged over many samples.
 * 2. Client CPU (user + system from the kernel's rusage of the client process) with and without
 *    --metrics-interval 1 at a fixed --rps, alternately on the same fresh server and on a
 *    3-primary cluster: both variants do the same work, so the CPU difference is the feature's
 *    cost, whatever the machine's load does to throughput. Median of --rounds runs per cell.
 * 3. Unpaced throughput and CPU per million requests, the same way (on a shared machine this
 *    mostly shows the noise; CPU per request then also carries start-up over fewer requests).
 *
 *   bun scripts/bench-metrics-interval.ts [--rounds 5] [--duration 5] [--only standalone|cluster] [--bin dist/valkey-search-benchmark] [--port-base 41300]
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCli } from "../src/cli/parse-cli.ts";
import { DEFAULT_METRICS, TIMELINE_METRICS, sectionsFor } from "../src/metrics/default-metrics.ts";
import { evaluateMetric } from "../src/metrics/metric-eval.ts";
import { CountingSource, takeReading } from "../src/metrics/node-reading.ts";
import { ControlClient } from "../src/net/control-client.ts";

const argv = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1]! : def;
};
const rounds = Number(opt("--rounds", "5"));
const durationSec = Number(opt("--duration", "5"));
const bin = opt("--bin", "dist/valkey-search-benchmark");
let nextPort = Number(opt("--port-base", "0"));
const client = existsSync(bin) ? [bin] : [process.execPath, "src/main.ts"];

/** A port nothing uses now (ephemeral client ports can occupy any of them): from --port-base up, else random. */
async function freePort(): Promise<number> {
  for (;;) {
    const port = nextPort > 0 ? nextPort++ : 20000 + Math.floor(Math.random() * 20000);
    try {
      const l = Bun.listen({ hostname: "127.0.0.1", port, socket: { data() {} } });
      l.stop(true);
      return port;
    } catch {}
  }
}

const cli = (port: number, ...args: string[]) => Bun.spawnSync(["valkey-cli", "-p", String(port), ...args]).stdout.toString().trim();

async function startNode(dir: string, cluster: boolean): Promise<{ port: number; stop(): void }> {
  const port = await freePort();
  const args = ["valkey-server", "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--enable-debug-command", "local"];
  if (cluster) args.push("--cluster-enabled", "yes", "--cluster-config-file", `nodes-${port}.conf`);
  const p = Bun.spawn(args, { stdout: "ignore", stderr: "ignore" });
  for (let i = 0; i < 300 && cli(port, "PING") !== "PONG"; i++) await Bun.sleep(50);
  if (cli(port, "PING") !== "PONG") throw new Error(`valkey-server on port ${port} did not start (port taken?)`);
  return { port, stop: () => p.kill() };
}

async function startSetup(kind: "standalone" | "cluster"): Promise<{ port: number; stop(): void }> {
  const dir = mkdtempSync(join(tmpdir(), "vsb-metrics-bench-"));
  const nodes: { port: number; stop(): void }[] = [];
  for (let i = 0; i < (kind === "cluster" ? 3 : 1); i++) nodes.push(await startNode(dir, kind === "cluster"));
  if (kind === "cluster") {
    Bun.spawnSync(["valkey-cli", "--cluster", "create", ...nodes.map((n) => `127.0.0.1:${n.port}`), "--cluster-yes"], { stdout: "ignore", stderr: "ignore" });
    for (let i = 0; i < 200 && !nodes.every((n) => cli(n.port, "CLUSTER", "INFO").includes("cluster_state:ok")); i++) await Bun.sleep(100);
  }
  return { port: nodes[0]!.port, stop: () => (nodes.forEach((n) => n.stop()), rmSync(dir, { recursive: true, force: true })) };
}

/** Part 1: CPU of one sample in this process. */
async function perSampleCpu(): Promise<string> {
  const server = await startSetup("standalone");
  try {
    cli(server.port, "DEBUG", "POPULATE", "100000");
    for (const c of ["SET a 1", "GET a", "INCR n", "LPUSH l x", "HSET h f v", "SADD s m", "ZADD z 1 m", "XADD x * f v"]) cli(server.port, ...c.split(" "));
    const parsed = await parseCli(["-p", String(server.port)]);
    if (parsed.kind !== "bench") throw new Error("expected a bench configuration");
    const conn = await ControlClient.connect({ kind: "tcp", host: "127.0.0.1", port: server.port }, parsed.config.connection, { select: false });
    const source = new CountingSource(conn);
    const sections = sectionsFor([]);
    const node = { address: `127.0.0.1:${server.port}`, role: "primary" as const };
    const defs = [...Object.values(TIMELINE_METRICS), ...Object.values(DEFAULT_METRICS)];
    let prev = await takeReading(source, node, sections, 5000);
    const n = 2000;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const cur = await takeReading(source, node, sections, 5000);
      for (const d of defs) evaluateMetric(d, [{ before: prev, after: cur }]);
      prev = cur;
    }
    const cpu = process.cpuUsage(cpu0);
    const wallMs = performance.now() - t0;
    conn.close();
    const usPerSample = (cpu.user + cpu.system) / n;
    return `one sample (INFO ${sections.join(" ")}, parsed, ${defs.length} definitions evaluated): ${usPerSample.toFixed(0)} us of main-thread CPU, ${((wallMs * 1000) / n).toFixed(0)} us wall = ${(usPerSample / 1e4).toFixed(3)}% of a core per node at --metrics-interval 1`;
  } finally {
    server.stop();
  }
}

interface Sample {
  rps: number;
  cpuSec: number;
}

async function runClient(args: string[]): Promise<Sample> {
  const p = Bun.spawn([...client, ...args], { stdout: "pipe", stderr: "pipe" });
  const out = await new Response(p.stdout).text();
  const code = await p.exited;
  if (code !== 0) throw new Error(`${args.join(" ")} exited ${code}: ${await new Response(p.stderr).text()}`);
  const usage = p.resourceUsage();
  const cpuSec = usage ? Number(usage.cpuTime.user + usage.cpuTime.system) / 1e6 : NaN;
  const row = out.trim().split("\n").find((l) => l.startsWith('"') && !l.startsWith('"test"'));
  if (!row) throw new Error(`no CSV row in: ${out}`);
  return { rps: Number(row.split(",")[1]!.replaceAll('"', "")), cpuSec };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const only = opt("--only", "");
if (only !== "" && only !== "standalone" && only !== "cluster") {
  console.error("error: --only takes standalone or cluster");
  process.exit(2);
}
if (only === "") console.log(await perSampleCpu());

interface CellSpec {
  test: string;
  pipeline: number;
  /** Fixed offered load (requests/s); 0 = as fast as possible. */
  rps: number;
}

const CELLS: CellSpec[] = [
  { test: "set", pipeline: 1, rps: 5000 },
  { test: "get", pipeline: 16, rps: 20000 },
  { test: "set", pipeline: 1, rps: 0 },
  { test: "get", pipeline: 16, rps: 0 },
];

const rows: string[][] = [];
for (const setup of (only === "" ? ["standalone", "cluster"] : [only]) as ("standalone" | "cluster")[]) {
  const s = await startSetup(setup);
  try {
    for (const cell of CELLS) {
      const common = ["-p", String(s.port), "-t", cell.test, "--duration", String(durationSec), "-c", "50", "-r", "100000", "-P", String(cell.pipeline), "--csv", ...(cell.rps > 0 ? ["--rps", String(cell.rps)] : [])];
      const off: Sample[] = [];
      const on: Sample[] = [];
      for (let r = 0; r < rounds; r++) {
        // Alternate which goes first, so a drift in the machine's load hits both alike.
        const pair = r % 2 === 0 ? [false, true] : [true, false];
        for (const withInterval of pair) (withInterval ? on : off).push(await runClient(withInterval ? [...common, "--metrics-interval", "1"] : common));
      }
      const rps = (xs: Sample[]) => median(xs.map((x) => x.rps));
      const cpu = (xs: Sample[]) => median(xs.map((x) => x.cpuSec));
      const cpuPerM = (xs: Sample[]) => median(xs.map((x) => (x.cpuSec / (x.rps * durationSec)) * 1e6));
      const row = [
        setup === "cluster" ? "3-primary cluster" : "standalone",
        cell.test,
        String(cell.pipeline),
        cell.rps > 0 ? String(cell.rps) : "max",
        rps(off).toFixed(0),
        rps(on).toFixed(0),
        cpu(off).toFixed(3),
        cpu(on).toFixed(3),
        (cpu(on) - cpu(off)).toFixed(3),
        cpuPerM(off).toFixed(2),
        cpuPerM(on).toFixed(2),
      ];
      rows.push(row);
      console.error(`${row.join("\t")}   raw rps off ${off.map((x) => x.rps.toFixed(0)).join(" ")} | on ${on.map((x) => x.rps.toFixed(0)).join(" ")}; CPU-s off ${off.map((x) => x.cpuSec.toFixed(2)).join(" ")} | on ${on.map((x) => x.cpuSec.toFixed(2)).join(" ")}`);
    }
  } finally {
    s.stop();
  }
}
const header = ["setup", "test", "-P", "--rps", "rps off", "rps on", "CPU-s off", "CPU-s on", "on - off", "CPU-s/Mreq off", "CPU-s/Mreq on"];
console.log(`| ${header.join(" | ")} |\n|${header.map(() => "---").join("|")}|`);
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
