/**
 * What the `dataset` subcommands share: reading their flags (integers with the main flag table's
 * value schemas, src/config/value-schemas.ts), the dataset a subcommand reads, progress lines.
 */
import * as v from "valibot";
import { numericFilterText } from "../../config/value-schemas.ts";
import { type DatasetNumericRange, DISTANCE_METRICS, type DistanceMetric, type OpenDatasetOptions, type VectorDataset, type VectorDtype } from "../../dataset/index.ts";
import { UserError } from "../../dataset/errors.ts";
import type { NumericSpec, TagSpec } from "../../dataset/tools/generate.ts";
import { defaultWorkerCount } from "../../dataset/tools/ground-truth.ts";
import { checkNotAnInput, checkOutputTarget, type NamedPath } from "../../config/output-target.ts";
import { integerText } from "../../config/value-schemas.ts";

export type Args = Record<string, unknown>;

export function str(args: Args, name: string): string | undefined {
  const v = args[name];
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** An integer flag, read with the main flag table's schema (plain digits: no 1_000, no 1e3). */
export function int(args: Args, name: string, dflt: number, min = 0): number {
  const text = str(args, name);
  if (text === undefined) return dflt;
  const r = v.safeParse(integerText(min), text);
  if (!r.success) throw new UserError(`--${name} ${text} is invalid; it ${r.issues[0].message}`);
  return r.output;
}

export function fraction(args: Args, name: string): number | undefined {
  const v = str(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!(n >= 0 && n <= 1)) throw new UserError(`--${name} ${v} is invalid; expected a fraction in 0..1`);
  return n;
}

export function metricArg(args: Args, fallback?: DistanceMetric, context = ""): DistanceMetric {
  const v = str(args, "metric");
  if (v === undefined) {
    if (fallback) return fallback;
    throw new UserError(`no distance metric${context}; pass --metric L2, IP or COSINE`);
  }
  const m = v.toUpperCase() as DistanceMetric;
  if (!DISTANCE_METRICS.includes(m)) throw new UserError(`--metric ${v} is invalid; expected L2, IP or COSINE`);
  return m;
}

export function dtypeArg(args: Args): VectorDtype | undefined {
  const v = str(args, "dtype");
  if (v === undefined) return undefined;
  if (v !== "float32" && v !== "float16") throw new UserError(`--dtype ${v} is invalid; expected float32 or float16`);
  return v;
}

export function tagsArg(args: Args): TagSpec[] | undefined {
  const v = str(args, "tags");
  if (v === undefined) return undefined;
  return v.split(",").map((part) => {
    const i = part.lastIndexOf(":");
    const probability = Number(part.slice(i + 1));
    if (i <= 0 || !(probability >= 0 && probability <= 1)) {
      throw new UserError(`--tags ${part} is invalid; expected NAME:PROBABILITY with probability in 0..1, e.g. red:0.1,blue:0.5`);
    }
    return { name: part.slice(0, i), probability };
  });
}

/**
 * Every value of a repeatable flag (`--numeric a --numeric b`, `--numeric=a`): citty keeps only
 * the last, so they are read from the raw arguments.
 */
export function repeated(rawArgs: readonly string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < rawArgs.length; i++) {
    const a = rawArgs[i]!;
    if (a === `--${name}` && i + 1 < rawArgs.length) out.push(rawArgs[++i]!);
    else if (a.startsWith(`--${name}=`)) out.push(a.slice(name.length + 3));
  }
  return out;
}

export const NUMERIC_SPEC_HELP = "NAME:uniform:MIN:MAX or NAME:int:MIN:MAX, e.g. price:uniform:0:100";

