/**
 * The per-node table printed after a test's report on clusters and replica sets, and the
 * imbalance warning. Not part of valkey-benchmark's layout: it comes after its Summary block.
 */
import type { Imbalance, NodeResult } from "../metrics/node-results.ts";
import type { TestResult } from "../metrics/types.ts";
import { formatFixed } from "./printf.ts";

export function nodeResultsOf(r: TestResult): { nodes: NodeResult[]; imbalance?: Imbalance; redirects?: Record<string, number>; retried?: Record<string, number> } | undefined {
  const extra = r.extra as { nodes?: NodeResult[]; imbalance?: Imbalance; redirects?: Record<string, number>; retried?: Record<string, number> } | undefined;
  if (!extra?.nodes) return undefined;
  return { nodes: extra.nodes, imbalance: extra.imbalance, redirects: extra.redirects, retried: extra.retried };
}

export function formatNodeTable(r: TestResult, thresholdPct: number): string {
  const info = nodeResultsOf(r);
  if (!info) return "";
  const header = ["node", "role", "az", "requests", "errors", "redirects", "rps", "p50 ms", "p99 ms"];
  const rows = info.nodes.map((n) => [
    n.address,
    n.role,
    n.az ?? "-",
    String(n.completed + n.errors),
    String(n.errors),
    String(n.redirects),
    formatFixed(n.throughput, 2),
    formatFixed(n.p50Ms, 3),
    formatFixed(n.p99Ms, 3),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => "  " + cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  const out = ["Per node:", line(header), ...rows.map(line)];
  if (info.redirects) out.push(`  redirects followed: ${Object.entries(info.redirects).map(([k, v]) => `${k}: ${v}`).join(", ")}`);
  if (info.retried) out.push(`  answered after a retry: ${Object.entries(info.retried).map(([k, v]) => `${k}: ${v}`).join(", ")}`);
  const im = info.imbalance;
  if (im) {
    const ratio = Number.isFinite(im.maxMinRatio) ? formatFixed(im.maxMinRatio, 2) : "inf";
    out.push(`  imbalance (${im.basis ?? "requests per node"}): max/min ${ratio}, max deviation from mean ${formatFixed(im.maxDeviationPct, 1)}%`);
    if (im.warning) out.push(`  WARNING: node imbalance above ${thresholdPct}% (--imbalance-threshold); results are skewed by the busiest node`);
  }
  return out.join("\n") + "\n\n";
}
