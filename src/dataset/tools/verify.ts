/**
 * `dataset verify`: recompute the exact neighbours of a random sample of queries and compare them
 * with the stored ground truth. A differing id at an equal distance (a tie) is not a mismatch.
 */
import type { DatasetNumericRange, DistanceMetric, VectorDataset } from "../types.ts";
import { computeGroundTruth } from "./ground-truth.ts";
import { distance, queryNorm } from "./knn.ts";
import { NO_NEIGHBOR } from "../formats/legacy-format.ts";
import { seededRandom } from "./generate.ts";
import type { OpenDatasetOptions } from "../open.ts";

export interface VerifyOptions {
  dataset: OpenDatasetOptions;
  metric: DistanceMetric;
  /** Queries to check (all when >= numQueries). */
  sample: number;
  seed: number;
  filtered: boolean;
  /** Ranges every query must satisfy, as the ground truth was computed with (ground-truth --numeric-filter). */
  numericFilters?: DatasetNumericRange[];
  workers?: number;
}

export interface QueryMismatch {
  query: number;
  rank: number;
  storedId: number;
  storedDistance: number;
  expectedId: number;
  expectedDistance: number;
}

export interface VerifyResult {
  checked: number;
  exact: number;
  /** Queries whose ids differ only among equal-distance neighbours. */
  ties: number;
  mismatches: QueryMismatch[];
}

/** Distinct query ids, sorted: a partial Fisher-Yates shuffle seeded by `seed`. */
export function sampleQueries(numQueries: number, sample: number, seed: number): number[] {
  if (sample >= numQueries) return Array.from({ length: numQueries }, (_, q) => q);
  const rand = seededRandom(seed);
  const picked = new Map<number, number>();
  const out: number[] = [];
  for (let i = 0; i < sample; i++) {
    const j = i + Math.floor(rand() * (numQueries - i));
    const vj = picked.get(j) ?? j;
    picked.set(j, picked.get(i) ?? i);
    out.push(vj);
  }
  return out.sort((a, b) => a - b);
}

export async function verifyGroundTruth(ds: VectorDataset, o: VerifyOptions): Promise<VerifyResult> {
  const k = ds.neighborsPerQuery;
  const queries = sampleQueries(ds.numQueries, o.sample, o.seed);
  const result: VerifyResult = { checked: queries.length, exact: 0, ties: 0, mismatches: [] };
  if (k === 0 || queries.length === 0) return result;
  const fresh = await computeGroundTruth({
    dataset: o.dataset, k, metric: o.metric, filtered: o.filtered, queries, workers: o.workers,
    ...(o.numericFilters?.length ? { numericFilters: o.numericFilters } : {}),
  });
  const qs = new Float32Array(ds.dim);
  const xs = new Float32Array(ds.dim);
  queries.forEach((q, row) => {
    const qv = Float32Array.from(ds.queryF32(q, qs));
    const qn = queryNorm(qv, 0, ds.dim);
    let exact = true;
    for (let r = 0; r < k; r++) {
      const stored = ds.neighborId(q, r);
      const expected = fresh.ids[row * k + r];
      const storedNone = stored === NO_NEIGHBOR;
      if ((storedNone && expected < 0) || stored === expected) continue;
      exact = false;
      const storedDistance = storedNone || stored >= ds.numVectors ? Infinity : distance(o.metric, qv, 0, ds.vectorF32(stored, xs), ds.dim, qn);
      const expectedDistance = fresh.distances[row * k + r];
      if (storedDistance !== expectedDistance) {
        result.mismatches.push({ query: q, rank: r, storedId: storedNone ? -1 : stored, storedDistance, expectedId: expected, expectedDistance });
        return;
      }
    }
    if (exact) result.exact++;
    else result.ties++;
  });
  return result;
}
