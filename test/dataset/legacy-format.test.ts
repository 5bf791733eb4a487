import { join } from "node:path";
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { openDataset } from "../../src/dataset/index.ts";
import { UserError } from "../../src/dataset/errors.ts";
import { H } from "../../src/dataset/formats/legacy-format.ts";
import { LegacyDatasetWriter } from "../../src/dataset/formats/legacy-writer.ts";
import { tempDir, writeSmallLegacy } from "./support.ts";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function f32(bytes: Uint8Array): number[] {
  return Array.from(new Float32Array(bytes.slice().buffer));
}

describe("legacy 0xDECDB001 format", () => {
  test("a v1 float32 file round-trips vectors, queries, ground truth, name and metric hint", () => {
    const path = tmp.file("v1.bin");
    const src = writeSmallLegacy(path);
    const ds = openDataset(path);
    expect(ds.format).toBe("legacy-v1");
    expect([ds.name, ds.dim, ds.dtype, ds.numVectors, ds.numQueries, ds.neighborsPerQuery]).toEqual(["small", 8, "float32", 50, 5, 4]);
    expect(ds.metricHint).toBe("IP");
    expect(ds.metricHintSource).toContain("byte 264 = 2");
    for (let i = 0; i < 50; i++) expect(f32(ds.vectorBytes(i))).toEqual(Array.from(src.vectors.subarray(i * 8, i * 8 + 8)));
    for (let q = 0; q < 5; q++) {
      expect(f32(ds.queryBytes(q))).toEqual(Array.from(src.queries.subarray(q * 8, q * 8 + 8)));
      const gt = ds.groundTruth(q);
      expect(gt).toBeInstanceOf(BigUint64Array);
      expect(Array.from(gt, Number)).toEqual(src.gt.slice(q * 4, q * 4 + 4));
      expect(ds.neighborId(q, 3)).toBe(src.gt[q * 4 + 3]);
    }
    expect(ds.hasTags).toBe(false);
    expect(ds.vectorTags(0)).toEqual([]);
    ds.close();
  });

  test("vectorBytes and groundTruth are views into the map, not copies", () => {
    const path = tmp.file("views.bin");
    writeSmallLegacy(path);
    const ds = openDataset(path);
    const a = ds.vectorBytes(3);
    const b = ds.vectorBytes(4);
    expect(a.buffer).toBe(b.buffer);
    expect(b.byteOffset - a.byteOffset).toBe(32);
    expect(ds.groundTruth(1).buffer).toBe(a.buffer);
    ds.close();
  });

  test("float16 vectors are widened into float32 at an unaligned offset of the target", () => {
    const path = tmp.file("f16.bin");
    const values = Float32Array.from({ length: 50 * 8 }, (_, i) => (i % 17) * 0.25 - 2); // exact in half
    const w = new LegacyDatasetWriter({ path, dim: 8, dtype: "float16", numVectors: 50, numQueries: 1, neighborsPerQuery: 0 });
    w.writeVectors(0, values);
    w.writeQueries(0, values.subarray(8, 16));
    w.finish();
    const ds = openDataset(path);
    expect(ds.dtype).toBe("float16");
    expect(ds.vectorBytes(0).byteLength).toBe(16);
    const target = new Uint8Array(100).fill(0xee);
    expect(ds.writeVectorF32(7, target, 3)).toBe(32);
    expect(f32(target.subarray(3, 35))).toEqual(Array.from(values.subarray(56, 64)));
    expect(target[2]).toBe(0xee);
    expect(target[35]).toBe(0xee);
    expect(ds.writeQueryF32(0, target, 1)).toBe(32);
    expect(f32(target.subarray(1, 33))).toEqual(Array.from(values.subarray(8, 16)));
    expect(Array.from(ds.vectorF32(2, new Float32Array(8)))).toEqual(Array.from(values.subarray(16, 24)));
    ds.close();
  });

  test("a v2 file serves vector tags and query filters from its CSR blocks and vocabulary", () => {
    const path = tmp.file("v2.bin");
    const tags = ["red", "green", "blue"];
    writeSmallLegacy(path, {}, {
      vectorTags: (i) => (i % 3 === 0 ? [] : [tags[i % 3], ...(i % 2 ? ["odd"] : [])]),
      queryFilter: (q) => (q === 0 ? [] : [tags[q % 3]]),
    });
    const ds = openDataset(path);
    expect(ds.format).toBe("legacy-v2");
    expect(ds.hasTags).toBe(true);
    expect(ds.vectorTags(0)).toEqual([]);
    expect(ds.vectorTags(1)).toEqual(["green", "odd"]);
    expect(ds.vectorTags(2)).toEqual(["blue"]);
    expect(ds.vectorTags(49)).toEqual(["green", "odd"]);
    expect(ds.queryFilter(0)).toEqual([]);
    expect(ds.queryFilter(2)).toEqual(["blue"]);
    expect(ds.sections.map((s) => s.name)).toEqual(["header", "vectors", "queries", "ground_truth", "vector_metadata", "query_metadata", "vocabulary"]);
    ds.close();
  });

  test("a read-only file (mode 0444) opens, and is mapped without write permission", () => {
    const path = tmp.file("ro.bin");
    const src = writeSmallLegacy(path);
    chmodSync(path, 0o444);
    const ds = openDataset(path);
    expect(f32(ds.vectorBytes(49))).toEqual(Array.from(src.vectors.subarray(49 * 8)));
    const maps = readFileSync("/proc/self/maps", "utf8").split("\n").filter((l) => l.endsWith(path));
    expect(maps.length).toBeGreaterThan(0);
    for (const line of maps) expect(line.split(/\s+/)[1]).toBe("r--s");
    ds.close();
  });

  test("a sparse file declaring 10 billion vectors opens in O(1) memory and reads its last vector", () => {
    const path = tmp.file("huge.bin");
    const n = 10_000_000_000;
    const w = new LegacyDatasetWriter({ path, dim: 2, numVectors: n, numQueries: 1, neighborsPerQuery: 1, metric: "L2", sparse: true });
    w.writeVectors(n - 1, new Float32Array([1.5, -2.25]));
    w.writeVectors(n / 2, new Float32Array([3, 4]));
    w.writeQueries(0, new Float32Array([1.5, -2.25]));
    w.writeGroundTruth(0, [n - 1]);
    w.finish();
    const ds = openDataset(path);
    expect(ds.numVectors).toBe(n);
    expect(f32(ds.vectorBytes(n - 1))).toEqual([1.5, -2.25]);
    expect(f32(ds.vectorBytes(n / 2))).toEqual([3, 4]);
    expect(f32(ds.vectorBytes(n - 2))).toEqual([0, 0]);
    expect(ds.neighborId(0, 0)).toBe(n - 1);
    ds.close();
    // Resident memory is measured in a fresh process: this one also holds every other test.
    const child = Bun.spawnSync([process.execPath, join(import.meta.dir, "fixtures/open-and-measure.ts"), path]);
    const seen = JSON.parse(child.stdout.toString()) as { numVectors: number; last: number[]; rss: number };
    expect(seen.numVectors).toBe(n);
    expect(seen.last).toEqual([1.5, -2.25]);
    expect(seen.rss).toBeLessThan(100 * 1024 * 1024);
  });
});

