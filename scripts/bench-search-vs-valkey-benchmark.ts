/**
 * Vector search cells, ours vs `valkey-benchmark -x`, alternately, against a real valkey-search
 * (Valkey 8.1.1 + module 1.0.3 from ../shared/valkey-search or --search-dir): throughput and
 * client CPU per request for both, with the ratios.
 *
 *   bun scripts/bench-search-vs-valkey-benchmark.ts [--rounds 1] [--quick | --long] [--base-port 40300]
 *       [--search-dir DIR] [--only query|load] [--no-cluster] [--bin dist/valkey-search-benchmark]
 *
 * Cells:
 * - vec-query: the same HNSW index (10000 x 128 float32, generated; 50000 with --long) and the same query repeated
 *   (a one-query dataset), `FT.SEARCH idx "*=>[KNN 10 @embedding $BLOB]" ... NOCONTENT LIMIT 0 10
 *   DIALECT 2`; valkey-benchmark gets the blob as its last argument from stdin (-x).
 *   Standalone at -c 1/8/32, a 3-shard cluster (the module's coordinator fans out) at -c 3/8/32
 *   (ours needs a connection per node), each at -P 1 and 4.
 * - vec-load: <vectors> (10000; 50000 with --long) into a fresh FLAT or HNSW index, -c 8, -P 1 and 4;
 *   valkey-benchmark runs `-x HSET vec:__rand_int__ embedding` (one vector). "distinct vectors": ours
 *   loads the dataset, valkey-benchmark -r <vectors> (~63% distinct keys): not the same server work.
 *   "same vector": ours loads <vectors> copies of valkey-benchmark's vector, which uses -r 2e9 (distinct keys):
 *   the same server work, so these cells compare the clients like for like.
 *
 * --long runs 200,000 queries per standalone vec-query cell (40,000 on the cluster) and loads 50,000 vectors per vec-load cell, so
 * ours' fixed costs (process start-up, dataset map, JIT warm-up: about 0.1-0.2 CPU-s) are a few
 * percent of a cell rather than most of it; --quick runs 2,000 queries.
 *
 * Every run is checked against the servers' own counters (INFO commandstats: as many successful
 * FT.SEARCH / HSET calls as requests, none failed), so an error reply cannot pass for speed.
 *
 * CPU is the kernel's rusage of each client process (user + system), in microseconds per request
 * (= CPU-s per million requests), including process start-up; ours' start-up cost is measured
 * once (a one-request run) and printed, so the marginal cost can be read off. Servers are started
 * with start-search-server.sh on --base-port.. (standalone), +1..+3 (cluster; coordinator at
 * +20294) and stopped at the end.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { openDataset } from "../src/dataset/index.ts";
import { LegacyDatasetWriter } from "../src/dataset/formats/legacy-writer.ts";

const argv = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1]! : def;
};
const rounds = Number(opt("--rounds", "1"));
const quick = argv.includes("--quick");
const long = argv.includes("--long");
const basePort = Number(opt("--base-port", "40300"));
const only = opt("--only", "");
const ours = resolve(opt("--bin", "dist/valkey-search-benchmark"));
const searchDir = resolve(opt("--search-dir", process.env.VSB_SEARCH_SERVER_DIR ?? resolve(import.meta.dir, "../../shared/valkey-search")));
const fail = (m: string): never => {
  console.error(`error: ${m}`);
  process.exit(2);
};
if (!existsSync(ours)) fail(`${ours} not found; run 'npm run build' first`);
if (!existsSync(join(searchDir, "start-search-server.sh"))) fail(`no start-search-server.sh in ${searchDir}; pass --search-dir DIR (a real valkey-search, see ../shared/valkey-search/README.md)`);
if (quick && long) fail("--quick and --long contradict each other; pick one");
if (!(rounds >= 1)) fail(`--rounds ${opt("--rounds", "")}: give a count >= 1`);
if (!(basePort > 0 && basePort + 3 <= 45240)) fail(`--base-port ${basePort}: give a port <= 45237 (the coordinator listens on port + 20294)`);
if (Bun.spawnSync(["which", "valkey-benchmark"]).exitCode !== 0) fail("valkey-benchmark not found (Debian: apt-get install valkey-tools, or run scripts/lib/ensure-deps.sh)");

const CLI = join(searchDir, "bin/valkey-cli");
/** Servers started: their PID and port (start-search-server.sh keeps data in /tmp/vs-PORT.*). */
const started: { pid: number; port: number }[] = [];
const tmp = mkdtempSync(join(tmpdir(), "vsb-bench-search-"));
function cleanup(): void {
  for (const { pid } of started) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {}
  }
  for (const { pid, port } of started.splice(0)) {
    for (let i = 0; i < 50 && Bun.spawnSync(["kill", "-0", String(pid)]).exitCode === 0; i++) Bun.sleepSync(100);
    // The data directory the start script made for this server (its pid file names it).
    for (const name of readdirSync(tmpdir()).filter((n) => n.startsWith(`vs-${port}.`))) {
      const dir = join(tmpdir(), name);
      try {
        if (readFileSync(join(dir, "pid"), "utf8").trim() === String(pid)) rmSync(dir, { recursive: true, force: true });
      } catch {}
    }
  }
  rmSync(tmp, { recursive: true, force: true });
}
process.on("exit", cleanup);
process.on("SIGINT", () => process.exit(130));

