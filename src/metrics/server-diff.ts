/**
 * What each server did during one test: the difference of two INFO snapshots (server-snapshot.ts)
 * taken right before and right after the measured run, per node, plus a total over the nodes
 * that served the test. Everything here is pure arithmetic on the snapshots.
 *
 * Counters that went down (CONFIG RESETSTAT or a restart during the test) count from zero: the
 * delta is the later value, which is what the server did since the reset.
 */
import type { CommandCounters, ServerSnapshot } from "./server-snapshot.ts";

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
  /** total_commands_processed delta (every client's commands, less the snapshots' own INFO). */
  commandsProcessed?: number;
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
}

/** Derived values (rates, ratios) are rounded so reports carry no float noise. */
function round(x: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
}

function counterDelta(before: number, after: number): number {
  return after >= before ? after - before : after;
}

function commandDelta(before: CommandCounters | undefined, after: CommandCounters, ownCalls: number): CommandDelta {
  const calls = Math.max(0, counterDelta(before?.calls ?? 0, after.calls) - ownCalls);
  const usec = counterDelta(before?.usec ?? 0, after.usec);
  return {
    calls,
    usec,
    usecPerCall: calls > 0 ? round(usec / calls, 3) : 0,
    failedCalls: counterDelta(before?.failedCalls ?? 0, after.failedCalls),
    rejectedCalls: counterDelta(before?.rejectedCalls ?? 0, after.rejectedCalls),
  };
}

function field(s: ServerSnapshot, name: string): number | undefined {
  return s.fields[name];
}

function hitRate(hits: number | undefined, misses: number | undefined): number | undefined {
  if (hits === undefined || misses === undefined || hits + misses === 0) return undefined;
  return round((hits / (hits + misses)) * 100, 3);
}

function searchMetrics(before: ServerSnapshot, after: ServerSnapshot): SearchMetrics | undefined {
  if (Object.keys(after.search).length === 0 && Object.keys(after.searchPercentiles).length === 0) return undefined;
  const delta: Record<string, number> = {};
  for (const [name, value] of Object.entries(after.search)) {
    const old = before.search[name];
    if (old !== undefined) delta[name] = value - old;
  }
  return { after: { ...after.search }, delta, latencyUsec: { ...after.searchPercentiles } };
}

/** One node's activity between two of its snapshots; `durationSec` is the test's measured time. */
export function diffNode(before: ServerSnapshot, after: ServerSnapshot, durationSec: number): NodeServerMetrics {
  const m: NodeServerMetrics = { address: after.address, role: after.role };
  // The snapshots' own INFO calls that fall inside the interval: not the test's doing.
  const own = before.infoCallsAfterCommandstats + after.infoCallsBeforeCommandstats;
  if (before.hasCommandstats && after.hasCommandstats) {
    const commands: Record<string, CommandDelta> = {};
    for (const [name, counters] of Object.entries(after.commands)) {
      const d = commandDelta(before.commands[name], counters, name === "info" ? own : 0);
      if (d.calls > 0 || d.failedCalls > 0 || d.rejectedCalls > 0) commands[name] = d;
    }
    m.commands = commands;
  }
  const hitsB = field(before, "keyspace_hits");
  const hitsA = field(after, "keyspace_hits");
  const missB = field(before, "keyspace_misses");
  const missA = field(after, "keyspace_misses");
  if (hitsB !== undefined && hitsA !== undefined) m.keyspaceHits = counterDelta(hitsB, hitsA);
  if (missB !== undefined && missA !== undefined) m.keyspaceMisses = counterDelta(missB, missA);
  const rate = hitRate(m.keyspaceHits, m.keyspaceMisses);
  if (rate !== undefined) m.hitRatePct = rate;
  const memB = field(before, "used_memory");
  const memA = field(after, "used_memory");
  if (memB !== undefined) m.usedMemoryBeforeBytes = memB;
  if (memA !== undefined) m.usedMemoryAfterBytes = memA;
  if (memB !== undefined && memA !== undefined) m.usedMemoryGrowthBytes = memA - memB;
  const procB = field(before, "total_commands_processed");
  const procA = field(after, "total_commands_processed");
  if (procB !== undefined && procA !== undefined) {
    m.commandsProcessed = Math.max(0, counterDelta(procB, procA) - own);
    if (durationSec > 0) m.opsPerSec = round(m.commandsProcessed / durationSec, 2);
  }
  const inst = field(after, "instantaneous_ops_per_sec");
  if (inst !== undefined) m.instantaneousOpsPerSec = inst;
  const clients = field(after, "connected_clients");
  if (clients !== undefined) m.connectedClients = clients;
  if (before.sections.includes("keyspace")) m.keysBefore = before.keys;
  if (after.sections.includes("keyspace")) m.keysAfter = after.keys;
  const search = searchMetrics(before, after);
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
  set("connectedClients", sumOf(chosen, (n) => n.connectedClients));
  const searching = chosen.filter((n) => n.search !== undefined);
  if (searching.length > 0) {
    const delta: Record<string, number> = {};
    for (const n of searching) addInto(delta, n.search!.delta);
    total.searchDelta = delta;
  }
  return total;
}

/**
 * Diffs every node that has both snapshots (a node missing either is left out: its metrics
 * are unknown, not zero).
 */
export function diffSnapshots(
  before: ReadonlyMap<string, ServerSnapshot>,
  after: ReadonlyMap<string, ServerSnapshot>,
  opts: { durationSec: number; serving: readonly string[]; testCommands: string[] },
): ServerMetrics {
  const nodes: NodeServerMetrics[] = [];
  let intervalMs = 0;
  for (const [address, a] of after) {
    const b = before.get(address);
    if (!b) continue;
    nodes.push(diffNode(b, a, opts.durationSec));
    intervalMs = Math.max(intervalMs, a.takenAtMs - b.takenAtMs);
  }
  return { testCommands: opts.testCommands, intervalSec: round(intervalMs / 1000, 6), nodes, total: totalOf(nodes, opts.serving) };
}
