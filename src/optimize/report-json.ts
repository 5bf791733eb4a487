/**
 * The optimizer's JSON document (`"kind": "optimize"`, documented in docs/optimizer.md): the
 * search's inputs, every trial in the order run with its full test result (the same object as a
 * normal report's `tests[]` entry, histogram included), every setting combined over repeats,
 * the builds, the Pareto front, the choice and the reproducing command line.
 */
import type { Constraint, Objective, OptimizeOptions, Tunable } from "../config/optimize-values.ts";
import type { BenchConfig } from "../config/types.ts";
import type { JsonTestReport } from "../report/json.ts";
import { configSecrets, redactConfig, redactValue } from "../report/redact.ts";
import type { BuildRecord } from "./engine-trials.ts";
import type { FrontAxes } from "./pareto.ts";
import type { SearchOutcome } from "./search.ts";
import type { TrialRecord } from "./session.ts";
import { describeMiss, isFeasible, violations, type Aggregate, type Setting } from "./trial.ts";

export const OPTIMIZE_SCHEMA_VERSION = 1;

export interface JsonTrial {
  index: number;
  phase: string;
  setting: Setting;
  /** Why the trial cannot be chosen (errors, lost connections, no recall), or null. */
  failed: string | null;
  /** The constraints this trial alone misses, as typed (`p99<=5ms`). */
  misses: string[];
  qps: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  recall: number | null;
  errors: number;
  /** The full test result, as in a normal report's tests[] (null when the trial could not run). */
  result: JsonTestReport | null;
}

export interface JsonSetting {
  key: string;
  setting: Setting;
  runs: number;
  /** Trial indices of this setting. */
  trials: number[];
  qps: { mean: number; min: number; max: number };
  p50Ms: number;
  p99Ms: { mean: number; min: number; max: number };
  p999Ms: number;
  recall: number | null;
  errors: number;
  failed: string | null;
  feasible: boolean;
  /** What it misses, with its values (`p99 8.100 ms (needs <= 5 ms)`). */
  misses: string[];
}

export interface OptimizeReport {
  tool: "valkey-search-benchmark";
  kind: "optimize";
  version: string;
  schemaVersion: number;
  startedAt: string;
  finishedAt: string;
  wallSec: number;
  units: { latency: "ms"; histogram: "us"; throughput: "requests/s"; duration: "s"; memory: "bytes" };
  mode: "optimize" | "sweep";
  objective: Objective;
  tolerance: number;
  maxIterations: number;
  constraints: Constraint[];
  /** Ranges as lo..hi (values not listed), lists with their values. */
  axes: { name: Tunable; kind: "range" | "list"; text: string; min: number; max: number; values: number[] | null }[];
  test: string;
  /** How long each trial ran, e.g. "1000 requests, warmup 100r". */
  trialLength: string;
  /** Grid points a full sweep over the same values needs (the optimizer's cost comparison). */
  gridPoints: number;
  /** "met": a setting meets every constraint; "unmet": none does (closest given); "failed": nothing measurable. */
  outcome: "met" | "unmet" | "failed";
  stopped: SearchOutcome["stopped"] | null;
  notes: string[];
  load: JsonTestReport | null;
  builds: { setting: Setting; buildSec: number; numDocs: number; indexMemoryBytes: number | null; beforeTrial: number }[];
  trials: JsonTrial[];
  settings: JsonSetting[];
  frontAxes: FrontAxes;
  /** Setting keys on the Pareto front, in front order. */
  paretoFront: string[];
  chosen: JsonSetting | null;
  closest: JsonSetting | null;
  /** The command line that reproduces the chosen (else the closest) setting as an ordinary run. */
  reproduce: string | null;
  config: BenchConfig;
}

function round(x: number, d: number): number {
  const f = 10 ** d;
  return Number.isFinite(x) ? Math.round(x * f) / f : 0;
}

