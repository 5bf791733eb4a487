/**
 * Exact k-nearest-neighbour scan: every query against every base vector, keeping a bounded max-heap
 * per query. Used by `dataset ground-truth`, `dataset generate` and `dataset verify`, inside Workers.
 *
 * Distances are computed in float64 from the stored floats with a fixed summation order, so
 * results are reproducible. Smaller is nearer for every metric:
 *   L2: squared Euclidean distance; IP: -dot; COSINE: 1 - cos.
 * Ties are broken by the lower vector id (the scan goes in id order, so an equal distance never
 * displaces an earlier vector).
 */
import { type DatasetNumericRange, type DistanceMetric, inNumericRange, type VectorDataset } from "../types.ts";

export interface KnnResult {
  /** queryCount x k vector ids, nearest first; -1 pads rows with fewer than k matches (filters). */
  ids: Float64Array;
  /** Matching distances (Infinity for padding). */
  distances: Float64Array;
}

/*
 * Kernels. Four accumulators break the floating-point add dependency chain (about 3x faster than
 * one running sum); every caller (scan, verify) uses these same functions, so distances are
 * bit-identical wherever they are compared.
 */

/**
 * Squared L2 distance; returns early (with a partial sum > stopAbove) once the partial sum passes
 * stopAbove: partial sums of squares only grow, so such a vector cannot be nearer.
 */
export function l2Squared(q: Float32Array, qOff: number, x: Float32Array, dim: number, stopAbove = Infinity): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let d = 0;
  const end4 = dim - (dim & 3);
  while (d < end4) {
    const stop = Math.min(end4, d + 32);
    for (; d < stop; d += 4) {
      const t0 = q[qOff + d] - x[d];
      const t1 = q[qOff + d + 1] - x[d + 1];
      const t2 = q[qOff + d + 2] - x[d + 2];
      const t3 = q[qOff + d + 3] - x[d + 3];
      s0 += t0 * t0;
      s1 += t1 * t1;
      s2 += t2 * t2;
      s3 += t3 * t3;
    }
    if (s0 + s1 + (s2 + s3) > stopAbove) return s0 + s1 + (s2 + s3);
  }
  for (; d < dim; d++) {
    const t = q[qOff + d] - x[d];
    s0 += t * t;
  }
  return s0 + s1 + (s2 + s3);
}

export function dot(q: Float32Array, qOff: number, x: Float32Array, dim: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let d = 0;
  const end4 = dim - (dim & 3);
  for (; d < end4; d += 4) {
    s0 += q[qOff + d] * x[d];
    s1 += q[qOff + d + 1] * x[d + 1];
    s2 += q[qOff + d + 2] * x[d + 2];
    s3 += q[qOff + d + 3] * x[d + 3];
  }
  for (; d < dim; d++) s0 += q[qOff + d] * x[d];
  return s0 + s1 + (s2 + s3);
}

/** L2 norm of the query at qOff in qs. */
export function queryNorm(qs: Float32Array, qOff: number, dim: number): number {
  const v = qs.subarray(qOff, qOff + dim);
  return Math.sqrt(dot(v, 0, v, dim));
}

/** Distance between a query (at qOff in qs) and x; qNorm is the query's L2 norm (for COSINE). */
export function distance(metric: DistanceMetric, qs: Float32Array, qOff: number, x: Float32Array, dim: number, qNorm: number): number {
  if (metric === "L2") return l2Squared(qs, qOff, x, dim);
  const p = dot(qs, qOff, x, dim);
  if (metric === "IP") return -p;
  return cosineDistance(p, qNorm, Math.sqrt(dot(x, 0, x, dim)));
}

export function cosineDistance(dotProduct: number, qNorm: number, xNorm: number): number {
  const denom = qNorm * xNorm;
  return denom === 0 ? 1 : 1 - dotProduct / denom;
}

export interface KnnScanOptions {
  k: number;
  metric: DistanceMetric;
  /** Query indices to compute (into ds queries). */
  queries: ArrayLike<number>;
  /**
   * Apply each query's dataset filter: a vector matches when it carries all the query's tags and
   * lies in all its numeric ranges (queryNumericRanges).
   */
  filtered: boolean;
  /** Ranges every query must satisfy as well (`dataset ground-truth --numeric-filter`). */
  numericFilters?: readonly DatasetNumericRange[];
  /** Called with the number of base vectors scanned so far, every few thousand vectors. */
  onProgress?: (scanned: number) => void;
}

