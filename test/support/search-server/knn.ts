// Exact brute-force KNN plus the deterministic "approximate" degradation used to give recall tests
// a known answer.
//
// Distances follow valkey-search: L2 = squared Euclidean distance, IP = 1 - dot,
// COSINE = 1 - dot of the normalised vectors (stored vectors are normalised once, at HSET time).
// Sums run in double precision and the result is rounded to float32, the precision valkey-search
// reports, so printed scores match the real module digit for digit (anchors (h)).

import type { DistanceMetric } from "./schema.ts";

export type Neighbour = { key: string; distance: number };

/** Copies a FLOAT32 blob into an aligned array (normalised for COSINE). */
export function toStoredVector(metric: DistanceMetric, blob: Buffer): Float32Array {
  // new Uint8Array(view) copies into a fresh, 4-byte aligned buffer.
  const vector = new Float32Array(new Uint8Array(blob).buffer);
  if (metric === "COSINE") normalise(vector);
  return vector;
}

function normalise(vector: Float32Array): void {
  let sumSquares = 0;
  for (let i = 0; i < vector.length; i++) sumSquares += vector[i] * vector[i];
  const norm = Math.sqrt(sumSquares);
  if (norm === 0) return; // a zero vector stays zero: every cosine distance to it is 1
  for (let i = 0; i < vector.length; i++) vector[i] = vector[i] / norm;
}

export function distance(metric: DistanceMetric, a: Float32Array, b: Float32Array): number {
  const n = a.length;
  if (metric === "L2") {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const d = a[i] - b[i];
      sum += d * d;
    }
    return Math.fround(sum);
  }
  let dot = 0;
  for (let i = 0; i < n; i++) dot += a[i] * b[i];
  return Math.fround(1 - Math.fround(dot));
}

function before(a: Neighbour, b: Neighbour): boolean {
  return a.distance < b.distance || (a.distance === b.distance && a.key < b.key);
}

/** Sort order of results: nearest first, ties by key. */
export function compareNeighbours(a: Neighbour, b: Neighbour): number {
  if (before(a, b)) return -1;
  return before(b, a) ? 1 : 0;
}

/**
 * The `limit` nearest candidates, nearest first; ties broken by key so answers are deterministic.
 * Keeps a sorted window of `limit` entries instead of sorting every candidate.
 */
export function nearest(
  metric: DistanceMetric,
  query: Float32Array,
  candidates: Iterable<[string, Float32Array]>,
  limit: number,
): Neighbour[] {
  const best: Neighbour[] = [];
  if (limit <= 0) return best;
  for (const [key, vector] of candidates) {
    const d = distance(metric, query, vector);
    // Reject most candidates before allocating anything: only a full window's worst is compared.
    if (best.length === limit) {
      const worst = best[limit - 1];
      if (d > worst.distance || (d === worst.distance && key >= worst.key)) continue;
    }
    const entry = { key, distance: d };
    let lo = 0;
    let hi = best.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(best[mid], entry)) lo = mid + 1;
      else hi = mid;
    }
    best.splice(lo, 0, entry);
    if (best.length > limit) best.pop();
  }
  return best;
}

/** recall(ef) used by `approximate: true`: 0.5 + ef/200 below ef 100, exact from ef 100 on. */
export function defaultRecallAtEf(ef: number): number {
  return ef >= 100 ? 1 : 0.5 + ef / 200;
}

/**
 * Approximate answer from the exact ranking (`ranked` holds at least the true top k' plus up to
 * k' more). With k' = min(K, matching docs) and r = clamp(recallAtEf(ef), 0, 1):
 *   m = min(floor(k' * (1 - r) + 1e-9), matching docs - k')
 * the last m of the true top k' are dropped and replaced by the neighbours ranked k'+1 … k'+m.
 * So recall@K against exact ground truth is exactly (k' - m) / k'.
 */
/** The recall@K an `approximate` stand-in delivers for k' = min(K, matching docs) at recall r. */
export function approximateRecall(kPrime: number, recall: number, matching = Infinity): number {
  if (kPrime === 0) return 1;
  const r = Math.min(1, Math.max(0, recall));
  const m = Math.min(Math.floor(kPrime * (1 - r) + 1e-9), Math.max(0, matching - kPrime));
  return (kPrime - m) / kPrime;
}

export function degrade(ranked: Neighbour[], kPrime: number, recall: number): Neighbour[] {
  const r = Math.min(1, Math.max(0, recall));
  const wanted = Math.floor(kPrime * (1 - r) + 1e-9);
  const m = Math.min(wanted, Math.max(0, ranked.length - kPrime));
  if (m === 0) return ranked.slice(0, kPrime);
  return [...ranked.slice(0, kPrime - m), ...ranked.slice(kPrime, kPrime + m)];
}
