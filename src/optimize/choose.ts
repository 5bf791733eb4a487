/**
 * Choosing among measured settings: by the objective, with differences inside --tolerance
 * treated as noise (the cheaper setting wins), and the closest setting when none is feasible.
 */
import type { Constraint, Objective } from "../config/optimize-values.ts";
import { SETTING_ORDER, shortfall, type Aggregate } from "./trial.ts";

/** Cheaper first: smaller m, ef_construction, ef_search, clients, pipeline, threads (in that order). */
export function compareCost(a: Aggregate, b: Aggregate): number {
  for (const n of SETTING_ORDER) {
    const d = (a.setting[n] ?? 0) - (b.setting[n] ?? 0);
    if (d !== 0) return d;
  }
  return a.p99Ms - b.p99Ms;
}

/**
 * The settings as good as the best within `tolerance` for the objective:
 * - maximize:qps: QPS >= best / (1 + tolerance);
 * - minimize:p99: p99 <= best * (1 + tolerance);
 * - minimize:ef_search: the smallest ef_search, then as maximize:qps among those.
 */
export function nearBest(cands: readonly Aggregate[], objective: Objective, tolerance: number): Aggregate[] {
  if (cands.length === 0) return [];
  if (objective === "minimize:ef_search") {
    const minEf = Math.min(...cands.map((a) => a.setting.ef_search ?? Infinity));
    return nearBest(
      cands.filter((a) => (a.setting.ef_search ?? Infinity) === minEf),
      "maximize:qps",
      tolerance,
    );
  }
  if (objective === "minimize:p99") {
    const low = Math.min(...cands.map((a) => a.p99Ms));
    return cands.filter((a) => a.p99Ms <= low * (1 + tolerance));
  }
  const top = Math.max(...cands.map((a) => a.qps));
  return cands.filter((a) => a.qps >= top / (1 + tolerance));
}

/** The chosen setting among `cands` (all assumed feasible). */
export function pickBest(cands: readonly Aggregate[], objective: Objective, tolerance: number): Aggregate | undefined {
  const near = nearBest(cands, objective, tolerance);
  if (near.length === 0) return undefined;
  if (objective === "minimize:p99") return [...near].sort((a, b) => b.qps - a.qps || compareCost(a, b))[0];
  // Within tolerance of the best QPS the cheapest setting wins: the knee, not the noise peak.
  return [...near].sort(compareCost)[0];
}

/** The setting that misses the constraints by the least (failed trials are never closest). */
export function closest(all: readonly Aggregate[], constraints: readonly Constraint[]): Aggregate | undefined {
  let best: Aggregate | undefined;
  let bestShort = Infinity;
  for (const a of all) {
    const s = shortfall(a, constraints);
    if (s < bestShort || (s === bestShort && best !== undefined && a.qps > best.qps)) {
      best = a;
      bestShort = s;
    }
  }
  return best;
}
