// Numeric metadata: `dataset generate --numeric`, the `#<name>` vocabulary encoding in legacy v2
// files, and exact filtered ground truth (checked against a brute force written here).
import { afterAll, describe, expect, spyOn, test } from "bun:test";
import { runDatasetCommand } from "../../src/cli/dataset/index.ts";
import { type DatasetNumericRange, openDataset, type VectorDataset } from "../../src/dataset/index.ts";
import { generateDataset } from "../../src/dataset/tools/generate.ts";
import { computeGroundTruth } from "../../src/dataset/tools/ground-truth.ts";
import { describeDataset, formatDatasetInfo } from "../../src/dataset/tools/info.ts";
import { numericValueOfF32 } from "../../src/dataset/numeric-value.ts";
import { tempDir, writeSmallLegacy } from "./support.ts";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** Independent brute force: squared L2, ties by lower id, filter = all tags and all ranges. */
function bruteForce(ds: VectorDataset, q: number, k: number, extra: DatasetNumericRange[] = []): number[] {
  const qv = Array.from(ds.queryF32(q, new Float32Array(ds.dim)));
  const tags = ds.queryFilter(q);
  const ranges = [...ds.queryNumericRanges(q), ...extra];
  const scored: [number, number][] = [];
  for (let i = 0; i < ds.numVectors; i++) {
    const vt = ds.vectorTags(i);
    if (!tags.every((t) => vt.includes(t))) continue;
    const ok = ranges.every((r) => {
      const v = ds.vectorNumeric(i, r.field);
      if (v === undefined) return false;
      return (r.minExclusive ? v > r.min : v >= r.min) && (r.maxExclusive ? v < r.max : v <= r.max);
    });
    if (!ok) continue;
    const x = ds.vectorF32(i, new Float32Array(ds.dim));
    let d = 0;
    for (let j = 0; j < ds.dim; j++) d += (qv[j]! - x[j]!) ** 2;
    scored.push([d, i]);
  }
  scored.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const ids = scored.slice(0, k).map((s) => s[1]);
  while (ids.length < k) ids.push(-1);
  return ids;
}

function storedIds(ds: VectorDataset, q: number, k: number): number[] {
  return Array.from({ length: k }, (_, j) => {
    const id = ds.neighborId(q, j);
    return id >= 2 ** 63 ? -1 : id;
  });
}

/** Brute-force distances can differ in the last bit from knn.ts's summation order: compare sets of near-ties loosely. */
function expectSameNeighbours(ds: VectorDataset, q: number, k: number, got: number[], extra: DatasetNumericRange[] = []): void {
  const want = bruteForce(ds, q, k, extra);
  expect(got.filter((id) => id >= 0).length).toBe(want.filter((id) => id >= 0).length);
  expect(new Set(got)).toEqual(new Set(want));
}

