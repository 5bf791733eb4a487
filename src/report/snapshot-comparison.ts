/**
 * --compare-snapshot in the text report: per metric and per node, the earlier run's value, this
 * run's, and the change (src/metrics/snapshot-file.ts computes it), then the nodes that appeared
 * or vanished.
 */
import type { NodeChange, SnapshotComparison } from "../metrics/snapshot-file.ts";
import { formatFixed } from "./printf.ts";
import { formatBytes, formatNumber } from "./tracked-metrics.ts";

function cells(metric: string, c: NodeChange): string[] {
  const bytes = /memory|_bytes/.test(metric);
  const v = (x: number | undefined, signed = false) => (x === undefined ? "-" : bytes ? formatBytes(x, signed) : `${signed && x >= 0 ? "+" : ""}${formatNumber(x)}`);
  const pct = c.changePct === undefined ? "" : `${c.changePct >= 0 ? "+" : ""}${formatFixed(c.changePct, 1)}%`;
  const label = c.previousAddress ? `${c.address} (was ${c.previousAddress})` : c.address;
  return [label, v(c.before), v(c.after), v(c.change, true), pct];
}

export function formatSnapshotComparison(c: SnapshotComparison): string {
  const rows: string[][] = [["metric", "node", "then", "now", "change", "%"]];
  for (const m of c.metrics) {
    for (const n of m.nodes) rows.push([m.metric, ...cells(m.metric, n)]);
    if (m.total) rows.push([m.metric, ...cells(m.metric, m.total)]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = [`Compared with ${c.file} (taken ${c.takenAt}):`];
  for (const r of rows) lines.push(`  ${r.map((cell, i) => (i >= 2 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join("  ").trimEnd()}`);
  if (c.appeared.length > 0) lines.push(`  appeared since then: ${c.appeared.join(", ")}`);
  if (c.vanished.length > 0) lines.push(`  vanished since then: ${c.vanished.join(", ")}`);
  return lines.join("\n") + "\n\n";
}
