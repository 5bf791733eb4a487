/**
 * Streaming writer for the legacy 0xDECDB001 format (v1, or v2 when tags are given). Sections are
 * placed at fixed offsets computed from the counts, so rows can be written in any order and in
 * bounded memory; the header goes in last and the file is renamed into place only when complete,
 * so an interrupted conversion never leaves a file that looks valid.
 */
import { closeSync, ftruncateSync, openSync, renameSync, rmSync, statfsSync, writeSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { DatasetNumericRange, DistanceMetric, VectorDtype } from "../types.ts";
import { UserError } from "../errors.ts";
import { floatToHalfBits } from "../float16.ts";
import { H, LEGACY_HEADER_BYTES, LEGACY_MAGIC, NO_NEIGHBOR, NO_NEIGHBOR_U64 } from "./legacy-format.ts";
import { trackPendingFile } from "../pending-files.ts";

export interface LegacyWriterOptions {
  path: string;
  name?: string;
  dim: number;
  dtype?: VectorDtype;
  numVectors: number;
  numQueries: number;
  neighborsPerQuery: number;
  metric?: DistanceMetric;
  /**
   * The caller fills only some rows, so the file stays sparse and takes little disk: skip the
   * free-space check, which assumes every byte is written (dataset generate, convert).
   */
  sparse?: boolean;
}

/**
 * Tags per vector and required tags per query, written as v2 CSR blocks; optionally numeric
 * attributes per vector and numeric ranges per query (vocabulary entries `#<name>`,
 * `#<name>>=` ..., values in the CSR data: see legacy-format.ts).
 */
export interface TagData {
  vectorTags(i: number): readonly string[];
  queryFilter(q: number): readonly string[];
  /** Numeric attribute names written per vector (with vectorNumeric). */
  numericFields?: readonly string[];
  vectorNumeric?(i: number, name: string): number | undefined;
  queryNumericRanges?(q: number): readonly DatasetNumericRange[];
}

type RowEntries = (r: number, add: (word: string, value: number) => void) => void;

function vectorEntries(tags: TagData): RowEntries {
  const fields = tags.numericFields ?? [];
  return (i, add) => {
    for (const t of tags.vectorTags(i)) add(t, 1);
    if (!tags.vectorNumeric) return;
    for (const f of fields) {
      const v = tags.vectorNumeric(i, f);
      if (v !== undefined) add(`#${f}`, v);
    }
  };
}

function queryEntries(tags: TagData): RowEntries {
  return (q, add) => {
    for (const t of tags.queryFilter(q)) add(t, 1);
    for (const r of tags.queryNumericRanges?.(q) ?? []) {
      if (r.min !== -Infinity) add(`#${r.field}${r.minExclusive ? ">" : ">="}`, r.min);
      if (r.max !== Infinity) add(`#${r.field}${r.maxExclusive ? "<" : "<="}`, r.max);
    }
  };
}


export const METRIC_CODE: Record<DistanceMetric, number> = { L2: 0, COSINE: 1, IP: 2 };

const align64 = (n: number): number => Math.ceil(n / 64) * 64;

export interface LegacyLayoutOffsets {
  vectorsOffset: number;
  queriesOffset: number;
  groundTruthOffset: number;
  /** End of the ground truth: the file size of a v1 file (the last section is not padded). */
  groundTruthEnd: number;
  metadataOffset: number;
}

export function legacyOffsets(o: Omit<LegacyWriterOptions, "path">): LegacyLayoutOffsets {
  const rowBytes = o.dim * (o.dtype === "float16" ? 2 : 4);
  const vectorsOffset = LEGACY_HEADER_BYTES;
  const queriesOffset = align64(vectorsOffset + o.numVectors * rowBytes);
  const groundTruthOffset = align64(queriesOffset + o.numQueries * rowBytes);
  const groundTruthEnd = groundTruthOffset + o.numQueries * o.neighborsPerQuery * 8;
  return { vectorsOffset, queriesOffset, groundTruthOffset, groundTruthEnd, metadataOffset: align64(groundTruthEnd) };
}

export class LegacyDatasetWriter {
  readonly offsets: LegacyLayoutOffsets;
  private readonly fd: number;
  private readonly tmpPath: string;
  private readonly rowBytes: number;
  private done = false;
  private readonly untrack: () => void;

  constructor(private readonly o: LegacyWriterOptions) {
    if (!(o.dim > 0)) throw new UserError(`cannot write ${o.path}: dim must be positive`);
    this.rowBytes = o.dim * (o.dtype === "float16" ? 2 : 4);
    this.offsets = legacyOffsets(o);
    this.tmpPath = `${o.path}.partial`;
    if (!o.sparse) checkFreeSpace(o.path, this.offsets.groundTruthEnd);
    try {
      this.fd = openSync(this.tmpPath, "w");
    } catch (e) {
      throw new UserError(`cannot create ${this.tmpPath}: ${(e as NodeJS.ErrnoException).code ?? e}; check the directory exists and is writable`);
    }
    this.untrack = trackPendingFile(this.tmpPath);
    // Sparse until written: the ground-truth section reads as zeros until filled.
    ftruncateSync(this.fd, this.offsets.groundTruthEnd);
  }

  /** Writes rows [first, first + rows/dim) of the base vectors. Floats are narrowed for float16. */
  writeVectors(first: number, rows: Float32Array | Uint8Array): void {
    this.writeRows(this.offsets.vectorsOffset, this.o.numVectors, first, rows, "vector");
  }

  writeQueries(first: number, rows: Float32Array | Uint8Array): void {
    this.writeRows(this.offsets.queriesOffset, this.o.numQueries, first, rows, "query");
  }

  /** Writes ground-truth ids for queries [first, ...), neighborsPerQuery ids per query, row-major; -1 = no neighbour. */
  writeGroundTruth(firstQuery: number, ids: BigUint64Array | ArrayLike<number>): void {
    const k = this.o.neighborsPerQuery;
    if (ids.length % k !== 0 || firstQuery + ids.length / k > this.o.numQueries) {
      throw new RangeError(`ground truth rows out of range: first ${firstQuery}, ${ids.length} ids, k ${k}`);
    }
    const out = ids instanceof BigUint64Array ? ids : BigUint64Array.from(Array.from(ids, (v) => (v < 0 || v === NO_NEIGHBOR ? NO_NEIGHBOR_U64 : BigInt(v))));
    this.put(new Uint8Array(out.buffer, out.byteOffset, out.byteLength), this.offsets.groundTruthOffset + firstQuery * k * 8);
  }

  /** Writes metadata (v2 when tags are given) and the header, then renames the file into place. */
  finish(tags?: TagData): void {
    if (this.done) return;
    const header = new Uint8Array(LEGACY_HEADER_BYTES);
    const dv = new DataView(header.buffer);
    const o = this.o;
    dv.setUint32(H.magic, LEGACY_MAGIC, true);
    dv.setUint32(H.version, tags ? 2 : 1, true);
    header.set(new TextEncoder().encode(o.name ?? "").subarray(0, 255), H.name);
    header[H.metric] = METRIC_CODE[o.metric ?? "L2"];
    header[H.dtype] = o.dtype === "float16" ? 1 : 0;
    dv.setUint32(H.dim, o.dim, true);
    dv.setBigUint64(H.numVectors, BigInt(o.numVectors), true);
    dv.setBigUint64(H.numQueries, BigInt(o.numQueries), true);
    dv.setUint32(H.numNeighbors, o.neighborsPerQuery, true);
    dv.setBigUint64(H.vectorsOffset, BigInt(this.offsets.vectorsOffset), true);
    dv.setBigUint64(H.queriesOffset, BigInt(this.offsets.queriesOffset), true);
    dv.setBigUint64(H.groundTruthOffset, BigInt(this.offsets.groundTruthOffset), true);
    if (tags) {
      header[H.hasMetadata] = 1;
      const vocab = new Map<string, number>();
      let pos = this.offsets.metadataOffset;
      dv.setBigUint64(H.vectorMetadataOffset, BigInt(pos), true);
      pos = align64(pos + this.writeCsr(pos, o.numVectors, vectorEntries(tags), vocab));
      dv.setBigUint64(H.queryMetadataOffset, BigInt(pos), true);
      pos = align64(pos + this.writeCsr(pos, o.numQueries, queryEntries(tags), vocab));
      dv.setBigUint64(H.vocabOffset, BigInt(pos), true);
      dv.setUint32(H.vocabSize, vocab.size, true);
      const words = new TextEncoder().encode([...vocab.keys()].map((w) => `${w}\0`).join(""));
      this.put(words, pos);
    }
    this.put(header, 0);
    closeSync(this.fd);
    renameSync(this.tmpPath, o.path);
    this.untrack();
    this.done = true;
  }

  /** Removes the partial file (after an error). */
  abort(): void {
    if (this.done) return;
    this.done = true;
    try {
      closeSync(this.fd);
    } catch {}
    rmSync(this.tmpPath, { force: true });
    this.untrack();
  }

  private writeCsr(offset: number, nrow: number, rowEntries: RowEntries, vocab: Map<string, number>): number {
    const indptr = new Uint32Array(nrow + 1);
    // Typed arrays grown by doubling: a label per vector over 10M vectors stays 80 MB, not the
    // several hundred MB of JS number arrays.
    let indices = new Uint32Array(Math.max(16, nrow));
    // 1 for tags (the seed's convention); the value or bound for numeric entries.
    let values = new Float32Array(indices.length);
    let count = 0;
    const add = (word: string, value: number): void => {
      let id = vocab.get(word);
      if (id === undefined) vocab.set(word, (id = vocab.size));
      if (count === indices.length) {
        const grownIndices = new Uint32Array(count * 2);
        grownIndices.set(indices);
        indices = grownIndices;
        const grownValues = new Float32Array(count * 2);
        grownValues.set(values);
        values = grownValues;
      }
      indices[count] = id;
      values[count++] = value;
    };
    for (let r = 0; r < nrow; r++) {
      rowEntries(r, add);
      indptr[r + 1] = count;
    }
    // The vocabulary is complete only after both blocks; ncol is patched to the final size by readers
    // that need it (ours ignores ncol). We record the size known so far.
    const head = new Uint32Array([nrow, vocab.size, count]);
    let pos = offset;
    for (const part of [head, indptr, indices.subarray(0, count), values.subarray(0, count)]) {
      this.put(new Uint8Array(part.buffer, part.byteOffset, part.byteLength), pos);
      pos += part.byteLength;
    }
    return pos - offset;
  }

  private writeRows(sectionOffset: number, count: number, first: number, rows: Float32Array | Uint8Array, what: string): void {
    const bytes = rows instanceof Float32Array ? this.encodeRows(rows) : rows;
    if (bytes.byteLength % this.rowBytes !== 0 || first + bytes.byteLength / this.rowBytes > count) {
      throw new RangeError(`${what} rows out of range: first ${first}, ${bytes.byteLength} bytes, row ${this.rowBytes} bytes, count ${count}`);
    }
    this.put(bytes, sectionOffset + first * this.rowBytes);
  }

  private encodeRows(rows: Float32Array): Uint8Array {
    if (this.o.dtype !== "float16") return new Uint8Array(rows.buffer, rows.byteOffset, rows.byteLength);
    const half = new Uint16Array(rows.length);
    for (let i = 0; i < rows.length; i++) half[i] = floatToHalfBits(rows[i]);
    return new Uint8Array(half.buffer);
  }

  private put(bytes: Uint8Array, position: number): void {
    let done = 0;
    while (done < bytes.byteLength) done += writeSync(this.fd, bytes, done, bytes.byteLength - done, position + done);
  }
}

const GiB = 1024 ** 3;

/**
 * Refuses a file larger than the free space of its file system before writing a byte: the file
 * is sparse until written, so `dataset generate --num-vectors 100000000000` would otherwise start
 * a 6.4 TB write and fail hours later.
 */
function checkFreeSpace(path: string, bytes: number): void {
  const directory = dirname(resolve(path));
  let free: number;
  try {
    const fs = statfsSync(directory);
    free = Number(fs.bavail) * Number(fs.bsize);
  } catch {
    return; // no answer (an unusual file system): the write itself will tell
  }
  if (bytes > free) {
    throw new UserError(`cannot write ${path}: it needs ${(bytes / GiB).toFixed(1)} GiB but ${directory} has ${(free / GiB).toFixed(1)} GiB free; lower --num-vectors / --dim or write it elsewhere`);
  }
}
