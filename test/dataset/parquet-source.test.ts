/**
 * The page-at-a-time parquet reader on files written by hyparquet-writer (DATA_PAGE_V2 pages),
 * cross-checked against the values written and against hyparquet's own reader.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { brotliCompressSync, brotliDecompressSync } from "node:zlib";
import { asyncBufferFromFile, parquetReadObjects } from "hyparquet";
import type { CompressionCodec } from "hyparquet";
import { parquetWriteFile } from "hyparquet-writer";
import { openParquetDirectory } from "../../src/dataset/sources/parquet/source.ts";
import type { ParquetReadOptions } from "../../src/dataset/sources/parquet/source.ts";
import { UserError } from "../../src/dataset/errors.ts";
import { randomFloats, tempDir } from "./support.ts";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

type ElementType = "FLOAT" | "DOUBLE" | "INT64";
type Row = number[] | bigint[] | null;

/** A greedy LZ4 block compressor (hash of 4-byte sequences), enough to produce real matches. */
function lz4Compress(input: Uint8Array): Uint8Array {
  const out: number[] = [];
  const table = new Map<number, number>();
  const length = (n: number) => {
    for (; n >= 255; n -= 255) out.push(255);
    out.push(n);
  };
  const sequence = (litStart: number, litEnd: number, offset: number, matchLength: number) => {
    const lit = litEnd - litStart;
    const m = matchLength - 4;
    out.push((Math.min(lit, 15) << 4) | (matchLength ? Math.min(m, 15) : 0));
    if (lit >= 15) length(lit - 15);
    for (let k = litStart; k < litEnd; k++) out.push(input[k]);
    if (!matchLength) return;
    out.push(offset & 255, offset >> 8);
    if (m >= 15) length(m - 15);
  };
  let anchor = 0;
  let i = 0;
  // The format wants the last 5 bytes as literals and no match starting in the last 12.
  while (i + 12 <= input.length) {
    const key = input[i] | (input[i + 1] << 8) | (input[i + 2] << 16) | (input[i + 3] << 24);
    const candidate = table.get(key);
    table.set(key, i);
    if (candidate !== undefined && i - candidate < 65536) {
      let n = 4;
      while (i + n < input.length - 5 && input[candidate + n] === input[i + n]) n++;
      sequence(anchor, i, i - candidate, n);
      i += n;
      anchor = i;
    } else {
      i++;
    }
  }
  sequence(anchor, input.length, 0, 0);
  return Uint8Array.from(out);
}

const compressors = {
  GZIP: (b: Uint8Array) => Bun.gzipSync(b as Uint8Array<ArrayBuffer>),
  ZSTD: (b: Uint8Array) => Bun.zstdCompressSync(b as Uint8Array<ArrayBuffer>),
  BROTLI: (b: Uint8Array) => new Uint8Array(brotliCompressSync(b)),
  LZ4_RAW: lz4Compress,
  LZO: (b: Uint8Array) => b,
};

/** hyparquet's decompressors, for the cross-check against its reader. */
const hyparquetDecompressors = {
  GZIP: (b: Uint8Array) => Bun.gunzipSync(b as Uint8Array<ArrayBuffer>),
  ZSTD: (b: Uint8Array) => Bun.zstdDecompressSync(b as Uint8Array<ArrayBuffer>),
  BROTLI: (b: Uint8Array) => new Uint8Array(brotliDecompressSync(b)),
};

interface TrainOptions {
  element?: ElementType;
  codec?: CompressionCodec;
  encoding?: "PLAIN" | "RLE_DICTIONARY" | "BYTE_STREAM_SPLIT" | "DELTA_BINARY_PACKED";
  pageSize?: number;
  rowGroupSize?: number;
}