describe("dataset generate --numeric", () => {
  const path = tmp.file("numeric.bin");
  const gen = generateDataset({
    path, dim: 6, numVectors: 400, numQueries: 24, k: 10, metric: "L2", seed: 11, workers: 1,
    numeric: [{ name: "price", distribution: "uniform", min: 10, max: 20 }, { name: "year", distribution: "int", min: 1990, max: 2020 }],
    numericFilterSelectivity: 0.1,
  });

  test("every vector carries each attribute, within its range; int attributes are integers", async () => {
    await gen;
    const ds = openDataset(path);
    try {
      expect(ds.numericFields).toEqual(["price", "year"]);
      expect(ds.hasTags).toBe(false);
      expect(ds.vectorTags(0)).toEqual([]);
      for (let i = 0; i < ds.numVectors; i++) {
        const price = ds.vectorNumeric(i, "price")!;
        const year = ds.vectorNumeric(i, "year")!;
        expect(price).toBeGreaterThanOrEqual(10);
        expect(price).toBeLessThanOrEqual(20);
        expect(Number.isInteger(year) && year >= 1990 && year <= 2020).toBe(true);
        expect(numericValueOfF32(price)).toBe(price);
      }
      expect(ds.vectorNumeric(0, "missing")).toBeUndefined();
      const info = describeDataset(ds);
      expect(info.numeric).toEqual({ fields: ["price", "year"], rangeQueries: 24 });
      expect(info.tags).toBeNull();
      expect(formatDatasetInfo(info)).toContain("numeric:     price, year; 24 of 24 queries carry ranges");
    } finally {
      ds.close();
    }
  });

  test("each query gets one range, round-robin over attributes, covering about the asked fraction of vectors", async () => {
    await gen;
    const ds = openDataset(path);
    try {
      let covered = 0;
      for (let q = 0; q < ds.numQueries; q++) {
        const ranges = ds.queryNumericRanges(q);
        expect(ranges.length).toBe(1);
        const r = ranges[0]!;
        expect(r.field).toBe(q % 2 === 0 ? "price" : "year");
        expect(r.min).toBeLessThanOrEqual(r.max);
        for (let i = 0; i < ds.numVectors; i++) {
          const v = ds.vectorNumeric(i, r.field)!;
          if (v >= r.min && v <= r.max) covered++;
        }
      }
      const fraction = covered / (ds.numVectors * ds.numQueries);
      expect(fraction).toBeGreaterThan(0.06);
      expect(fraction).toBeLessThan(0.14);
    } finally {
      ds.close();
    }
  });

  test("its ground truth is the exact filtered k-NN", async () => {
    await gen;
    const ds = openDataset(path);
    try {
      for (let q = 0; q < ds.numQueries; q++) expectSameNeighbours(ds, q, 10, storedIds(ds, q, 10));
      // And the filter matters: unfiltered neighbours differ for some query.
      const unfiltered = await computeGroundTruth({ dataset: { path }, k: 10, metric: "L2", filtered: false, queries: [0, 1, 2, 3], workers: 1 });
      const differs = [0, 1, 2, 3].some((q) => Array.from(unfiltered.ids.subarray(q * 10, q * 10 + 10)).join() !== storedIds(ds, q, 10).join());
      expect(differs).toBe(true);
    } finally {
      ds.close();
    }
  });

  test("bad specs are one-line errors naming the flag", async () => {
    const base = { path: tmp.file("bad.bin"), dim: 4, numVectors: 10, numQueries: 2, k: 2, metric: "L2" as const, seed: 1 };
    await expect(generateDataset({ ...base, numeric: [{ name: "p", distribution: "uniform", min: 5, max: 5 }] })).rejects.toThrow("--numeric p:uniform:5:5 is invalid");
    await expect(generateDataset({ ...base, numericFilterSelectivity: 0.5 })).rejects.toThrow("--numeric-filter-selectivity 0.5 is invalid; expected to come with --numeric");
    await expect(runDatasetCommand(["generate", "-o", tmp.file("bad2.bin"), "--numeric", "price:normal:0:1"])).rejects.toThrow("--numeric price:normal:0:1 is invalid");
  });
});

describe("legacy v2 numeric encoding", () => {
  test("values, exclusive and open bounds, and tags round-trip; tags never show '#' entries", () => {
    const path = tmp.file("roundtrip.bin");
    writeSmallLegacy(path, { numVectors: 6, numQueries: 3 }, {
      vectorTags: (i) => (i % 2 ? ["odd"] : []),
      queryFilter: (q) => (q === 1 ? ["odd"] : []),
      numericFields: ["price"],
      vectorNumeric: (i) => (i === 5 ? undefined : [0.1, -2.5, 3, 1e6, 7.25][i]),
      queryNumericRanges: (q) => [
        [{ field: "price", min: 0.1, max: 3, minExclusive: true, maxExclusive: false }],
        [{ field: "price", min: -Infinity, max: 3, minExclusive: false, maxExclusive: true }],
        [],
      ][q]!,
    });
    const ds = openDataset(path);
    try {
      expect(ds.format).toBe("legacy-v2");
      expect(ds.hasTags).toBe(true);
      expect(ds.numericFields).toEqual(["price"]);
      expect([0, 1, 2, 3, 4, 5].map((i) => ds.vectorNumeric(i, "price"))).toEqual([0.1, -2.5, 3, 1e6, 7.25, undefined]);
      expect(ds.vectorTags(1)).toEqual(["odd"]);
      expect(ds.vectorTags(0)).toEqual([]);
      expect(ds.queryFilter(1)).toEqual(["odd"]);
      expect(ds.queryNumericRanges(0)).toEqual([{ field: "price", min: 0.1, max: 3, minExclusive: true, maxExclusive: false }]);
      expect(ds.queryNumericRanges(1)).toEqual([{ field: "price", min: -Infinity, max: 3, minExclusive: false, maxExclusive: true }]);
      expect(ds.queryNumericRanges(2)).toEqual([]);
    } finally {
      ds.close();
    }
  });
});

