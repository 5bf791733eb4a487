/**
 * Client-side cost of the vec-load workload: vector bytes written into the send buffer per
 * second by one worker (what the engine does per request before the socket write), for 128-d
 * and 1536-d float32 datasets generated in a temp dir. No server is involved, so this is the
 * ceiling the client can sustain before the server is the limit.
 *
 *   bun scripts/bench-vector-load.ts
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BenchConfig } from "../src/config/types.ts";
import { generateDataset } from "../src/dataset/tools/generate.ts";
import { createVecLoadWorkload } from "../src/search/vec-load-workload.ts";
import type { VecLoadParams } from "../src/search/workload-params.ts";
import { WORKLOADS } from "../src/workloads/index.ts";

const dir = mkdtempSync(join(tmpdir(), "vsb-bench-vec-"));
const rows: string[][] = [["dim", "vectors", "pipeline", "vectors/s", "GB/s of vector data", "ns/vector"]];
try {
  for (const [dim, n] of [
    [128, 200_000],
    [1536, 20_000],
  ] as const) {
    const path = join(dir, `d${dim}.bin`);
    await generateDataset({ path, dim, numVectors: n, numQueries: 1, k: 0, metric: "L2", seed: 1 });
    const params: VecLoadParams = {
      dataset: { path, vectorOffset: 0, numVectors: 0 },
      dim,
      prefix: "vec:",
      clusterTags: false,
      vectorField: "embedding",
    };
    const ctx = { config: { seed: 1 } as BenchConfig, workerIndex: 0, workers: 1, nextSequence: () => 0, catalog: WORKLOADS };
    const w = createVecLoadWorkload(params, ctx);
    const conn = w.forConnection(0, { address: "x:1", host: "x", port: 1, role: "primary", slots: new Uint16Array(0) });
    const pipeline = 16;
    const buf = conn.allocate ? conn.allocate(pipeline) : new Uint8Array(conn.unit.bytes.length * pipeline);
    if (!conn.allocate) for (let i = 0; i < pipeline; i++) buf.set(conn.unit.bytes, i * conn.unit.bytes.length);
    let best = Infinity;
    for (let round = 0; round < 3; round++) {
      const t0 = performance.now();
      for (let r = 0; r < n; r += pipeline) conn.patch(buf, Math.min(pipeline, n - r), r);
      best = Math.min(best, performance.now() - t0);
    }
    const perSec = n / (best / 1000);
    rows.push([String(dim), String(n), String(pipeline), perSec.toFixed(0), ((perSec * dim * 4) / 1e9).toFixed(2), ((best * 1e6) / n).toFixed(0)]);
    w.close?.();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const r of rows) console.log(r.map((c, i) => c.padStart(widths[i]!)).join("  "));
