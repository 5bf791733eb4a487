/**
 * The format-independent part of a dataset: given where each section lives in a mapped file,
 * serve vectors, queries and ground truth as views into the map. Format readers
 * (legacy-format.ts, schema-format.ts) only parse and validate headers, then build one of these.
 */
import type { DatasetNumericRange, DatasetSection, DistanceMetric, NeighborIds, VectorDataset, VectorDtype } from "../types.ts";
import { widenF16ToF32, widenF16ToF32Bytes } from "../float16.ts";
import type { MappedFile } from "../mmap.ts";

export interface DatasetLayout {
  format: VectorDataset["format"];
  name: string;
  dim: number;
  dtype: VectorDtype;
  numVectors: number;
  numQueries: number;
  neighborsPerQuery: number;
  metricHint?: DistanceMetric;
  metricHintSource: string;
  /** File offset of vector 0 and distance between consecutive vectors (>= row bytes for records). */
  vectorsOffset: number;
  vectorStride: number;
  queriesOffset: number;
  queryStride: number;
  groundTruthOffset: number;
  groundTruthIdBytes: 4 | 8;
  sections: DatasetSection[];
}

/** Tag (and, for legacy v2, numeric) metadata, when the format has it. */
export interface TagSource {
  vectorTags(i: number): string[];
  queryFilter(q: number): string[];
  /** False when the source only carries numeric attributes (default: true). */
  readonly hasTags?: boolean;
  readonly numericFields?: readonly string[];
  vectorNumeric?(i: number, name: string): number | undefined;
  queryNumericRanges?(q: number): DatasetNumericRange[];
}

export class MappedDataset implements VectorDataset {
  readonly path: string;
  readonly format: VectorDataset["format"];
  readonly name: string;
  readonly dim: number;
  readonly dtype: VectorDtype;
  readonly vectorBytesPerRow: number;
  readonly numVectors: number;
  readonly numQueries: number;
  readonly neighborsPerQuery: number;
  readonly metricHint?: DistanceMetric;
  readonly metricHintSource: string;
  readonly groundTruthCoversSlice = true;
  readonly sections: readonly DatasetSection[];
  readonly hasTags: boolean;
  readonly numericFields: readonly string[];
  private readonly gtRowBytes: number;

  constructor(
    private readonly map: MappedFile,
    private readonly layout: DatasetLayout,
    private readonly tags?: TagSource,
  ) {
    this.path = map.path;
    this.format = layout.format;
    this.name = layout.name;
    this.dim = layout.dim;
    this.dtype = layout.dtype;
    this.vectorBytesPerRow = layout.dim * (layout.dtype === "float16" ? 2 : 4);
    this.numVectors = layout.numVectors;
    this.numQueries = layout.numQueries;
    this.neighborsPerQuery = layout.neighborsPerQuery;
    if (layout.metricHint) this.metricHint = layout.metricHint;
    this.metricHintSource = layout.metricHintSource;
    this.sections = layout.sections;
    this.hasTags = tags !== undefined && tags.hasTags !== false;
    this.numericFields = tags?.numericFields ?? [];
    this.gtRowBytes = layout.neighborsPerQuery * layout.groundTruthIdBytes;
  }

  vectorBytes(i: number): Uint8Array {
    if (!(i >= 0 && i < this.numVectors)) throw new RangeError(`vector index ${i} outside 0..${this.numVectors - 1}`);
    return this.map.bytes(this.layout.vectorsOffset + i * this.layout.vectorStride, this.vectorBytesPerRow);
  }

  queryBytes(q: number): Uint8Array {
    if (!(q >= 0 && q < this.numQueries)) throw new RangeError(`query index ${q} outside 0..${this.numQueries - 1}`);
    return this.map.bytes(this.layout.queriesOffset + q * this.layout.queryStride, this.vectorBytesPerRow);
  }

  groundTruth(q: number): NeighborIds {
    if (!(q >= 0 && q < this.numQueries)) throw new RangeError(`query index ${q} outside 0..${this.numQueries - 1}`);
    const k = this.neighborsPerQuery;
    if (k === 0) return new Uint32Array(0);
    const b = this.map.bytes(this.layout.groundTruthOffset + q * this.gtRowBytes, this.gtRowBytes);
    if (this.layout.groundTruthIdBytes === 8) {
      return b.byteOffset % 8 === 0 ? new BigUint64Array(b.buffer, b.byteOffset, k) : new BigUint64Array(b.slice().buffer);
    }
    return b.byteOffset % 4 === 0 ? new Uint32Array(b.buffer, b.byteOffset, k) : new Uint32Array(b.slice().buffer);
  }

  neighborId(q: number, j: number): number {
    if (!(j >= 0 && j < this.neighborsPerQuery)) throw new RangeError(`neighbour ${j} outside 0..${this.neighborsPerQuery - 1}`);
    const idBytes = this.layout.groundTruthIdBytes;
    if (!(q >= 0 && q < this.numQueries)) throw new RangeError(`query index ${q} outside 0..${this.numQueries - 1}`);
    const b = this.map.bytes(this.layout.groundTruthOffset + q * this.gtRowBytes + j * idBytes, idBytes);
    const lo = (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
    if (idBytes === 4) return lo;
    const hi = (b[4] | (b[5] << 8) | (b[6] << 16) | (b[7] << 24)) >>> 0;
    return hi * 4294967296 + lo;
  }

  writeVectorF32(i: number, target: Uint8Array, offset: number): number {
    return this.writeF32(this.vectorBytes(i), target, offset);
  }

  writeQueryF32(q: number, target: Uint8Array, offset: number): number {
    return this.writeF32(this.queryBytes(q), target, offset);
  }

  vectorF32(i: number, scratch: Float32Array): Float32Array {
    return this.asF32(this.vectorBytes(i), scratch);
  }

  queryF32(q: number, scratch: Float32Array): Float32Array {
    return this.asF32(this.queryBytes(q), scratch);
  }

  vectorTags(i: number): string[] {
    return this.tags ? this.tags.vectorTags(i) : [];
  }

  queryFilter(q: number): string[] {
    return this.tags ? this.tags.queryFilter(q) : [];
  }

  vectorNumeric(i: number, name: string): number | undefined {
    return this.tags?.vectorNumeric ? this.tags.vectorNumeric(i, name) : undefined;
  }

  queryNumericRanges(q: number): DatasetNumericRange[] {
    return this.tags?.queryNumericRanges ? this.tags.queryNumericRanges(q) : [];
  }

  close(): void {
    this.map.close();
  }

  private writeF32(src: Uint8Array, target: Uint8Array, offset: number): number {
    if (this.dtype === "float16") return widenF16ToF32Bytes(src, this.dim, target, offset);
    target.set(src, offset);
    return src.byteLength;
  }

  private asF32(src: Uint8Array, scratch: Float32Array): Float32Array {
    if (this.dtype === "float16") {
      widenF16ToF32(src, this.dim, scratch);
      return scratch.subarray(0, this.dim);
    }
    if (src.byteOffset % 4 === 0) return new Float32Array(src.buffer, src.byteOffset, this.dim);
    new Uint8Array(scratch.buffer, scratch.byteOffset, src.byteLength).set(src);
    return scratch.subarray(0, this.dim);
  }
}
