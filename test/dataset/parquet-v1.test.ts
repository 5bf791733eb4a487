/**
 * DATA_PAGE (v1) files as pandas/pyarrow write them, which hyparquet-writer cannot produce:
 * assembled here byte by byte (a small Thrift compact encoder, levels as RLE/bit-packed
 * hybrid, an optional `element`, dictionary pages falling back to PLAIN mid-chunk, rows split
 * across pages), read through the source and cross-checked against hyparquet's parquetRead.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { asyncBufferFromFile, parquetReadObjects } from "hyparquet";
import { readVectorLabels } from "../../src/dataset/sources/parquet/labels.ts";
import { openParquetDirectory } from "../../src/dataset/sources/parquet/source.ts";
import { UserError } from "../../src/dataset/errors.ts";
import { randomFloats, tempDir } from "./support.ts";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

// ---- Thrift compact protocol, write side ----

type Field =
  | [id: number, kind: "i32" | "i64", value: number]
  | [id: number, kind: "bin", value: string]
  | [id: number, kind: "struct", value: Field[]]
  | [id: number, kind: "i32list", value: number[]]
  | [id: number, kind: "binlist", value: string[]]
  | [id: number, kind: "structlist", value: Field[][]];

const TYPE = { i32: 5, i64: 6, bin: 8, struct: 12, i32list: 9, binlist: 9, structlist: 9 } as const;

function compactStruct(fields: Field[], out: number[] = []): number[] {
  const varint = (n: number) => {
    for (; n >= 128; n = Math.floor(n / 128)) out.push((n % 128) | 128);
    out.push(n);
  };
  const zigzag = (n: number) => varint(n >= 0 ? n * 2 : -n * 2 - 1);
  const bin = (s: string) => {
    const b = new TextEncoder().encode(s);
    varint(b.length);
    out.push(...b);
  };
  const listHead = (size: number, type: number) => {
    if (size < 15) out.push((size << 4) | type);
    else {
      out.push(0xf0 | type);
      varint(size);
    }
  };
  let last = 0;
  for (const [id, kind, value] of [...fields].sort((a, b) => a[0] - b[0])) {
    const delta = id - last;
    if (delta > 0 && delta <= 15) out.push((delta << 4) | TYPE[kind]);
    else {
      out.push(TYPE[kind]);
      zigzag(id);
    }
    last = id;
    if (kind === "i32" || kind === "i64") zigzag(value as number);
    else if (kind === "bin") bin(value as string);
    else if (kind === "struct") compactStruct(value as Field[], out);
    else if (kind === "i32list") {
      listHead((value as number[]).length, 5);
      for (const v of value as number[]) zigzag(v);
    } else if (kind === "binlist") {
      listHead((value as string[]).length, 8);
      for (const v of value as string[]) bin(v);
    } else {
      listHead((value as Field[][]).length, 12);
      for (const v of value as Field[][]) compactStruct(v, out);
    }
  }
  out.push(0);
  return out;
}

// ---- Levels and values ----

/** Bit-packed runs only (as parquet-mr writes repetition levels). */
function bitPacked(values: number[], width: number): number[] {
  const groups = Math.ceil(values.length / 8);
  const out = [groups * 2 + 1];
  let acc = 0, bits = 0;
  for (let i = 0; i < groups * 8; i++) {
    acc += (values[i] ?? 0) * 2 ** bits;
    bits += width;
    while (bits >= 8) {
      out.push(acc & 255);
      acc = Math.floor(acc / 256);
      bits -= 8;
    }
  }
  if (bits > 0) out.push(acc);
  return out;
}

/** RLE runs only (one byte per value; widths up to 8). */
function rleRuns(values: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length;) {
    let j = i;
    while (j < values.length && values[j] === values[i] && j - i < 60) j++;
    out.push((j - i) * 2, values[i]);
    i = j;
  }
  return out;
}

type Element = "FLOAT" | "DOUBLE" | "INT64";
const SIZE: Record<Element, number> = { FLOAT: 4, DOUBLE: 8, INT64: 8 };
const PHYSICAL: Record<Element, number> = { INT64: 2, FLOAT: 4, DOUBLE: 5 };

