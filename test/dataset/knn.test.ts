import { afterAll, describe, expect, test } from "bun:test";
import type { DistanceMetric } from "../../src/dataset/index.ts";
import { openDataset } from "../../src/dataset/index.ts";
import { computeGroundTruth } from "../../src/dataset/tools/ground-truth.ts";
import { knnScan } from "../../src/dataset/tools/knn.ts";
import { tempDir, writeSmallLegacy } from "./support.ts";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** Independent brute force: full sort of every distance, written without the heap or early exit. */
function bruteForce(base: Float32Array, queries: Float32Array, dim: number, k: number, metric: DistanceMetric, allowed?: (q: number, i: number) => boolean): number[][] {
  const n = base.length / dim;
  const out: number[][] = [];
  for (let q = 0; q < queries.length / dim; q++) {
    const qv = queries.subarray(q * dim, (q + 1) * dim);
    const scored: [number, number][] = [];
    for (let i = 0; i < n; i++) {
      if (allowed && !allowed(q, i)) continue;
      const x = base.subarray(i * dim, (i + 1) * dim);
      let l2 = 0, dot = 0, nq = 0, nx = 0;
      for (let d = 0; d < dim; d++) {
        l2 += (qv[d] - x[d]) ** 2;
        dot += qv[d] * x[d];
        nq += qv[d] * qv[d];
        nx += x[d] * x[d];
      }
      const dist = metric === "L2" ? l2 : metric === "IP" ? -dot : 1 - dot / (Math.sqrt(nq) * Math.sqrt(nx));
      scored.push([dist, i]);
    }
    scored.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    out.push(scored.slice(0, k).map((s) => s[1]));
  }
  return out;
}

describe("exact k-NN ground truth", () => {
  const path = tmp.file("gt.bin");
  const src = writeSmallLegacy(path, { dim: 16, numVectors: 3000, numQueries: 20, neighborsPerQuery: 10 });

  for (const metric of ["L2", "IP", "COSINE"] as const) {
    test(`${metric}: the in-process scan matches an independent brute force`, () => {
      const ds = openDataset(path);
      const r = knnScan(ds, { k: 10, metric, queries: Array.from({ length: 20 }, (_, i) => i), filtered: false });
      const expected = bruteForce(src.vectors, src.queries, 16, 10, metric);
      for (let q = 0; q < 20; q++) expect(Array.from(r.ids.subarray(q * 10, q * 10 + 10))).toEqual(expected[q]);
      ds.close();
    });
  }

  test("two Workers give the same ids as the brute force, rows in the requested query order", async () => {
    const queries = [19, 3, 7, 0, 12];
    const r = await computeGroundTruth({ dataset: { path }, k: 10, metric: "L2", filtered: false, queries, workers: 2 });
    const expected = bruteForce(src.vectors, src.queries, 16, 10, "L2");
    queries.forEach((q, row) => expect(Array.from(r.ids.subarray(row * 10, row * 10 + 10))).toEqual(expected[q]));
    expect(r.distances[0]).toBeLessThanOrEqual(r.distances[9]);
  });

  test("filtered ground truth only returns vectors carrying every tag of the query, padding with -1", async () => {
    const fpath = tmp.file("filtered.bin");
    const fsrc = writeSmallLegacy(fpath, { dim: 4, numVectors: 200, numQueries: 3, neighborsPerQuery: 0 }, {
      vectorTags: (i) => (i % 10 === 0 ? ["rare", "x"] : i % 2 ? ["odd"] : []),
      queryFilter: (q) => (q === 0 ? [] : q === 1 ? ["odd"] : ["rare", "x"]),
    });
    const r = await computeGroundTruth({ dataset: { path: fpath }, k: 25, metric: "L2", filtered: true, queries: [0, 1, 2], workers: 1 });
    const tagsOf = (i: number) => (i % 10 === 0 ? ["rare", "x"] : i % 2 ? ["odd"] : []);
    const filterOf = (q: number) => (q === 0 ? [] : q === 1 ? ["odd"] : ["rare", "x"]);
    const expected = bruteForce(fsrc.vectors, fsrc.queries, 4, 25, "L2", (q, i) => filterOf(q).every((t) => tagsOf(i).includes(t)));
    for (let q = 0; q < 3; q++) {
      const row = Array.from(r.ids.subarray(q * 25, q * 25 + 25));
      expect(row.filter((id) => id >= 0)).toEqual(expected[q]);
    }
    expect(Array.from(r.ids.subarray(2 * 25 + 20, 3 * 25))).toEqual([-1, -1, -1, -1, -1]); // only 20 "rare" vectors
  });
});
