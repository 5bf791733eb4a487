/**
 * What each server did during one test, arranged for the report: the default metric definitions
 * (default-metrics.ts) evaluated over two INFO readings of every node taken right before and
 * right after the measured run (metric-eval.ts), per node, plus a total over the nodes that
 * served the test. This file only arranges evaluated values; it reads no INFO field itself.
 *
 * Counters that went down (CONFIG RESETSTAT or a restart during the test) count from zero: the
 * delta is the later value, which is what the server did since the reset.
 */
import { DEFAULT_METRICS, SEARCH_METRIC_DEFS } from "./default-metrics.ts";
import { fieldsOf, subFields } from "./info-text.ts";
import type { MetricDef } from "./metric-def.ts";
import { moduleCallsBetween } from "./module-calls.ts";
import type { NodeSampleAt, TimelineSummary } from "./node-timeline.ts";
import { evaluateMetric, pairReadings, readField, round, withoutIdleSeries, type MetricResult, type NodeReading, type NodeValue, type ReadingPair } from "./metric-eval.ts";
export interface CommandDelta {
  calls: number;
  usec: number;
  /** Server-side time per call over the interval (usec / calls); 0 without calls. */
  usecPerCall: number;
  failedCalls: number;
  rejectedCalls: number;
}

export interface SearchMetrics {
  /** Every numeric search_* field as the server reported it after the test. */
  after: Record<string, number>;
  /** after - before for each field present in both snapshots (counters: what the test did). */
  delta: Record<string, number>;
  /** search_*_latency_usec percentiles as reported after the test (cumulative, server-side). */
  latencyUsec: Record<string, Record<string, number>>;
}

export interface NodeServerMetrics {
  address: string;
  role: "primary" | "replica";
  /** Commands the server ran during the test (non-zero calls), by its lower-case name. Absent
   *  when INFO commandstats is not available. The snapshots' own INFO calls are left out. */
  commands?: Record<string, CommandDelta>;
  keyspaceHits?: number;
  keyspaceMisses?: number;
  /** hits / (hits + misses) in percent; absent without lookups. */
  hitRatePct?: number;
  usedMemoryBeforeBytes?: number;
  usedMemoryAfterBytes?: number;
  /** after - before, bytes (negative when memory was freed). */
  usedMemoryGrowthBytes?: number;
  /** total_commands_processed delta: the commands clients sent, less the snapshots' own INFO and
   *  the commands a module ran itself (`moduleInternalCalls`). */
  commandsProcessed?: number;
  /** Commands a module ran internally during the test (valkey-search's `acl|getuser`, one per
   *  FT.SEARCH), by commandstats name: left out of commandsProcessed and opsPerSec. Absent when
   *  none ran (always on a server without such a module). See module-calls.ts. */
  moduleInternalCalls?: Record<string, number>;
  /** commandsProcessed over the test's duration. */
  opsPerSec?: number;
  /** instantaneous_ops_per_sec after the test (the server's own short-window estimate). */
  instantaneousOpsPerSec?: number;
  /** connected_clients after the test (includes the metrics connection itself). */
  connectedClients?: number;
  keysBefore?: number;
  keysAfter?: number;
  search?: SearchMetrics;
}

export interface ServerMetricsTotal {
  /** Addresses of the nodes summed: the nodes that served the test. */
  nodes: string[];
  commands?: Record<string, CommandDelta>;
  keyspaceHits?: number;
  keyspaceMisses?: number;
  hitRatePct?: number;
  usedMemoryGrowthBytes?: number;
  /** The largest growth on one node (where memory pressure shows first). */
  maxUsedMemoryGrowthBytes?: number;
  usedMemoryAfterBytes?: number;
  commandsProcessed?: number;
  opsPerSec?: number;
  /** Sums of the nodes' moduleInternalCalls. */
  moduleInternalCalls?: Record<string, number>;
  connectedClients?: number;
  /** Sums of the search_* deltas. */
  searchDelta?: Record<string, number>;
}

