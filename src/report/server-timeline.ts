/**
 * --metrics-interval in the text report: each sampled rate's min/avg/max per node over the
 * test's intervals, and the intervals where a node deviated from the nodes of its role by more
 * than --imbalance-threshold (src/metrics/node-timeline.ts computes both).
 */
import type { TestResult } from "../metrics/types.ts";
import { formatFixed } from "./printf.ts";
import { serverMetricsOf } from "./server-metrics.ts";
import { formatBytes, formatNumber } from "./tracked-metrics.ts";

/** Flags listed before "... and N more". */
const MAX_FLAG_LINES = 10;

function value(metric: string, x: number): string {
  if (/memory/.test(metric)) return formatBytes(x);
  return formatNumber(x);
}

export function formatServerTimeline(r: TestResult, thresholdPct: number): string {
  const t = serverMetricsOf(r)?.timeline;
  if (!t) return "";
  const lines = [`Server timeline (every ${formatNumber(t.intervalSec)} s; min / avg / max per interval):`];
  for (const range of t.ranges) {
    if (range.nodes.length === 0) continue;
    lines.push(`  ${range.metric}${range.rate ? " (per second)" : ""}:`);
    const width = Math.max(...range.nodes.map((n) => n.address.length));
    for (const n of range.nodes) {
      lines.push(`    ${n.address.padEnd(width)}  ${n.role.padEnd(7)}  ${value(range.metric, n.min)} / ${value(range.metric, n.avg)} / ${value(range.metric, n.max)}  (${n.intervals} intervals)`);
    }
  }
  if (t.flags.length === 0) {
    lines.push(`  no node deviated more than ${formatNumber(thresholdPct)}% from the others of its role in any interval`);
  } else {
    lines.push(`  imbalance (more than ${formatNumber(thresholdPct)}% from the median of the node's role in the same interval):`);
    for (const f of t.flags.slice(0, MAX_FLAG_LINES)) {
      lines.push(`    ${f.address} ${f.metric} ${value(f.metric, f.value)} at ${formatFixed(f.atSec, 1)} s: ${f.deviationPct > 0 ? "+" : ""}${formatFixed(f.deviationPct, 1)}% vs median ${value(f.metric, f.median)}`);
    }
    if (t.flags.length > MAX_FLAG_LINES) lines.push(`    ... and ${t.flags.length - MAX_FLAG_LINES} more (all in the JSON report)`);
  }
  if (t.skippedSamples > 0) lines.push(`  ${t.skippedSamples} samples skipped: a node was still answering the previous one`);
  return lines.join("\n") + "\n\n";
}
