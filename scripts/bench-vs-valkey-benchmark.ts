/**
 * Side-by-side: our binary vs valkey-benchmark, alternately, against the same throw-away server.
 * Prints throughput and client CPU seconds per million requests for both, with the ratios.
 *
 *   bun scripts/bench-vs-valkey-benchmark.ts [--rounds 3] [--quick | --long] [--cluster-only | --no-cluster] [--pipeline 1|16] [--test set|get|ping_mbulk] [--bin dist/valkey-search-benchmark]
 *
 * --quick runs an eighth of the requests; --long runs 5M requests in every cell, where start-up
 * is under 2% of the CPU and CPU per request is stable between rounds (at -P 1 a cell then takes
 * about 50 s per run: --pipeline 16 keeps only the pipelined cells).
 *
 * When a real search server is available (VSB_SEARCH_SERVER_DIR, else ../shared/valkey-search
 * next to the repository) the vector search cells of scripts/bench-search-vs-valkey-benchmark.ts
 * follow (vec-query and vec-load vs valkey-benchmark -x); --no-search skips them.
 *
 * CPU comes from the kernel's rusage of each client process (user + system), so the server's
 * work is not counted. Each cell is the median of --rounds runs.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const argv = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1]! : def;
};
const rounds = Number(opt("--rounds", "3"));
const quick = argv.includes("--quick");
const long = argv.includes("--long");
if (quick && long) {
  console.error("error: --quick and --long contradict each other; pick one");
  process.exit(2);
}
const ours = opt("--bin", "dist/valkey-search-benchmark");
const clusterOnly = argv.includes("--cluster-only");
const onlyTest = argv.includes("--test") ? opt("--test", "") : undefined;
if (onlyTest !== undefined && !["ping_mbulk", "set", "get"].includes(onlyTest)) {
  console.error(`error: --test ${onlyTest}: the cells are ping_mbulk, set and get`);
  process.exit(2);
}
const pipelines = argv.includes("--pipeline") ? [Number(opt("--pipeline", ""))] : [1, 16];
if (!pipelines.every((p) => p === 1 || p === 16)) {
  console.error(`error: --pipeline ${opt("--pipeline", "")}: the cells are at 1 or 16`);
  process.exit(2);
}
if (!existsSync(ours)) {
  console.error(`error: ${ours} not found; run 'npm run build' first`);
  process.exit(2);
}

async function freePort(): Promise<number> {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 20000);
    try {
      const l = Bun.listen({ hostname: "127.0.0.1", port, socket: { data() {} } });
      l.stop(true);
      return port;
    } catch {}
  }
}

async function startServer(): Promise<{ port: number; ports: number[]; stop(): void }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "vsb-bench-"));
  const p = Bun.spawn(["valkey-server", "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], { stdout: "ignore", stderr: "ignore" });
  for (let i = 0; i < 100; i++) {
    const ping = Bun.spawnSync(["valkey-cli", "-p", String(port), "PING"]);
    if (ping.stdout.toString().trim() === "PONG") break;
    await Bun.sleep(50);
  }
  return { port, ports: [port], stop: () => (p.kill(), rmSync(dir, { recursive: true, force: true })) };
}

interface Sample {
  rps: number;
  cpuSec: number;
  requests: number;
}

async function runClient(cmd: string[], requests: number): Promise<Sample> {
  const p = Bun.spawn(cmd, { stdout: "pipe", stderr: "pipe" });
  const out = await new Response(p.stdout).text();
  const code = await p.exited;
  if (code !== 0) throw new Error(`${cmd.join(" ")} exited ${code}: ${await new Response(p.stderr).text()}`);
  const usage = p.resourceUsage();
  const cpuSec = usage ? Number(usage.cpuTime.user + usage.cpuTime.system) / 1e6 : NaN;
  // --csv: header line, then "TITLE","rps",...
  const row = out.trim().split("\n").filter((l) => l.startsWith('"') && !l.startsWith('"test"'))[0];
  if (!row) throw new Error(`no CSV row in output of ${cmd.join(" ")}:\n${out}`);
  const rps = Number(row.split(",")[1]!.replaceAll('"', ""));
  return { rps, cpuSec, requests };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Cell {
  test: string;
  pipeline: number;
  threads: number;
  extra: string[];
  label: string;
}

/** Empties every node: on a cluster each SET request's key carries a random slot tag, so without
 *  this every 5M-request set run would add millions of keys and the later runs (always the same
 *  client's) would meet a bigger, slower keyspace. */
function flushAll(ports: number[]): void {
  for (const port of ports) Bun.spawnSync(["valkey-cli", "-p", String(port), "FLUSHALL"]);
}