/** extra.serverMetrics of a TestResult. */
export interface ServerMetrics {
  /** The test's own commands as the server names them ("set", "ft.search"), when known. */
  testCommands: string[];
  /** Seconds between the two snapshots. */
  intervalSec: number;
  nodes: NodeServerMetrics[];
  total: ServerMetricsTotal;
  /** The search module's metrics (default-metrics.ts SEARCH_METRICS), aggregated over primaries. */
  searchMetrics?: Record<string, number>;
  /** One result per --track-metric definition, in the order given. */
  tracked?: MetricResult[];
  /** --metrics-interval: min/avg/max per node and imbalance flags (the samples themselves are
   *  in the test's timeline, or in `samples` when the test has none). */
  timeline?: TimelineSummary & { samples?: NodeSampleAt[] };
  /** FT.INFO of the run's index per node, after the test (scalar fields as the server gives them). */
  ftInfo?: { address: string; index: string; fields: Record<string, string | number> }[];
}

function hitRate(hits: number | undefined, misses: number | undefined): number | undefined {
  if (hits === undefined || misses === undefined || hits + misses === 0) return undefined;
  return round((hits / (hits + misses)) * 100, 3);
}

/** A delta that went negative on a counter: the counter was reset, count from the reset. */
function counterValue(v: NodeValue): number {
  return v.value < 0 ? v.after : v.value;
}

/** Per node address, its value of each series of a metric. */
type ByNode = Map<string, Map<string, NodeValue>>;

function byNode(result: MetricResult): ByNode {
  const out: ByNode = new Map();
  for (const s of result.series) {
    for (const v of s.nodes) {
      let m = out.get(v.address);
      if (!m) out.set(v.address, (m = new Map()));
      m.set(s.name, v);
    }
  }
  return out;
}

/** The single series value of an exact metric for a node. */
function one(values: ByNode, address: string): NodeValue | undefined {
  const m = values.get(address);
  return m ? [...m.values()][0] : undefined;
}

type Evaluated = Record<keyof typeof DEFAULT_METRICS, ByNode>;

function evaluateDefaults(pairs: readonly ReadingPair[], durationSec: number): Evaluated {
  const out = {} as Evaluated;
  for (const [key, def] of Object.entries(DEFAULT_METRICS) as [keyof typeof DEFAULT_METRICS, MetricDef][]) out[key] = byNode(evaluateMetric(def, pairs, durationSec));
  return out;
}

function commandsOf(e: Evaluated, address: string): Record<string, CommandDelta> {
  const commands: Record<string, CommandDelta> = {};
  for (const [series, v] of e.commandCalls.get(address) ?? []) {
    const field = series.split(":")[1]!;
    const other = (m: ByNode, sub: string) => {
      const x = m.get(address)?.get(`commandstats:${field}:${sub}`);
      return x ? counterValue(x) : 0;
    };
    const calls = Math.max(0, counterValue(v));
    const d: CommandDelta = {
      calls,
      usec: other(e.commandUsec, "usec"),
      usecPerCall: 0,
      failedCalls: other(e.commandFailedCalls, "failed_calls"),
      rejectedCalls: other(e.commandRejectedCalls, "rejected_calls"),
    };
    d.usecPerCall = calls > 0 ? round(d.usec / calls, 3) : 0;
    if (d.calls > 0 || d.failedCalls > 0 || d.rejectedCalls > 0) commands[field.slice("cmdstat_".length).toLowerCase()] = d;
  }
  return commands;
}

function searchOf(e: Evaluated, address: string, before: NodeReading, after: NodeReading): SearchMetrics | undefined {
  const afterValues: Record<string, number> = {};
  const delta: Record<string, number> = {};
  const latencyUsec: Record<string, Record<string, number>> = {};
  for (const [series, v] of e.search.get(address) ?? []) {
    const field = series.slice("search:".length);
    afterValues[field] = v.after;
    // A change only for fields the first reading had (a family counts new fields from zero).
    if (readField(DEFAULT_METRICS.search, before.info, field) !== undefined) delta[field] = v.value;
  }
  for (const [field, value] of fieldsOf(after.info, "search")) {
    if (/^p[\d.]+=/.test(value)) latencyUsec[field] = subFields(value);
  }
  if (Object.keys(afterValues).length === 0 && Object.keys(latencyUsec).length === 0) return undefined;
  return { after: afterValues, delta, latencyUsec };
}

