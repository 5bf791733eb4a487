/**
 * The HTML report's charts as plain data: each a title, axes and aligned series
 * (`data[0]` the x values, `data[i]` series i's y values, null where a series has no point),
 * ready for uPlot in the page. Everything here runs in the CLI, not in the browser, so the page
 * script stays small and the numbers come from the same code as the other reports.
 */
import { decodeHistogram, toJsHistogram } from "../../metrics/histogram.ts";
import type { NodeResult } from "../../metrics/node-results.ts";
import type { Timeline } from "../../metrics/timeline.ts";
import { valueAtPercentile, maxValue } from "../hdr-iterate.ts";

export interface SeriesSpec {
  label: string;
  color: string;
  /** Points only (scatter), no line. */
  points?: boolean;
  dash?: boolean;
}

export interface ChartSpec {
  id: string;
  title: string;
  kind: "line" | "bars";
  x: { label: string; log?: boolean; percentile?: boolean; names?: string[] };
  y: { label: string; log?: boolean };
  series: SeriesSpec[];
  data: (number | null)[][];
  note?: string;
  /** Set when no series has a point: the page shows this reason instead of an empty chart. */
  empty?: string;
}

export const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];

/** Series given as (x, y) pairs each, aligned on the union of their x values. */
export function align(seriesPoints: [number, number | null][][]): (number | null)[][] {
  const xs = [...new Set(seriesPoints.flatMap((s) => s.map((p) => p[0])))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const out: (number | null)[][] = [xs];
  for (const s of seriesPoints) {
    const ys: (number | null)[] = new Array(xs.length).fill(null);
    for (const [x, y] of s) ys[index.get(x)!] = y;
    out.push(ys);
  }
  return out;
}

/** Seconds since the timeline's first point, at each point's end. */
function seconds(t: Timeline, endMs: number): number {
  return Math.round((endMs - t.points[0]!.startMs) / 10) / 100;
}

export function timelinePoints(t: Timeline, value: (p: Timeline["points"][number]) => number | null | undefined): [number, number | null][] {
  return t.points.map((p) => [seconds(t, p.endMs), value(p) ?? null]);
}

/**
 * The latency percentile spectrum on HdrHistogram's log axis: x = 1 / (1 - percentile), so
 * 90% is 10, 99% is 100, 99.9% is 1000; ten points per decade up to the histogram's resolution
 * (no percentile finer than 1 / count), then the maximum.
 */
export function spectrumPoints(encoded: string): [number, number | null][] {
  const h = decodeHistogram(encoded);
  try {
    const js = toJsHistogram(h);
    const count = js.totalCount;
    if (count === 0) return [];
    const points: [number, number | null][] = [];
    for (let k = 0; ; k++) {
      const x = 10 ** (k / 10);
      if (x > count || k > 70) break;
      const percentile = 100 * (1 - 1 / x);
      points.push([round4(x), valueAtPercentile(js, percentile) / 1000]);
    }
    points.push([round4(Math.max(count, points.at(-1)?.[0] ?? 1) * 1.0001), maxValue(js) / 1000]);
    return points;
  } finally {
    h.destroy();
  }
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

/** Per-node bars: names, values, and the imbalance note. */
export function nodeBars(nodes: NodeResult[]): { names: string[]; throughput: number[]; p99: number[] } {
  return { names: nodes.map((n) => `${n.address}${n.role === "replica" ? " (r)" : ""}`), throughput: nodes.map((n) => n.throughput), p99: nodes.map((n) => n.p99Ms) };
}
