/**
 * What one trial measured, and a setting's measurements combined over its repeats. Pure data:
 * the search logic (search.ts, sweep.ts) only sees these, never the engine, so it is tested
 * against synthetic response surfaces.
 */
import type { Constraint, Tunable } from "../config/optimize-values.ts";

/** Values of the tuned parameters for one trial (absent = the run's own value). */
export type Setting = Partial<Record<Tunable, number>>;

/** The numbers a trial produced. `failed` holds the reason a trial cannot be chosen. */
export interface Measurement {
  qps: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  /** Mean recall@k over the whole query set (vector tests only). */
  recall?: number;
  errors: number;
  failed?: string;
}

/** A setting's trials combined: means, with the spread of QPS and p99 over repeats. */
export interface Aggregate {
  key: string;
  setting: Setting;
  runs: number;
  qps: number;
  qpsMin: number;
  qpsMax: number;
  p50Ms: number;
  p99Ms: number;
  p99MinMs: number;
  p99MaxMs: number;
  p999Ms: number;
  recall?: number;
  errors: number;
  /** Set when any repeat failed: the setting is never chosen. */
  failed?: string;
}

/** Parameters in the order they are printed and compared for cost (cheapest first). */
export const SETTING_ORDER: readonly Tunable[] = ["m", "ef_construction", "ef_search", "clients", "pipeline", "threads"];

export function settingKey(s: Setting): string {
  return SETTING_ORDER.filter((n) => s[n] !== undefined)
    .map((n) => `${n}=${s[n]}`)
    .join(" ");
}

/** `ef_search=25 clients=2` (or "base" when nothing is tuned). */
export function describeSetting(s: Setting): string {
  return settingKey(s) || "base";
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

export function aggregate(setting: Setting, runs: Measurement[]): Aggregate {
  const ok = runs.filter((r) => r.failed === undefined);
  const use = ok.length > 0 ? ok : runs;
  const recalls = use.map((r) => r.recall).filter((r): r is number => r !== undefined);
  const a: Aggregate = {
    key: settingKey(setting),
    setting,
    runs: runs.length,
    qps: mean(use.map((r) => r.qps)),
    qpsMin: Math.min(...use.map((r) => r.qps)),
    qpsMax: Math.max(...use.map((r) => r.qps)),
    p50Ms: mean(use.map((r) => r.p50Ms)),
    p99Ms: mean(use.map((r) => r.p99Ms)),
    p99MinMs: Math.min(...use.map((r) => r.p99Ms)),
    p99MaxMs: Math.max(...use.map((r) => r.p99Ms)),
    p999Ms: mean(use.map((r) => r.p999Ms)),
    errors: runs.reduce((n, r) => n + r.errors, 0),
  };
  if (recalls.length > 0) a.recall = mean(recalls);
  const failed = runs.find((r) => r.failed !== undefined);
  if (failed) a.failed = failed.failed;
  return a;
}

function metricOf(a: Aggregate, c: Constraint): number | undefined {
  switch (c.metric) {
    case "recall":
      return a.recall;
    case "qps":
      return a.qps;
    case "p50":
      return a.p50Ms;
    case "p99":
      return a.p99Ms;
    case "p999":
      return a.p999Ms;
  }
}

/**
 * Slack for floating-point sums: a mean recall of 0.9 over many queries may add up to
 * 0.8999999999999999, which meets recall>=0.9.
 */
const EPSILON = 1e-9;

/** The constraints `a` misses (an unmeasured metric counts as missed). */
export function violations(a: Aggregate, constraints: readonly Constraint[]): Constraint[] {
  return constraints.filter((c) => {
    const x = metricOf(a, c);
    if (x === undefined || !Number.isFinite(x)) return true;
    return c.op === ">=" ? x < c.value - EPSILON * Math.max(1, Math.abs(c.value)) : x > c.value + EPSILON * Math.max(1, Math.abs(c.value));
  });
}

export function isFeasible(a: Aggregate, constraints: readonly Constraint[]): boolean {
  return a.failed === undefined && violations(a, constraints).length === 0;
}

/** How far `a` is from meeting every constraint: the sum of relative misses (0 = feasible). */
export function shortfall(a: Aggregate, constraints: readonly Constraint[]): number {
  if (a.failed !== undefined) return Infinity;
  let s = 0;
  for (const c of violations(a, constraints)) {
    const x = metricOf(a, c);
    if (x === undefined || !Number.isFinite(x)) return Infinity;
    s += Math.abs(x - c.value) / Math.max(Math.abs(c.value), 1e-9);
  }
  return s;
}

/** `recall 0.930 (needs >= 0.95)`, `p99 8.10 ms (needs <= 5 ms)`. */
export function describeMiss(a: Aggregate, c: Constraint): string {
  const x = metricOf(a, c);
  const shown = x === undefined || !Number.isFinite(x) ? "not measured" : c.metric === "recall" ? x.toFixed(4) : c.metric === "qps" ? x.toFixed(0) : `${x.toFixed(3)} ms`;
  const bound = c.metric === "recall" ? String(c.value) : c.metric === "qps" ? String(c.value) : `${c.value} ms`;
  return `${c.metric} ${shown} (needs ${c.op} ${bound})`;
}
