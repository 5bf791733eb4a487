/**
 * Reconciling benchmark flags with what a dataset file says: the vector dimension must agree, and
 * the metric byte/schema entry is only a hint that `--search-distance` overrides. The returned
 * `source` is meant for the run banner, so users see which metric was used and why.
 */
import type { DistanceMetric, VectorDataset } from "./types.ts";
import { UserError } from "./errors.ts";

/** The vector dimension to use: the file's; a `--vector-dim` flag must match it. */
export function resolveVectorDim(ds: VectorDataset, flagDim?: number): number {
  if (flagDim !== undefined && flagDim !== ds.dim) {
    throw new UserError(`--vector-dim ${flagDim} does not match ${ds.path} (dim ${ds.dim}); omit --vector-dim to take it from the file`);
  }
  return ds.dim;
}

export interface ResolvedMetric {
  metric: DistanceMetric;
  /** e.g. "--search-distance (file hint: L2)" or "dataset hint (header byte 264 = 0 ...)". */
  source: string;
}

/** --search-distance wins; else the file's hint; else L2 with a note saying so. */
export function resolveMetric(ds: VectorDataset, flagMetric?: DistanceMetric): ResolvedMetric {
  if (flagMetric) {
    return { metric: flagMetric, source: `--search-distance${ds.metricHint ? ` (file hint: ${ds.metricHint})` : ""}` };
  }
  if (ds.metricHint) return { metric: ds.metricHint, source: `dataset hint, ${ds.metricHintSource}` };
  return { metric: "L2", source: `default L2: ${ds.metricHintSource}` };
}
