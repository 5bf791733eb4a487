/**
 * Turns two INFO readings of every node into a metric's values: per node (its diff, see
 * metric-def.ts) and over the nodes (its aggregation). Pure arithmetic; the readings come from
 * node-reading.ts, the definitions from metric-def.ts.
 *
 * Our own calls are not the server's workload: every reading counts the commands its control
 * connection sent before it (INFO, FT.INFO, CONFIG), and those sent between two readings are
 * taken out of `total_commands_processed` and of `cmdstat_<command>:calls`. Commands a module
 * ran itself (module-calls.ts) are taken out of `total_commands_processed` too.
 */
import { fieldsOf, hasInfoSection, infoNumber, subField, type InfoSections } from "./info-text.ts";
import { moduleCallCount, moduleCallsBetween } from "./module-calls.ts";
import { fieldMatches, seriesName, type MetricDef, type NodeFilter } from "./metric-def.ts";

export type NodeRole = "primary" | "replica";

/** One node's INFO at one moment. */
export interface NodeReading {
  address: string;
  role: NodeRole;
  /** performance.now() when the reply arrived. */
  takenAtMs: number;
  info: InfoSections;
  /** Commands our control connection sent to this node before this reading, by commandstats
   *  name ("info", "ft.info", "config|set"): the reading's own INFO is not in it. */
  ownCalls: Record<string, number>;
}

export interface NodeValue {
  address: string;
  role: NodeRole;
  /** The first reading's number (absent for diff none or a node read once). */
  before?: number;
  /** The last reading's number (own calls taken out for counters). */
  after: number;
  /** The metric's value for this node: the diff of before and after. */
  value: number;
}

export interface SeriesResult {
  /** `section:field[:sub]`. */
  name: string;
  nodes: NodeValue[];
  /** The aggregation over `nodes`; absent for agg none or when no node has a value. */
  aggregate?: number;
}

export interface MetricResult {
  spec: string;
  aggregation: MetricDef["aggregation"];
  diff: MetricDef["diff"];
  nodeFilter: NodeFilter;
  /** One for an exact field; one per matched field for a family (none when nothing matched). */
  series: SeriesResult[];
}

export interface ReadingPair {
  before?: NodeReading;
  after: NodeReading;
}

export function round(x: number, decimals = 3): number {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
}

export function passesFilter(role: NodeRole, filter: NodeFilter): boolean {
  return filter === "all" || (filter === "primaries" ? role === "primary" : role === "replica");
}

/** The field names a node reports for the definition (exact: the first alternative present). */
export function matchedFields(def: MetricDef, info: InfoSections): string[] {
  if (def.field.kind === "exact") {
    for (const name of def.field.names) {
      for (const [field] of fieldsOf(info, def.section)) if (field === name) return [name];
    }
    return [];
  }
  const out: string[] = [];
  for (const [field, value] of fieldsOf(info, def.section)) {
    if (fieldMatches(def, field) && readNumber(value, def.sub) !== undefined && !out.includes(field)) out.push(field);
  }
  return out;
}

function readNumber(raw: string, sub: string | undefined): number | undefined {
  const text = sub === undefined ? raw : subField(raw, sub);
  return text === undefined ? undefined : infoNumber(text);
}

/** The number a node reports for one field of the definition. */
export function readField(def: MetricDef, info: InfoSections, field: string): number | undefined {
  for (const [name, value] of fieldsOf(info, def.section)) if (name === field) return readNumber(value, def.sub);
  return undefined;
}

/** Our calls between two readings that the server counted under `field` (see file comment). */
function ownCallsIn(def: MetricDef, field: string, before: NodeReading, after: NodeReading): number {
  const delta = (name: string) => (after.ownCalls[name] ?? 0) - (before.ownCalls[name] ?? 0);
  if (field === "total_commands_processed") {
    let n = 0;
    for (const name of Object.keys(after.ownCalls)) n += delta(name);
    // Commands a module ran itself (valkey-search's ACL GETUSER): not sent by any client.
    return n + moduleCallCount(moduleCallsBetween(before.info, after.info));
  }
  if (field.startsWith("cmdstat_") && def.sub === "calls") return delta(field.slice("cmdstat_".length).toLowerCase());
  return 0;
}

