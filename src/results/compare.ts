/**
 * `compare base.json new.json [--max-regression throughput=5%,p99=10%,recall=0.005]`: a
 * regression gate. Per test (matched by title, or by workload when only ef= differs: pairTests):
 * throughput, latency percentiles and recall of both runs, the change, and a verdict against the
 * limits. Latency comes from each test's full HdrHistogram (the merge of every worker's), never
 * from averaged percentiles.
 *
 * Exit codes (decided by the caller): 0 no limit crossed, 1 a limit crossed, 2 the files cannot
 * be compared (a UserError naming what differs: tests, dataset).
 */
import { UserError } from "../errors.ts";
import { decodeHistogram } from "../metrics/histogram.ts";
import type { JsonTestReport } from "../report/json.ts";
import { latencyStats } from "../report/latency-stats.ts";
import { configTable } from "../report/config-diff.ts";
import { datasetOf, recallOf, type RunFile } from "./run-file.ts";

export type MetricName = "throughput" | "p50" | "p90" | "p95" | "p99" | "p99.9" | "p99.99" | "max" | "mean" | "recall";

interface MetricInfo {
  unit: string;
  /** +1: higher is better (throughput, recall); -1: lower is better (latency). */
  better: 1 | -1;
}

const METRICS: Record<MetricName, MetricInfo> = {
  throughput: { unit: "req/s", better: 1 },
  p50: { unit: "ms", better: -1 },
  p90: { unit: "ms", better: -1 },
  p95: { unit: "ms", better: -1 },
  p99: { unit: "ms", better: -1 },
  "p99.9": { unit: "ms", better: -1 },
  "p99.99": { unit: "ms", better: -1 },
  max: { unit: "ms", better: -1 },
  mean: { unit: "ms", better: -1 },
  recall: { unit: "", better: 1 },
};

/** Shown for every test even without a limit. */
const ALWAYS_SHOWN: MetricName[] = ["throughput", "p50", "p99", "p99.9", "recall"];

export interface Limit {
  metric: MetricName;
  /** relative: a fraction of the base (5% -> 0.05); absolute: in the metric's unit. */
  kind: "relative" | "absolute";
  value: number;
  text: string;
}

export const DEFAULT_MAX_REGRESSION = "throughput=5%,p99=10%,recall=0.005";

/** `throughput=5%,p99=10%,p99.9=2ms,recall=0.005` -> limits; bad text is a UserError. */
export function parseLimits(text: string, flag = "--max-regression"): Limit[] {
  const limits: Limit[] = [];
  for (const item of text.split(",").map((s) => s.trim()).filter((s) => s !== "")) {
    const m = /^([a-z0-9.]+)=(\d+\.?\d*|\.\d+)(%|ms|req\/s)?$/i.exec(item);
    const name = m?.[1]?.toLowerCase() as MetricName | undefined;
    if (!m || !name || !(name in METRICS)) {
      throw new UserError(`${flag} ${item} is invalid; expected METRIC=LIMIT with METRIC one of ${Object.keys(METRICS).join(", ")} and LIMIT like 5% or 0.5 (e.g. throughput=5%,p99=10%,recall=0.005)`);
    }
    const suffix = m[3]?.toLowerCase();
    const info = METRICS[name];
    if (suffix && suffix !== "%" && suffix !== info.unit) throw new UserError(`${flag} ${item}: ${name} is in ${info.unit || "a fraction"}, not ${suffix}`);
    const n = Number(m[2]);
    limits.push({ metric: name, kind: suffix === "%" ? "relative" : "absolute", value: suffix === "%" ? n / 100 : n, text: item });
  }
  if (limits.length === 0) throw new UserError(`${flag} is empty; give limits like ${DEFAULT_MAX_REGRESSION}`);
  return limits;
}

/** With a limit: ok / REGRESSION (or better); without one: better / worse / same. */
export type Verdict = "ok" | "REGRESSION" | "better" | "worse" | "same" | "n/a";

export interface MetricRow {
  metric: MetricName;
  unit: string;
  base: number | null;
  new: number | null;
  /** (new - base) / base; null when either is missing or base is 0. */
  change: number | null;
  limit?: string;
  verdict: Verdict;
}