function cli(port: number, ...args: string[]): string {
  const r = Bun.spawnSync([CLI, "-p", String(port), ...args]);
  return r.stdout.toString().trim();
}

function startServer(port: number, mode: "" | "--cluster"): void {
  const r = Bun.spawnSync(["bash", join(searchDir, "start-search-server.sh"), String(port), ...(mode ? [mode] : [])]);
  if (r.exitCode !== 0) fail(`start-search-server.sh ${port} ${mode} failed: ${r.stderr.toString().trim()}`);
  started.push({ pid: Number(r.stdout.toString().trim()), port });
}

async function startCluster(ports: number[]): Promise<void> {
  for (const p of ports) startServer(p, "--cluster");
  const r = Bun.spawnSync([CLI, "--cluster", "create", ...ports.map((p) => `127.0.0.1:${p}`), "--cluster-replicas", "0", "--cluster-yes"]);
  if (r.exitCode !== 0) fail(`valkey-cli --cluster create failed: ${r.stdout.toString()}`);
  for (let i = 0; i < 300; i++) {
    if (ports.every((p) => cli(p, "CLUSTER", "INFO").includes("cluster_state:ok"))) return;
    await Bun.sleep(100);
  }
  fail("the cluster did not reach cluster_state:ok");
}

interface Sample {
  rps: number;
  cpuUsPerRequest: number;
}

/** calls and failed + rejected calls of `command` (commandstats name) summed over the nodes. */
function serverCalls(ports: number[], command: string): { calls: number; failed: number } {
  let calls = 0;
  let failed = 0;
  for (const port of ports) {
    const line = cli(port, "INFO", "commandstats").split("\n").find((l) => l.toLowerCase().startsWith(`cmdstat_${command}:`));
    if (!line) continue;
    const f = Object.fromEntries(line.slice(line.indexOf(":") + 1).split(",").map((kv) => kv.split("=")));
    calls += Number(f.calls ?? 0);
    failed += Number(f.failed_calls ?? 0) + Number(f.rejected_calls ?? 0);
  }
  return { calls, failed };
}

/** Runs a client and checks with the servers' own counters that it ran `requests` successful commands. */
async function checkedRun(cmd: string[], requests: number, ports: number[], command: string, stdinFile?: string): Promise<Sample> {
  const before = serverCalls(ports, command);
  const sample = await runClient(cmd, requests, stdinFile);
  const after = serverCalls(ports, command);
  const calls = after.calls - before.calls;
  const failed = after.failed - before.failed;
  if (calls < requests || failed > 0) throw new Error(`${cmd[0]} ran ${calls} ${command} on the server(s) with ${failed} failed, expected ${requests} successful: ${cmd.join(" ")}`);
  return sample;
}