let dirs = 0;
/** A dataset directory holding only train.parquet with columns id and emb. */
function writeTrain(rows: Row[], o: TrainOptions = {}): string {
  const dir = tmp.file(`train-${dirs++}`);
  mkdirSync(dir);
  const element = o.element ?? "FLOAT";
  parquetWriteFile({
    filename: `${dir}/train.parquet`,
    columnData: [
      { name: "id", data: rows.map((_, i) => BigInt(i)) },
      { name: "emb", data: rows, encoding: o.encoding },
    ],
    schema: [
      { name: "root", num_children: 2 },
      { name: "id", type: "INT64", repetition_type: "REQUIRED" },
      { name: "emb", repetition_type: "OPTIONAL", num_children: 1, converted_type: "LIST" },
      { name: "list", repetition_type: "REPEATED", num_children: 1 },
      { name: "element", type: element, repetition_type: "REQUIRED" },
    ],
    codec: o.codec,
    compressors,
    pageSize: o.pageSize,
    rowGroupSize: o.rowGroupSize,
  });
  return dir;
}

function floatRows(n: number, d: number, seed: number): number[][] {
  const v = randomFloats(n * d, seed);
  return Array.from({ length: n }, (_, r) => Array.from(v.subarray(r * d, (r + 1) * d)));
}

/** Reads every row through the source in blocks of `block` rows, as Float64 (exact for all three types). */
async function readAll(dir: string, block: number, o: ParquetReadOptions = {}): Promise<number[][]> {
  const p = await openParquetDirectory(dir, "emb", o);
  const { base } = p;
  const out: number[][] = [];
  try {
    for (let first = 0; first < base.rows; first += block) {
      const count = Math.min(block, base.rows - first);
      const ids = await base.readIds(first, count);
      for (let r = 0; r < count; r++) out.push(Array.from(ids.subarray(r * base.cols, (r + 1) * base.cols)));
    }
  } finally {
    base.close();
  }
  return out;
}

async function hyparquetRows(dir: string): Promise<number[][]> {
  const file = await asyncBufferFromFile(`${dir}/train.parquet`);
  const rows = await parquetReadObjects({ file, columns: ["emb"], compressors: hyparquetDecompressors });
  return rows.map((r) => Array.from(r.emb as ArrayLike<number | bigint>, Number));
}

