import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { openDataset } from "../../src/dataset/index.ts";
import { UserError } from "../../src/dataset/errors.ts";
import { ByteBuilder, tempDir } from "./support.ts";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

// Record: price f64 (8) + embedding 3 x f32 (12) + category tag fixed 5 bytes = 25 bytes, so
// nothing after the first record is aligned: exercises the copy path for unaligned ground truth.
const SCHEMA = `
version: 1
metadata: {name: tiny, description: test}
record:
  fields:
    - {name: price, type: numeric, dtype: float64}
    - {name: embedding, type: vector, dtype: float32, dimensions: 3}
    - {name: category, type: tag, length: fixed, max_bytes: 5}
sections:
  records: {count: 4}
  keys: {present: true, length: fixed, max_bytes: 6}
  queries: {present: true, count: 2, query_fields: [embedding, category]}
  ground_truth: {present: true, neighbors_per_query: 3, id_type: u32}
field_metadata:
  embedding: {distance_metric: cosine, index_type: hnsw}
replay: ignored
`;

function writeData(path: string, gtIds = [0, 1, 2, 3, 2, 1], cut = 0): void {
  const b = new ByteBuilder();
  for (let i = 0; i < 4; i++) b.f64(i * 10).f32(i, i + 0.5, -i).str(i % 2 ? "a,b" : "c", 5);
  for (let i = 0; i < 4; i++) b.str(`key:${i}`, 6);
  b.f32(9, 8, 7).str("a", 5);
  b.f32(1, 2, 3).str("", 5);
  b.u32(...gtIds);
  const bytes = b.build();
  writeFileSync(path, bytes.subarray(0, bytes.length - cut));
}

describe("schema-driven format (YAML + headerless binary)", () => {
  test("vectors, queries, u32 ground truth, tags and the metric hint are read from their packed sections", () => {
    writeFileSync(tmp.file("s.yaml"), SCHEMA);
    writeData(tmp.file("s.bin"));
    const ds = openDataset({ schemaPath: tmp.file("s.yaml"), dataPath: tmp.file("s.bin") });
    expect([ds.format, ds.name, ds.dim, ds.dtype, ds.numVectors, ds.numQueries, ds.neighborsPerQuery]).toEqual(["schema", "tiny", 3, "float32", 4, 2, 3]);
    expect(ds.metricHint).toBe("COSINE");
    const scratch = new Float32Array(3);
    for (let i = 0; i < 4; i++) expect(Array.from(ds.vectorF32(i, scratch))).toEqual([i, i + 0.5, -i]);
    expect(Array.from(ds.queryF32(0, scratch))).toEqual([9, 8, 7]);
    expect(Array.from(ds.queryF32(1, scratch))).toEqual([1, 2, 3]);
    expect(ds.groundTruth(0)).toBeInstanceOf(Uint32Array);
    expect(Array.from(ds.groundTruth(1) as Uint32Array)).toEqual([3, 2, 1]);
    expect(ds.neighborId(1, 0)).toBe(3);
    expect(ds.vectorTags(1)).toEqual(["a", "b"]);
    expect(ds.vectorTags(2)).toEqual(["c"]);
    expect(ds.queryFilter(0)).toEqual(["a"]);
    expect(ds.queryFilter(1)).toEqual([]);
    const target = new Uint8Array(13);
    expect(ds.writeVectorF32(2, target, 1)).toBe(12);
    expect(Array.from(new Float32Array(target.slice(1).buffer))).toEqual([2, 2.5, -2]);
    ds.close();
  });

  test("a .yaml path finds the data file with the same name and .bin", () => {
    writeFileSync(tmp.file("pair.yaml"), SCHEMA);
    writeData(tmp.file("pair.bin"));
    const ds = openDataset(tmp.file("pair.yaml"));
    expect(ds.numVectors).toBe(4);
    ds.close();
  });

  function expectError(open: () => unknown, ...fragments: string[]): void {
    let err: unknown;
    try {
      open();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).not.toContain("\n");
    for (const f of fragments) expect((err as Error).message).toContain(f);
  }

  test("a data file shorter than the schema requires is reported as truncated", () => {
    writeFileSync(tmp.file("t.yaml"), SCHEMA);
    writeData(tmp.file("t.bin"), undefined, 4);
    expectError(() => openDataset({ schemaPath: tmp.file("t.yaml"), dataPath: tmp.file("t.bin") }), "t.bin", "truncated", "ground_truth", "needs 182 bytes");
  });

  test("ground-truth ids beyond the record count are rejected", () => {
    writeFileSync(tmp.file("g.yaml"), SCHEMA);
    writeData(tmp.file("g.bin"), [0, 1, 2, 3, 4, 1]);
    expectError(() => openDataset({ schemaPath: tmp.file("g.yaml"), dataPath: tmp.file("g.bin") }), "ground_truth id 4", "expected < num_vectors = 4");
  });

  test("a vector dtype other than float32/float16, dimensions 0 and a newer version are rejected", () => {
    writeData(tmp.file("d.bin"));
    writeFileSync(tmp.file("d.yaml"), SCHEMA.replace("dtype: float32, dimensions: 3", "dtype: int8, dimensions: 12"));
    expectError(() => openDataset({ schemaPath: tmp.file("d.yaml"), dataPath: tmp.file("d.bin") }), "d.yaml", "embedding.dtype = int8", "expected float32 or float16");
    writeFileSync(tmp.file("d.yaml"), SCHEMA.replace("dimensions: 3", "dimensions: 0"));
    expectError(() => openDataset({ schemaPath: tmp.file("d.yaml"), dataPath: tmp.file("d.bin") }), "embedding.dimensions = 0");
    writeFileSync(tmp.file("d.yaml"), SCHEMA.replace("version: 1", "version: 2"));
    expectError(() => openDataset({ schemaPath: tmp.file("d.yaml"), dataPath: tmp.file("d.bin") }), "version = 2", "expected 1");
  });

  test("--schema without --data is a usage error", () => {
    expectError(() => openDataset({ schemaPath: tmp.file("s.yaml") }), "--schema and --data must be given together");
  });
});
