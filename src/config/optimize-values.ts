/**
 * The grammar of the optimizer's flags (--objective, --constraint, --tune, --sweep) as valibot
 * schemas from flag text to typed values, and the types the optimizer (src/optimize/) reads.
 * Latency bounds are kept in milliseconds whatever unit the user typed.
 */
import * as v from "valibot";
import type { TextSchema } from "./text-schema.ts";

/** What a trial can vary. The last two shape the index and need --tune-rebuild. */
export const TUNABLES = ["ef_search", "clients", "pipeline", "threads", "m", "ef_construction"] as const;
export type Tunable = (typeof TUNABLES)[number];
/** Parameters of FT.CREATE: each value re-creates the index. */
export const BUILD_TUNABLES: readonly Tunable[] = ["m", "ef_construction"];

export const OBJECTIVES = ["maximize:qps", "minimize:p99", "minimize:ef_search"] as const;
export type Objective = (typeof OBJECTIVES)[number];

export type ConstraintMetric = "recall" | "qps" | "p50" | "p99" | "p999";

export interface Constraint {
  metric: ConstraintMetric;
  op: ">=" | "<=";
  /** Recall 0..1, QPS in requests/s, latencies in ms. */
  value: number;
  /** As the user typed it, for messages (`p99<=5ms`). */
  text: string;
}

/** One tuned parameter: the candidate values, sorted ascending, distinct. */
export interface TuneAxis {
  name: Tunable;
  values: number[];
  /** `lo..hi` (every whole number in between) or an explicit list. */
  kind: "range" | "list";
  text: string;
}

export interface OptimizeOptions {
  /** --optimize searches; --sweep measures every point of the grid. */
  mode: "optimize" | "sweep";
  objective: Objective;
  constraints: Constraint[];
  axes: TuneAxis[];
  maxIterations: number;
  /** Relative QPS (and p99) difference treated as noise. */
  tolerance: number;
  /** --tune-rebuild: m / ef_construction may be tuned (each value rebuilds the index). */
  rebuild: boolean;
}

/** Largest number of values one range may expand to (a bigger one is a typo). */
export const MAX_RANGE_VALUES = 1_000_000;

const CONSTRAINT = /^\s*(recall|qps|p50|p99|p99\.9|p999)\s*(>=|<=)\s*(\d+\.?\d*|\.\d+)\s*(ms|us|µs|s)?\s*$/i;

function constraintFromText(text: string): Constraint | string {
  const m = CONSTRAINT.exec(text);
  if (!m) return "must be METRIC>=VALUE or METRIC<=VALUE with METRIC recall, qps, p50, p99 or p999, like recall>=0.95 or p99<=5ms";
  const metric = (m[1]!.toLowerCase() === "p99.9" ? "p999" : m[1]!.toLowerCase()) as ConstraintMetric;
  const op = m[2] as ">=" | "<=";
  let value = Number(m[3]);
  const unit = m[4]?.toLowerCase();
  const latency = metric === "p50" || metric === "p99" || metric === "p999";
  if (latency) {
    if (op !== "<=") return `${metric} is a latency: bound it from above, like ${metric}<=5ms`;
    value = unit === "s" ? value * 1000 : unit === "us" || unit === "µs" ? value / 1000 : value;
    if (value <= 0) return "must bound latency by a positive time";
  } else {
    if (unit !== undefined) return `${metric} takes no unit`;
    if (op !== ">=") return `${metric} is a floor: write ${metric}>=VALUE`;
    if (metric === "recall" && value > 1) return "recall is between 0 and 1, like recall>=0.95";
  }
  return { metric, op, value, text: text.trim() };
}

/** `--constraint recall>=0.95`, `p99<=5ms` (ms by default; us and s accepted), `qps>=10000`. */
export const constraintText: TextSchema<Constraint> = v.pipe(
  v.string(),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const c = constraintFromText(dataset.value);
    if (typeof c === "string") {
      addIssue({ message: c });
      return NEVER;
    }
    return c;
  }),
);

export const objectiveText: TextSchema<Objective> = v.pipe(
  v.string(),
  v.transform((t) => t.trim().toLowerCase().replace(/p99\.9/, "p999")),
  v.picklist(OBJECTIVES, `must be one of ${OBJECTIVES.join(", ")}`),
) as TextSchema<Objective>;

function axisValues(name: Tunable, body: string, separator: ":" | "="): Omit<TuneAxis, "name" | "text"> | string {
  const range = /^(\d+)\s*\.\.\s*(\d+)$/.exec(body);
  if (range) {
    const lo = Number(range[1]);
    const hi = Number(range[2]);
    if (lo < 1 || hi < lo) return `range ${body} must be LOW..HIGH with 1 <= LOW <= HIGH`;
    if (hi - lo + 1 > MAX_RANGE_VALUES) return `range ${body} has more than ${MAX_RANGE_VALUES} values`;
    return { kind: "range", values: Array.from({ length: hi - lo + 1 }, (_, i) => lo + i) };
  }
  if (!/^\d+(\s*,\s*\d+)*$/.test(body)) return `must be ${name}${separator}LOW..HIGH or ${name}${separator}A,B,C with whole numbers`;
  const values = [...new Set(body.split(",").map((s) => Number(s.trim())))].sort((a, b) => a - b);
  if (values[0]! < 1) return "values must be at least 1";
  return { kind: "list", values };
}

function axisFromText(text: string, separator: ":" | "="): TuneAxis | string {
  const at = text.indexOf(separator);
  const example = separator === ":" ? "ef_search:10..500 or clients:1,8,32" : "ef_search=10,20,40";
  if (at < 0) return `must be NAME${separator}VALUES, like ${example}`;
  const name = text.slice(0, at).trim().toLowerCase().replace(/-/g, "_") as Tunable;
  if (!TUNABLES.includes(name)) return `cannot tune '${text.slice(0, at).trim()}': tunable are ${TUNABLES.join(", ")}`;
  const parsed = axisValues(name, text.slice(at + 1).trim(), separator);
  if (typeof parsed === "string") return parsed;
  return { name, ...parsed, text: text.trim() };
}

function axisSchema(separator: ":" | "="): TextSchema<TuneAxis> {
  return v.pipe(
    v.string(),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const a = axisFromText(dataset.value, separator);
      if (typeof a === "string") {
        addIssue({ message: a });
        return NEVER;
      }
      return a;
    }),
  );
}

/** `--tune ef_search:10..1000`, `--tune clients:1,8,32`. */
export const tuneText: TextSchema<TuneAxis> = axisSchema(":");
/** `--sweep ef_search=10,20,40` (a range is allowed too, every value is measured). */
export const sweepText: TextSchema<TuneAxis> = axisSchema("=");

/** `--tolerance 0.04`: strictly between 0 and 1. */
export const toleranceText: TextSchema<number> = v.pipe(
  v.string(),
  v.regex(/^(0?\.\d+|0)$/, "must be a fraction between 0 and 1, like 0.04"),
  v.transform(Number),
  v.check((x) => x > 0 && x < 1, "must be a fraction between 0 and 1, like 0.04"),
);