async function runClient(cmd: string[], requests: number, stdinFile?: string): Promise<Sample> {
  const p = Bun.spawn(cmd, { stdin: stdinFile ? Bun.file(stdinFile) : "ignore", stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  if (code !== 0) throw new Error(`${cmd.join(" ")} exited ${code}: ${err}`);
  const usage = p.resourceUsage();
  const cpuSec = usage ? Number(usage.cpuTime.user + usage.cpuTime.system) / 1e6 : NaN;
  const row = out.trim().split("\n").filter((l) => l.startsWith('"') && !l.startsWith('"test"'))[0];
  if (!row) throw new Error(`no CSV row in the output of ${cmd.join(" ")}:\n${out}\n${err}`);
  return { rps: Number(row.split(",")[1]!.replaceAll('"', "")), cpuUsPerRequest: (cpuSec / requests) * 1e6 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rows: string[][] = [];

function addRow(setup: string, test: string, pipeline: number, clients: number, a: Sample[], b: Sample[]): void {
  const oursRps = median(a.map((s) => s.rps));
  const vbRps = median(b.map((s) => s.rps));
  const oursCpu = median(a.map((s) => s.cpuUsPerRequest));
  const vbCpu = median(b.map((s) => s.cpuUsPerRequest));
  const row = [setup, test, String(pipeline), String(clients), oursRps.toFixed(0), vbRps.toFixed(0), (oursRps / vbRps).toFixed(2), oursCpu.toFixed(2), vbCpu.toFixed(2), (oursCpu / vbCpu).toFixed(2)];
  rows.push(row);
  console.error(row.join("\t"));
}

// Datasets: 10000 (--long: 50000) x 128 with one query (the query cells repeat it), generated with ground truth.
const vectors = long ? 50_000 : 10_000;
const dataset = join(tmp, "one-query.bin");
const gen = Bun.spawnSync([ours, "dataset", "generate", "-o", dataset, "--dim", "128", "--num-vectors", String(vectors), "--num-queries", "1", "--k", "10", "--seed", "5"]);
if (gen.exitCode !== 0) fail(`dataset generate failed: ${gen.stderr.toString()}`);
const ds = openDataset({ path: dataset });
const queryBlob = join(tmp, "query.bin");
const vectorBlob = join(tmp, "vector.bin");
writeFileSync(queryBlob, new Uint8Array(Float32Array.from(ds.queryF32(0, new Float32Array(ds.dim))).buffer));
// valkey-benchmark's vector: the first of the dataset with no zero byte. valkey-benchmark finds
// __rand_int__ in a pipelined batch with C string functions, which stop at a NUL in a -x blob: with
// -P 4 only the first command of each batch got a random key and the other three rewrote
// "vec:__rand_int__", so its vec-load cells wrote a quarter of the vectors (docs/external-facts.md).
let vbVector = -1;
for (let i = 0; i < ds.numVectors && vbVector < 0; i++) {
  if (!new Uint8Array(Float32Array.from(ds.vectorF32(i, new Float32Array(ds.dim))).buffer).includes(0)) vbVector = i;
}
if (vbVector < 0) fail("no dataset vector without a zero byte for valkey-benchmark -x (see the comment above)");
writeFileSync(vectorBlob, new Uint8Array(Float32Array.from(ds.vectorF32(vbVector, new Float32Array(ds.dim))).buffer));
ds.close();
// The "same vector" load cells' dataset: <vectors> copies of the vector valkey-benchmark writes.
const sameVectorDataset = join(tmp, "same-vector.bin");
{
  const row = new Float32Array(new Uint8Array(readFileSync(vectorBlob)).buffer);
  const w = new LegacyDatasetWriter({ path: sameVectorDataset, dim: row.length, numVectors: vectors, numQueries: 1, neighborsPerQuery: 1, metric: "L2" });
  const chunk = 4096;
  const block = new Float32Array(chunk * row.length);
  for (let i = 0; i < chunk; i++) block.set(row, i * row.length);
  for (let i = 0; i < vectors; i += chunk) w.writeVectors(i, block.subarray(0, Math.min(chunk, vectors - i) * row.length));
  w.writeQueries(0, row);
  w.writeGroundTruth(0, [0]);
  w.finish();
}

const INDEX = ["--search-index", "bench_idx", "--search-prefix", "vec:"];
const queries = quick ? 2000 : long ? 200_000 : 10_000;
// The 3-shard cluster answers a few thousand queries per second here (each fans out to 3 shards).
const clusterQueries = long ? 40_000 : queries;
const standaloneQueries = queries;

async function queryCells(setup: string, ports: number[], clientCounts: number[], cluster: boolean): Promise<void> {
  const port = ports[0]!;
  const queries = cluster ? clusterQueries : standaloneQueries;
  // One HNSW index with the dataset's vectors, loaded by us once.
  await runClient([ours, "-p", String(port), "--dataset", dataset, ...INDEX, "-t", "vec-load", "-c", "8", "--csv"], vectors);
  for (const clients of clientCounts) {
    for (const pipeline of [1, 4]) {
      const a: Sample[] = [];
      const b: Sample[] = [];
      const common = ["-p", String(port), "-n", String(queries), "-c", String(clients), "-P", String(pipeline), "--csv", ...(cluster ? ["--cluster"] : [])];
      for (let r = 0; r < rounds; r++) {
        b.push(await checkedRun(["valkey-benchmark", ...common, "-x", "FT.SEARCH", "bench_idx", "*=>[KNN 10 @embedding $BLOB]", "NOCONTENT", "LIMIT", "0", "10", "DIALECT", "2", "PARAMS", "2", "BLOB"], queries, ports, "ft.search", queryBlob));
        a.push(await checkedRun([ours, ...common, "--dataset", dataset, ...INDEX, "-t", "vec-query", "-k", "10"], queries, ports, "ft.search"));
      }
      addRow(setup, "vec-query", pipeline, clients, a, b);
    }
  }
}

async function loadCells(port: number): Promise<void> {
  // Two kinds of cell. "distinct vectors": ours loads the dataset (what users run), valkey-benchmark
  // writes its one vector under -r <vectors> keys (~63% distinct): not the same server work.
  // "same vector": both write one vector under about <vectors> distinct keys (ours from a dataset of
  // copies of it, valkey-benchmark with -r 2e9), so the server does the same work for both and the
  // client columns compare like for like.
  for (const [kind, source, keyspace] of [["distinct vectors", dataset, vectors], ["same vector", sameVectorDataset, 2_000_000_000]] as const) {
    for (const algorithm of ["FLAT", "HNSW"]) {
      for (const pipeline of [1, 4]) {
        const a: Sample[] = [];
        const b: Sample[] = [];
        const fresh = () => {
          cli(port, "FT.DROPINDEX", "bench_idx");
          cli(port, "FLUSHALL");
        };
        for (let r = 0; r < rounds; r++) {
          fresh();
          cli(port, "FT.CREATE", "bench_idx", "ON", "HASH", "PREFIX", "1", "vec:", "SCHEMA", "embedding", "VECTOR", algorithm, "6", "TYPE", "FLOAT32", "DIM", "128", "DISTANCE_METRIC", "L2");
          b.push(await checkedRun(["valkey-benchmark", "-p", String(port), "-n", String(vectors), "-r", String(keyspace), "-c", "8", "-P", String(pipeline), "--csv", "-x", "HSET", "vec:__rand_int__", "embedding"], vectors, [port], "hset", vectorBlob));
          fresh();
          a.push(await checkedRun([ours, "-p", String(port), "--dataset", source, ...INDEX, "--search-algorithm", algorithm, "-t", "vec-load", "-c", "8", "-P", String(pipeline), "--csv"], vectors, [port], "hset"));
        }
        fresh();
        addRow(`standalone ${algorithm}, ${kind}`, "vec-load", pipeline, 8, a, b);
      }
    }
  }
}

// Interrupted (Ctrl-C, kill): stop the servers started so far, as the finally below does.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    cleanup();
    process.exit(signal === "SIGINT" ? 130 : 143);
  });
}

try {
  startServer(basePort, "");
  if (only !== "load") await queryCells("standalone", [basePort], [1, 8, 32], false);
  // Ours' fixed cost per process (start-up, dataset map, index check), from a one-query run.
  const startup = only === "load" ? undefined : await runClient([ours, "-p", String(basePort), "--dataset", dataset, ...INDEX, "-t", "vec-query", "-n", "1", "-c", "1", "--csv"], 1);
  if (only !== "query") await loadCells(basePort);
  if (only !== "load" && !argv.includes("--no-cluster")) {
    const ports = [basePort + 1, basePort + 2, basePort + 3];
    await startCluster(ports);
    await queryCells("cluster-3", ports, [3, 8, 32], true);
  }
  console.log(`\nours = ${ours}, vb = valkey-benchmark ${Bun.spawnSync(["valkey-benchmark", "--version"]).stdout.toString().trim()}; real valkey-search from ${searchDir}`);
  console.log(`median of ${rounds} alternating run(s); vec-query: ${standaloneQueries} queries per run (cluster: ${clusterQueries}); vec-load: ${vectors} vectors, dim 128`);
  if (startup) console.log(`ours' process start-up (a one-query run): ${startup.cpuUsPerRequest.toFixed(0)} us CPU, included in ours' CPU column (${(startup.cpuUsPerRequest / queries).toFixed(2)} us per query at ${queries})`);
  console.log();
  const header = ["setup", "test", "-P", "-c", "ours rps", "vb rps", "rps ratio", "ours us CPU/req", "vb us CPU/req", "CPU ratio"];
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  console.log(`| ${header.join(" | ")} |\n|${header.map(() => "---").join("|")}|`);
  for (const r of rows) console.log(`| ${r.join(" | ")} |`);
  console.log();
  for (const r of all) console.log(r.map((c, i) => c.padStart(widths[i]!)).join("  "));
} finally {
  cleanup();
}
