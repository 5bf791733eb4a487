import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import h5wasm from "h5wasm/node";
import { parquetWriteFile } from "hyparquet-writer";
import { openDataset } from "../../src/dataset/index.ts";
import { convertToLegacy } from "../../src/dataset/tools/convert.ts";
import { UserError } from "../../src/dataset/errors.ts";
import { openHdf5 } from "../../src/dataset/sources/hdf5-source.ts";
import { openParquetDirectory } from "../../src/dataset/sources/parquet/source.ts";
import { openRawSource } from "../../src/dataset/sources/raw-sources.ts";
import { permutation, randomFloats, tempDir, vdbbListSchema } from "./support.ts";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const N = 300, Q = 7, D = 12, K = 5;
const base = randomFloats(N * D, 11);
const queries = randomFloats(Q * D, 12);
const gt = Int32Array.from({ length: Q * K }, (_, i) => (i * 37) % N);

/** Rows each prefixed by the int32 dimension (TEXMEX). */
function vecs(values: ArrayLike<number>, dim: number, kind: "f" | "i" | "b"): Uint8Array {
  const rows = values.length / dim;
  const el = kind === "b" ? 1 : 4;
  const out = new Uint8Array(rows * (4 + dim * el));
  const dv = new DataView(out.buffer);
  for (let r = 0; r < rows; r++) {
    const o = r * (4 + dim * el);
    dv.setInt32(o, dim, true);
    for (let d = 0; d < dim; d++) {
      const v = values[r * dim + d];
      if (kind === "f") dv.setFloat32(o + 4 + d * 4, v, true);
      else if (kind === "i") dv.setInt32(o + 4 + d * 4, v, true);
      else dv.setUint8(o + 4 + d, v);
    }
  }
  return out;
}

/** u32 rows, u32 dim, data (big-ann). */
function bin(data: Float32Array | Int32Array | Uint8Array, dim: number): Uint8Array {
  const head = new Uint32Array([data.length / dim, dim]);
  return Buffer.concat([new Uint8Array(head.buffer), new Uint8Array(data.buffer, data.byteOffset, data.byteLength)]);
}

function npy(data: Float32Array | Int32Array | BigInt64Array | Uint16Array, descr: string, rows: number, cols: number): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  const total = 10 + header.length + 1;
  header += " ".repeat((64 - (total % 64)) % 64) + "\n";
  const pre = new Uint8Array(10);
  pre.set([0x93, ...new TextEncoder().encode("NUMPY"), 1, 0]);
  new DataView(pre.buffer).setUint16(8, header.length, true);
  return Buffer.concat([pre, new TextEncoder().encode(header), new Uint8Array(data.buffer, data.byteOffset, data.byteLength)]);
}

async function expectRoundTrip(output: string, vectorValues: Float32Array, queryValues: Float32Array, ids: ArrayLike<number>, k = K): Promise<void> {
  const ds = openDataset(output);
  expect([ds.dim, ds.numVectors, ds.numQueries, ds.neighborsPerQuery]).toEqual([D, vectorValues.length / D, queryValues.length / D, k]);
  const s = new Float32Array(D);
  for (let i = 0; i < ds.numVectors; i++) expect(Array.from(ds.vectorF32(i, s))).toEqual(Array.from(vectorValues.subarray(i * D, (i + 1) * D)));
  for (let q = 0; q < ds.numQueries; q++) {
    expect(Array.from(ds.queryF32(q, s))).toEqual(Array.from(queryValues.subarray(q * D, (q + 1) * D)));
    expect(Array.from(ds.groundTruth(q), Number)).toEqual(Array.from(ids).slice(q * K, q * K + k));
  }
  ds.close();
}

async function convertRaw(name: string, files: { base: string; queries?: string; gt?: string }, maxNeighbors?: number): Promise<string> {
  const output = tmp.file(`${name}.out.bin`);
  const b = openRawSource(files.base);
  const q = files.queries ? openRawSource(files.queries) : undefined;
  const g = files.gt ? openRawSource(files.gt) : undefined;
  await convertToLegacy({ base: b, queries: q, groundTruth: g }, { output, maxNeighbors, metric: "L2" });
  for (const s of [b, q, g]) s?.close();
  return output;
}

