import { afterAll, describe, expect, spyOn, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { parquetWriteFile } from "hyparquet-writer";
import { runDatasetCommand } from "../../src/cli/dataset/index.ts";
import { openDataset } from "../../src/dataset/index.ts";
import { UserError } from "../../src/dataset/errors.ts";
import { randomFloats, tempDir, vdbbListSchema } from "./support.ts";
import { describeDataset } from "../../src/dataset/tools/info.ts";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** Runs `dataset ...` in-process and returns what it printed on stdout. */
async function run(...argv: string[]): Promise<string> {
  const spy = spyOn(console, "log").mockImplementation(() => {});
  try {
    expect(await runDatasetCommand(argv)).toBe(0);
    return spy.mock.calls.map((c) => String(c[0])).join("\n");
  } finally {
    spy.mockRestore();
  }
}

describe("dataset subcommands", () => {
  const file = tmp.file("gen.bin");

  test("generate writes a dataset that info describes as consistent", async () => {
    await run("generate", "-o", file, "--dim", "8", "--num-vectors", "1000", "--num-queries", "12", "--k", "10", "--metric", "cosine", "--workers", "2");
    const text = await run("info", file);
    expect(text).toContain("1000 x 8 float32");
    expect(text).toContain("metric hint: COSINE");
    expect(text).toContain("consistent:  yes");
    const json = JSON.parse(await run("info", file, "--json", "--full"));
    expect(json.groundTruthChecked).toBe(120);
    expect(json.consistent).toBe(true);
  });

  test("verify passes on generated ground truth and names the first mismatch after corruption", async () => {
    expect(await run("verify", file, "--sample", "5")).toContain("verified 5 queries (COSINE): 5 exact");
    const ds = openDataset(file);
    const gt = ds.sections.find((s) => s.name === "ground_truth")!;
    const stored = ds.neighborId(3, 0);
    ds.close();
    const bytes = readFileSync(file);
    bytes.writeBigUInt64LE(BigInt((stored + 1) % 1000), gt.offset + 3 * 10 * 8);
    writeFileSync(tmp.file("bad.bin"), bytes);
    await expect(runDatasetCommand(["verify", tmp.file("bad.bin"), "--sample", "12"])).rejects.toThrow(/differs in 1 of 12 sampled queries; first: query 3 rank 0/);
  });

  test("ground-truth recomputes with a new k into a new file, and in place with the same k", async () => {
    await run("ground-truth", file, "--k", "3", "-o", tmp.file("k3.bin"));
    const ds = openDataset(tmp.file("k3.bin"));
    const orig = openDataset(file);
    expect(ds.neighborsPerQuery).toBe(3);
    expect(Array.from(ds.vectorBytes(999))).toEqual(Array.from(orig.vectorBytes(999)));
    for (let q = 0; q < 12; q++) expect([0, 1, 2].map((j) => ds.neighborId(q, j))).toEqual([0, 1, 2].map((j) => orig.neighborId(q, j)));
    ds.close();
    orig.close();
    writeFileSync(tmp.file("inplace.bin"), readFileSync(tmp.file("bad.bin")));
    await run("ground-truth", tmp.file("inplace.bin"), "--k", "10", "--in-place");
    expect(readFileSync(tmp.file("inplace.bin")).equals(readFileSync(file))).toBe(true);
    await expect(runDatasetCommand(["ground-truth", file, "--k", "4", "--in-place"])).rejects.toThrow("stored k (10) to equal --k 4");
  });

  test("ground-truth with another --metric sets the file's metric hint to it (the benchmark's default index metric)", async () => {
    // gen.bin is COSINE: ground truth by L2, into a new file and in place.
    expect(await run("ground-truth", file, "--k", "5", "--metric", "L2", "-o", tmp.file("l2.bin"))).toContain("metric hint set to L2 (was COSINE)");
    const l2 = openDataset(tmp.file("l2.bin"));
    expect(l2.metricHint).toBe("L2");
    l2.close();
    writeFileSync(tmp.file("ip-inplace.bin"), readFileSync(tmp.file("l2.bin")));
    await run("ground-truth", tmp.file("ip-inplace.bin"), "--k", "5", "--metric", "IP", "--in-place");
    const ip = openDataset(tmp.file("ip-inplace.bin"));
    expect(ip.metricHint).toBe("IP");
    ip.close();
    // The same metric: the hint stays and nothing is said about it.
    expect(await run("ground-truth", tmp.file("ip-inplace.bin"), "--k", "5", "--in-place")).not.toContain("metric hint set");
  });

  test("convert streams fvecs and computes ground truth when asked", async () => {
    const base = randomFloats(200 * 4, 5);
    const rows = (v: Float32Array, n: number) => {
      const out = new DataView(new ArrayBuffer(n * 20));
      for (let r = 0; r < n; r++) {
        out.setInt32(r * 20, 4, true);
        for (let d = 0; d < 4; d++) out.setFloat32(r * 20 + 4 + d * 4, v[r * 4 + d], true);
      }
      return new Uint8Array(out.buffer);
    };
    writeFileSync(tmp.file("b.fvecs"), rows(base, 200));
    writeFileSync(tmp.file("q.fvecs"), rows(base, 3));
    const out = await run("convert", "--base", tmp.file("b.fvecs"), "--queries", tmp.file("q.fvecs"), "-o", tmp.file("c.bin"), "--compute-ground-truth", "5", "--metric", "L2");
    expect(out).toContain("converted 200 vectors x 4, 3 queries");
    const ds = openDataset(tmp.file("c.bin"));
    expect(ds.neighborsPerQuery).toBe(5);
    expect([0, 1, 2].map((q) => ds.neighborId(q, 0))).toEqual([0, 1, 2]); // each query is its own nearest base vector
    ds.close();
    // A bad --compute-ground-truth or --workers is refused before anything is written (it was
    // refused after the conversion had written its output).
    for (const bad of [["--compute-ground-truth", "0"], ["--compute-ground-truth", "5", "--workers", "0"]]) {
      await expect(runDatasetCommand(["convert", "--base", tmp.file("b.fvecs"), "--queries", tmp.file("q.fvecs"), "-o", tmp.file("never.bin"), ...bad])).rejects.toThrow(UserError);
      expect(existsSync(tmp.file("never.bin"))).toBe(false);
    }
  });

  test("bad input is a UserError: unknown subcommand, bad number, missing input, missing file", async () => {
    await expect(runDatasetCommand(["frobnicate"])).rejects.toThrow("unknown dataset subcommand 'frobnicate'");
    await expect(runDatasetCommand(["generate", "-o", tmp.file("x.bin"), "--dim", "eight"])).rejects.toThrow("--dim eight is invalid");
    await expect(runDatasetCommand(["convert", "-o", tmp.file("x.bin")])).rejects.toThrow(UserError);
    await expect(runDatasetCommand(["convert", "-o", tmp.file("x.bin"), "--hdf5", tmp.file("a.hdf5"), "--neighbors", "n.parquet"])).rejects.toThrow(
      "--neighbors goes with --parquet DIR",
    );
    await expect(runDatasetCommand(["info", tmp.file("missing.bin")])).rejects.toThrow("cannot open");
    expect(await run("--help")).toContain("ground-truth");
  });

  test("an option the subcommand does not define is refused (it was ignored: --num-vector 50 generated the default 10000)", async () => {
    await expect(runDatasetCommand(["generate", "-o", tmp.file("typo.bin"), "--num-vector", "50"])).rejects.toThrow(
      "unknown option --num-vector for dataset generate (see dataset generate --help)",
    );
    await expect(runDatasetCommand(["info", tmp.file("typo.bin"), "--bogus"])).rejects.toThrow("unknown option --bogus for dataset info");
    expect(existsSync(tmp.file("typo.bin"))).toBe(false);
  });

  test("numbers are read with the main flag table's rules (1_000 and 1e3 refused, as -n refuses them)", async () => {
    await expect(runDatasetCommand(["generate", "-o", tmp.file("y.bin"), "--num-vectors", "1_000"])).rejects.toThrow("--num-vectors 1_000 is invalid; it must be a whole number at least 1");
    await expect(runDatasetCommand(["generate", "-o", tmp.file("y.bin"), "--dim", "1e3"])).rejects.toThrow("--dim 1e3 is invalid");
  });

  test("help has the main --help layout: flags with <value> hints in one column, defaults at the end", async () => {
    const help = await run("generate", "--help");
    expect(help).toStartWith("valkey-search-benchmark dataset generate: ");
    expect(help).toContain("Usage: valkey-search-benchmark dataset generate [OPTIONS]");
    expect(help).toMatch(/^ {2}-o, --output <FILE> +Output file \(legacy format\)$/m);
    expect(help).toMatch(/^ {2}--dim <dim> +Vector dimension \(default: 128\)$/m);
    expect(help).not.toContain("\u001b["); // no colours
    expect(await run("info", "--help")).toContain("Usage: valkey-search-benchmark dataset info [OPTIONS] [FILE]");
  });
});

describe("dataset convert --parquet and the metric", () => {
  /** A minimal VectorDBBench directory (train + test, no ground truth) named `name`. */
  function vdbb(name: string): string {
    const dir = tmp.file(name);
    mkdirSync(dir);
    const schema = vdbbListSchema("emb", "FLOAT");
    const rows = (n: number) => ({ columnData: [{ name: "id", data: Array.from({ length: n }, (_, i) => BigInt(i)) }, { name: "emb", data: Array.from({ length: n }, () => Array.from(randomFloats(4, n))) }], schema });
    parquetWriteFile({ filename: `${dir}/train.parquet`, ...rows(20) });
    parquetWriteFile({ filename: `${dir}/test.parquet`, ...rows(3) });
    return dir;
  }

  test("a VectorDBBench dataset directory gives its metric; --metric overrides it", async () => {
    const err = spyOn(console, "error").mockImplementation(() => {});
    try {
      const out = tmp.file("cohere.bin");
      await run("convert", "--parquet", vdbb("cohere_small_100k"), "-o", out);
      expect(err.mock.calls.map((c) => String(c[0]))).toContain("metric: COSINE (VectorDBBench's metric for cohere_small_100k; --metric overrides it)");
      expect(await run("info", out)).toContain("metric hint: COSINE");
      const sift = tmp.file("sift.bin");
      await run("convert", "--parquet", vdbb("sift_small_500k"), "-o", sift, "--metric", "ip");
      expect(await run("info", sift)).toContain("metric hint: IP");
    } finally {
      err.mockRestore();
    }
  });

  test("another directory needs --metric: the files do not record it", async () => {
    await expect(runDatasetCommand(["convert", "--parquet", vdbb("my_vectors"), "-o", tmp.file("mine.bin")])).rejects.toThrow(
      "parquet files do not record the distance metric; pass --metric L2, IP or COSINE",
    );
  });
});

test("info flags NaN and infinite vector components as inconsistent (they passed as consistent)", async () => {
  const file = tmp.file("nan.bin");
  await run("generate", "-o", file, "--dim", "8", "--num-vectors", "200", "--num-queries", "4", "--k", "5");
  const clean = openDataset(file);
  const vectors = clean.sections.find((s) => s.name === "vectors")!;
  const queries = clean.sections.find((s) => s.name === "queries")!;
  clean.close();
  const bytes = readFileSync(file);
  bytes.writeFloatLE(Number.NaN, vectors.offset + 17 * 8 * 4 + 3 * 4); // vector 17, component 3
  bytes.writeFloatLE(Number.POSITIVE_INFINITY, queries.offset + 2 * 8 * 4); // query 2, component 0
  writeFileSync(tmp.file("nan-bad.bin"), bytes);
  const ds = openDataset(tmp.file("nan-bad.bin"));
  try {
    const info = describeDataset(ds, true);
    expect(info.consistent).toBe(false);
    expect(info.nonFinite).toEqual({ vectorsChecked: 200, vectors: 1, firstVector: 17, queriesChecked: 4, queries: 1, firstQuery: 2 });
  } finally {
    ds.close();
  }
  await expect(runDatasetCommand(["info", tmp.file("nan-bad.bin")])).rejects.toThrow(
    /1 of \d+ checked vectors hold NaN or infinity \(first: vector 17\); 1 of 4 queries hold NaN or infinity \(first: query 2\)/,
  );
  expect(await run("info", file)).toContain("consistent:  yes");
});
