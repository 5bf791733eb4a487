/**
 * --track-metric in the reports: the "Tracked metrics:" text block (one line per series: each
 * node's value, then the aggregate) and the CSV columns (one per definition, after every other
 * column). The values are computed in src/metrics/metric-eval.ts.
 */
import type { MetricResult, SeriesResult } from "../metrics/metric-eval.ts";
import type { ServerMetrics } from "../metrics/server-diff.ts";
import type { TestResult } from "../metrics/types.ts";
import type { CsvExtraColumns } from "./csv.ts";
import { formatFixed } from "./printf.ts";
import { serverMetricsOf } from "./server-metrics.ts";

/** Bytes in INFO's binary units, signed when asked: "4.51 MB", "+512 B". */
export function formatBytes(bytes: number, signed = false): string {
  const sign = bytes < 0 ? "-" : signed ? "+" : "";
  const abs = Math.abs(bytes);
  if (abs < 1024) return `${sign}${formatFixed(abs, abs % 1 === 0 ? 0 : 1)} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = abs / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${sign}${formatFixed(value, 2)} ${units[unit]}`;
}

/** A number without float noise: integers as is, others with up to 2 decimals. */
export function formatNumber(x: number): string {
  return Number.isInteger(x) ? String(x) : formatFixed(x, 2);
}

/** One value as its diff kind reads: "1234.50/s", "+1.20 MB/s", "+3.25%", "42". */
export function formatMetricValue(diff: MetricResult["diff"], value: number): string {
  switch (diff) {
    case "rate":
      return `${formatFixed(value, 2)}/s`;
    case "memory":
      return `${formatBytes(value, true)}/s`;
    case "percent":
      return `${value >= 0 ? "+" : ""}${formatFixed(value, 2)}%`;
    case "delta":
      return `${value >= 0 ? "+" : ""}${formatNumber(value)}`;
    case "none":
      return formatNumber(value);
  }
}

function seriesLine(m: MetricResult, s: SeriesResult): string {
  const nodes = s.nodes.map((n) => `${n.address} ${formatMetricValue(m.diff, n.value)}`).join("  ");
  const agg = s.aggregate !== undefined ? `  ${m.aggregation} ${formatMetricValue(m.diff, s.aggregate)}` : "";
  const filter = m.nodeFilter === "all" ? "" : ` @${m.nodeFilter}`;
  return `  ${s.name} [${m.aggregation} ${m.diff}${filter}]: ${nodes}${agg}`;
}

export function formatTrackedMetrics(r: TestResult): string {
  const tracked = serverMetricsOf(r)?.tracked;
  if (!tracked || tracked.length === 0) return "";
  const lines: string[] = ["Tracked metrics:"];
  for (const m of tracked) {
    if (m.series.length === 0) lines.push(`  ${m.spec}: not reported by any node`);
    for (const s of m.series) lines.push(seriesLine(m, s));
  }
  return lines.join("\n") + "\n\n";
}

/** A definition's CSV cell: the aggregate (exact field) or `series=aggregate` pairs (family). */
function csvCell(m: MetricResult | undefined): string {
  if (!m) return "";
  const value = (s: SeriesResult) => (s.aggregate !== undefined ? formatNumber(s.aggregate) : s.nodes.map((n) => `${n.address}=${formatNumber(n.value)}`).join(" "));
  if (m.series.length === 1 && !m.spec.includes("*") && !m.spec.includes("/")) return value(m.series[0]!);
  return m.series.map((s) => `${s.name}=${value(s)}`).join(" ");
}

/** One CSV column per --track-metric definition, named by the definition as written. */
export function trackedCsvColumns(specs: readonly string[]): CsvExtraColumns | undefined {
  if (specs.length === 0) return undefined;
  return {
    names: [...specs],
    cells(r: TestResult) {
      const tracked = (serverMetricsOf(r) as ServerMetrics | undefined)?.tracked ?? [];
      return specs.map((_, i) => csvCell(tracked[i]));
    },
  };
}

/** Both column sets in order (vector search first, then tracked metrics). */
export function joinCsvColumns(a: CsvExtraColumns | undefined, b: CsvExtraColumns | undefined): CsvExtraColumns | undefined {
  if (!a) return b;
  if (!b) return a;
  return { names: [...a.names, ...b.names], cells: (r) => [...a.cells(r), ...b.cells(r)] };
}
