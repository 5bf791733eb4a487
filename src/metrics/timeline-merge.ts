/**
 * Main-thread side of the per-interval results: the workers' intervals of one grid index are
 * combined into one timeline point. Counts are summed, histograms added exactly (never
 * percentiles averaged), recall is Σ recall / Σ scored queries.
 */
import type { Histogram } from "hdr-histogram-js";
import { createLatencyHistogram, encodeHistogram, mergeEncodedInto } from "./histogram.ts";
import type { ClientInterval, IntervalLatencyMs, Timeline, TimelinePoint, WorkerInterval } from "./timeline.ts";

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/**
 * An interval's p50 / p99 / max / mean in ms, null when empty. Computed with the histogram's own
 * methods (hdr-histogram-js's getValueAtPercentile): microseconds per interval, where the
 * report's HdrHistogram_c-exact walk (report/latency-stats.ts) would cost milliseconds, and the
 * same rule wherever an interval is summarised (worker, merge of workers, merge of shards).
 */
export function intervalLatency(h: Histogram): IntervalLatencyMs | null {
  if (h.totalCount === 0) return null;
  return { p50: round3(h.getValueAtPercentile(50) / 1000), p99: round3(h.getValueAtPercentile(99) / 1000), max: round3(h.maxValue / 1000), mean: round3(h.mean / 1000) };
}

/** Timeline point numbers from an interval's counts, latency summary and encoded histogram. */
export function clientInterval(
  counts: { completed: number; errors: number; errorsByType: Record<string, number> },
  lengthMs: number,
  latency: { latencyMs: IntervalLatencyMs | null; histogram: string },
  recall?: { k: number; queries: number; recallSum: number },
): ClientInterval {
  const requests = counts.completed + counts.errors;
  const client: ClientInterval = {
    requests,
    completed: counts.completed,
    errors: counts.errors,
    errorsByType: counts.errorsByType,
    throughput: lengthMs > 0 ? Math.round((counts.completed / (lengthMs / 1000)) * 100) / 100 : 0,
    errorRate: lengthMs > 0 ? Math.round((counts.errors / (lengthMs / 1000)) * 100) / 100 : 0,
    latencyMs: latency.latencyMs,
    histogram: latency.histogram,
  };
  if (recall && recall.queries > 0) client.recall = { k: recall.k, mean: recall.recallSum / recall.queries, queries: recall.queries };
  return client;
}

/**
 * The latency of several parts of one interval (workers, or shards): one part is taken as it
 * is (its summary was computed where it was recorded); several are decoded and added exactly.
 */
export function mergeLatency(parts: { latencyMs?: IntervalLatencyMs | null; histogram?: string }[], precision: number): { latencyMs: IntervalLatencyMs | null; histogram: string } {
  const encoded = parts.filter((p) => p.histogram);
  if (encoded.length === 1 && encoded[0]!.latencyMs !== undefined) return { latencyMs: encoded[0]!.latencyMs, histogram: encoded[0]!.histogram! };
  const hist = createLatencyHistogram(precision);
  try {
    for (const p of encoded) mergeEncodedInto(hist, p.histogram!);
    return { latencyMs: intervalLatency(hist), histogram: encodeHistogram(hist) };
  } finally {
    hist.destroy();
  }
}

/** Combines every worker's intervals of a test into its timeline. */
export function mergeWorkerIntervals(parts: WorkerInterval[][], intervalMs: number, precision: number): Timeline {
  const byIndex = new Map<number, WorkerInterval[]>();
  for (const list of parts) {
    for (const w of list) {
      let group = byIndex.get(w.index);
      if (!group) byIndex.set(w.index, (group = []));
      group.push(w);
    }
  }
  const points: TimelinePoint[] = [];
  for (const index of [...byIndex.keys()].sort((a, b) => a - b)) {
    const group = byIndex.get(index)!;
    let completed = 0;
    let errors = 0;
    const errorsByType: Record<string, number> = {};
    let startMs = Infinity;
    let endMs = 0;
    let recall: { k: number; queries: number; recallSum: number } | undefined;
    for (const w of group) {
      completed += w.completed;
      errors += w.errors;
      for (const [code, n] of Object.entries(w.errorsByType)) errorsByType[code] = (errorsByType[code] ?? 0) + n;
      startMs = Math.min(startMs, w.startMs);
      endMs = Math.max(endMs, w.endMs);
      if (w.recall) {
        recall ??= { k: 0, queries: 0, recallSum: 0 };
        recall.k = Math.max(recall.k, w.recall.k);
        recall.queries += w.recall.queries;
        recall.recallSum += w.recall.recallSum;
      }
    }
    const client = clientInterval({ completed, errors, errorsByType }, endMs - startMs, mergeLatency(group, precision), recall);
    points.push({ startMs: Math.round(startMs * 1000) / 1000, endMs: Math.round(endMs * 1000) / 1000, client });
  }
  return { intervalMs, points };
}