describe("dataset convert: exact round trips", () => {
  test("fvecs + ivecs (TEXMEX)", async () => {
    writeFileSync(tmp.file("b.fvecs"), vecs(base, D, "f"));
    writeFileSync(tmp.file("q.fvecs"), vecs(queries, D, "f"));
    writeFileSync(tmp.file("gt.ivecs"), vecs(gt, K, "i"));
    await expectRoundTrip(await convertRaw("texmex", { base: tmp.file("b.fvecs"), queries: tmp.file("q.fvecs"), gt: tmp.file("gt.ivecs") }), base, queries, gt);
  });

  test("bvecs widen bytes to floats; --max-neighbors keeps the first k ids", async () => {
    const bytes = Uint8Array.from(base, (v) => Math.floor((v + 1) * 127));
    writeFileSync(tmp.file("b.bvecs"), vecs(bytes, D, "b"));
    writeFileSync(tmp.file("q.bvecs"), vecs(bytes.subarray(0, Q * D), D, "b"));
    writeFileSync(tmp.file("gt2.ivecs"), vecs(gt, K, "i"));
    const out = await convertRaw("bvecs", { base: tmp.file("b.bvecs"), queries: tmp.file("q.bvecs"), gt: tmp.file("gt2.ivecs") }, 3);
    await expectRoundTrip(out, Float32Array.from(bytes), Float32Array.from(bytes.subarray(0, Q * D)), gt, 3);
  });

  test("fbin + ibin and u8bin (big-ann)", async () => {
    writeFileSync(tmp.file("b.fbin"), bin(base, D));
    writeFileSync(tmp.file("q.fbin"), bin(queries, D));
    writeFileSync(tmp.file("gt.ibin"), bin(gt, K));
    await expectRoundTrip(await convertRaw("bigann", { base: tmp.file("b.fbin"), queries: tmp.file("q.fbin"), gt: tmp.file("gt.ibin") }), base, queries, gt);
    const bytes = Uint8Array.from({ length: N * D }, (_, i) => i % 251);
    writeFileSync(tmp.file("b.u8bin"), bin(bytes, D));
    const src = openRawSource(tmp.file("b.u8bin"));
    expect(Array.from(await src.readFloat32(N - 1, 1))).toEqual(Array.from(bytes.subarray((N - 1) * D)));
    src.close();
  });

  test(".npy float32, float16 and int64 arrays", async () => {
    writeFileSync(tmp.file("b.npy"), npy(base, "<f4", N, D));
    writeFileSync(tmp.file("q.npy"), npy(queries, "<f4", Q, D));
    writeFileSync(tmp.file("gt.npy"), npy(BigInt64Array.from(gt, BigInt), "<i8", Q, K));
    await expectRoundTrip(await convertRaw("npy", { base: tmp.file("b.npy"), queries: tmp.file("q.npy"), gt: tmp.file("gt.npy") }), base, queries, gt);
    const halves = Uint16Array.from({ length: N * D }, (_, i) => 0x3c00 + (i % 64)); // 1 + i/1024
    writeFileSync(tmp.file("h.npy"), npy(halves, "<f2", N, D));
    const out = await convertRaw("npy16", { base: tmp.file("h.npy") });
    const ds = openDataset(out);
    expect(ds.dtype).toBe("float16");
    expect(Array.from(ds.vectorBytes(5))).toEqual(Array.from(new Uint8Array(halves.buffer, 5 * D * 2, D * 2)));
    expect(ds.vectorF32(0, new Float32Array(D))[3]).toBe(1 + 3 / 1024);
    ds.close();
  });

  test("ann-benchmarks HDF5 written by h5wasm, with the distance attribute as metric hint", async () => {
    await h5wasm.ready;
    const path = tmp.file("ann.hdf5");
    const f = new h5wasm.File(path, "w");
    f.create_dataset({ name: "train", data: base, shape: [N, D], dtype: "<f" });
    f.create_dataset({ name: "test", data: queries, shape: [Q, D], dtype: "<f" });
    f.create_dataset({ name: "neighbors", data: gt, shape: [Q, K], dtype: "<i" });
    f.create_attribute("distance", "angular");
    f.close();
    const h = await openHdf5(path);
    expect(h.metric).toBe("COSINE");
    const output = tmp.file("ann.out.bin");
    await convertToLegacy(h, { output });
    for (const s of [h.base, h.queries, h.groundTruth]) s?.close();
    await expectRoundTrip(output, base, queries, gt);
    const ds = openDataset(output);
    expect(ds.metricHint).toBe("COSINE");
    ds.close();
  });

  test("VectorDBBench parquet directory written by hyparquet-writer, with a split train set", async () => {
    const dir = tmp.file("vdbb");
    mkdirSync(dir);
    const listSchema = vdbbListSchema;
    const rows = (v: Float32Array, from: number, to: number) => Array.from({ length: to - from }, (_, r) => Array.from(v.subarray((from + r) * D, (from + r + 1) * D)));
    const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, r) => BigInt(from + r));
    parquetWriteFile({ filename: `${dir}/train-00-of-02.parquet`, columnData: [{ name: "id", data: ids(0, 200) }, { name: "emb", data: rows(base, 0, 200) }], schema: listSchema("emb", "FLOAT"), rowGroupSize: 64 });
    parquetWriteFile({ filename: `${dir}/train-01-of-02.parquet`, columnData: [{ name: "id", data: ids(200, N) }, { name: "emb", data: rows(base, 200, N) }], schema: listSchema("emb", "FLOAT") });
    parquetWriteFile({ filename: `${dir}/test.parquet`, columnData: [{ name: "id", data: ids(0, Q) }, { name: "emb", data: rows(queries, 0, Q) }], schema: listSchema("emb", "FLOAT") });
    const nb = Array.from({ length: Q }, (_, q) => Array.from(gt.subarray(q * K, (q + 1) * K), BigInt));
    parquetWriteFile({ filename: `${dir}/neighbors.parquet`, columnData: [{ name: "id", data: ids(0, Q) }, { name: "neighbors_id", data: nb }], schema: listSchema("neighbors_id", "INT64") });
    const p = await openParquetDirectory(dir);
    expect(p.base.rows).toBe(N);
    const output = tmp.file("vdbb.out.bin");
    await convertToLegacy(p, { output, metric: "L2" });
    for (const s of [p.base, p.queries, p.groundTruth]) s?.close();
    await expectRoundTrip(output, base, queries, gt);
  });
});

