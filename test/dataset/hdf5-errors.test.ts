// `dataset convert --hdf5` on files that are not what it expects: one `error:` line naming the
// file and what to pass instead, exit 2, and none of the HDF5 library's internal error stack.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import h5wasm from "h5wasm/node";
import { expectExit, runBench } from "../support/run-cli.ts";
import { tempDir } from "./support.ts";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

let noTrain: string;
beforeAll(async () => {
  await h5wasm.ready;
  noTrain = tmp.file("no-train.hdf5");
  const f = new h5wasm.File(noTrain, "w");
  f.create_dataset({ name: "vectors", data: new Float32Array(8), shape: [2, 4], dtype: "<f" });
  f.close();
});

async function convert(input: string) {
  const run = await runBench(["dataset", "convert", "--hdf5", input, "-o", tmp.file("out.bin")], { timeoutMs: 30_000 });
  expectExit(run, 2);
  expect(run.stderr).not.toContain("HDF5-DIAG");
  expect(run.stderr.trim().split("\n")).toHaveLength(1);
  return run.stderr.trim();
}

describe("dataset convert --hdf5 on the wrong file", () => {
  test("an fvecs file: not an HDF5 file, use --base", async () => {
    const path = tmp.file("base.fvecs");
    writeFileSync(path, new Uint8Array(36));
    expect(await convert(path)).toBe(`error: ${path}: is not an HDF5 file (no HDF5 signature); --hdf5 takes an ann-benchmarks .hdf5 file (for fvecs, fbin or .npy use --base/--queries/--ground-truth)`);
  });

  test("an empty file", async () => {
    const path = tmp.file("empty.hdf5");
    writeFileSync(path, "");
    expect(await convert(path)).toContain(`${path}: is not an HDF5 file`);
  });

  test("an HDF5 file without the ann-benchmarks datasets", async () => {
    expect(await convert(noTrain)).toBe(`error: ${noTrain}: HDF5 file has no dataset train; expected the ann-benchmarks layout (train, test, neighbors)`);
  });
});
