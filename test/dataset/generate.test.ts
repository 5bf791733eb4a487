import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { openDataset } from "../../src/dataset/index.ts";
import { generateDataset } from "../../src/dataset/tools/generate.ts";
import { UserError } from "../../src/dataset/errors.ts";
import { tempDir } from "./support.ts";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function l2(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let d = 0; d < a.length; d++) s += (a[d] - b[d]) ** 2;
  return s;
}

describe("dataset generate", () => {
  test("writes the requested counts with exact L2 ground truth, deterministically for a seed", async () => {
    const opts = { dim: 8, numVectors: 500, numQueries: 10, k: 5, metric: "L2" as const, seed: 7, workers: 2 };
    await generateDataset({ ...opts, path: tmp.file("g1.bin") });
    await generateDataset({ ...opts, path: tmp.file("g2.bin") });
    expect(readFileSync(tmp.file("g1.bin")).equals(readFileSync(tmp.file("g2.bin")))).toBe(true);
    const ds = openDataset(tmp.file("g1.bin"));
    expect([ds.dim, ds.numVectors, ds.numQueries, ds.neighborsPerQuery, ds.metricHint]).toEqual([8, 500, 10, 5, "L2"]);
    const a = new Float32Array(8), b = new Float32Array(8);
    for (let q = 0; q < 10; q++) {
      const qv = Float32Array.from(ds.queryF32(q, a));
      const all = Array.from({ length: 500 }, (_, i) => [l2(qv, ds.vectorF32(i, b)), i]).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
      expect(Array.from({ length: 5 }, (_, j) => ds.neighborId(q, j))).toEqual(all.slice(0, 5).map((x) => x[1]));
    }
    ds.close();
  });

  test("COSINE vectors are unit length; a different seed gives different data", async () => {
    await generateDataset({ path: tmp.file("c.bin"), dim: 4, numVectors: 50, numQueries: 2, k: 3, metric: "COSINE", seed: 1 });
    await generateDataset({ path: tmp.file("c2.bin"), dim: 4, numVectors: 50, numQueries: 2, k: 3, metric: "COSINE", seed: 2 });
    const ds = openDataset(tmp.file("c.bin"));
    const v = ds.vectorF32(10, new Float32Array(4));
    expect(Math.abs(v.reduce((s, x) => s + x * x, 0) - 1)).toBeLessThan(1e-5);
    expect(ds.metricHint).toBe("COSINE");
    const other = openDataset(tmp.file("c2.bin"));
    expect(Array.from(other.vectorBytes(10))).not.toEqual(Array.from(ds.vectorBytes(10)));
    ds.close();
    other.close();
  });

  test("tags follow their probability and filtered ground truth only returns matching vectors", async () => {
    await generateDataset({
      path: tmp.file("t.bin"), dim: 4, numVectors: 4000, numQueries: 6, k: 10, metric: "L2", seed: 3,
      tags: [{ name: "common", probability: 0.5 }, { name: "rare", probability: 0.05 }],
    });
    const ds = openDataset(tmp.file("t.bin"));
    expect(ds.format).toBe("legacy-v2");
    let common = 0, rare = 0;
    for (let i = 0; i < 4000; i++) {
      const t = ds.vectorTags(i);
      if (t.includes("common")) common++;
      if (t.includes("rare")) rare++;
    }
    expect(common / 4000).toBeGreaterThan(0.45);
    expect(common / 4000).toBeLessThan(0.55);
    expect(rare / 4000).toBeGreaterThan(0.03);
    expect(rare / 4000).toBeLessThan(0.07);
    for (let q = 0; q < 6; q++) {
      const filter = ds.queryFilter(q);
      expect(filter).toEqual([q % 2 ? "rare" : "common"]);
      for (let j = 0; j < 10; j++) expect(ds.vectorTags(ds.neighborId(q, j))).toContain(filter[0]);
    }
    ds.close();
  });

  test("invalid sizes are user errors naming the flag", async () => {
    await expect(generateDataset({ path: tmp.file("x.bin"), dim: 0, numVectors: 1, numQueries: 0, k: 0, metric: "L2", seed: 1 })).rejects.toThrow(UserError);
    await expect(generateDataset({ path: tmp.file("x.bin"), dim: 4, numVectors: 1, numQueries: 0, k: 0, metric: "L2", seed: 1, tags: [{ name: "a", probability: 2 }] })).rejects.toThrow("--tags a:2 is invalid");
  });
});
