import { afterAll, describe, expect, test } from "bun:test";
import { openDataset } from "../../src/dataset/index.ts";
import { resolveMetric, resolveVectorDim } from "../../src/dataset/resolve.ts";
import { tempDir, writeSmallLegacy } from "./support.ts";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe("flags versus the dataset file", () => {
  const path = tmp.file("r.bin");
  writeSmallLegacy(path, { metric: "COSINE" });

  test("--vector-dim is taken from the file and must match it when given", () => {
    const ds = openDataset(path);
    expect(resolveVectorDim(ds)).toBe(8);
    expect(resolveVectorDim(ds, 8)).toBe(8);
    expect(() => resolveVectorDim(ds, 128)).toThrow("--vector-dim 128 does not match");
    ds.close();
  });

  test("--search-distance overrides the file's metric hint, and the source says which was used", () => {
    const ds = openDataset(path);
    expect(resolveMetric(ds)).toEqual({ metric: "COSINE", source: expect.stringContaining("dataset hint, header byte 264 = 1") });
    expect(resolveMetric(ds, "IP")).toEqual({ metric: "IP", source: "--search-distance (file hint: COSINE)" });
    ds.close();
  });
});