async function measure(cells: Cell[], hostArgs: string[], ports: number[]): Promise<string[][]> {
  const rows: string[][] = [];
  for (const cell of cells) {
    // Large enough that process start-up (about 0.1 CPU-s for ours) is a small part of the CPU.
    const n = long ? 5_000_000 : (cell.pipeline > 1 ? 2_000_000 : 500_000) / (quick ? 8 : 1);
    const common = ["-t", cell.test, "-n", String(n), "-c", "50", "-r", "100000", "-P", String(cell.pipeline), "--threads", String(cell.threads), "--csv", ...hostArgs, ...cell.extra];
    const a: Sample[] = [];
    const b: Sample[] = [];
    for (let r = 0; r < rounds; r++) {
      // Writes start from an empty server, so both clients meet the same keyspace.
      if (cell.test === "set") flushAll(ports);
      b.push(await runClient(["valkey-benchmark", ...common], n));
      if (cell.test === "set") flushAll(ports);
      a.push(await runClient([ours, ...common], n));
    }
    const oursRps = median(a.map((s) => s.rps));
    const vbRps = median(b.map((s) => s.rps));
    const oursCpu = median(a.map((s) => (s.cpuSec / s.requests) * 1e6));
    const vbCpu = median(b.map((s) => (s.cpuSec / s.requests) * 1e6));
    const row = [cell.label, cell.test, String(cell.pipeline), String(cell.threads), oursRps.toFixed(0), vbRps.toFixed(0), (oursRps / vbRps).toFixed(2), oursCpu.toFixed(2), vbCpu.toFixed(2), (oursCpu / vbCpu).toFixed(2)];
    rows.push(row);
    console.error(row.join("\t"));
  }
  return rows;
}

function printTable(rows: string[][]): void {
  const header = ["setup", "test", "-P", "threads", "ours rps", "vb rps", "rps ratio", "ours CPU-s/Mreq", "vb CPU-s/Mreq", "CPU ratio"];
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  for (const r of all) console.log(r.map((c, i) => c.padStart(widths[i]!)).join("  "));
}

/** A 3-primary cluster (no replicas) on free ports, for the cluster cells. */
async function startCluster(): Promise<{ port: number; ports: number[]; stop(): void }> {
  const servers: { port: number; stop(): void }[] = [];
  const dir = mkdtempSync(join(tmpdir(), "vsb-bench-cluster-"));
  for (let i = 0; i < 3; i++) {
    let port = await freePort();
    while (port > 55000) port = await freePort(); // the cluster bus listens on port + 10000
    const nodeDir = join(dir, String(i));
    Bun.spawnSync(["mkdir", "-p", nodeDir]);
    const p = Bun.spawn(
      ["valkey-server", "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", nodeDir, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"],
      { stdout: "ignore", stderr: "ignore" },
    );
    servers.push({ port, stop: () => p.kill() });
  }
  for (const s of servers) {
    for (let i = 0; i < 100; i++) {
      if (Bun.spawnSync(["valkey-cli", "-p", String(s.port), "PING"]).stdout.toString().trim() === "PONG") break;
      await Bun.sleep(50);
    }
  }
  Bun.spawnSync(["valkey-cli", "--cluster", "create", ...servers.map((s) => `127.0.0.1:${s.port}`), "--cluster-yes"], { stdout: "ignore", stderr: "ignore" });
  for (let i = 0; i < 200; i++) {
    const ok = servers.every((s) => Bun.spawnSync(["valkey-cli", "-p", String(s.port), "CLUSTER", "INFO"]).stdout.toString().includes("cluster_state:ok"));
    if (ok) break;
    await Bun.sleep(100);
  }
  return { port: servers[0]!.port, ports: servers.map((s) => s.port), stop: () => (servers.forEach((s) => s.stop()), rmSync(dir, { recursive: true, force: true })) };
}

const rows: string[][] = [];
if (!clusterOnly) {
  const server = await startServer();
  try {
    const cells: Cell[] = [];
    for (const test of ["ping_mbulk", "set", "get"].filter((t) => onlyTest === undefined || t === onlyTest)) for (const pipeline of pipelines) for (const threads of [1, 2]) cells.push({ test, pipeline, threads, extra: [], label: "standalone" });
    rows.push(...(await measure(cells, ["-p", String(server.port)], server.ports)));
  } finally {
    server.stop();
  }
}
if (!argv.includes("--no-cluster")) {
  const cluster = await startCluster();
  try {
    const cells: Cell[] = [];
    for (const test of ["set", "get"].filter((t) => onlyTest === undefined || t === onlyTest)) for (const pipeline of pipelines) for (const threads of [1, 2]) cells.push({ test, pipeline, threads, extra: ["--cluster"], label: "cluster-3" });
    rows.push(...(await measure(cells, ["-p", String(cluster.port)], cluster.ports)));
  } finally {
    cluster.stop();
  }
}
console.log(`\nours = ${ours}, vb = valkey-benchmark; median of ${rounds} alternating runs; -c 50 -r 100000`);
printTable(rows);

const searchDir = process.env.VSB_SEARCH_SERVER_DIR ?? join(import.meta.dir, "..", "..", "shared", "valkey-search");
if (!argv.includes("--no-search") && existsSync(join(searchDir, "start-search-server.sh"))) {
  console.log(`\nvector search cells (real valkey-search in ${searchDir}):`);
  const args = ["--rounds", String(rounds), "--search-dir", searchDir, "--bin", ours, ...(quick ? ["--quick"] : []), ...(long ? ["--long"] : [])];
  const p = Bun.spawn([process.execPath, join(import.meta.dir, "bench-search-vs-valkey-benchmark.ts"), ...args], { stdout: "inherit", stderr: "inherit" });
  if ((await p.exited) !== 0) process.exitCode = 1;
}
