// Recall is withheld when the dataset's ground truth is not ordered by the index's metric
// (src/search/ground-truth-metric.ts); the e2e side is in e2e-vector.test.ts.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDataset, type VectorDataset } from "../../src/dataset/index.ts";
import { generateDataset } from "../../src/dataset/tools/generate.ts";
import { groundTruthMetricMismatch } from "../../src/search/ground-truth-metric.ts";

let dir: string;
let l2: VectorDataset;
let cosine: VectorDataset;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "vsb-gt-metric-"));
  const common = { dim: 16, numVectors: 2000, numQueries: 30, k: 20, seed: 5, workers: 1 };
  await generateDataset({ ...common, path: join(dir, "l2.bin"), metric: "L2" });
  await generateDataset({ ...common, path: join(dir, "cos.bin"), metric: "COSINE" });
  l2 = openDataset(join(dir, "l2.bin"));
  cosine = openDataset(join(dir, "cos.bin"));
});
afterAll(() => {
  l2.close();
  cosine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("ground truth against the index's metric", () => {
  test("ordered by the metric it was computed with: nothing to say", () => {
    expect(groundTruthMetricMismatch(l2, 20, 0, "L2", "the file's metric hint")).toBeUndefined();
    expect(groundTruthMetricMismatch(cosine, 20, 0, "COSINE", "the file's metric hint")).toBeUndefined();
  });

  test("L2 ground truth with an IP or COSINE index: withheld, naming the metric it is ordered by", () => {
    for (const metric of ["IP", "COSINE"] as const) {
      const reason = groundTruthMetricMismatch(l2, 20, 0, metric, "--search-distance");
      expect(reason).toMatch(new RegExp(`^the ground truth of \\d+ of 30 sampled queries in \\S+l2\\.bin is not ordered by ${metric} distance \\(the index's metric, from --search-distance\\), so it was computed with another metric; it is ordered by L2: pass --search-distance L2$`));
    }
  });

  test("unit vectors order alike under L2, IP and COSINE, so any of them scores recall right", () => {
    expect(groundTruthMetricMismatch(cosine, 20, 0, "IP", "--search-distance")).toBeUndefined();
    expect(groundTruthMetricMismatch(cosine, 20, 0, "L2", "--search-distance")).toBeUndefined();
  });

  test("with -k 1 there is no order to check", () => {
    expect(groundTruthMetricMismatch(l2, 1, 0, "IP", "--search-distance")).toBeUndefined();
  });
});