function diffValue(def: MetricDef, before: number, after: number, elapsedSec: number): number | undefined {
  switch (def.diff) {
    case "none":
      return after;
    case "delta":
      return after - before;
    case "rate":
      // A counter that went down was reset (CONFIG RESETSTAT, restart): count from the reset.
      return elapsedSec > 0 ? (after >= before ? after - before : after) / elapsedSec : undefined;
    case "memory":
      return elapsedSec > 0 ? (after - before) / elapsedSec : undefined;
    case "percent":
      return before !== 0 ? ((after - before) / before) * 100 : undefined;
  }
}

function nodeValue(def: MetricDef, field: string, pair: ReadingPair, elapsedSec: number | undefined): NodeValue | undefined {
  const rawAfter = readField(def, pair.after.info, field);
  if (rawAfter === undefined) return undefined;
  const { address, role } = pair.after;
  if (def.diff === "none") return { address, role, after: rawAfter, value: rawAfter };
  if (!pair.before) return undefined;
  // A field the first reading's section did not have yet counts from zero (a command's first
  // call creates its cmdstat_ line); without the section at all, the change is unknown.
  const before = readField(def, pair.before.info, field) ?? (hasInfoSection(pair.before.info, def.section) ? 0 : undefined);
  if (before === undefined) return undefined;
  const after = rawAfter - ownCallsIn(def, field, pair.before, pair.after);
  const seconds = elapsedSec ?? (pair.after.takenAtMs - pair.before.takenAtMs) / 1000;
  const value = diffValue(def, before, after, seconds);
  if (value === undefined) return undefined;
  return { address, role, before, after, value: round(value) };
}

export function aggregate(agg: MetricDef["aggregation"], values: number[]): number | undefined {
  if (agg === "none" || values.length === 0) return undefined;
  if (agg === "sum") return round(values.reduce((a, b) => a + b, 0));
  if (agg === "avg") return round(values.reduce((a, b) => a + b, 0) / values.length);
  return agg === "min" ? Math.min(...values) : Math.max(...values);
}

/**
 * Evaluates one definition over every node's pair of readings. `elapsedSec` is the time the
 * rates divide by (the test's measured duration); without it, the time between the readings.
 */
export function evaluateMetric(def: MetricDef, pairs: readonly ReadingPair[], elapsedSec?: number): MetricResult {
  const chosen = pairs.filter((p) => passesFilter(p.after.role, def.nodes));
  const fields: string[] = [];
  for (const p of chosen) for (const f of matchedFields(def, p.after.info)) if (!fields.includes(f)) fields.push(f);
  const series: SeriesResult[] = [];
  if (def.field.kind === "exact") {
    // One series whatever alternative each node reported.
    const nodes = chosen.flatMap((p) => {
      const f = matchedFields(def, p.after.info)[0];
      const v = f === undefined ? undefined : nodeValue(def, f, p, elapsedSec);
      return v ? [v] : [];
    });
    if (nodes.length > 0) series.push(withAggregate(def, seriesName(def, def.field.names.join(",")), nodes));
  } else {
    for (const f of fields) {
      const nodes = chosen.flatMap((p) => {
        const v = nodeValue(def, f, p, elapsedSec);
        return v ? [v] : [];
      });
      if (nodes.length > 0) series.push(withAggregate(def, seriesName(def, f), nodes));
    }
  }
  return { spec: def.spec, aggregation: def.aggregation, diff: def.diff, nodeFilter: def.nodes, series };
}

function withAggregate(def: MetricDef, name: string, nodes: NodeValue[]): SeriesResult {
  const agg = aggregate(def.aggregation, nodes.map((n) => n.value));
  return agg === undefined ? { name, nodes } : { name, nodes, aggregate: agg };
}

/** Pairs readings by node address (a node missing from the later reading has no value). */
export function pairReadings(before: ReadonlyMap<string, NodeReading>, after: ReadonlyMap<string, NodeReading>): ReadingPair[] {
  return [...after.values()].map((a) => {
    const b = before.get(a.address);
    return b ? { before: b, after: a } : { after: a };
  });
}

/**
 * For reports of user families: the series whose counter did not move on any node (every other
 * command of `commandstats:cmdstat_*`) are left out as noise.
 */
export function withoutIdleSeries(result: MetricResult, def: MetricDef): MetricResult {
  if (def.field.kind === "exact" || (def.diff !== "delta" && def.diff !== "rate")) return result;
  return { ...result, series: result.series.filter((s) => s.nodes.some((n) => n.value !== 0)) };
}
