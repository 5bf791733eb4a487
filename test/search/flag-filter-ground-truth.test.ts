// Recall under --tag-filter / --numeric-filter is withheld when the dataset's ground truth names a
// vector the filter excludes (src/search/flag-filter-ground-truth.ts). The e2e side is in
// e2e-numeric.test.ts; here the cases a server run does not reach cheaply.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NumericFilter } from "../../src/config/types.ts";
import { openDataset, type VectorDataset } from "../../src/dataset/index.ts";
import { generateDataset } from "../../src/dataset/tools/generate.ts";
import { flagFilterGroundTruthMismatch } from "../../src/search/flag-filter-ground-truth.ts";

let dir: string;
let ds: VectorDataset;
const range = (field: string, min: number, max: number): NumericFilter => ({ field, min, max, minExclusive: false, maxExclusive: false });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "vsb-flag-filter-gt-"));
  const path = join(dir, "tagged.bin");
  // Every vector carries "Red": any ground truth passes a red filter, in any letter case.
  await generateDataset({ path, dim: 4, numVectors: 200, numQueries: 5, k: 5, metric: "L2", seed: 3, workers: 1, tags: [{ name: "Red", probability: 1 }], filteredQueryFraction: 0 });
  ds = openDataset(path);
});
afterAll(() => {
  ds.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("flag filters against the stored ground truth", () => {
  test("no flag filter: nothing to check", () => {
    expect(flagFilterGroundTruthMismatch(ds, 5, 0, { numeric: [] })).toBeUndefined();
  });

  test("tags match as the server's TAG field does: case-insensitive, pre* a prefix", () => {
    expect(flagFilterGroundTruthMismatch(ds, 5, 0, { tags: ["red"], numeric: [] })).toBeUndefined();
    expect(flagFilterGroundTruthMismatch(ds, 5, 0, { tags: ["blue", "R*"], numeric: [] })).toBeUndefined();
    expect(flagFilterGroundTruthMismatch(ds, 5, 0, { tags: ["blue"], numeric: [] })).toContain(`the ground truth of 5 of the 5 queries`);
  });

  test("a NUMERIC field the dataset has no attribute for holds the vector's id (VectorDBBench's int filter)", () => {
    // Every id passes [0 +inf]; an id range above every vector excludes them all.
    expect(flagFilterGroundTruthMismatch(ds, 5, 0, { numeric: [{ ...range("id", 0, Infinity) }] })).toBeUndefined();
    const reason = flagFilterGroundTruthMismatch(ds, 5, 0, { numeric: [{ ...range("id", 1000, Infinity), minExclusive: true }] });
    expect(reason).toContain(`--numeric-filter "id:[(1000 +inf]" excludes (query 0: neighbour 1, vector`);
    expect(reason).toContain('compute it with `dataset ground-truth --numeric-filter "id:[(1000 +inf]"`');
  });

  test("only the first k neighbours count: those are what recall is scored against", () => {
    // Find the largest id among every query's first neighbour, then exclude only ids above it.
    let maxFirst = 0;
    for (let q = 0; q < ds.numQueries; q++) maxFirst = Math.max(maxFirst, ds.neighborId(q, 0));
    expect(flagFilterGroundTruthMismatch(ds, 1, 0, { numeric: [range("id", 0, maxFirst)] })).toBeUndefined();
  });
});
