/**
 * A server metric definition: which INFO field(s) to read, how to turn two readings of a node
 * into one number, and how to combine the nodes. Every server metric of the tool is one of
 * these: the default set (default-metrics.ts) and the user's `--track-metric` alike.
 *
 * The grammar is the seed's `section:field[:agg[:diff]]`, extended where INFO needs it:
 *
 *     section:field[:sub][:agg[:diff]][@primaries|@replicas|@all]
 *
 * - field: an exact name (`total_commands_processed`), alternatives taken in order, the first a
 *   node reports (`used_memory_dataset,used_memory`), a family by prefix (`cmdstat_*`) or by
 *   regular expression (`/^cmdstat_ft\./`): a family gives one series per field it matches.
 * - sub: one `k=v` sub-field of the value (`cmdstat_set:calls`, `db0:keys`, a latency `:p99`).
 * - agg (over nodes): sum | avg | min | max | none (per-node only). Default sum.
 * - diff (per node, between the readings): rate (change per second; a counter that went down
 *   counts from its reset) | delta (change) | memory (bytes per second) | percent (change in
 *   percent of the first reading) | none (the last reading). Default rate, as in the seed.
 * - @nodes: which nodes the aggregate covers (the seed's NodeFilter). Default all.
 */

export type Aggregation = "sum" | "avg" | "min" | "max" | "none";
export type DiffKind = "rate" | "delta" | "memory" | "percent" | "none";
export type NodeFilter = "all" | "primaries" | "replicas";

export type FieldMatch =
  | { kind: "exact"; names: string[] }
  | { kind: "prefix"; prefix: string }
  | { kind: "regex"; source: string };

export interface MetricDef {
  /** As written (`stats:total_commands_processed:sum:rate`). */
  spec: string;
  /** Lower-case section as INFO names it (`stats`, `commandstats`, `search`). */
  section: string;
  field: FieldMatch;
  sub?: string;
  aggregation: Aggregation;
  diff: DiffKind;
  nodes: NodeFilter;
}

export const METRIC_GRAMMAR = "section:field[:sub][:sum|avg|min|max|none[:rate|delta|memory|percent|none]][@primaries|@replicas|@all]";

const AGGREGATIONS: readonly Aggregation[] = ["sum", "avg", "min", "max", "none"];
const DIFFS: readonly DiffKind[] = ["rate", "delta", "memory", "percent", "none"];
const FILTERS: Record<string, NodeFilter> = { all: "all", primaries: "primaries", primary: "primaries", replicas: "replicas", replica: "replicas" };
const NAME = /^[A-Za-z0-9_.|-]+$/;

export class MetricSpecError extends Error {}

function fail(spec: string, problem: string): never {
  throw new MetricSpecError(`'${spec}': ${problem}; the form is ${METRIC_GRAMMAR}`);
}

/** The field part: `/regex/`, `prefix*`, or names separated by commas. */
function parseField(spec: string, text: string): FieldMatch {
  if (text.startsWith("/")) {
    if (text.length < 3 || !text.endsWith("/")) fail(spec, `the field pattern ${text} must be written /regex/`);
    try {
      new RegExp(text.slice(1, -1));
      return { kind: "regex", source: text.slice(1, -1) };
    } catch (e) {
      fail(spec, `the field pattern ${text} is not a valid regular expression (${(e as Error).message})`);
    }
  }
  if (text.endsWith("*")) {
    const prefix = text.slice(0, -1);
    if (!NAME.test(prefix)) fail(spec, `the field prefix '${prefix}' must be letters, digits and _ . | -`);
    return { kind: "prefix", prefix };
  }
  const names = text.split(",").map((n) => n.trim());
  for (const n of names) if (!NAME.test(n)) fail(spec, n === "" ? "the field name is empty" : `the field name '${n}' must be letters, digits and _ . | - (a family is prefix* or /regex/)`);
  return { kind: "exact", names };
}

/** Parses one definition; throws MetricSpecError with a one-line message naming the problem. */
export function parseMetricDef(spec: string): MetricDef {
  let rest = spec.trim();
  if (rest === "") fail(spec, "empty definition");
  let nodes: NodeFilter = "all";
  const at = rest.lastIndexOf("@");
  if (at >= 0 && !rest.slice(at).includes("/")) {
    const f = FILTERS[rest.slice(at + 1).toLowerCase()];
    if (!f) fail(spec, `unknown node filter '@${rest.slice(at + 1)}' (use @primaries, @replicas or @all)`);
    nodes = f;
    rest = rest.slice(0, at);
  }
  const colon = rest.indexOf(":");
  if (colon < 0) fail(spec, "a section and a field are required");
  const section = rest.slice(0, colon).toLowerCase();
  if (!/^[a-z][a-z0-9_-]*$/.test(section)) fail(spec, `'${rest.slice(0, colon)}' is not an INFO section name`);
  rest = rest.slice(colon + 1);
  let fieldText: string;
  if (rest.startsWith("/")) {
    const close = rest.indexOf("/", 1);
    if (close < 0) fail(spec, "the field pattern has no closing /");
    fieldText = rest.slice(0, close + 1);
    rest = rest.slice(close + 1);
    if (rest !== "" && !rest.startsWith(":")) fail(spec, "a ':' must follow the field pattern");
    rest = rest.slice(1);
  } else {
    const next = rest.indexOf(":");
    fieldText = next < 0 ? rest : rest.slice(0, next);
    rest = next < 0 ? "" : rest.slice(next + 1);
  }
  const field = parseField(spec, fieldText);
  const parts = rest === "" ? [] : rest.split(":");
  let sub: string | undefined;
  if (parts.length > 0 && !AGGREGATIONS.includes(parts[0]!.toLowerCase() as Aggregation)) {
    sub = parts.shift()!;
    if (!/^[A-Za-z0-9_.]+$/.test(sub)) fail(spec, `'${sub}' is neither an aggregation (sum, avg, min, max, none) nor a sub-field name`);
  }
  const aggText = parts.shift()?.toLowerCase() ?? "sum";
  if (!AGGREGATIONS.includes(aggText as Aggregation)) fail(spec, `unknown aggregation '${aggText}' (sum, avg, min, max or none)`);
  const diffText = parts.shift()?.toLowerCase() ?? "rate";
  if (!DIFFS.includes(diffText as DiffKind)) fail(spec, `unknown diff '${diffText}' (rate, delta, memory, percent or none)`);
  if (parts.length > 0) fail(spec, `unexpected ':${parts.join(":")}' after the diff`);
  return { spec: spec.trim(), section, field, ...(sub !== undefined ? { sub } : {}), aggregation: aggText as Aggregation, diff: diffText as DiffKind, nodes };
}

/** Does a field name belong to the definition? (exact names: any of the alternatives.) */
export function fieldMatches(def: MetricDef, name: string): boolean {
  const f = def.field;
  if (f.kind === "exact") return f.names.includes(name);
  if (f.kind === "prefix") return name.startsWith(f.prefix);
  let re = compiled.get(f.source);
  if (!re) compiled.set(f.source, (re = new RegExp(f.source)));
  return re.test(name);
}

/** Compiled field patterns (definitions stay plain data: they are part of the JSON config). */
const compiled = new Map<string, RegExp>();

/** The name of one series: `section:field[:sub]` for the field actually read. */
export function seriesName(def: MetricDef, field: string): string {
  return `${def.section}:${field}${def.sub !== undefined ? `:${def.sub}` : ""}`;
}

export function isFamily(def: MetricDef): boolean {
  return def.field.kind !== "exact";
}
