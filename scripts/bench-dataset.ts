/**
 * Dataset performance numbers (not a test; run by hand):
 *   node_modules/.bin/bun scripts/bench-dataset.ts [--quick] [--skip-ground-truth]
 * 1. Exact ground truth: 100k x 128-d base, 1k queries, k=100, L2, with 1 and 2 workers.
 * 2. Conversion throughput (input MB/s) for a >= 500 MB fvecs file and a >= 500 MB HDF5 file.
 * Files go to a temp directory that is deleted at the end.
 */
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import h5wasm from "h5wasm/node";
import { convertToLegacy } from "../src/dataset/tools/convert.ts";
import { generateDataset, seededRandom } from "../src/dataset/tools/generate.ts";
import { computeGroundTruth } from "../src/dataset/tools/ground-truth.ts";
import { openHdf5 } from "../src/dataset/sources/hdf5-source.ts";
import { openRawSource } from "../src/dataset/sources/raw-sources.ts";

const quick = process.argv.includes("--quick");
const skipGroundTruth = process.argv.includes("--skip-ground-truth");
const dir = mkdtempSync(join(tmpdir(), "vsb-bench-dataset-"));
const mb = (bytes: number) => bytes / 1e6;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const r = await fn();
  return [r, (performance.now() - t) / 1000];
}

try {
  // 1. Ground truth.
  const gtFile = join(dir, "gt.bin");
  const n = quick ? 10_000 : 100_000;
  if (!skipGroundTruth) await generateDataset({ path: gtFile, dim: 128, numVectors: n, numQueries: 1000, k: 0, metric: "L2", seed: 1 });
  const queries = Array.from({ length: 1000 }, (_, q) => q);
  for (const workers of skipGroundTruth ? [] : [1, 2]) {
    const [, s] = await timed(() => computeGroundTruth({ dataset: { path: gtFile }, k: 100, metric: "L2", filtered: false, queries, workers }));
    console.log(`ground truth ${n} x 128, 1000 queries, k=100, L2, ${workers} worker(s): ${s.toFixed(2)} s`);
  }

  // 2. Conversion: rows of 128 floats, written in 64 MiB blocks.
  const rows = quick ? 100_000 : 1_000_000;
  const dim = 128;
  const rand = seededRandom(2);
  const blockRows = 131072;
  const block = new Float32Array(blockRows * dim);

  const fvecs = join(dir, "base.fvecs");
  const fd = openSync(fvecs, "w");
  const rowBuf = new DataView(new ArrayBuffer(blockRows * (4 + dim * 4)));
  for (let first = 0; first < rows; first += blockRows) {
    const count = Math.min(blockRows, rows - first);
    for (let r = 0; r < count; r++) {
      rowBuf.setInt32(r * (4 + dim * 4), dim, true);
      for (let d = 0; d < dim; d++) rowBuf.setFloat32(r * (4 + dim * 4) + 4 + d * 4, rand(), true);
    }
    writeSync(fd, new Uint8Array(rowBuf.buffer, 0, count * (4 + dim * 4)));
  }
  closeSync(fd);
  const fvecsBytes = statSync(fvecs).size;
  const src = openRawSource(fvecs);
  const rssBefore = process.memoryUsage().rss;
  const [, fs] = await timed(() => convertToLegacy({ base: src }, { output: join(dir, "fvecs.out.bin") }));
  src.close();
  console.log(`convert fvecs ${mb(fvecsBytes).toFixed(0)} MB: ${fs.toFixed(2)} s = ${(mb(fvecsBytes) / fs).toFixed(0)} MB/s (RSS +${mb(process.memoryUsage().rss - rssBefore).toFixed(0)} MB)`);
  rmSync(fvecs);
  rmSync(join(dir, "fvecs.out.bin"));

  await h5wasm.ready;
  const h5 = join(dir, "base.hdf5");
  const f = new h5wasm.File(h5, "w");
  // h5wasm needs data to create a dataset: create it with the first block, then grow and fill.
  let ds: ReturnType<typeof f.create_dataset> | undefined;
  for (let first = 0; first < rows; first += blockRows) {
    const count = Math.min(blockRows, rows - first);
    for (let i = 0; i < count * dim; i++) block[i] = rand();
    const data = block.subarray(0, count * dim);
    if (!ds) {
      ds = f.create_dataset({ name: "train", data, shape: [count, dim], maxshape: [rows, dim], chunks: [4096, dim], dtype: "<f" });
    } else {
      ds.resize([first + count, dim]);
      ds.write_slice([[first, first + count], []], data);
    }
  }
  f.create_attribute("distance", "euclidean");
  f.close();
  const h5Bytes = statSync(h5).size;
  const h = await openHdf5(h5);
  const rssBeforeH5 = process.memoryUsage().rss;
  const [, hs] = await timed(() => convertToLegacy(h, { output: join(dir, "h5.out.bin") }));
  h.base.close();
  // WebAssembly memory never shrinks, so this is the growth beyond what writing the file needed.
  console.log(`convert HDF5 ${mb(h5Bytes).toFixed(0)} MB: ${hs.toFixed(2)} s = ${(mb(h5Bytes) / hs).toFixed(0)} MB/s (RSS +${mb(process.memoryUsage().rss - rssBeforeH5).toFixed(0)} MB)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
