/**
 * The Pareto front: settings no other setting beats on every axis at once. Vector tests: recall
 * (higher is better) against QPS (higher), the curve ann-benchmarks and VectorDBBench plot.
 * Key-value tests: QPS (higher) against p99 (lower). Failed settings are left out.
 */
import type { Aggregate } from "./trial.ts";

export type FrontAxes = "recall-qps" | "qps-p99";

function dominates(a: Aggregate, b: Aggregate, axes: FrontAxes): boolean {
  if (axes === "recall-qps") {
    const ar = a.recall ?? -Infinity;
    const br = b.recall ?? -Infinity;
    return ar >= br && a.qps >= b.qps && (ar > br || a.qps > b.qps);
  }
  return a.qps >= b.qps && a.p99Ms <= b.p99Ms && (a.qps > b.qps || a.p99Ms < b.p99Ms);
}

/** The front, sorted by the first axis ascending (recall, or QPS). */
export function paretoFront(all: readonly Aggregate[], axes: FrontAxes): Aggregate[] {
  const ok = all.filter((a) => a.failed === undefined && (axes === "qps-p99" || a.recall !== undefined));
  const front = ok.filter((a) => !ok.some((b) => b !== a && dominates(b, a, axes)));
  return front.sort((a, b) => (axes === "recall-qps" ? (a.recall ?? 0) - (b.recall ?? 0) || b.qps - a.qps : a.qps - b.qps));
}