function plainBytes(values: number[], element: Element): number[] {
  const b = new Uint8Array(values.length * SIZE[element]);
  const dv = new DataView(b.buffer);
  values.forEach((v, i) => {
    if (element === "FLOAT") dv.setFloat32(i * 4, v, true);
    else if (element === "DOUBLE") dv.setFloat64(i * 8, v, true);
    else dv.setBigInt64(i * 8, BigInt(v), true);
  });
  return Array.from(b);
}

function byteStreamSplit(values: number[], element: Element): number[] {
  const plain = plainBytes(values, element);
  const size = SIZE[element];
  const out: number[] = [];
  for (let j = 0; j < size; j++) for (let i = 0; i < values.length; i++) out.push(plain[i * size + j]);
  return out;
}

/** A valid snappy stream made of literals only: enough to exercise the codec path. */
function snappyLiterals(input: Uint8Array): Uint8Array {
  const out: number[] = [];
  let n = input.length;
  for (; n >= 128; n >>>= 7) out.push((n & 127) | 128);
  out.push(n);
  // Tag 61 << 2: a literal whose length - 1 follows in two bytes.
  for (let i = 0; i < input.length; i += 65536) {
    const chunk = input.subarray(i, i + 65536);
    out.push(61 << 2, (chunk.length - 1) & 255, (chunk.length - 1) >> 8, ...chunk);
  }
  return Uint8Array.from(out);
}

const CODECS = {
  UNCOMPRESSED: { id: 0, compress: (b: Uint8Array) => b },
  SNAPPY: { id: 1, compress: snappyLiterals },
  GZIP: { id: 2, compress: (b: Uint8Array) => Bun.gzipSync(b as Uint8Array<ArrayBuffer>) },
  ZSTD: { id: 6, compress: (b: Uint8Array) => Bun.zstdCompressSync(b as Uint8Array<ArrayBuffer>) },
};
type Codec = keyof typeof CODECS;
type PageEncoding = "PLAIN" | "DICT" | "BSS";
const ENCODING_ID = { PLAIN: 0, PLAIN_DICTIONARY: 2, RLE: 3, RLE_DICTIONARY: 8, BSS: 9 };

interface PageFault {
  /** Which data page of the emb column (in the first row group) to damage. */
  page: number;
  uncompressedDelta?: number;
  compressedDelta?: number;
  numValuesDelta?: number;
  garbageHeader?: boolean;
}

interface V1Options {
  rows: (number[] | null)[];
  element: Element;
  elementOptional: boolean;
  codec: Codec;
  rowGroupRows: number;
  levelsPerPage: number;
  /** Encodings of successive data pages of a chunk; the last one repeats (pyarrow: DICT, then PLAIN). */
  encodings: PageEncoding[];
  fault?: PageFault;
}

