/**
 * Per-node numbers of one test, and how evenly the load was spread. valkey-benchmark has no
 * such table; memtier_benchmark and the seed's users asked for it on clusters, where one slow or
 * overloaded shard hides inside a healthy average.
 */
export interface NodeResult {
  address: string;
  role: "primary" | "replica";
  az?: string;
  completed: number;
  errors: number;
  redirects: number;
  throughput: number;
  p50Ms: number;
  p99Ms: number;
  /** The node's latencies (HdrHistogram base64, µs), so that `merge` recomputes them exactly. */
  histogram?: string;
}

export interface Imbalance {
  /** Busiest node's requests / least busy node's (1 = perfectly even). */
  maxMinRatio: number;
  /** Largest relative deviation from the mean, in percent. */
  maxDeviationPct: number;
  /** True when (maxMinRatio - 1) * 100 exceeds --imbalance-threshold. */
  warning: boolean;
}

export function imbalanceOf(nodes: readonly NodeResult[], thresholdPct: number): Imbalance | undefined {
  if (nodes.length < 2) return undefined;
  const counts = nodes.map((n) => n.completed + n.errors);
  const max = Math.max(...counts);
  const min = Math.min(...counts);
  const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
  const maxMinRatio = min > 0 ? max / min : Infinity;
  const maxDeviationPct = mean > 0 ? Math.max(...counts.map((c) => Math.abs(c - mean) / mean)) * 100 : 0;
  return { maxMinRatio, maxDeviationPct, warning: (maxMinRatio - 1) * 100 > thresholdPct };
}