export function jsonSetting(a: Aggregate, constraints: readonly Constraint[], trials: readonly TrialRecord[]): JsonSetting {
  return {
    key: a.key,
    setting: a.setting,
    runs: a.runs,
    trials: trials.filter((t) => sameSetting(t.setting, a.setting)).map((t) => t.index),
    qps: { mean: round(a.qps, 2), min: round(a.qpsMin, 2), max: round(a.qpsMax, 2) },
    p50Ms: round(a.p50Ms, 3),
    p99Ms: { mean: round(a.p99Ms, 3), min: round(a.p99MinMs, 3), max: round(a.p99MaxMs, 3) },
    p999Ms: round(a.p999Ms, 3),
    recall: a.recall === undefined ? null : round(a.recall, 6),
    errors: a.errors,
    failed: a.failed ?? null,
    feasible: isFeasible(a, constraints),
    misses: violations(a, constraints).map((c) => describeMiss(a, c)),
  };
}

function sameSetting(a: Setting, b: Setting): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as Tunable[]);
  for (const k of keys) if (a[k] !== b[k]) return false;
  return true;
}

/** The run's configuration without its optimizer options (given at the top, ranges unexpanded). */
function withoutOptimize(c: BenchConfig): BenchConfig {
  const { optimize: _, ...rest } = c;
  return rest;
}

export interface ReportInput {
  options: OptimizeOptions;
  config: BenchConfig;
  version: string;
  startedAt: Date;
  finishedAt: Date;
  test: string;
  trialLength: string;
  gridPoints: number;
  trials: readonly TrialRecord[];
  aggregates: readonly Aggregate[];
  outcome: SearchOutcome;
  builds: readonly BuildRecord[];
  load?: JsonTestReport;
  frontAxes: FrontAxes;
  front: readonly Aggregate[];
  reproduce?: string;
}

export function buildOptimizeReport(x: ReportInput): OptimizeReport {
  const cs = x.options.constraints;
  const report: OptimizeReport = {
    tool: "valkey-search-benchmark",
    kind: "optimize",
    version: x.version,
    schemaVersion: OPTIMIZE_SCHEMA_VERSION,
    startedAt: x.startedAt.toISOString(),
    finishedAt: x.finishedAt.toISOString(),
    wallSec: round((x.finishedAt.getTime() - x.startedAt.getTime()) / 1000, 3),
    units: { latency: "ms", histogram: "us", throughput: "requests/s", duration: "s", memory: "bytes" },
    mode: x.options.mode,
    objective: x.options.objective,
    tolerance: x.options.tolerance,
    maxIterations: x.options.maxIterations,
    constraints: [...cs],
    axes: x.options.axes.map((a) => ({ name: a.name, kind: a.kind, text: a.text, min: a.values[0]!, max: a.values[a.values.length - 1]!, values: a.kind === "list" ? a.values : null })),
    test: x.test,
    trialLength: x.trialLength,
    gridPoints: x.gridPoints,
    outcome: x.outcome.chosen ? "met" : x.outcome.closest ? "unmet" : "failed",
    stopped: x.outcome.stopped ?? null,
    notes: x.outcome.notes,
    load: x.load ?? null,
    builds: x.builds.map((b) => ({ setting: b.setting, buildSec: round(b.buildSec, 3), numDocs: b.numDocs, indexMemoryBytes: b.indexMemoryBytes ?? null, beforeTrial: b.beforeTrial })),
    trials: x.trials.map((t) => {
      const m = t.measurement;
      const single = { ...m, key: "", setting: t.setting, runs: 1, qpsMin: m.qps, qpsMax: m.qps, p99MinMs: m.p99Ms, p99MaxMs: m.p99Ms };
      return {
        index: t.index,
        phase: t.phase,
        setting: t.setting,
        failed: m.failed ?? null,
        misses: violations(single, cs).map((c) => c.text),
        qps: round(m.qps, 2),
        p50Ms: round(m.p50Ms, 3),
        p99Ms: round(m.p99Ms, 3),
        p999Ms: round(m.p999Ms, 3),
        recall: m.recall === undefined ? null : round(m.recall, 6),
        errors: m.errors,
        result: (t.detail as JsonTestReport | undefined) ?? null,
      };
    }),
    settings: x.aggregates.map((a) => jsonSetting(a, cs, x.trials)),
    frontAxes: x.frontAxes,
    paretoFront: x.front.map((a) => a.key),
    chosen: x.outcome.chosen ? jsonSetting(x.outcome.chosen, cs, x.trials) : null,
    closest: x.outcome.closest ? jsonSetting(x.outcome.closest, cs, x.trials) : null,
    reproduce: x.reproduce ?? null,
    config: redactConfig(withoutOptimize(x.config)),
  };
  return redactValue(report, configSecrets(x.config));
}
