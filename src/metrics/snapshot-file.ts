/**
 * --metrics-snapshot / --compare-snapshot: every node's final INFO (all sections) and the run's
 * metric values in one JSON file, and the comparison of the current run's node state with an
 * earlier file: per metric and per node, the change in absolute and percent terms, with nodes
 * matched by address, else (a cluster rebuilt on other ports) by the slot ranges they own, and
 * the nodes that appeared or vanished.
 */
import { readFileSync } from "node:fs";
import { UserError } from "../errors.ts";
import { sectionsFromObject, sectionsToObject } from "./info-text.ts";
import { parseMetricDef, type MetricDef } from "./metric-def.ts";
import { evaluateMetric, round, type NodeReading, type NodeRole } from "./metric-eval.ts";
import type { MetricResult } from "./metric-eval.ts";

export const SNAPSHOT_KIND = "valkey-search-benchmark metrics snapshot";

export interface SnapshotNode {
  address: string;
  role: NodeRole;
  /** Slot ranges owned ([first, last] pairs); empty outside a cluster. */
  slots: [number, number][];
  /** INFO everything, by section then field, as the server printed them. */
  info: Record<string, Record<string, string>>;
}

export interface SnapshotTest {
  title: string;
  throughput: number;
  /** --track-metric results of the test. */
  tracked: MetricResult[];
  searchMetrics?: Record<string, number>;
}

export interface MetricsSnapshotFile {
  kind: typeof SNAPSHOT_KIND;
  version: 1;
  takenAt: string;
  toolVersion: string;
  /** The --track-metric definitions of the run (also compared). */
  trackMetrics: string[];
  nodes: SnapshotNode[];
  tests: SnapshotTest[];
  /** FT.INFO of the run's index on every primary at the end (vector runs). */
  ftInfo?: { address: string; index: string; fields: Record<string, string | number> }[];
}

/** Node-state metrics compared across runs (the final INFO of each), plus the tracked ones. */
export const COMPARE_METRIC_SPECS = [
  "memory:used_memory:sum:none",
  "memory:used_memory_rss:sum:none",
  "memory:used_memory_dataset:sum:none",
  "keyspace:/^db\\d+$/:keys:sum:none",
  "search:search_used_memory_bytes:sum:none@primaries",
  "search:search_total_indexed_documents,search_total_indexed_hash_keys:sum:none@primaries",
  "search:search_number_of_indexes:max:none@primaries",
] as const;

/** Slot ranges of a node's slot list ([first, last] pairs). */
export function slotRanges(slots: ArrayLike<number>): [number, number][] {
  const sorted = Array.from(slots).sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s === last[1] + 1) last[1] = s;
    else if (!last || s > last[1]) out.push([s, s]);
  }
  return out;
}

export function buildSnapshot(args: {
  toolVersion: string;
  readings: ReadonlyMap<string, NodeReading>;
  slotsOf: (address: string) => ArrayLike<number>;
  tracked: readonly MetricDef[];
  tests: SnapshotTest[];
}): MetricsSnapshotFile {
  return {
    kind: SNAPSHOT_KIND,
    version: 1,
    takenAt: new Date().toISOString(),
    toolVersion: args.toolVersion,
    trackMetrics: args.tracked.map((d) => d.spec),
    nodes: [...args.readings.values()].map((r) => ({ address: r.address, role: r.role, slots: slotRanges(args.slotsOf(r.address)), info: sectionsToObject(r.info) })),
    tests: args.tests,
  };
}

/** Reads and checks a snapshot file (exit 2 with one line when it is not one). */
export function loadSnapshot(file: string, spelling: string): MetricsSnapshotFile {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`${spelling} ${file}: ${code ? `cannot read it (${code})` : `not JSON (${(e as Error).message})`}`);
  }
  const d = doc as Partial<MetricsSnapshotFile> | null;
  if (!d || d.kind !== SNAPSHOT_KIND || d.version !== 1 || !Array.isArray(d.nodes)) {
    throw new UserError(`${spelling} ${file}: not a metrics snapshot (write one with --metrics-snapshot FILE)`);
  }
  for (const n of d.nodes) {
    if (typeof n?.address !== "string" || typeof n.info !== "object" || n.info === null || !Array.isArray(n.slots)) {
      throw new UserError(`${spelling} ${file}: a node entry lacks address, slots or info; the file is damaged`);
    }
  }
  return d as MetricsSnapshotFile;
}