/** A whole parquet file with columns id (INT64) and emb (list of element) in v1 pages. */
function buildV1(o: V1Options): Uint8Array {
  const out: number[] = [..."PAR1"].map((c) => c.charCodeAt(0));
  const compress = CODECS[o.codec].compress;
  const maxDef = o.elementOptional ? 3 : 2;
  const rowGroups: Field[][] = [];
  const page = (type: number, header: Field, body: number[]) => {
    const compressed = compress(Uint8Array.from(body));
    out.push(...compactStruct([[1, "i32", type], [2, "i32", body.length], [3, "i32", compressed.length], header]), ...compressed);
  };
  const u32 = (n: number) => [n & 255, (n >> 8) & 255, (n >> 16) & 255, n >>> 24];
  for (let first = 0; first < o.rows.length; first += o.rowGroupRows) {
    const rows = o.rows.slice(first, first + o.rowGroupRows);
    // id: one required, flat, PLAIN page (no levels at all).
    const idStart = out.length;
    const ids = rows.map((_, r) => first + r);
    page(0, [5, "struct", [[1, "i32", ids.length], [2, "i32", ENCODING_ID.PLAIN], [3, "i32", ENCODING_ID.RLE], [4, "i32", ENCODING_ID.RLE]]], plainBytes(ids, "INT64"));
    const idChunk = chunkMeta(["id"], PHYSICAL.INT64, o.codec, ids.length, idStart, out.length - idStart, undefined);
    // emb: levels per entry, then pages of levelsPerPage entries, ignoring row boundaries.
    const rep: number[] = [], def: number[] = [], entryValue: (number | undefined)[] = [];
    for (const row of rows) {
      if (row === null || row.length === 0) {
        rep.push(0);
        def.push(row === null ? 0 : 1);
        entryValue.push(undefined);
      }
      row?.forEach((v, j) => {
        rep.push(j === 0 ? 0 : 1);
        def.push(maxDef);
        entryValue.push(v);
      });
    }
    const pages: { from: number; to: number; encoding: PageEncoding }[] = [];
    for (let from = 0, p = 0; from < rep.length; from += o.levelsPerPage, p++) {
      pages.push({ from, to: Math.min(rep.length, from + o.levelsPerPage), encoding: o.encodings[Math.min(p, o.encodings.length - 1)] });
    }
    const dictionary = [...new Set(pages.filter((p) => p.encoding === "DICT").flatMap((p) => entryValue.slice(p.from, p.to).filter((v) => v !== undefined)))];
    const embStart = out.length;
    let dictionaryOffset: number | undefined;
    if (dictionary.length > 0) {
      dictionaryOffset = out.length;
      page(2, [7, "struct", [[1, "i32", dictionary.length], [2, "i32", ENCODING_ID.PLAIN_DICTIONARY]]], plainBytes(dictionary, o.element));
    }
    const dataOffset = out.length;
    pages.forEach((p, index) => {
      const values = entryValue.slice(p.from, p.to).filter((v) => v !== undefined);
      let valueBytes: number[];
      let encoding: number;
      if (p.encoding === "DICT") {
        const width = Math.max(1, 32 - Math.clz32(dictionary.length - 1));
        valueBytes = [width, ...bitPacked(values.map((v) => dictionary.indexOf(v)), width)];
        encoding = index % 2 === 0 ? ENCODING_ID.PLAIN_DICTIONARY : ENCODING_ID.RLE_DICTIONARY;
      } else if (p.encoding === "BSS") {
        valueBytes = byteStreamSplit(values, o.element);
        encoding = ENCODING_ID.BSS;
      } else {
        valueBytes = plainBytes(values, o.element);
        encoding = ENCODING_ID.PLAIN;
      }
      const repBytes = bitPacked(rep.slice(p.from, p.to), 1);
      const defBytes = rleRuns(def.slice(p.from, p.to));
      const body = [...u32(repBytes.length), ...repBytes, ...u32(defBytes.length), ...defBytes, ...valueBytes];
      const compressed = compress(Uint8Array.from(body));
      const fault = o.fault && first === 0 && o.fault.page === index ? o.fault : undefined;
      const header = compactStruct([
        [1, "i32", 0],
        [2, "i32", body.length + (fault?.uncompressedDelta ?? 0)],
        [3, "i32", compressed.length + (fault?.compressedDelta ?? 0)],
        [5, "struct", [[1, "i32", p.to - p.from + (fault?.numValuesDelta ?? 0)], [2, "i32", encoding], [3, "i32", ENCODING_ID.RLE], [4, "i32", ENCODING_ID.RLE]]],
      ]);
      out.push(...(fault?.garbageHeader ? header.map(() => 0xff) : header), ...compressed);
    });
    const embChunk = chunkMeta(["emb", "list", "element"], PHYSICAL[o.element], o.codec, rep.length, dataOffset, out.length - embStart, dictionaryOffset);
    rowGroups.push([[1, "structlist", [idChunk, embChunk]], [2, "i64", 0], [3, "i64", rows.length]]);
  }
  const schema: Field[][] = [
    [[4, "bin", "schema"], [5, "i32", 2]],
    [[1, "i32", PHYSICAL.INT64], [3, "i32", 0], [4, "bin", "id"]],
    [[3, "i32", 1], [4, "bin", "emb"], [5, "i32", 1], [6, "i32", 3]],
    [[3, "i32", 2], [4, "bin", "list"], [5, "i32", 1]],
    [[1, "i32", PHYSICAL[o.element]], [3, "i32", o.elementOptional ? 1 : 0], [4, "bin", "element"]],
  ];
  const footer = compactStruct([[1, "i32", 1], [2, "structlist", schema], [3, "i64", o.rows.length], [4, "structlist", rowGroups]]);
  out.push(...footer, ...u32(footer.length), ..."PAR1".split("").map((c) => c.charCodeAt(0)));
  return Uint8Array.from(out);
}