describe("dataset convert: VectorDBBench's default download (shuffled train rows) and filter-case ground truth", () => {
  const listSchema = vdbbListSchema;
  /** Rows of `v` in the order `order` gives, each with its own id (or the id `ids` says). */
  const shuffledColumns = (v: Float32Array, order: number[], ids = order) => [
    { name: "id", data: ids.map(BigInt) },
    { name: "emb", data: order.map((r) => Array.from(v.subarray((r % N) * D, ((r % N) + 1) * D))) },
  ];
  const inOrder = (v: Float32Array, n: number) => shuffledColumns(v, Array.from({ length: n }, (_, r) => r));
  const neighbors = (ids: Float64Array | Int32Array) => [
    { name: "id", data: Array.from({ length: Q }, (_, q) => BigInt(q)) },
    { name: "neighbors_id", data: Array.from({ length: Q }, (_, q) => Array.from(ids.subarray(q * K, (q + 1) * K), BigInt)) },
  ];

  function vdbbDir(name: string, trainOrder: number[][]): string {
    const dir = tmp.file(name);
    mkdirSync(dir);
    trainOrder.forEach((order, i) => {
      const file = trainOrder.length === 1 ? "shuffle_train.parquet" : `shuffle_train-0${i}-of-0${trainOrder.length}.parquet`;
      parquetWriteFile({ filename: `${dir}/${file}`, columnData: shuffledColumns(base, order), schema: listSchema("emb", "FLOAT"), rowGroupSize: 50 });
    });
    parquetWriteFile({ filename: `${dir}/test.parquet`, columnData: inOrder(queries, Q), schema: listSchema("emb", "FLOAT") });
    parquetWriteFile({ filename: `${dir}/neighbors.parquet`, columnData: neighbors(gt), schema: listSchema("neighbors_id", "INT64") });
    return dir;
  }

  test("shuffle_train*.parquet rows land at their ids, over several files, and match the ordered original", async () => {
    const order = permutation(N, 7);
    const dir = vdbbDir("shuffled", [order.slice(0, 123), order.slice(123)]);
    const p = await openParquetDirectory(dir);
    expect(p.base.shuffled).toBe(true);
    const output = tmp.file("shuffled.out.bin");
    await convertToLegacy(p, { output, metric: "L2" });
    for (const s of [p.base, p.queries, p.groundTruth]) s?.close();
    await expectRoundTrip(output, base, queries, gt);
  });

  test("ordered train files win over shuffled ones in the same directory", async () => {
    const dir = vdbbDir("both", [permutation(N, 3)]);
    parquetWriteFile({ filename: `${dir}/train.parquet`, columnData: inOrder(base, N), schema: listSchema("emb", "FLOAT") });
    const p = await openParquetDirectory(dir);
    expect(p.base.shuffled).toBe(false);
    expect(p.base.path).toEndWith("/train.parquet");
    for (const s of [p.base, p.queries, p.groundTruth]) s?.close();
  });

  test("a repeated or out-of-range id in shuffled rows is a one-line error naming the row", async () => {
    const repeated = permutation(N, 11);
    repeated[40] = repeated[3]!;
    const p1 = await openParquetDirectory(vdbbDir("repeated", [repeated]));
    await expect(convertToLegacy(p1, { output: tmp.file("repeated.out.bin") })).rejects.toThrow(`row 40 repeats id ${repeated[3]}; expected ids 0..${N - 1}, each once`);
    p1.base.close();
    const outside = permutation(N, 13);
    outside[7] = N + 5;
    const p2 = await openParquetDirectory(vdbbDir("outside", [outside]));
    await expect(convertToLegacy(p2, { output: tmp.file("outside.out.bin") })).rejects.toThrow(`row 7 has id ${N + 5}; expected ids 0..${N - 1}, each once`);
    p2.base.close();
  });

  test("--neighbors picks a filter case's ground truth file; a missing one names the file", async () => {
    const dir = vdbbDir("filtered", [permutation(N, 5)]);
    const head = Int32Array.from(gt, (id) => (id + 1) % N);
    parquetWriteFile({ filename: `${dir}/neighbors_head_1p.parquet`, columnData: neighbors(head), schema: listSchema("neighbors_id", "INT64") });
    const p = await openParquetDirectory(dir, "emb", { neighbors: "neighbors_head_1p.parquet" });
    const output = tmp.file("filtered.out.bin");
    await convertToLegacy(p, { output });
    for (const s of [p.base, p.queries, p.groundTruth]) s?.close();
    await expectRoundTrip(output, base, queries, head);
    await expect(openParquetDirectory(dir, "emb", { neighbors: "neighbors_tail_1p.parquet" })).rejects.toThrow("no such ground-truth file (--neighbors)");
  });
});