function hasSection(r: NodeReading, section: string): boolean {
  return r.info.has(section);
}

/** One node's activity between two of its readings; `durationSec` is the test's measured time. */
function nodeMetrics(e: Evaluated, pair: { before: NodeReading; after: NodeReading }, durationSec: number): NodeServerMetrics {
  const { address, role } = pair.after;
  const m: NodeServerMetrics = { address, role };
  if (hasSection(pair.before, "commandstats") && hasSection(pair.after, "commandstats")) m.commands = commandsOf(e, address);
  const hits = one(e.keyspaceHits, address);
  const misses = one(e.keyspaceMisses, address);
  if (hits) m.keyspaceHits = counterValue(hits);
  if (misses) m.keyspaceMisses = counterValue(misses);
  const rate = hitRate(m.keyspaceHits, m.keyspaceMisses);
  if (rate !== undefined) m.hitRatePct = rate;
  const mem = one(e.usedMemory, address);
  if (mem) {
    m.usedMemoryBeforeBytes = mem.before!;
    m.usedMemoryAfterBytes = mem.after;
    m.usedMemoryGrowthBytes = mem.value;
  }
  const processed = one(e.commandsProcessed, address);
  if (processed) {
    m.commandsProcessed = Math.max(0, counterValue(processed));
    if (durationSec > 0) m.opsPerSec = round(m.commandsProcessed / durationSec, 2);
  }
  const internal = moduleCallsBetween(pair.before.info, pair.after.info);
  if (Object.keys(internal).length > 0) m.moduleInternalCalls = internal;
  const inst = one(e.instantaneousOpsPerSec, address);
  if (inst) m.instantaneousOpsPerSec = inst.value;
  const clients = one(e.connectedClients, address);
  if (clients) m.connectedClients = clients.value;
  const dbs = [...(e.keys.get(address)?.values() ?? [])];
  if (hasSection(pair.before, "keyspace")) m.keysBefore = dbs.reduce((n, v) => n + (v.before ?? 0), 0);
  if (hasSection(pair.after, "keyspace")) m.keysAfter = dbs.reduce((n, v) => n + v.after, 0);
  const search = searchOf(e, address, pair.before, pair.after);
  if (search) m.search = search;
  return m;
}

function addInto(target: Record<string, number>, source: Record<string, number>): void {
  for (const [k, v] of Object.entries(source)) target[k] = (target[k] ?? 0) + v;
}

/** Sum of an optional field over nodes; undefined when no node reported it. */
function sumOf(nodes: NodeServerMetrics[], pick: (n: NodeServerMetrics) => number | undefined): number | undefined {
  let total: number | undefined;
  for (const n of nodes) {
    const v = pick(n);
    if (v !== undefined) total = (total ?? 0) + v;
  }
  return total;
}

/**
 * Totals over `serving` (the addresses that received the test's requests: primaries for
 * writes, the --rfr choice for reads). Summing every node would count each write twice on a
 * replicated cluster: replicas run the replicated commands too. An empty `serving` (not
 * known) means the primaries.
 */