/** `--numeric price:uniform:0:100` (repeatable, or comma-separated). */
export function numericSpecsArg(rawArgs: readonly string[]): NumericSpec[] | undefined {
  const parts = repeated(rawArgs, "numeric").flatMap((v) => v.split(",")).filter((p) => p !== "");
  if (parts.length === 0) return undefined;
  return parts.map((part) => {
    const m = /^([^:]+):(uniform|int):([^:]+):([^:]+)$/.exec(part);
    const min = Number(m?.[3]);
    const max = Number(m?.[4]);
    if (!m || !Number.isFinite(min) || !Number.isFinite(max)) throw new UserError(`--numeric ${part} is invalid; expected ${NUMERIC_SPEC_HELP}`);
    return { name: m[1]!, distribution: m[2] as NumericSpec["distribution"], min, max };
  });
}

export const numericFilterArg = {
  type: "string",
  description: "Numeric range every query must satisfy, as the benchmark's --numeric-filter (repeatable, ANDed; ( exclusive, -inf/+inf)",
  valueHint: "F:[LO HI]",
} as const;

/**
 * `--numeric-filter "price:[10 (20]"` (repeatable, ANDed): the benchmark flag's syntax and rules,
 * on attributes `ds` has.
 */
export function numericFiltersArg(rawArgs: readonly string[], ds: VectorDataset): DatasetNumericRange[] {
  return repeated(rawArgs, "numeric-filter").map((text) => {
    const r = v.safeParse(numericFilterText, text);
    if (!r.success) throw new UserError(`--numeric-filter ${text} is invalid; it ${r.issues[0].message}`);
    const f = r.output;
    if (!ds.numericFields.includes(f.field)) {
      throw new UserError(`--numeric-filter ${f.field}:[...]: ${ds.path} has no numeric attribute '${f.field}' (it has: ${ds.numericFields.join(", ") || "none"}); generate one with \`dataset generate --numeric ${f.field}:uniform:MIN:MAX\``);
    }
    return f;
  });
}

export function rawNumericFilters(fs: readonly DatasetNumericRange[]): string {
  const b = (x: number, excl: boolean): string => `${excl ? "(" : ""}${x === Infinity ? "+inf" : x === -Infinity ? "-inf" : x}`;
  return fs.map((f) => `${f.field}:[${b(f.min, f.minExclusive)} ${b(f.max, f.maxExclusive)}]`).join(" ");
}

/** True when the dataset's queries carry filters (tags or numeric ranges). */
export function hasQueryMetadata(ds: VectorDataset): boolean {
  return ds.hasTags || ds.numericFields.length > 0;
}

/** The dataset a subcommand reads: a positional FILE, or --schema with --data. */
export function datasetArg(args: Args): OpenDatasetOptions {
  const schemaPath = str(args, "schema");
  const dataPath = str(args, "data");
  if (schemaPath || dataPath) return { schemaPath, dataPath };
  const path = str(args, "file");
  if (!path) throw new UserError("no dataset given; pass FILE or --schema FILE --data FILE");
  return { path };
}

export const datasetArgs = {
  file: { type: "positional", required: false, description: "Dataset file (legacy 0xDECDB001, or a .yaml schema next to its .bin)" },
  schema: { type: "string", description: "YAML schema of a schema-driven dataset (with --data)", valueHint: "FILE" },
  data: { type: "string", description: "Headerless binary of a schema-driven dataset (with --schema)", valueHint: "FILE" },
} as const;

export const workersArg = { type: "string", description: `Worker threads for exact k-NN (default: ${defaultWorkerCount()} = cores)`, valueHint: "N" } as const;

/** A single status line on a TTY (rewritten in place); nothing when stderr is not a terminal. */
export function progress(text: string | null): void {
  if (!process.stderr.isTTY) return;
  process.stderr.write(text === null ? "\r\x1b[K" : `\r${text}\x1b[K`);
}

export const percent = (f: number): string => `${(f * 100).toFixed(1)}%`;

/** --output must be writable and none of the inputs (`convert -o b.fvecs --base b.fvecs` replaced its own source). */
export function checkOutput(output: string, inputs: [string, string | undefined][]): void {
  checkOutputTarget(output, "--output");
  checkNotAnInput({ spelling: "--output", path: output }, inputs.filter((i): i is [string, string] => i[1] !== undefined).map(([spelling, path]): NamedPath => ({ spelling, path })));
}