export function knnScan(ds: VectorDataset, o: KnnScanOptions): KnnResult {
  const { k, metric } = o;
  const dim = ds.dim;
  const nq = o.queries.length;
  const qs = new Float32Array(nq * dim);
  const qNorms = new Float64Array(nq);
  const filters: (string[] | null)[] = [];
  // Numeric ranges per query, each with the index of its field in numericNames (values are read
  // once per vector for all queries).
  const numericNames: string[] = [];
  const ranges: ({ field: number; range: DatasetNumericRange }[] | null)[] = [];
  const scratch = new Float32Array(dim);
  for (let j = 0; j < nq; j++) {
    qs.set(ds.queryF32(o.queries[j], scratch), j * dim);
    qNorms[j] = queryNorm(qs, j * dim, dim);
    const f = o.filtered ? ds.queryFilter(o.queries[j]) : [];
    filters.push(f.length ? f : null);
    const r = [...(o.filtered ? ds.queryNumericRanges(o.queries[j]) : []), ...(o.numericFilters ?? [])];
    ranges.push(
      r.length
        ? r.map((range) => {
            let field = numericNames.indexOf(range.field);
            if (field < 0) field = numericNames.push(range.field) - 1;
            return { field, range };
          })
        : null,
    );
  }
  const anyFilter = filters.some((f) => f !== null);
  const values: (number | undefined)[] = new Array<number | undefined>(numericNames.length);
  // Per-query max-heaps stored flat: root (index j*k) is the worst of the current best k.
  const heapD = new Float64Array(nq * k).fill(Infinity);
  const heapI = new Float64Array(nq * k).fill(-1);
  const size = new Int32Array(nq);
  const n = ds.numVectors;
  const vecScratch = new Float32Array(dim);
  for (let i = 0; i < n; i++) {
    const x = ds.vectorF32(i, vecScratch);
    const tags = anyFilter ? ds.vectorTags(i) : null;
    for (let f = 0; f < numericNames.length; f++) values[f] = ds.vectorNumeric(i, numericNames[f]!);
    let xNorm = -1;
    for (let j = 0; j < nq; j++) {
      const f = filters[j];
      if (f !== null && tags !== null && !f.every((t) => tags.includes(t))) continue;
      const r = ranges[j];
      if (r !== null && !r.every((x) => inNumericRange(values[x.field], x.range))) continue;
      const base = j * k;
      const full = size[j] === k;
      const worst = heapD[base];
      const qOff = j * dim;
      let dist: number;
      if (metric === "L2") dist = l2Squared(qs, qOff, x, dim, full ? worst : Infinity);
      else {
        const p = dot(qs, qOff, x, dim);
        if (metric === "IP") dist = -p;
        else {
          if (xNorm < 0) xNorm = Math.sqrt(dot(x, 0, x, dim));
          dist = cosineDistance(p, qNorms[j], xNorm);
        }
      }
      if (full) {
        if (dist >= worst) continue;
        siftDown(heapD, heapI, base, k, dist, i);
      } else {
        siftUp(heapD, heapI, base, size[j]++, dist, i);
      }
    }
    if (o.onProgress && (i & 8191) === 8191) o.onProgress(i + 1);
  }
  o.onProgress?.(n);
  return sortHeaps(heapD, heapI, nq, k);
}

/** (d, id) orders after (d2, id2): larger distance, or equal distance and larger id. */
function worse(d: number, id: number, d2: number, id2: number): boolean {
  return d > d2 || (d === d2 && id > id2);
}

function siftUp(hd: Float64Array, hi: Float64Array, base: number, pos: number, d: number, id: number): void {
  while (pos > 0) {
    const parent = (pos - 1) >> 1;
    if (!worse(d, id, hd[base + parent], hi[base + parent])) break;
    hd[base + pos] = hd[base + parent];
    hi[base + pos] = hi[base + parent];
    pos = parent;
  }
  hd[base + pos] = d;
  hi[base + pos] = id;
}

/** Replaces the root with (d, id) and restores the heap. */
function siftDown(hd: Float64Array, hi: Float64Array, base: number, k: number, d: number, id: number): void {
  let pos = 0;
  for (;;) {
    const l = 2 * pos + 1;
    if (l >= k) break;
    let c = l;
    if (l + 1 < k && worse(hd[base + l + 1], hi[base + l + 1], hd[base + l], hi[base + l])) c = l + 1;
    if (!worse(hd[base + c], hi[base + c], d, id)) break;
    hd[base + pos] = hd[base + c];
    hi[base + pos] = hi[base + c];
    pos = c;
  }
  hd[base + pos] = d;
  hi[base + pos] = id;
}

function sortHeaps(hd: Float64Array, hi: Float64Array, nq: number, k: number): KnnResult {
  const ids = new Float64Array(nq * k);
  const distances = new Float64Array(nq * k);
  const order = Array.from({ length: k }, (_, i) => i);
  for (let j = 0; j < nq; j++) {
    const base = j * k;
    order.sort((a, b) => {
      const da = hd[base + a];
      const db = hd[base + b];
      if (hi[base + a] < 0 || hi[base + b] < 0) return hi[base + a] < 0 ? (hi[base + b] < 0 ? 0 : 1) : -1;
      return da !== db ? da - db : hi[base + a] - hi[base + b];
    });
    for (let r = 0; r < k; r++) {
      ids[base + r] = hi[base + order[r]];
      distances[base + r] = hd[base + order[r]];
    }
  }
  return { ids, distances };
}