export interface NodeChange {
  /** Address now (or then, for a vanished node). */
  address: string;
  /** The earlier run's address when matched by slot ranges to a different one. */
  previousAddress?: string;
  before?: number;
  after?: number;
  change?: number;
  changePct?: number;
}

export interface MetricChange {
  metric: string;
  nodes: NodeChange[];
  /** Over the nodes compared in both runs. */
  total?: NodeChange;
}

export interface SnapshotComparison {
  file: string;
  takenAt: string;
  metrics: MetricChange[];
  appeared: string[];
  vanished: string[];
}

function readingOf(n: SnapshotNode): NodeReading {
  return { address: n.address, role: n.role, takenAtMs: 0, info: sectionsFromObject(n.info), ownCalls: {} };
}

const slotKey = (slots: [number, number][]) => slots.map(([a, b]) => `${a}-${b}`).join(",");

/** Pairs now's nodes with then's: same address, else same non-empty slot ranges and role. */
function matchNodes(then: SnapshotNode[], now: SnapshotNode[]): { pairs: [SnapshotNode, SnapshotNode][]; appeared: string[]; vanished: string[] } {
  const left = new Set(then);
  const pairs: [SnapshotNode, SnapshotNode][] = [];
  const unmatched: SnapshotNode[] = [];
  for (const n of now) {
    const same = [...left].find((t) => t.address === n.address);
    if (same) {
      pairs.push([same, n]);
      left.delete(same);
    } else unmatched.push(n);
  }
  const appeared: string[] = [];
  for (const n of unmatched) {
    const bySlots = n.slots.length > 0 ? [...left].find((t) => t.role === n.role && slotKey(t.slots) === slotKey(n.slots)) : undefined;
    if (bySlots) {
      pairs.push([bySlots, n]);
      left.delete(bySlots);
    } else appeared.push(n.address);
  }
  return { pairs, appeared, vanished: [...left].map((t) => t.address) };
}

function change(address: string, before: number | undefined, after: number | undefined, previousAddress?: string): NodeChange {
  const c: NodeChange = { address };
  if (previousAddress !== undefined && previousAddress !== address) c.previousAddress = previousAddress;
  if (before !== undefined) c.before = before;
  if (after !== undefined) c.after = after;
  if (before !== undefined && after !== undefined) {
    c.change = round(after - before);
    if (before !== 0) c.changePct = round(((after - before) / before) * 100, 2);
  }
  return c;
}

/** Compares node state (the metrics above and the tracked definitions, as values) then and now. */
export function compareSnapshots(file: string, then: MetricsSnapshotFile, now: MetricsSnapshotFile): SnapshotComparison {
  const { pairs, appeared, vanished } = matchNodes(then.nodes, now.nodes);
  const specs = [...COMPARE_METRIC_SPECS, ...new Set([...then.trackMetrics, ...now.trackMetrics])];
  const metrics: MetricChange[] = [];
  for (const spec of specs) {
    let def: MetricDef;
    try {
      def = { ...parseMetricDef(spec), diff: "none" };
    } catch {
      continue; // a definition an older version accepted: nothing to compare
    }
    const thenResult = evaluateMetric(def, then.nodes.map((n) => ({ after: readingOf(n) })));
    const nowResult = evaluateMetric(def, now.nodes.map((n) => ({ after: readingOf(n) })));
    const names = [...new Set([...thenResult.series, ...nowResult.series].map((s) => s.name))];
    for (const name of names) {
      const valueIn = (result: typeof thenResult, address: string) => result.series.find((s) => s.name === name)?.nodes.find((v) => v.address === address)?.value;
      const nodes = pairs.map(([t, n]) => change(n.address, valueIn(thenResult, t.address), valueIn(nowResult, n.address), t.address)).filter((c) => c.before !== undefined || c.after !== undefined);
      if (nodes.length === 0) continue;
      const both = nodes.filter((c) => c.before !== undefined && c.after !== undefined);
      const m: MetricChange = { metric: name, nodes };
      if (both.length > 1 && def.aggregation !== "none") {
        const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
        const agg = (xs: number[]) => (def.aggregation === "sum" ? sum(xs) : def.aggregation === "avg" ? sum(xs) / xs.length : def.aggregation === "min" ? Math.min(...xs) : Math.max(...xs));
        m.total = change(`${def.aggregation} of ${both.length} nodes`, round(agg(both.map((c) => c.before!))), round(agg(both.map((c) => c.after!))));
      }
      metrics.push(m);
    }
  }
  return { file, takenAt: then.takenAt, metrics, appeared, vanished };
}