function chunkMeta(path: string[], type: number, codec: Codec, numValues: number, dataOffset: number, totalBytes: number, dictionaryOffset: number | undefined): Field[] {
  const meta: Field[] = [
    [1, "i32", type], [2, "i32list", [ENCODING_ID.PLAIN, ENCODING_ID.RLE]], [3, "binlist", path], [4, "i32", CODECS[codec].id],
    [5, "i64", numValues], [6, "i64", totalBytes], [7, "i64", totalBytes], [9, "i64", dataOffset],
  ];
  if (dictionaryOffset !== undefined) meta.push([11, "i64", dictionaryOffset]);
  return [[2, "i64", dictionaryOffset ?? dataOffset], [3, "struct", meta]];
}

// ---- The tests ----

const D = 10;
const N = 230;
let dirs = 0;

function writeDir(o: V1Options): string {
  const dir = tmp.file(`v1-${dirs++}`);
  mkdirSync(dir);
  writeFileSync(`${dir}/train.parquet`, buildV1(o));
  return dir;
}

async function readAll(dir: string, block: number): Promise<number[][]> {
  const { base } = await openParquetDirectory(dir);
  const out: number[][] = [];
  try {
    for (let first = 0; first < base.rows; first += block) {
      const count = Math.min(block, base.rows - first);
      const values = await base.readIds(first, count);
      for (let r = 0; r < count; r++) out.push(Array.from(values.subarray(r * base.cols, (r + 1) * base.cols)));
    }
  } finally {
    base.close();
  }
  return out;
}

async function hyparquetRows(dir: string): Promise<number[][]> {
  const rows = await parquetReadObjects({
    file: await asyncBufferFromFile(`${dir}/train.parquet`),
    columns: ["emb"],
    compressors: { GZIP: (b: Uint8Array) => Bun.gunzipSync(b as Uint8Array<ArrayBuffer>), ZSTD: (b: Uint8Array) => Bun.zstdDecompressSync(b as Uint8Array<ArrayBuffer>) },
  });
  return rows.map((r) => Array.from(r.emb as ArrayLike<number | bigint>, Number));
}

function values(element: Element, seed: number): number[][] {
  const f = randomFloats(N * D, seed);
  return Array.from({ length: N }, (_, r) => Array.from(f.subarray(r * D, (r + 1) * D), (x, j) => {
    if (element === "INT64") return Math.round(x * 1e6) * 1000 + r * 16 + j;
    if (element === "DOUBLE") return x / 7;
    return x;
  }));
}

const base: V1Options = { rows: [], element: "FLOAT", elementOptional: true, codec: "SNAPPY", rowGroupRows: 100, levelsPerPage: 37, encodings: ["PLAIN"] };