describe("legacy format validation: each problem is a one-line error naming file, field and expected value", () => {
  const base = tmp.file("valid.bin");
  writeSmallLegacy(base);
  const valid = readFileSync(base);

  function corrupt(name: string, patch: (b: Buffer) => Buffer | void): string {
    const b = Buffer.from(valid);
    const out = patch(b) ?? b;
    const path = tmp.file(name);
    writeFileSync(path, out);
    return path;
  }

  function expectError(path: string, ...fragments: string[]): void {
    let err: unknown;
    try {
      openDataset(path).close();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    const msg = (err as Error).message;
    expect(msg).not.toContain("\n");
    expect(msg.startsWith(path)).toBe(true);
    for (const f of fragments) expect(msg).toContain(f);
  }

  test("wrong magic", () => expectError(corrupt("magic.bin", (b) => void b.writeUInt32LE(0x12345678, 0)), "unrecognised format", "0xDECDB001"));
  test("unknown version", () => expectError(corrupt("version.bin", (b) => void b.writeUInt32LE(3, H.version)), "version = 3", "expected 1 or 2"));
  test("file shorter than the header", () => expectError(corrupt("short.bin", (b) => b.subarray(0, 1000)), "truncated", "4096-byte header"));
  test("file truncated inside the ground truth", () => {
    const path = corrupt("trunc.bin", () => {});
    truncateSync(path, valid.length - 8);
    expectError(path, "truncated", "ground_truth", `needs ${valid.length}`);
  });
  test("section offset past the end of the file", () =>
    expectError(corrupt("past.bin", (b) => void b.writeBigUInt64LE(10_000_000n, H.queriesOffset)), "queries_offset = 10000000", "past the end"));
  test("overlapping sections", () =>
    expectError(corrupt("overlap.bin", (b) => void b.writeBigUInt64LE(4096n + 64n, H.queriesOffset)), "overlap", "queries_offset >= 5696"));
  test("dim 0", () => expectError(corrupt("dim0.bin", (b) => void b.writeUInt32LE(0, H.dim)), "dim = 0", "positive"));
  test("unknown dtype", () => expectError(corrupt("dtype.bin", (b) => void (b[H.dtype] = 7)), "dtype = 7", "0 (float32) or 1 (float16)"));
  test("ground-truth id out of range", () => {
    const gtOffset = Number(valid.readBigUInt64LE(H.groundTruthOffset));
    expectError(corrupt("gtrange.bin", (b) => void b.writeBigUInt64LE(50n, gtOffset + 4 * 4 * 8 + 8)), "ground_truth id 50", "query 4, neighbour 1", "expected < num_vectors = 50");
  });
  test("num_vectors too large for the file", () =>
    expectError(corrupt("nvec.bin", (b) => void b.writeBigUInt64LE(1_000_000n, H.numVectors)), "truncated", "section vectors", "needs 32004096 bytes"));
  test("missing file", () => expectError(tmp.file("nope.bin"), "cannot open", "ENOENT"));
});
