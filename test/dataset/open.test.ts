import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { openDataset, sliceDataset } from "../../src/dataset/index.ts";
import { UserError } from "../../src/dataset/errors.ts";
import { tempDir, writeSmallLegacy } from "./support.ts";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe("openDataset and slicing", () => {
  test("a slice renumbers vectors from its offset and flags that stored ground truth may not fit", () => {
    const path = tmp.file("a.bin");
    writeSmallLegacy(path);
    const ds = openDataset(path);
    const s = sliceDataset(ds, { vectorOffset: 10, numVectors: 5 });
    expect(s.numVectors).toBe(5);
    expect(s.numQueries).toBe(5);
    expect(s.groundTruthCoversSlice).toBe(false);
    expect(Array.from(s.vectorBytes(0))).toEqual(Array.from(ds.vectorBytes(10)));
    expect(Array.from(s.vectorF32(4, new Float32Array(8)))).toEqual(Array.from(ds.vectorF32(14, new Float32Array(8))));
    expect(() => s.vectorBytes(5)).toThrow(RangeError);
    expect(sliceDataset(ds, {})).toBe(ds);
    expect(sliceDataset(ds, { numVectors: 0, vectorOffset: 0 }).groundTruthCoversSlice).toBe(true);
    expect(() => sliceDataset(ds, { vectorOffset: 50 })).toThrow(UserError);
    expect(() => sliceDataset(ds, { vectorOffset: 45, numVectors: 6 })).toThrow("--num-vectors 6 is too large");
    ds.close();
  });

  test("an unknown file format names the accepted formats and the convert command", () => {
    writeFileSync(tmp.file("x.fvecs"), new Uint8Array(64));
    expect(() => openDataset(tmp.file("x.fvecs"))).toThrow("dataset convert");
  });
});