describe("dataset convert: bad inputs are one-line errors", () => {
  test("an fvecs row with a different dimension names the row", async () => {
    const bytes = vecs(base, D, "f");
    new DataView(bytes.buffer).setInt32(3 * (4 + D * 4), D + 1, true);
    writeFileSync(tmp.file("bad.fvecs"), bytes);
    await expect(convertRaw("bad", { base: tmp.file("bad.fvecs") })).rejects.toThrow("row 3 declares dimension 13; expected 12");
  });

  test("a truncated fvecs file, ground-truth ids out of range and mismatched query dims", async () => {
    writeFileSync(tmp.file("t.fvecs"), vecs(base, D, "f").subarray(0, 100));
    expect(() => openRawSource(tmp.file("t.fvecs"))).toThrow("not a multiple of the row size 52");
    writeFileSync(tmp.file("b3.fvecs"), vecs(base, D, "f"));
    writeFileSync(tmp.file("q3.fvecs"), vecs(queries, D, "f"));
    writeFileSync(tmp.file("gt3.ivecs"), vecs(Int32Array.from(gt, (v, i) => (i === 6 ? N : v)), K, "i"));
    await expect(convertRaw("range", { base: tmp.file("b3.fvecs"), queries: tmp.file("q3.fvecs"), gt: tmp.file("gt3.ivecs") })).rejects.toThrow("ground-truth id 300 (query 1, neighbour 1) is out of range");
    writeFileSync(tmp.file("q4.fvecs"), vecs(queries.subarray(0, Q * 4), 4, "f"));
    await expect(convertRaw("dims", { base: tmp.file("b3.fvecs"), queries: tmp.file("q4.fvecs") })).rejects.toThrow(UserError);
    expect(() => openRawSource(tmp.file("x.txt"))).toThrow("cannot open");
  });
});
