// VectorDBBench label-filter datasets: scalar_labels.parquet read page by page into per-vector
// tags of a v2 file, whatever the row order, encoding or nullability of the labels column.
import { afterAll, describe, expect, spyOn, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { parquetWriteFile } from "hyparquet-writer";
import { runDatasetCommand } from "../../src/cli/dataset/index.ts";
import { convertToLegacy } from "../../src/dataset/tools/convert.ts";
import { openDataset } from "../../src/dataset/index.ts";
import { readVectorLabels } from "../../src/dataset/sources/parquet/labels.ts";
import { openParquetDirectory } from "../../src/dataset/sources/parquet/source.ts";
import { permutation, randomFloats, tempDir, vdbbListSchema } from "./support.ts";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const N = 300, Q = 4, D = 6;
const base = randomFloats(N * D, 21);
const queries = randomFloats(Q * D, 22);

const listSchema = vdbbListSchema("emb", "FLOAT");

/** VectorDBBench's shape: a few labels, each named after the share of vectors carrying it. */
const labelOf = (id: number): string => (id % 100 === 7 ? "label_1p" : id % 10 === 3 ? "label_10p" : id % 2 === 0 ? "label_50p" : "label_0.1p");

interface LabelsFile {
  /** Ids in file order (default 0..N-1). */
  ids?: number[];
  /** Label per row in file order (default labelOf(id)); null for a missing one. */
  labels?: (string | null)[];
  encoding?: "PLAIN" | "RLE_DICTIONARY";
  optional?: boolean;
  pageSize?: number;
  rowGroupSize?: number;
}

function writeLabels(path: string, o: LabelsFile = {}): void {
  const ids = o.ids ?? Array.from({ length: N }, (_, i) => i);
  const labels = o.labels ?? ids.map(labelOf);
  parquetWriteFile({
    filename: path,
    columnData: [{ name: "id", data: ids.map(BigInt) }, { name: "labels", data: labels, encoding: o.encoding }],
    schema: [
      { name: "root", num_children: 2 },
      { name: "id", type: "INT64", repetition_type: "REQUIRED" },
      { name: "labels", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: o.optional ? "OPTIONAL" : "REQUIRED" },
    ],
    pageSize: o.pageSize,
    rowGroupSize: o.rowGroupSize,
  });
}

/** A ground-truth file: query q's neighbours are ids q..q+2 (only its presence matters here). */
function writeNeighbors(path: string): void {
  const schema = vdbbListSchema("neighbors_id", "INT64");
  const ids = Array.from({ length: Q }, (_, q) => q);
  parquetWriteFile({ filename: path, columnData: [{ name: "id", data: ids.map(BigInt) }, { name: "neighbors_id", data: ids.map((q) => [q, q + 1, q + 2].map(BigInt)) }], schema });
}

/** A VectorDBBench directory (shuffled train, test, neighbors) with `scalar_labels.parquet` unless labels is null. */
function vdbbDir(name: string, labels: LabelsFile | null = {}): string {
  const dir = tmp.file(name);
  mkdirSync(dir);
  const order = permutation(N, 5);
  const rows = (v: Float32Array, order: number[]) => order.map((r) => Array.from(v.subarray(r * D, (r + 1) * D)));
  parquetWriteFile({ filename: `${dir}/shuffle_train.parquet`, columnData: [{ name: "id", data: order.map(BigInt) }, { name: "emb", data: rows(base, order) }], schema: listSchema, rowGroupSize: 70 });
  const qOrder = Array.from({ length: Q }, (_, q) => q);
  parquetWriteFile({ filename: `${dir}/test.parquet`, columnData: [{ name: "id", data: qOrder.map(BigInt) }, { name: "emb", data: rows(queries, qOrder) }], schema: listSchema });
  if (labels) writeLabels(`${dir}/scalar_labels.parquet`, labels);
  return dir;
}

/** Converts `dir` reading `labels` (null: as for an unfiltered case, which ignores them). */
async function convertDir(dir: string, labels: string | null = "scalar_labels.parquet"): Promise<string> {
  const p = await openParquetDirectory(dir, "emb", labels === null ? {} : { labels });
  const output = `${dir}.bin`;
  try {
    await convertToLegacy(p, { output, metric: "L2" });
  } finally {
    for (const s of [p.base, p.queries, p.groundTruth]) s?.close();
  }
  return output;
}

function expectTags(output: string, tagOf: (id: number) => string[]): void {
  const ds = openDataset(output);
  try {
    expect(ds.hasTags).toBe(true);
    const s = new Float32Array(D);
    for (let i = 0; i < N; i++) {
      expect(ds.vectorTags(i)).toEqual(tagOf(i));
      // The vectors themselves still land at their ids.
      expect(Array.from(ds.vectorF32(i, s))).toEqual(Array.from(base.subarray(i * D, (i + 1) * D)));
    }
    // The filter is chosen at run time (--tag-filter), so queries require no tags.
    for (let q = 0; q < Q; q++) expect(ds.queryFilter(q)).toEqual([]);
  } finally {
    ds.close();
  }
}

describe("scalar_labels.parquet becomes one tag per vector", () => {
  test("labels in id order, PLAIN, required column", async () => {
    const out = await convertDir(vdbbDir("ordered-plain", { encoding: "PLAIN" }));
    expectTags(out, (i) => [labelOf(i)]);
  });

  test("shuffled labels, dictionary-encoded, optional column over several row groups and pages", async () => {
    const ids = permutation(N, 99);
    const dir = vdbbDir("shuffled-dict", { ids, encoding: "RLE_DICTIONARY", optional: true, rowGroupSize: 64, pageSize: 40 });
    expectTags(await convertDir(dir), (i) => [labelOf(i)]);
  });

  test("shuffled labels, PLAIN, optional column with nulls and non-ASCII text", async () => {
    const ids = permutation(N, 3);
    const text = (id: number): string | null => (id % 50 === 1 ? null : id % 7 === 0 ? "étiquette_5p" : labelOf(id));
    const dir = vdbbDir("shuffled-plain-nulls", { ids, labels: ids.map(text), encoding: "PLAIN", optional: true, pageSize: 200, rowGroupSize: 128 });
    const labels = await readVectorLabels(`${dir}/scalar_labels.parquet`, N);
    expect(labels.unlabelled).toBe(6);
    expect(labels.counts.reduce((s, n) => s + n, 0)).toBe(N - 6);
    expect(new Set(labels.values)).toEqual(new Set(["label_1p", "label_10p", "label_50p", "label_0.1p", "étiquette_5p"]));
    expectTags(await convertDir(dir), (i) => {
      const t = text(i);
      return t === null ? [] : [t];
    });
  });

  test("--labels names another file in the directory or a path; a missing one is an error naming it", async () => {
    const dir = vdbbDir("override", null);
    const other = (id: number) => (id % 3 === 0 ? "label_33p" : "label_67p");
    writeLabels(`${dir}/my_labels.parquet`, { labels: Array.from({ length: N }, (_, i) => other(i)) });
    expectTags(await convertDir(dir, "my_labels.parquet"), (i) => [other(i)]);
    const elsewhere = tmp.file("elsewhere.parquet");
    writeLabels(elsewhere);
    expectTags(await convertDir(dir, elsewhere), (i) => [labelOf(i)]);
    await expect(openParquetDirectory(dir, "emb", { labels: "nope.parquet" })).rejects.toThrow("nope.parquet: no such labels file (--labels)");
  });

  test("an unfiltered case ignores scalar_labels.parquet: the output stays a v1 file without tags", async () => {
    const ds = openDataset(await convertDir(vdbbDir("unfiltered"), null));
    expect(ds.hasTags).toBe(false);
    ds.close();
  });

  test("a label case's ground truth (neighbors_labels_*) reads scalar_labels.parquet without --labels, and needs it", async () => {
    const dir = vdbbDir("label-case");
    writeNeighbors(`${dir}/neighbors_labels_label_1p.parquet`);
    const p = await openParquetDirectory(dir, "emb", { neighbors: "neighbors_labels_label_1p.parquet" });
    expect(p.labels?.values.length).toBeGreaterThan(0);
    for (const s of [p.base, p.queries, p.groundTruth]) s?.close();
    const bare = vdbbDir("label-case-bare", null);
    writeNeighbors(`${bare}/neighbors_labels_label_1p.parquet`);
    await expect(openParquetDirectory(bare, "emb", { neighbors: "neighbors_labels_label_1p.parquet" })).rejects.toThrow(
      "neighbors_labels_label_1p.parquet is a label-filter case and needs each vector's label; pass --labels FILE",
    );
  });
});

describe("labels that do not fit the vectors are one-line errors", () => {
  const withLabels = { labels: "scalar_labels.parquet" };
  test("a row count other than the train rows names both counts", async () => {
    const dir = vdbbDir("short", { ids: Array.from({ length: N - 1 }, (_, i) => i) });
    await expect(openParquetDirectory(dir, "emb", withLabels)).rejects.toThrow(`${dir}/scalar_labels.parquet: ${N - 1} label rows, but the train files have ${N} vectors; expected one label per vector`);
  });

  test("a repeated or out-of-range id names the row", async () => {
    const repeated = permutation(N, 8);
    repeated[41] = repeated[2]!;
    await expect(openParquetDirectory(vdbbDir("dup", { ids: repeated }), "emb", withLabels)).rejects.toThrow(`row 41 repeats id ${repeated[2]}; expected ids 0..${N - 1}, each once`);
    const outside = permutation(N, 9);
    outside[12] = N;
    await expect(openParquetDirectory(vdbbDir("outside", { ids: outside }), "emb", withLabels)).rejects.toThrow(`row 12 has id ${N}; expected ids 0..${N - 1}, each once`);
  });

  test("a labels column of numbers is refused", async () => {
    const dir = vdbbDir("numeric", null);
    parquetWriteFile({
      filename: `${dir}/scalar_labels.parquet`,
      columnData: [{ name: "id", data: Array.from({ length: N }, (_, i) => BigInt(i)) }, { name: "labels", data: Array.from({ length: N }, (_, i) => BigInt(i % 3)) }],
      schema: [{ name: "root", num_children: 2 }, { name: "id", type: "INT64", repetition_type: "REQUIRED" }, { name: "labels", type: "INT64", repetition_type: "REQUIRED" }],
    });
    await expect(openParquetDirectory(dir, "emb", withLabels)).rejects.toThrow("column labels holds INT64; expected text (BYTE_ARRAY strings)");
  });
});

describe("labels are read a page at a time", () => {
  test("a one-row-group labels column of many pages never reads more than a page", async () => {
    const rows = 30000;
    const path = tmp.file("big_labels.parquet");
    const ids = permutation(rows, 17);
    // PLAIN text of varied values: the pages are as large as the page size allows.
    writeLabels(path, { ids, labels: ids.map((id) => `label_${id % 1000}p`), encoding: "PLAIN", pageSize: 4096, rowGroupSize: rows });
    const fileBytes = Bun.file(path).size;
    const reads: { position: number; length: number }[] = [];
    const labels = await readVectorLabels(path, rows, { onRead: (_p, position, length) => reads.push({ position, length }) });
    expect(labels.values.length).toBe(1000);
    expect(labels.tags.vectorTags(1234)).toEqual(["label_234p"]);
    // The footer is read from the end of the file in one piece; the pages are what we measure.
    const pageReads = reads.filter((r) => r.position + r.length < fileBytes).map((r) => r.length);
    expect(fileBytes).toBeGreaterThan(200 * 1024);
    expect(pageReads.length).toBeGreaterThan(100);
    expect(Math.max(...pageReads)).toBeLessThan(8 * 1024);
    expect(pageReads.reduce((s, n) => s + n, 0)).toBeLessThan(2 * fileBytes);
  });
});

describe("dataset convert --parquet with labels", () => {
  test("says how many labels and distinct values it read, and --labels goes with --parquet only", async () => {
    const dir = vdbbDir("cli", { encoding: "RLE_DICTIONARY" });
    const err = spyOn(console, "error").mockImplementation(() => {});
    const log = spyOn(console, "log").mockImplementation(() => {});
    try {
      expect(await runDatasetCommand(["convert", "--parquet", dir, "-o", tmp.file("cli.bin"), "--metric", "L2", "--labels", "scalar_labels.parquet"])).toBe(0);
      const counts = new Map<string, number>();
      for (let i = 0; i < N; i++) counts.set(labelOf(i), (counts.get(labelOf(i)) ?? 0) + 1);
      const shown = [...new Set(Array.from({ length: N }, (_, i) => labelOf(i)))].map((v) => `${v} (${counts.get(v)})`).join(", ");
      expect(err.mock.calls.map((c) => String(c[0]))).toContain(`labels: ${N} from ${dir}/scalar_labels.parquet, ${counts.size} distinct: ${shown}`);
    } finally {
      err.mockRestore();
      log.mockRestore();
    }
    expectTags(tmp.file("cli.bin"), (i) => [labelOf(i)]);
    await expect(runDatasetCommand(["convert", "--base", tmp.file("x.fvecs"), "--labels", "l.parquet", "-o", tmp.file("x.bin")])).rejects.toThrow("--labels goes with --parquet DIR");
  });
});
