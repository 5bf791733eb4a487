/**
 * The latency numbers every report format prints, computed once per test from the merged
 * histogram with HdrHistogram_c's rules (see hdr-iterate.ts). Microseconds.
 */
import type { Histogram } from "hdr-histogram-js";
import { toJsHistogram } from "../metrics/histogram.ts";
import { maxValue, meanValue, minValue, valueAtPercentile } from "./hdr-iterate.ts";

export interface LatencyStatsUs {
  /** Samples in the histogram. The other fields are 0 (mean NaN) when it is 0. */
  count: number;
  mean: number;
  min: number;
  max: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p99_9: number;
  p99_99: number;
}

export function latencyStats(histogram: Histogram): LatencyStatsUs {
  const h = toJsHistogram(histogram);
  const count = h.totalCount;
  if (count === 0) {
    return { count, mean: NaN, min: 0, max: 0, p50: 0, p90: 0, p95: 0, p99: 0, p99_9: 0, p99_99: 0 };
  }
  return {
    count,
    mean: meanValue(h),
    min: minValue(h),
    max: maxValue(h),
    p50: valueAtPercentile(h, 50),
    p90: valueAtPercentile(h, 90),
    p95: valueAtPercentile(h, 95),
    p99: valueAtPercentile(h, 99),
    p99_9: valueAtPercentile(h, 99.9),
    p99_99: valueAtPercentile(h, 99.99),
  };
}

/** µs -> ms, the unit every report prints. */
export function usToMs(us: number): number {
  return us / 1000;
}