export interface TestComparison {
  /** The base run's title (the new run's too, unless newTitle says otherwise). */
  title: string;
  /** The new run's title when the test was paired by workload (only its ef= differs). */
  newTitle?: string;
  rows: MetricRow[];
}

export interface Comparison {
  base: string;
  new: string;
  tests: TestComparison[];
  /** Configuration paths that differ (information; seeds and output paths excluded). */
  configDifferences: { path: string; base: string; new: string }[];
  regressions: number;
}

function metricValues(t: JsonTestReport): Partial<Record<MetricName, number>> {
  const out: Partial<Record<MetricName, number>> = { throughput: t.throughput };
  const h = decodeHistogram(t.histogram);
  try {
    const s = latencyStats(h);
    if (s.count > 0) {
      Object.assign(out, { p50: s.p50, p90: s.p90, p95: s.p95, p99: s.p99, "p99.9": s.p99_9, "p99.99": s.p99_99, max: s.max, mean: s.mean });
      for (const k of ["p50", "p90", "p95", "p99", "p99.9", "p99.99", "max", "mean"] as const) out[k] = out[k]! / 1000;
    }
  } finally {
    h.destroy();
  }
  const recall = recallOf(t);
  if (recall) out.recall = recall.mean;
  return out;
}

/** Is `newValue` worse than `base` by more than the limit? */
function crosses(limit: Limit, info: MetricInfo, base: number, newValue: number): boolean {
  const worse = (newValue - base) * -info.better; // > 0 when new is worse
  if (limit.kind === "absolute") return worse > limit.value + 1e-12;
  if (base === 0) return worse > 0;
  return worse / Math.abs(base) > limit.value + 1e-12;
}

const IGNORED_CONFIG = /^(seed|outputFile|outputFormat|hdrLogFile|shard\.index)$/;

/**
 * A test's workload without its tuning parameters: `VEC-QUERY (k=10, ef=64)` ->
 * `VEC-QUERY (k=10)`. The titles come from search/plan.ts (queryTitle); `ef=` (--ef-search)
 * changes how hard the server searches, not what is searched, so runs at ef 64 and ef 128 of
 * the same queries are one workload. `k=` and `filtered` change what is measured and stay.
 */
export function workloadOf(title: string): string {
  const m = /^(.*?) \((.*)\)$/.exec(title);
  if (!m) return title;
  const details = m[2]!.split(", ").filter((d) => !TUNING_IN_TITLE.test(d));
  return details.length > 0 ? `${m[1]} (${details.join(", ")})` : m[1]!;
}

const TUNING_IN_TITLE = /^ef=\d+$/;

/**
 * The tests of both runs, paired: by title first (every base test with the first new test of
 * its title, as always); then the tests left over on both sides by workload (workloadOf), when
 * each side has exactly one title of that workload (under --loop a title repeats: every base
 * round is paired with the new run's first, as for equal titles). Anything still unpaired: the
 * runs ran different tests (a UserError naming both lists).
 */
export function pairTests(base: RunFile, next: RunFile): [JsonTestReport, JsonTestReport][] {
  const baseTitles = base.report.tests.map((t) => t.title);
  const newTitles = next.report.tests.map((t) => t.title);
  const leftBase = base.report.tests.filter((t) => !newTitles.includes(t.title));
  const leftNew = next.report.tests.filter((t) => !baseTitles.includes(t.title));
  const byWorkload = new Map<JsonTestReport, JsonTestReport>();
  for (const bt of leftBase) {
    const w = workloadOf(bt.title);
    const sameBase = new Set(leftBase.filter((t) => workloadOf(t.title) === w).map((t) => t.title));
    const sameNew = leftNew.filter((t) => workloadOf(t.title) === w);
    if (sameBase.size === 1 && new Set(sameNew.map((t) => t.title)).size === 1) byWorkload.set(bt, sameNew[0]!);
  }
  const paired = new Set([...byWorkload.values()].map((t) => t.title));
  const missing = leftBase.filter((t) => !byWorkload.has(t)).map((t) => t.title);
  const added = leftNew.filter((t) => !paired.has(t.title)).map((t) => t.title);
  if (missing.length > 0 || added.length > 0) {
    throw new UserError(
      `${base.path} and ${next.path} ran different tests (${base.path}: ${baseTitles.join(", ") || "none"}; ${next.path}: ${newTitles.join(", ") || "none"}); compare runs of the same tests (titles may differ only in ef=, with one such test per run)`,
    );
  }
  return base.report.tests.map((bt) => [bt, byWorkload.get(bt) ?? next.report.tests.find((t) => t.title === bt.title)!]);
}

