/**
 * The dataset types (imported by everything under src/dataset/; other folders import
 * src/dataset/index.ts). The one interface the benchmark uses to read vectors, queries, ground truth and filter metadata,
 * whatever the file format. Implementations read straight from a read-only memory map
 * (src/dataset/mmap.ts): every accessor returns a view into the map, never a copy, unless stated.
 * Opening costs O(1) memory whatever the file size. Each Worker opens the dataset itself: pass the
 * path (OpenDatasetOptions) to workers, never the arrays. Views must not be written to.
 */
export type VectorDtype = "float32" | "float16";

/**
 * Ground-truth padding: u64 all-ones means "no neighbour" (a filtered query matched fewer than k
 * vectors). neighborId returns it as 2^64 after rounding to a double.
 */
export const NO_NEIGHBOR = 2 ** 64;
export const NO_NEIGHBOR_U64 = 0xffffffffffffffffn;
export type DistanceMetric = "L2" | "IP" | "COSINE";
export const DISTANCE_METRICS: readonly DistanceMetric[] = ["L2", "IP", "COSINE"];

/** Neighbour ids of one query: 0-based vector indices, nearest first. */
export type NeighborIds = BigUint64Array | Uint32Array;

/**
 * A numeric range predicate `@field:[min max]` (same shape as the benchmark's NumericFilter);
 * -Infinity / Infinity for open ends, exclusive flags as `(` in the query syntax.
 */
export interface DatasetNumericRange {
  field: string;
  min: number;
  max: number;
  minExclusive: boolean;
  maxExclusive: boolean;
}

/** True when `value` (undefined = attribute absent: never matches) lies in range r. */
export function inNumericRange(value: number | undefined, r: DatasetNumericRange): boolean {
  if (value === undefined) return false;
  return (r.minExclusive ? value > r.min : value >= r.min) && (r.maxExclusive ? value < r.max : value <= r.max);
}

/** A byte range of the file, for `dataset info` and validation messages. */
export interface DatasetSection {
  name: string;
  offset: number;
  bytes: number;
}

export interface VectorDataset {
  readonly path: string;
  readonly format: "legacy-v1" | "legacy-v2" | "schema";
  /** Dataset name from the header or schema ("" if none). */
  readonly name: string;
  readonly dim: number;
  readonly dtype: VectorDtype;
  /** Bytes of one stored vector: dim x 4 (float32) or dim x 2 (float16). */
  readonly vectorBytesPerRow: number;
  readonly numVectors: number;
  readonly numQueries: number;
  /** Ground-truth neighbours stored per query (0 when the file has no ground truth). */
  readonly neighborsPerQuery: number;
  /** The metric the file claims. Advisory only: `--search-distance` overrides it. */
  readonly metricHint?: DistanceMetric;
  /** Where metricHint came from, for the banner ("header byte 264 = 1 (writer convention 0=L2 1=COSINE 2=IP)"). */
  readonly metricHintSource: string;
  /**
   * False when this is a slice (`--num-vectors`/`--vector-offset`) that does not cover every vector
   * the stored ground truth refers to: recall against it would be wrong.
   */
  readonly groundTruthCoversSlice: boolean;
  readonly sections: readonly DatasetSection[];
  /** True when vectorTags/queryFilter carry data. */
  readonly hasTags: boolean;
  /**
   * Names of the numeric attributes vectors carry (legacy v2 vocabulary entries `#<name>`, see
   * legacy-format.ts); [] when none. Values are float32 in the file, read as numericValueOfF32.
   */
  readonly numericFields: readonly string[];

  /** Stored bytes of vector i (little-endian, the file's dtype). A view into the map. */
  vectorBytes(i: number): Uint8Array;
  /** Stored bytes of query q. A view into the map. */
  queryBytes(q: number): Uint8Array;
  /**
   * Ground-truth ids of query q (neighborsPerQuery entries). A view into the map when the section
   * is aligned to the id size (always for files written by this tool and the legacy writer); a
   * fresh copy otherwise (unaligned schema-format files). u64 ids come as BigUint64Array.
   * All-ones (u64 max, NO_NEIGHBOR_U64) pads rows of filtered queries with fewer than k matches.
   */
  groundTruth(q: number): NeighborIds;
  /** Ground-truth id j of query q as a number (ids are < 2^53); NO_NEIGHBOR (2^64) for padding. */
  neighborId(q: number, j: number): number;
  /** Copies vector i as float32 LE into target at offset (widening float16). Returns bytes written. */
  writeVectorF32(i: number, target: Uint8Array, offset: number): number;
  /** Copies query q as float32 LE into target at offset (widening float16). Returns bytes written. */
  writeQueryF32(q: number, target: Uint8Array, offset: number): number;
  /** Vector i as floats: a view into the map when possible, else widened/copied into scratch (length >= dim). */
  vectorF32(i: number, scratch: Float32Array): Float32Array;
  /** Query q as floats, same rules as vectorF32. */
  queryF32(q: number, scratch: Float32Array): Float32Array;
  /** Tags attached to vector i ([] when none). */
  vectorTags(i: number): string[];
  /** Tags a vector must ALL carry to match query q ([] = unfiltered). */
  queryFilter(q: number): string[];
  /**
   * Numeric attribute `name` of vector i, as the double the server reads from the text vec-load
   * writes (numeric-value.ts); undefined when the vector has no such attribute.
   */
  vectorNumeric(i: number, name: string): number | undefined;
  /** Numeric ranges a vector must ALL satisfy to match query q, besides queryFilter's tags ([] = none). */
  queryNumericRanges(q: number): DatasetNumericRange[];
  /** Unmaps the file; views returned earlier must not be used afterwards. */
  close(): void;
}