describe("parquet source: DATA_PAGE_V2 files round-trip exactly", () => {
  const N = 500, D = 12;
  const floats = floatRows(N, D, 3);
  const doubles = floats.map((r, i) => r.map((x) => x / 3 + i * 1e-9));
  const longs = Array.from({ length: N }, (_, r) => Array.from({ length: D }, (_, j) => BigInt(r * 1000003 + j * 7) - 9000n));

  for (const [element, rows] of [["FLOAT", floats], ["DOUBLE", doubles], ["INT64", longs]] as const) {
    test(`${element} lists over many small pages and several row groups`, async () => {
      const dir = writeTrain(rows, { element, pageSize: 300, rowGroupSize: 128 });
      const expected = rows.map((r) => r.map(Number));
      expect(await readAll(dir, 37)).toEqual(expected);
      expect(await hyparquetRows(dir)).toEqual(expected);
    });
  }

  for (const codec of ["UNCOMPRESSED", "SNAPPY", "GZIP", "ZSTD", "BROTLI", "LZ4_RAW"] as const) {
    test(`${codec} pages`, async () => {
      const dir = writeTrain(doubles, { element: "DOUBLE", codec, pageSize: 2000, rowGroupSize: 200 });
      expect(await readAll(dir, 100)).toEqual(doubles);
    });
  }

  test("dictionary-encoded and byte-stream-split pages", async () => {
    // Few distinct values so the dictionary is small; every row still differs.
    const repetitive = Array.from({ length: N }, (_, r) => Array.from({ length: D }, (_, j) => ((r * 7 + j * 3) % 41) / 8));
    const dict = writeTrain(repetitive, { element: "DOUBLE", encoding: "RLE_DICTIONARY", pageSize: 500, rowGroupSize: 300 });
    expect(await readAll(dict, 64)).toEqual(repetitive);
    expect(await hyparquetRows(dict)).toEqual(repetitive);
    for (const element of ["FLOAT", "DOUBLE"] as const) {
      const rows = element === "FLOAT" ? floats : doubles;
      const split = writeTrain(rows, { element, encoding: "BYTE_STREAM_SPLIT", codec: "ZSTD", pageSize: 700 });
      expect(await readAll(split, 64)).toEqual(rows);
    }
  });

  test("a read behind the cursor restarts its row group; a read ahead skips whole groups", async () => {
    const dir = writeTrain(floats, { pageSize: 256, rowGroupSize: 100 });
    const { base } = await openParquetDirectory(dir);
    const row = (block: Float32Array, r: number) => Array.from(block.subarray(r * D, (r + 1) * D));
    const expectRows = async (first: number, count: number) => {
      const block = await base.readFloat32(first, count);
      for (let r = 0; r < count; r++) expect(row(block, r)).toEqual(floats[first + r]);
    };
    await expectRows(420, 30);
    await expectRows(150, 10);
    await expectRows(140, 5);
    await expectRows(0, 3);
    await expectRows(499, 1);
    base.close();
  });

  test("memory stays bounded: one row group of many pages is read a page at a time", async () => {
    const rows = floatRows(4000, 16, 9);
    const dir = writeTrain(rows, { pageSize: 4096, rowGroupSize: 4000 });
    const reads: number[] = [];
    let measuring = false;
    const { base } = await openParquetDirectory(dir, "emb", { onRead: (_path, _position, length) => measuring && reads.push(length) });
    // Opening reads the footer (one large read) and row 0; measure the row reads only.
    measuring = true;
    for (let first = 0; first < base.rows; first += 1000) {
      const block = await base.readFloat32(first, 1000);
      expect(Array.from(block.subarray(999 * 16, 1000 * 16))).toEqual(rows[first + 999]);
    }
    base.close();
    const fileBytes = Bun.file(`${dir}/train.parquet`).size;
    expect(fileBytes).toBeGreaterThan(200 * 1024);
    expect(reads.length).toBeGreaterThan(100);
    // No read is larger than a page (plus header), whatever the row group size.
    expect(Math.max(...reads)).toBeLessThan(8 * 1024);
    // Every page is read about once: streaming, not re-reading the group for each block.
    expect(reads.reduce((s, n) => s + n, 0)).toBeLessThan(2 * fileBytes);
  });
});

describe("parquet source: rows and files it cannot use are one-line errors", () => {
  const D = 6;
  const rows = floatRows(40, D, 5);

  test("a null or empty list names the row", async () => {
    for (const bad of [null, []]) {
      const dir = writeTrain(rows.map((r, i) => (i === 23 ? bad : r)), { pageSize: 100 });
      await expect(readAll(dir, 10)).rejects.toThrow(`row 23 column emb has 0 values; expected ${D} like row 0`);
    }
  });

  test("a row longer than row 0 names the row", async () => {
    const dir = writeTrain(rows.map((r, i) => (i === 31 ? [...r, 1] : r)), { pageSize: 100 });
    await expect(readAll(dir, 10)).rejects.toThrow(`row 31 column emb has ${D + 1} values; expected ${D} like row 0`);
  });

  test("an unsupported codec names the file, the column and the codec", async () => {
    const dir = writeTrain(rows, { codec: "LZO" });
    const err = await openParquetDirectory(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toBe(`${dir}/train.parquet: column id (row group 0) is compressed with LZO, which is not supported; re-write the file with snappy or zstd (e.g. pyarrow.parquet.write_table(table, path, compression="zstd"))`);
  });

  test("an unsupported encoding names the file, the column and the encoding", async () => {
    const longs = rows.map((r) => r.map((x) => BigInt(Math.round(x * 1000))));
    const dir = writeTrain(longs, { element: "INT64", encoding: "DELTA_BINARY_PACKED" });
    const err = await openParquetDirectory(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toStartWith(`${dir}/train.parquet: column emb, row group 0: encoding DELTA_BINARY_PACKED is not supported`);
  });
});
