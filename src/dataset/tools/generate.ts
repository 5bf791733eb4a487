/**
 * `dataset generate`: synthetic clustered vectors (a Gaussian mixture) with exact ground truth and
 * optional tags and numeric attributes of controlled selectivity, written in the legacy format
 * (v1, or v2 with metadata; numeric attributes as described in legacy-format.ts).
 *
 * Deterministic for a given seed. Memory is bounded: vectors are generated and written in chunks,
 * and metadata is a pure function of (seed, row, column), recomputed when it is written.
 *
 * Filtered queries: a fraction of the queries (--filtered-queries, default all) filter on one tag
 * (round-robin over tags) and, with --numeric-filter-selectivity s, on a range of one numeric
 * attribute (round-robin) covering a fraction s of its value range, placed at random. With both,
 * a query carries both (AND). Ground truth is the exact filtered k-NN (knn.ts), read back from
 * the written file, so it uses exactly the values and bounds a reader sees.
 */
import { openSync, closeSync, writeSync } from "node:fs";
import type { DistanceMetric, VectorDtype } from "../types.ts";
import { UserError } from "../errors.ts";
import { computeGroundTruth } from "./ground-truth.ts";
import { NO_NEIGHBOR_U64 } from "../formats/legacy-format.ts";
import { LegacyDatasetWriter, type TagData } from "../formats/legacy-writer.ts";
import { letSignalsIn, trackPendingFile } from "../pending-files.ts";
import type { DatasetNumericRange } from "../types.ts";

export interface TagSpec {
  name: string;
  /** Probability that a vector carries this tag: the selectivity of a filter on it. */
  probability: number;
}

/** `--numeric NAME:uniform:MIN:MAX` (float32 values) or `NAME:int:MIN:MAX` (integers, both ends included). */
export interface NumericSpec {
  name: string;
  distribution: "uniform" | "int";
  min: number;
  max: number;
}

/** Field names the benchmark's `--numeric-filter` accepts (src/config/value-schemas.ts). */
const NUMERIC_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export interface GenerateOptions {
  path: string;
  name?: string;
  dim: number;
  numVectors: number;
  numQueries: number;
  /** Ground-truth neighbours per query (0 = none). */
  k: number;
  metric: DistanceMetric;
  seed: number;
  dtype?: VectorDtype;
  /** Mixture components; default round(sqrt(numVectors) / 2) clamped to [1, 1024]. */
  clusters?: number;
  tags?: TagSpec[];
  /** Fraction of queries that filter (tag and/or numeric range). Default 1 when filters are asked for. */
  filteredQueryFraction?: number;
  numeric?: NumericSpec[];
  /** Each filtered query gets a range on one numeric attribute covering this fraction of its values. */
  numericFilterSelectivity?: number;
  workers?: number;
  onProgress?: (phase: string, fraction: number) => void;
}

/** sfc32: small, fast, good enough for synthetic data; seeded through splitmix32. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = next(), b = next(), c = next(), d = next();
  return () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
}

function gaussian(rand: () => number): number {
  const u = rand() || 1e-12;
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** Uniform [0, 1) from (seed, row, column): tags are recomputed, never stored. */
export function hashUnit(seed: number, row: number, col: number): number {
  let h = Math.imul(seed ^ 0x27d4eb2d, 0x165667b1) ^ (row >>> 0) ^ Math.imul(Math.floor(row / 4294967296) + 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) ^ Math.imul(col + 1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 12), 0x297a2d39);
  h ^= h >>> 15;
  return (h >>> 0) / 4294967296;
}

/** Value of numeric attribute `spec` (column c) of vector i. */
function numericValue(seed: number, spec: NumericSpec, c: number, i: number): number {
  const u = hashUnit(seed ^ 0x68e31da4, i, c);
  if (spec.distribution === "int") return Math.min(spec.max, spec.min + Math.floor(u * (spec.max - spec.min + 1)));
  return Math.fround(spec.min + u * (spec.max - spec.min));
}