describe("parquet source: DATA_PAGE (v1) files as pyarrow writes them", () => {
  for (const element of ["FLOAT", "DOUBLE", "INT64"] as const) {
    for (const codec of ["UNCOMPRESSED", "SNAPPY", "GZIP", "ZSTD"] as const) {
      test(`${element} lists, ${codec}, dictionary pages falling back to PLAIN, rows split across pages`, async () => {
        const rows = values(element, 20);
        // A small value set for the dictionary pages, as a real dictionary would hold.
        const dictRows = rows.map((r, i) => (i < 60 ? r.map((_, j) => rows[j % 5][j]) : r));
        const dir = writeDir({ ...base, rows: dictRows, element, codec, encodings: ["DICT", "DICT", "PLAIN"] });
        expect(await readAll(dir, 33)).toEqual(dictRows);
        expect(await hyparquetRows(dir)).toEqual(dictRows);
      });
    }
  }

  test("byte-stream-split pages, required elements and a page per row", async () => {
    for (const element of ["FLOAT", "DOUBLE"] as const) {
      const rows = values(element, 21);
      const dir = writeDir({ ...base, rows, element, elementOptional: false, levelsPerPage: D, encodings: ["BSS", "PLAIN", "BSS"] });
      expect(await readAll(dir, 50)).toEqual(rows);
      expect(await hyparquetRows(dir)).toEqual(rows);
    }
  });

  test("null and empty lists give the row-length error", async () => {
    const rows = values("FLOAT", 22);
    for (const bad of [null, []]) {
      const dir = writeDir({ ...base, rows: rows.map((r, i) => (i === 150 ? bad : r)) });
      await expect(readAll(dir, 64)).rejects.toThrow(`row 150 column emb has 0 values; expected ${D} like row 0`);
    }
  });
});

describe("parquet source: malformed pages are one-line errors naming the file", () => {
  const rows = values("FLOAT", 23);
  const cases: [string, PageFault, string, Codec?][] = [
    ["a page header of garbage", { page: 2, garbageHeader: true }, "column emb, row group 0: page at byte"],
    ["a page running past the column chunk", { page: 3, compressedDelta: 100000 }, "runs past the end of the column chunk"],
    ["a page decompressing to another size than declared", { page: 1, uncompressedDelta: 3 }, "the header declares", "ZSTD"],
    ["a page declaring more levels than it holds", { page: 0, numValuesDelta: 50 }, "stream ends after"],
  ];
  for (const [what, fault, message, codec = "SNAPPY"] of cases) {
    test(what, async () => {
      const dir = writeDir({ ...base, rows, codec, fault });
      const err = await readAll(dir, 64).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as Error).message).toStartWith(`${dir}/train.parquet: `);
      expect((err as Error).message).toContain(message);
      expect((err as Error).message).not.toContain("\n");
    });
  }

  test("a file cut short before its footer says it is truncated", async () => {
    const whole = buildV1({ ...base, rows });
    const footerBytes = new DataView(whole.buffer).getUint32(whole.length - 8, true) + 8;
    const dir = tmp.file(`v1-${dirs++}`);
    mkdirSync(dir);
    writeFileSync(`${dir}/train.parquet`, Buffer.concat([whole.subarray(0, 200), whole.subarray(whole.length - footerBytes)]));
    await expect(readAll(dir, 64)).rejects.toThrow(`${dir}/train.parquet: parquet file is truncated`);
  });
});