export function totalOf(nodes: NodeServerMetrics[], serving: readonly string[]): ServerMetricsTotal {
  const chosen = nodes.filter((n) => (serving.length > 0 ? serving.includes(n.address) : n.role === "primary"));
  const total: ServerMetricsTotal = { nodes: chosen.map((n) => n.address) };
  const withCommands = chosen.filter((n) => n.commands !== undefined);
  if (withCommands.length > 0) {
    const commands: Record<string, CommandDelta> = {};
    for (const n of withCommands) {
      for (const [name, d] of Object.entries(n.commands!)) {
        const t = (commands[name] ??= { calls: 0, usec: 0, usecPerCall: 0, failedCalls: 0, rejectedCalls: 0 });
        t.calls += d.calls;
        t.usec += d.usec;
        t.failedCalls += d.failedCalls;
        t.rejectedCalls += d.rejectedCalls;
      }
    }
    for (const t of Object.values(commands)) t.usecPerCall = t.calls > 0 ? round(t.usec / t.calls, 3) : 0;
    total.commands = commands;
  }
  const set = <K extends keyof ServerMetricsTotal>(key: K, value: ServerMetricsTotal[K] | undefined) => {
    if (value !== undefined) total[key] = value;
  };
  set("keyspaceHits", sumOf(chosen, (n) => n.keyspaceHits));
  set("keyspaceMisses", sumOf(chosen, (n) => n.keyspaceMisses));
  set("hitRatePct", hitRate(total.keyspaceHits, total.keyspaceMisses));
  set("usedMemoryGrowthBytes", sumOf(chosen, (n) => n.usedMemoryGrowthBytes));
  const growths = chosen.flatMap((n) => (n.usedMemoryGrowthBytes === undefined ? [] : [n.usedMemoryGrowthBytes]));
  if (growths.length > 0) total.maxUsedMemoryGrowthBytes = Math.max(...growths);
  set("usedMemoryAfterBytes", sumOf(chosen, (n) => n.usedMemoryAfterBytes));
  set("commandsProcessed", sumOf(chosen, (n) => n.commandsProcessed));
  set("opsPerSec", sumOf(chosen, (n) => n.opsPerSec));
  const internal: Record<string, number> = {};
  for (const n of chosen) if (n.moduleInternalCalls) addInto(internal, n.moduleInternalCalls);
  if (Object.keys(internal).length > 0) total.moduleInternalCalls = internal;
  set("connectedClients", sumOf(chosen, (n) => n.connectedClients));
  const searching = chosen.filter((n) => n.search !== undefined);
  if (searching.length > 0) {
    const delta: Record<string, number> = {};
    for (const n of searching) addInto(delta, n.search!.delta);
    total.searchDelta = delta;
  }
  return total;
}

/** The search module's metrics by platform-table name (default-metrics.ts), over the nodes. */
function searchMetricsOf(pairs: readonly ReadingPair[], durationSec: number): Record<string, number> | undefined {
  const out: Record<string, number> = {};
  for (const { name, def } of SEARCH_METRIC_DEFS) {
    const agg = evaluateMetric(def, pairs, durationSec).series[0]?.aggregate;
    if (agg !== undefined) out[name] = agg;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * Evaluates every node that has both readings (a node missing either is left out: its metrics
 * are unknown, not zero), the search metrics and the tracked definitions.
 */
export function diffSnapshots(
  before: ReadonlyMap<string, NodeReading>,
  after: ReadonlyMap<string, NodeReading>,
  opts: { durationSec: number; serving: readonly string[]; testCommands: string[]; tracked?: readonly MetricDef[] },
): ServerMetrics {
  const pairs = pairReadings(before, after).filter((p): p is { before: NodeReading; after: NodeReading } => p.before !== undefined);
  const e = evaluateDefaults(pairs, opts.durationSec);
  const nodes = pairs.map((p) => nodeMetrics(e, p, opts.durationSec));
  const intervalMs = Math.max(0, ...pairs.map((p) => p.after.takenAtMs - p.before.takenAtMs));
  const metrics: ServerMetrics = { testCommands: opts.testCommands, intervalSec: round(intervalMs / 1000, 6), nodes, total: totalOf(nodes, opts.serving) };
  const search = searchMetricsOf(pairs, opts.durationSec);
  if (search) metrics.searchMetrics = search;
  if (opts.tracked && opts.tracked.length > 0) metrics.tracked = opts.tracked.map((d) => withoutIdleSeries(evaluateMetric(d, pairs, opts.durationSec), d));
  return metrics;
}