/** The range a filtered query q puts on `spec`: inclusive, covering ~`selectivity` of its values. */
function numericRange(seed: number, spec: NumericSpec, selectivity: number, q: number): DatasetNumericRange {
  const u = hashUnit(seed ^ 0x1b873593, q, 1);
  let min: number;
  let max: number;
  if (spec.distribution === "int") {
    const values = spec.max - spec.min + 1;
    const width = Math.max(1, Math.round(selectivity * values));
    min = spec.min + Math.floor(u * (values - width + 1));
    max = min + width - 1;
  } else {
    const width = selectivity * (spec.max - spec.min);
    min = Math.fround(spec.min + u * (spec.max - spec.min - width));
    max = Math.fround(min + width);
  }
  return { field: spec.name, min, max, minExclusive: false, maxExclusive: false };
}

export function generatedTags(
  o: Pick<GenerateOptions, "seed" | "tags" | "filteredQueryFraction" | "numeric" | "numericFilterSelectivity">,
): TagData | undefined {
  const tags = o.tags ?? [];
  const numeric = o.numeric ?? [];
  if (tags.length === 0 && numeric.length === 0) return undefined;
  const fraction = o.filteredQueryFraction ?? 1;
  const selectivity = o.numericFilterSelectivity;
  const filtered = (q: number): boolean => hashUnit(o.seed ^ 0x5bd1e995, q, 0) < fraction;
  return {
    vectorTags: (i) => tags.filter((t, c) => hashUnit(o.seed, i, c) < t.probability).map((t) => t.name),
    queryFilter: (q) => (tags.length > 0 && filtered(q) ? [tags[q % tags.length].name] : []),
    numericFields: numeric.map((n) => n.name),
    vectorNumeric: (i, name) => {
      const c = numeric.findIndex((n) => n.name === name);
      return c < 0 ? undefined : numericValue(o.seed, numeric[c], c, i);
    },
    queryNumericRanges: (q) =>
      selectivity !== undefined && numeric.length > 0 && filtered(q) ? [numericRange(o.seed, numeric[q % numeric.length], selectivity, q)] : [],
  };
}

function validate(o: GenerateOptions): void {
  const bad = (flag: string, value: unknown, expected: string): never => {
    throw new UserError(`--${flag} ${value} is invalid; expected ${expected}`);
  };
  if (!Number.isInteger(o.dim) || o.dim < 1 || o.dim > 65535) bad("dim", o.dim, "an integer in 1..65535");
  if (!Number.isSafeInteger(o.numVectors) || o.numVectors < 1) bad("num-vectors", o.numVectors, "a positive integer");
  if (!Number.isSafeInteger(o.numQueries) || o.numQueries < 0) bad("num-queries", o.numQueries, "a non-negative integer");
  if (!Number.isInteger(o.k) || o.k < 0) bad("k", o.k, "a non-negative integer");
  for (const t of o.tags ?? []) {
    if (!(t.probability >= 0 && t.probability <= 1) || !/^[^,\0]+$/.test(t.name)) bad("tags", `${t.name}:${t.probability}`, "NAME:PROBABILITY with probability in 0..1");
  }
  const names = new Set<string>();
  for (const n of o.numeric ?? []) {
    const ok = NUMERIC_NAME.test(n.name) && !names.has(n.name) && Number.isFinite(n.min) && Number.isFinite(n.max) && n.min < n.max &&
      (n.distribution === "uniform" || (Number.isInteger(n.min) && Number.isInteger(n.max) && Math.abs(n.min) <= 2 ** 24 && Math.abs(n.max) <= 2 ** 24));
    if (!ok) bad("numeric", `${n.name}:${n.distribution}:${n.min}:${n.max}`, "NAME:uniform:MIN:MAX or NAME:int:MIN:MAX with a field name, MIN < MAX (integers within +-2^24 for int: values are stored as float32) and each NAME once");
    names.add(n.name);
  }
  const s = o.numericFilterSelectivity;
  if (s !== undefined) {
    if (!(s > 0 && s <= 1)) bad("numeric-filter-selectivity", s, "a fraction in (0, 1]");
    if ((o.numeric ?? []).length === 0) bad("numeric-filter-selectivity", s, "to come with --numeric NAME:uniform:MIN:MAX");
  }
  const f = o.filteredQueryFraction;
  if (f !== undefined && !(f >= 0 && f <= 1)) bad("filtered-queries", f, "a fraction in 0..1");
}

