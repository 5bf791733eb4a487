/**
 * What the optimizer costs against a grid: on a server with the search module, generates a
 * vector dataset (10k x 64-d by default) in a temp dir, loads it, then alternately runs
 * `--optimize --tune ef_search:1..512 --tune clients:1..64` and the coarse power-of-two
 * `--sweep` of the same ranges (70 points), and prints trials, wall time and the choice of each,
 * with the size of the full grid.
 *
 *   bun scripts/bench-optimizer.ts --port 6379 [--vectors 10000] [--dim 64] [-n 2000] [--rounds 1]
 *     [--constraint 'recall>=0.99' --constraint 'p99<=20ms']
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { generateDataset } from "../src/dataset/tools/generate.ts";

const { values } = parseArgs({
  options: {
    port: { type: "string" },
    host: { type: "string", default: "127.0.0.1" },
    vectors: { type: "string", default: "10000" },
    dim: { type: "string", default: "64" },
    n: { type: "string", short: "n", default: "2000" },
    rounds: { type: "string", default: "1" },
    constraint: { type: "string", multiple: true, default: ["recall>=0.99", "p99<=20ms"] },
  },
});
if (!values.port) {
  console.error("usage: bun scripts/bench-optimizer.ts --port PORT (a server with the search module)");
  process.exit(2);
}

const main = resolve(import.meta.dir, "../src/main.ts");
const dir = mkdtempSync(join(tmpdir(), "vsb-bench-opt-"));
const dataset = join(dir, "d.bin");
const target = ["-h", values.host!, "-p", values.port, "--dataset", dataset, "--search-index", "benchopt", "--search-prefix", "benchopt:"];
const constraints = values.constraint!.flatMap((c) => ["--constraint", c]);
const powers = (hi: number) => Array.from({ length: Math.log2(hi) + 1 }, (_, i) => 2 ** i).join(",");
const modes: Record<string, string[]> = {
  optimize: ["--optimize", "--tune", "ef_search:1..512", "--tune", "clients:1..64"],
  "coarse sweep": ["--sweep", `ef_search=${powers(512)}`, "--sweep", `clients=${powers(64)}`],
};

async function run(args: string[]): Promise<number> {
  const proc = Bun.spawn([process.execPath, main, ...args], { stdout: "ignore", stderr: "pipe" });
  const [code, err] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
  if (code !== 0 && code !== 1) throw new Error(`exit ${code}: ${err.slice(-500)}`);
  return code;
}

interface Report {
  trials: unknown[];
  wallSec: number;
  gridPoints: number;
  chosen: { key: string; recall: number | null; qps: { mean: number }; p99Ms: { mean: number } } | null;
}

const rows: string[][] = [["round", "mode", "trials", "wall s", "s/trial", "chosen", "recall", "QPS", "p99 ms"]];
try {
  await generateDataset({ path: dataset, dim: Number(values.dim), numVectors: Number(values.vectors), numQueries: 100, k: 10, metric: "L2", seed: 1 });
  await run([...target, "-t", "vec-load", "-q", "--reload"]);
  let fullGrid = 0;
  for (let round = 1; round <= Number(values.rounds); round++) {
    for (const [mode, flags] of Object.entries(modes)) {
      const out = join(dir, "r.json");
      await run([...target, "-t", "vec-query", "-n", values.n!, ...flags, ...constraints, "-q", "-o", out]);
      const r = JSON.parse(readFileSync(out, "utf8")) as Report;
      if (mode === "optimize") fullGrid = r.gridPoints;
      const c = r.chosen;
      rows.push([String(round), mode, String(r.trials.length), r.wallSec.toFixed(1), (r.wallSec / r.trials.length).toFixed(2), c?.key ?? "none met", c?.recall?.toFixed(4) ?? "-", c ? c.qps.mean.toFixed(0) : "-", c ? c.p99Ms.mean.toFixed(2) : "-"]);
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join("  "));
  console.log(`\nfull grid over ef_search:1..512 x clients:1..64: ${fullGrid} points`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