export function compareRuns(base: RunFile, next: RunFile, limits: Limit[]): Comparison {
  const pairs = pairTests(base, next);
  const dBase = datasetOf(base.report);
  const dNew = datasetOf(next.report);
  if (dBase !== dNew) {
    throw new UserError(`${base.path} and ${next.path} used different datasets (${dBase ?? "none"} vs ${dNew ?? "none"}); compare runs on the same dataset`);
  }
  const byMetric = new Map(limits.map((l) => [l.metric, l]));
  const shown = [...ALWAYS_SHOWN, ...limits.map((l) => l.metric).filter((m) => !ALWAYS_SHOWN.includes(m))];
  let regressions = 0;
  const tests = pairs.map(([bt, nt]): TestComparison => {
    const bv = metricValues(bt);
    const nv = metricValues(nt);
    const rows: MetricRow[] = [];
    for (const metric of shown) {
      const info = METRICS[metric];
      const b = bv[metric] ?? null;
      const n = nv[metric] ?? null;
      if (b === null && n === null) continue; // recall of a key-value test
      const limit = byMetric.get(metric);
      let verdict: Verdict = "n/a";
      if (b !== null && n !== null) {
        const direction = Math.abs(n - b) <= 1e-9 ? 0 : Math.sign((n - b) * info.better);
        if (limit && crosses(limit, info, b, n)) verdict = "REGRESSION";
        else if (direction > 0) verdict = "better";
        else verdict = limit ? "ok" : direction < 0 ? "worse" : "same";
      } else if (limit) {
        verdict = "REGRESSION"; // the metric vanished (no replies, no recall): not a pass
      }
      if (verdict === "REGRESSION") regressions++;
      rows.push({ metric, unit: info.unit, base: b, new: n, change: b !== null && n !== null && b !== 0 ? (n - b) / b : null, limit: limit?.text, verdict });
    }
    return nt.title === bt.title ? { title: bt.title, rows } : { title: bt.title, newTitle: nt.title, rows };
  });
  const configDifferences = configTable([base.report.config, next.report.config])
    .filter((r) => r.differs && !IGNORED_CONFIG.test(r.path))
    .map((r) => ({ path: r.path, base: r.values[0]!, new: r.values[1]! }));
  return { base: base.path, new: next.path, tests, configDifferences, regressions };
}

function formatValue(v: number | null, unit: string): string {
  if (v === null) return "-";
  if (unit === "req/s") return v.toFixed(2);
  if (unit === "ms") return v.toFixed(3);
  return v.toFixed(4);
}

/** The comparison as text tables, one per test. */
export function formatComparison(c: Comparison): string {
  const out: string[] = [`base: ${c.base}`, `new:  ${c.new}`, ""];
  for (const t of c.tests) {
    out.push(t.newTitle === undefined ? `== ${t.title}` : `== ${t.title} vs ${t.newTitle} (same workload; the configuration differences below say how they were run)`);
    const rows = [["metric", "base", "new", "change", "limit", "verdict"]];
    for (const r of t.rows) {
      const change = r.change === null ? "-" : `${r.change >= 0 ? "+" : ""}${(r.change * 100).toFixed(2)}%`;
      rows.push([r.unit ? `${r.metric} (${r.unit})` : r.metric, formatValue(r.base, r.unit), formatValue(r.new, r.unit), change, r.limit ?? "-", r.verdict]);
    }
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
    for (const row of rows) out.push(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ").trimEnd());
    out.push("");
  }
  if (c.configDifferences.length > 0) {
    out.push("configuration differences (information):");
    for (const d of c.configDifferences) out.push(`  ${d.path}: ${d.base || "(unset)"} -> ${d.new || "(unset)"}`);
    out.push("");
  }
  out.push(c.regressions === 0 ? "verdict: no regression beyond the limits" : `verdict: ${c.regressions} regression${c.regressions === 1 ? "" : "s"} beyond the limits`);
  return out.join("\n") + "\n";
}