export async function generateDataset(o: GenerateOptions): Promise<void> {
  validate(o);
  const { dim, metric } = o;
  const rand = seededRandom(o.seed);
  const clusters = o.clusters ?? Math.min(1024, Math.max(1, Math.round(Math.sqrt(o.numVectors) / 2)));
  const centers = new Float32Array(clusters * dim);
  for (let i = 0; i < centers.length; i++) centers[i] = gaussian(rand);
  const spread = 0.35;
  const normalize = metric !== "L2";
  const fillRows = (rows: Float32Array, count: number): void => {
    for (let r = 0; r < count; r++) {
      const c = Math.floor(rand() * clusters) * dim;
      let norm = 0;
      for (let d = 0; d < dim; d++) {
        const v = centers[c + d] + spread * gaussian(rand);
        rows[r * dim + d] = v;
        norm += v * v;
      }
      if (normalize && norm > 0) {
        const inv = 1 / Math.sqrt(norm);
        for (let d = 0; d < dim; d++) rows[r * dim + d] *= inv;
      }
    }
  };

  const writer = new LegacyDatasetWriter({
    path: o.path, name: o.name ?? `synthetic-${dim}d-${o.numVectors}`, dim, dtype: o.dtype,
    numVectors: o.numVectors, numQueries: o.numQueries, neighborsPerQuery: o.k, metric,
  });
  try {
    const chunkRows = Math.max(1, Math.floor((4 << 20) / (dim * 4)));
    const chunk = new Float32Array(chunkRows * dim);
    for (let first = 0; first < o.numVectors; first += chunkRows) {
      const count = Math.min(chunkRows, o.numVectors - first);
      fillRows(chunk, count);
      writer.writeVectors(first, chunk.subarray(0, count * dim));
      o.onProgress?.("vectors", (first + count) / o.numVectors);
      await letSignalsIn();
    }
    for (let first = 0; first < o.numQueries; first += chunkRows) {
      const count = Math.min(chunkRows, o.numQueries - first);
      fillRows(chunk, count);
      writer.writeQueries(first, chunk.subarray(0, count * dim));
    }
    writer.finish(generatedTags(o));
  } catch (e) {
    writer.abort();
    throw e;
  }
  if (o.k > 0 && o.numQueries > 0) {
    // The file is in place but its ground truth reads as zeros until written: not done yet.
    const untrack = trackPendingFile(o.path);
    const gt = await computeGroundTruth({
      dataset: { path: o.path }, k: o.k, metric, filtered: (o.tags ?? []).length > 0 || o.numericFilterSelectivity !== undefined,
      queries: Array.from({ length: o.numQueries }, (_, q) => q), workers: o.workers,
      onProgress: (f) => o.onProgress?.("ground truth", f),
    });
    writeGroundTruthInPlace(o.path, writer.offsets.groundTruthOffset, gt.ids);
    untrack();
  }
}

/** Writes ids (-1 = no neighbour) as u64 at offset of a file we own. */
export function writeGroundTruthInPlace(path: string, offset: number, ids: Float64Array): void {
  const out = new BigUint64Array(ids.length);
  for (let i = 0; i < ids.length; i++) out[i] = ids[i] < 0 ? NO_NEIGHBOR_U64 : BigInt(ids[i]);
  const fd = openSync(path, "r+");
  try {
    const bytes = new Uint8Array(out.buffer);
    let done = 0;
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, offset + done);
  } finally {
    closeSync(fd);
  }
}
