/**
 * The per-interval timeline of one test: `tests[].timeline` in the JSON report.
 *
 * One timeline per test, shared by the client side (this project's per-interval results,
 * `--interval`) and the server side (per-node samples, `--metrics-interval`): a point covers
 * [startMs, endMs) in epoch milliseconds; `client` holds what the benchmark itself measured in
 * that interval, `nodes` what each server reported for it (attached with `attachNodeSample`).
 * Both sides use the same clock (the client host's), so a server-side dip and a client-side
 * latency spike line up on one axis.
 *
 * Intervals lie on a grid that starts when the test starts (the main thread's clock): point i
 * covers [start + i * intervalMs, start + (i + 1) * intervalMs), cut short at the end of the
 * test. The last point is usually shorter; `throughput` is always over the point's own length.
 */

/** Latency of the requests answered in one interval, ms (HdrHistogram percentiles). */
export interface IntervalLatencyMs {
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

/** What the benchmark client measured in one interval, summed over all workers. */
export interface ClientInterval {
  /** Requests answered in the interval (completed + errors). */
  requests: number;
  completed: number;
  errors: number;
  /** Errors by type (see TestResult.errorsByType); {} when none. */
  errorsByType: Record<string, number>;
  /** Successful replies (completed) / the point's length in seconds, as the test's throughput. */
  throughput: number;
  /** errors / the point's length in seconds. */
  errorRate: number;
  /** null when nothing was answered in the interval. */
  latencyMs: IntervalLatencyMs | null;
  /** Vector queries: recall@k averaged over the queries scored in this interval. */
  recall?: { k: number; mean: number; queries: number };
  /**
   * The interval's latencies (HdrHistogram V2 compressed base64, µs), so that runs can be
   * merged and compared interval by interval without averaging percentiles.
   */
  histogram?: string;
}

/**
 * One server node's sample for an interval: metric name -> value (rates per second, gauges).
 * The names and their meaning belong to the server-metrics side (see docs/metrics.md);
 * a value a node did not report is null.
 */
export type NodeSample = Record<string, number | null>;

export interface TimelinePoint {
  /** Epoch ms, client clock. */
  startMs: number;
  endMs: number;
  client: ClientInterval;
  /** Per node address: the server's sample for this interval (only with server sampling). */
  nodes?: Record<string, NodeSample>;
}

export interface Timeline {
  /** Nominal interval length (--interval), ms. */
  intervalMs: number;
  points: TimelinePoint[];
}

/**
 * Attach a server sample taken at `atMs` (epoch ms, client clock) for node `address` to the
 * point whose interval contains it (startMs < atMs <= endMs: a sample describes the interval
 * that ends when it is taken). A sample just past the last point (taken while the test was
 * finishing) goes to the last point. Returns false, and attaches nothing, when the sample lies
 * outside the timeline (before the test, or more than one interval after its end).
 */
export function attachNodeSample(timeline: Timeline, atMs: number, address: string, sample: NodeSample): boolean {
  const points = timeline.points;
  if (points.length === 0) return false;
  let target: TimelinePoint | undefined;
  // Binary search for the first point whose end is >= atMs.
  let lo = 0;
  let hi = points.length - 1;
  if (atMs <= points[0]!.startMs) return false;
  const last = points[hi]!;
  if (atMs > last.endMs) {
    if (atMs - last.endMs > timeline.intervalMs) return false;
    target = last;
  } else {
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (points[mid]!.endMs >= atMs) hi = mid;
      else lo = mid + 1;
    }
    target = points[lo]!;
  }
  (target.nodes ??= {})[address] = sample;
  return true;
}

/** Running recall totals of a worker's vector queries (differenced per interval). */
export interface RecallTotals {
  k: number;
  queries: number;
  recallSum: number;
}

/** One worker's numbers for one interval, as sent to the main thread. */
export interface WorkerInterval {
  /** Grid index: the interval [grid + index * intervalMs, grid + (index + 1) * intervalMs). */
  index: number;
  /** Epoch ms: when this worker's interval actually started and ended (the swap times). */
  startMs: number;
  endMs: number;
  completed: number;
  errors: number;
  errorsByType: Record<string, number>;
  /** HdrHistogram compressed encoding of the interval's latencies, µs. */
  histogram: string;
  /** Its summary, computed by the worker (the main thread then only decodes to merge). */
  latencyMs: IntervalLatencyMs | null;
  recall?: RecallTotals;
}
