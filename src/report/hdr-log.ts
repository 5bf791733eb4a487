/**
 * `--hdr-log FILE`: the per-interval latency histograms of every test as an HdrHistogram
 * interval log (format 1.3), written by hdr-histogram-js's own HistogramLogWriter so that
 * HdrHistogram's tools (HistogramLogProcessor, HdrHistogramVisualizer, hdr-plot...) read it.
 *
 * One line per interval and test, tagged with the test's title (spaces and commas, which the
 * log format uses as separators, become `_`: `LRANGE_100_(first_100_elements)`). Values are
 * microseconds; the Interval_Max column is in milliseconds. Timestamps are seconds since the
 * log's StartTime (the run's start).
 */
import { HistogramLogWriter } from "hdr-histogram-js";
import { decodeHistogram } from "../metrics/histogram.ts";
import type { TestResult } from "../metrics/types.ts";

/** A test title as an HdrHistogram log tag. */
export function hdrLogTag(title: string): string {
  return title.replace(/[\s,]+/g, "_");
}

export function formatHdrLog(results: TestResult[], runStartMs: number, version: string): string {
  const lines: string[] = [];
  const writer = new HistogramLogWriter((text) => {
    lines.push(text);
  });
  writer.outputComment(`valkey-search-benchmark ${version}: interval latencies in microseconds, one tag per test`);
  writer.outputLogFormatVersion();
  writer.outputStartTime(runStartMs);
  writer.baseTime = runStartMs;
  writer.outputLegend();
  for (const r of results) {
    const tag = hdrLogTag(r.title);
    for (const p of r.timeline?.points ?? []) {
      if (!p.client.histogram) continue;
      const h = decodeHistogram(p.client.histogram);
      try {
        h.tag = tag;
        writer.outputIntervalHistogram(h, (p.startMs - runStartMs) / 1000, (p.endMs - runStartMs) / 1000, 1000);
      } finally {
        h.destroy();
      }
    }
  }
  return lines.join("");
}