describe("dataset ground-truth --numeric-filter", () => {
  test("computes the exact k-NN among vectors in the range, with the benchmark flag's syntax (exclusive bounds)", async () => {
    const path = tmp.file("gt-src.bin");
    await generateDataset({ path, dim: 5, numVectors: 300, numQueries: 8, k: 5, metric: "L2", seed: 4, workers: 1, numeric: [{ name: "price", distribution: "int", min: 0, max: 99 }] });
    const out = tmp.file("gt-out.bin");
    const log = spyOn(console, "log").mockImplementation(() => {});
    try {
      expect(await runDatasetCommand(["ground-truth", path, "--k", "5", "--numeric-filter", "price:[10 (20]", "--output", out, "--workers", "1"])).toBe(0);
    } finally {
      log.mockRestore();
    }
    const ds = openDataset(out);
    try {
      const range: DatasetNumericRange = { field: "price", min: 10, max: 20, minExclusive: false, maxExclusive: true };
      for (let q = 0; q < ds.numQueries; q++) {
        const got = storedIds(ds, q, 5);
        for (const id of got) {
          const v = ds.vectorNumeric(id, "price")!;
          expect(v >= 10 && v < 20).toBe(true);
        }
        expectSameNeighbours(ds, q, 5, got, [range]);
      }
      // The rewritten file keeps the numeric attributes.
      expect(ds.numericFields).toEqual(["price"]);
    } finally {
      ds.close();
    }
    // verify passes with the same filter and names the mismatch without it.
    const lines: string[] = [];
    const spy = spyOn(console, "log").mockImplementation((line: string) => void lines.push(line));
    try {
      expect(await runDatasetCommand(["verify", out, "--numeric-filter", "price:[10 (20]", "--workers", "1"])).toBe(0);
      expect(lines.at(-1)).toMatch(/^verified 8 queries \(L2\): .* 0 mismatched$/);
      await expect(runDatasetCommand(["verify", out, "--workers", "1"])).rejects.toThrow("ground truth differs");
      await expect(runDatasetCommand(["verify", out, "--numeric-filter", "size:[1 2]"])).rejects.toThrow("has no numeric attribute 'size'");
    } finally {
      spy.mockRestore();
    }
  });

  test("a filter on an attribute the dataset lacks is a one-line error", async () => {
    const path = tmp.file("gt-src2.bin");
    await generateDataset({ path, dim: 4, numVectors: 20, numQueries: 2, k: 2, metric: "L2", seed: 4, workers: 1, numeric: [{ name: "price", distribution: "int", min: 0, max: 9 }] });
    await expect(runDatasetCommand(["ground-truth", path, "--k", "2", "--in-place", "--numeric-filter", "size:[1 2]"])).rejects.toThrow("has no numeric attribute 'size' (it has: price)");
    await expect(runDatasetCommand(["ground-truth", path, "--k", "2", "--in-place", "--numeric-filter", "price:[2 1]"])).rejects.toThrow("--numeric-filter price:[2 1] is invalid");
  });
});
