/**
 * Main-thread side of the per-interval results: the workers' intervals of one grid index are
 * combined into one timeline point. Counts are summed, histograms added exactly (never
 * percentiles averaged), recall is Σ recall / Σ scored queries.
 */
import type { Histogram } from "hdr-histogram-js";
import { createLatencyHistogram, encodeHistogram, mergeEncodedInto } from "../metrics/histogram.ts";
import type { ClientInterval, Timeline, TimelinePoint, WorkerInterval } from "../metrics/timeline.ts";
import { latencyStats } from "../report/latency-stats.ts";

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** Timeline point numbers from an interval histogram (µs) and its counts. */
export function clientInterval(
  counts: { completed: number; errors: number; errorsByType: Record<string, number> },
  lengthMs: number,
  hist: Histogram,
  recall?: { k: number; queries: number; recallSum: number },
): ClientInterval {
  const requests = counts.completed + counts.errors;
  const s = latencyStats(hist);
  const client: ClientInterval = {
    requests,
    completed: counts.completed,
    errors: counts.errors,
    errorsByType: counts.errorsByType,
    throughput: lengthMs > 0 ? Math.round((counts.completed / (lengthMs / 1000)) * 100) / 100 : 0,
    errorRate: lengthMs > 0 ? Math.round((counts.errors / (lengthMs / 1000)) * 100) / 100 : 0,
    latencyMs: s.count === 0 ? null : { p50: round3(s.p50 / 1000), p99: round3(s.p99 / 1000), max: round3(s.max / 1000), mean: round3(s.mean / 1000) },
    histogram: encodeHistogram(hist),
  };
  if (recall && recall.queries > 0) client.recall = { k: recall.k, mean: recall.recallSum / recall.queries, queries: recall.queries };
  return client;
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
    const hist = createLatencyHistogram(precision);
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
      if (w.histogram) mergeEncodedInto(hist, w.histogram);
      startMs = Math.min(startMs, w.startMs);
      endMs = Math.max(endMs, w.endMs);
      if (w.recall) {
        recall ??= { k: 0, queries: 0, recallSum: 0 };
        recall.k = Math.max(recall.k, w.recall.k);
        recall.queries += w.recall.queries;
        recall.recallSum += w.recall.recallSum;
      }
    }
    const client = clientInterval({ completed, errors, errorsByType }, endMs - startMs, hist, recall);
    hist.destroy();
    points.push({ startMs: Math.round(startMs * 1000) / 1000, endMs: Math.round(endMs * 1000) / 1000, client });
  }
  return { intervalMs, points };
}