describe("parquet source: a v1 labels column as pyarrow writes it", () => {
  /**
   * scalar_labels.parquet: id (INT64) and labels (optional BYTE_ARRAY, UTF8) in v1 pages of
   * `levelsPerPage` entries; DICT pages index a PLAIN_DICTIONARY page, PLAIN ones carry
   * length-prefixed strings (pyarrow's fallback when the dictionary grows too large).
   */
  function buildLabels(ids: number[], labels: (string | null)[], levelsPerPage: number, encodings: PageEncoding[], codec: Codec): Uint8Array {
    const out: number[] = [..."PAR1"].map((c) => c.charCodeAt(0));
    const compress = CODECS[codec].compress;
    const u32 = (n: number) => [n & 255, (n >> 8) & 255, (n >> 16) & 255, n >>> 24];
    const text = (v: string) => {
      const b = new TextEncoder().encode(v);
      return [...u32(b.length), ...b];
    };
    const page = (type: number, header: Field, body: number[]) => {
      const compressed = compress(Uint8Array.from(body));
      out.push(...compactStruct([[1, "i32", type], [2, "i32", body.length], [3, "i32", compressed.length], header]), ...compressed);
    };
    const idStart = out.length;
    page(0, [5, "struct", [[1, "i32", ids.length], [2, "i32", ENCODING_ID.PLAIN], [3, "i32", ENCODING_ID.RLE], [4, "i32", ENCODING_ID.RLE]]], plainBytes(ids, "INT64"));
    const idChunk = chunkMeta(["id"], PHYSICAL.INT64, codec, ids.length, idStart, out.length - idStart, undefined);
    const pages: { from: number; to: number; encoding: PageEncoding }[] = [];
    for (let from = 0, p = 0; from < labels.length; from += levelsPerPage, p++) {
      pages.push({ from, to: Math.min(labels.length, from + levelsPerPage), encoding: encodings[Math.min(p, encodings.length - 1)] });
    }
    const dictionary = [...new Set(pages.filter((p) => p.encoding === "DICT").flatMap((p) => labels.slice(p.from, p.to).filter((v) => v !== null)))];
    const labelsStart = out.length;
    if (dictionary.length > 0) page(2, [7, "struct", [[1, "i32", dictionary.length], [2, "i32", ENCODING_ID.PLAIN_DICTIONARY]]], dictionary.flatMap(text));
    const dataOffset = out.length;
    for (const p of pages) {
      const entries = labels.slice(p.from, p.to);
      const present = entries.filter((v) => v !== null);
      const width = Math.max(1, 32 - Math.clz32(dictionary.length - 1));
      const valueBytes = p.encoding === "DICT" ? [width, ...bitPacked(present.map((v) => dictionary.indexOf(v)), width)] : present.flatMap(text);
      const defBytes = rleRuns(entries.map((v) => (v === null ? 0 : 1)));
      const encoding = p.encoding === "DICT" ? ENCODING_ID.PLAIN_DICTIONARY : ENCODING_ID.PLAIN;
      page(0, [5, "struct", [[1, "i32", entries.length], [2, "i32", encoding], [3, "i32", ENCODING_ID.RLE], [4, "i32", ENCODING_ID.RLE]]], [...u32(defBytes.length), ...defBytes, ...valueBytes]);
    }
    const labelsChunk = chunkMeta(["labels"], 6, codec, labels.length, dataOffset, out.length - labelsStart, dictionary.length > 0 ? labelsStart : undefined);
    const schema: Field[][] = [
      [[4, "bin", "schema"], [5, "i32", 2]],
      [[1, "i32", PHYSICAL.INT64], [3, "i32", 0], [4, "bin", "id"]],
      // converted_type 0 = UTF8.
      [[1, "i32", 6], [3, "i32", 1], [4, "bin", "labels"], [6, "i32", 0]],
    ];
    const rowGroup: Field[] = [[1, "structlist", [idChunk, labelsChunk]], [2, "i64", 0], [3, "i64", ids.length]];
    const footer = compactStruct([[1, "i32", 1], [2, "structlist", schema], [3, "i64", ids.length], [4, "structlist", [rowGroup]]]);
    out.push(...footer, ...u32(footer.length), ..."PAR1".split("").map((c) => c.charCodeAt(0)));
    return Uint8Array.from(out);
  }

  for (const codec of ["UNCOMPRESSED", "SNAPPY", "ZSTD"] as const) {
    test(`dictionary pages falling back to PLAIN, with nulls, shuffled ids (${codec})`, async () => {
      const n = 500;
      const ids = Array.from({ length: n }, (_, i) => (i * 263) % n);
      const labels = ids.map((id) => (id % 41 === 0 ? null : id % 100 === 5 ? "label_1p" : id % 10 === 1 ? "label_10p" : "label_50p"));
      const path = tmp.file(`labels-${codec}.parquet`);
      writeFileSync(path, buildLabels(ids, labels, 64, ["DICT", "DICT", "PLAIN"], codec));
      const read = await readVectorLabels(path, n);
      const rows = await parquetReadObjects({ file: await asyncBufferFromFile(path), compressors: { ZSTD: (b: Uint8Array) => Bun.zstdDecompressSync(b as Uint8Array<ArrayBuffer>) } });
      expect(rows.map((r) => r.labels ?? null)).toEqual(labels);
      for (let r = 0; r < n; r++) expect(read.tags.vectorTags(ids[r])).toEqual(labels[r] === null ? [] : [labels[r] as string]);
      expect(read.unlabelled).toBe(labels.filter((v) => v === null).length);
    });
  }
});
