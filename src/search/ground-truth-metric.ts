/**
 * Recall is scored against the dataset's ground truth, which is the k-NN under ONE metric. The
 * index's metric comes from `--search-distance` or the file's hint (a header byte some writers
 * swap, or nothing at all: L2 by default), so it can differ from the one the ground truth used,
 * and recall then comes out low with nothing to say why (L2 ground truth queried with IP: 0.75 on
 * an exact index).
 *
 * Ground truth lists each query's neighbours nearest first, so under its own metric the distances
 * from the query to neighbours 1..k never decrease. Under another metric they do, for almost every
 * query (on unit vectors L2, IP and COSINE order alike, and nothing is flagged: recall is right
 * then). Checking that costs k distances per query, for a sample of the queries.
 */
import type { DistanceMetric, VectorDataset } from "../dataset/index.ts";
import { NO_NEIGHBOR } from "../dataset/index.ts";
import { distance, queryNorm } from "../dataset/tools/knn.ts";

/** Queries checked at most (evenly spread). */
const QUERY_SAMPLE = 200;
/**
 * A step counts as out of order when the later distance is smaller by more than this share of the
 * distances' magnitude: ground truth computed elsewhere (float32 kernels) may swap near-ties.
 */
const RELATIVE_TOLERANCE = 1e-4;
const METRICS: readonly DistanceMetric[] = ["L2", "IP", "COSINE"];

/** Checked queries whose first k neighbours are out of order under `metric`. */
function queriesOutOfOrder(ds: VectorDataset, k: number, offset: number, metric: DistanceMetric, queries: readonly number[]): number {
  const dim = ds.dim;
  const q = new Float32Array(dim);
  const x = new Float32Array(dim);
  const width = Math.min(k, ds.neighborsPerQuery);
  let out = 0;
  for (const query of queries) {
    const qv = ds.queryF32(query, q);
    const qNorm = queryNorm(qv, 0, dim);
    let previous = -Infinity;
    for (let j = 0; j < width; j++) {
      const id = ds.neighborId(query, j);
      if (id === NO_NEIGHBOR || id < offset || id >= offset + ds.numVectors) break;
      const d = distance(metric, qv, 0, ds.vectorF32(id - offset, x), dim, qNorm);
      if (d < previous - RELATIVE_TOLERANCE * Math.max(Math.abs(d), Math.abs(previous), 1e-12)) {
        out++;
        break;
      }
      previous = d;
    }
  }
  return out;
}

/**
 * Why recall cannot be scored with `metric`, or undefined: more than half of the sampled queries
 * have ground truth out of order under it (and fewer under some other metric).
 */
export function groundTruthMetricMismatch(ds: VectorDataset, k: number, offset: number, metric: DistanceMetric, metricSource: string): string | undefined {
  if (ds.numQueries === 0 || Math.min(k, ds.neighborsPerQuery) < 2) return undefined;
  const count = Math.min(ds.numQueries, QUERY_SAMPLE);
  const queries = Array.from({ length: count }, (_, i) => Math.floor((i * ds.numQueries) / count));
  const bad = queriesOutOfOrder(ds, k, offset, metric, queries);
  if (bad * 2 <= count) return undefined;
  const others = METRICS.filter((m) => m !== metric).map((m) => ({ m, bad: queriesOutOfOrder(ds, k, offset, m, queries) }));
  const best = others.reduce((a, b) => (b.bad < a.bad ? b : a));
  if (best.bad >= bad) return undefined;
  const fix = best.bad === 0 ? `it is ordered by ${best.m}: pass --search-distance ${best.m}` : `recompute it for ${metric} with \`dataset ground-truth --metric ${metric}\`, or pass the metric it was computed with`;
  return `the ground truth of ${bad} of ${count} sampled queries in ${ds.path} is not ordered by ${metric} distance (the index's metric, from ${metricSource}), so it was computed with another metric; ${fix}`;
}
