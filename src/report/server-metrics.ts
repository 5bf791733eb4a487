/**
 * The "Server metrics:" block: what each server reported doing during the test (INFO deltas,
 * see src/metrics/server-diff.ts), one line per node and a total over the nodes that served it.
 * Printed after the per-node table, i.e. after valkey-benchmark's own layout has ended.
 */
import type { CommandDelta, NodeServerMetrics, ServerMetrics } from "../metrics/server-diff.ts";
import { internalCommandOf } from "../metrics/module-calls.ts";
import type { TestResult } from "../metrics/types.ts";
import { formatFixed } from "./printf.ts";

/** Commands shown per line when the test's own commands are unknown (custom mixes). */
const TOP_COMMANDS = 2;

export function serverMetricsOf(r: TestResult): ServerMetrics | undefined {
  const m = (r.extra as { serverMetrics?: ServerMetrics } | undefined)?.serverMetrics;
  return m && Array.isArray(m.nodes) ? m : undefined;
}

/** Signed, in binary units as INFO's *_human fields: "+3.2 MB", "-512 B". */
export function formatBytesDelta(bytes: number): string {
  const sign = bytes < 0 ? "-" : "+";
  const abs = Math.abs(bytes);
  if (abs < 1024) return `${sign}${abs} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = abs / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${sign}${formatFixed(value, 1)} ${units[unit]}`;
}

/** The test's commands the server counted, else the busiest ones. */
function shownCommands(commands: Record<string, CommandDelta>, testCommands: readonly string[]): [string, CommandDelta][] {
  const own = testCommands.flatMap((name) => (commands[name] ? [[name, commands[name]] as [string, CommandDelta]] : []));
  if (own.length > 0) return own;
  return Object.entries(commands)
    .filter(([name]) => !internalCommandOf(name))
    .sort((a, b) => b[1].calls - a[1].calls)
    .slice(0, TOP_COMMANDS);
}

function commandsText(commands: Record<string, CommandDelta> | undefined, testCommands: readonly string[]): string {
  if (!commands) return "commandstats unavailable";
  const shown = shownCommands(commands, testCommands);
  if (shown.length === 0) return "no commands";
  return shown
    .map(([name, d]) => {
      const rejected = d.rejectedCalls > 0 ? `, rejected ${d.rejectedCalls}` : "";
      return `${name}: calls ${d.calls}, ${formatFixed(d.usecPerCall, 2)} usec/call, failed ${d.failedCalls}${rejected}`;
    })
    .join("; ");
}

type Line = Pick<NodeServerMetrics, "commands" | "keyspaceHits" | "keyspaceMisses" | "hitRatePct" | "usedMemoryGrowthBytes" | "opsPerSec">;

/** The cells of one line: commands, lookups, memory, ops/s, search ("" when not reported). */
function cells(m: Line, testCommands: readonly string[], searchText: string | undefined): string[] {
  const hits =
    m.keyspaceHits !== undefined && m.keyspaceMisses !== undefined
      ? `hits ${m.keyspaceHits} misses ${m.keyspaceMisses}${m.hitRatePct !== undefined ? ` (${formatFixed(m.hitRatePct, 1)}% hits)` : ""}`
      : "";
  return [
    commandsText(m.commands, testCommands),
    hits,
    m.usedMemoryGrowthBytes !== undefined ? `used_memory ${formatBytesDelta(m.usedMemoryGrowthBytes)}` : "",
    m.opsPerSec !== undefined ? `${formatFixed(m.opsPerSec, 0)} ops/s` : "",
    searchText ?? "",
  ];
}

/** valkey-search counters, only those the server reports. */
function searchText(delta: Record<string, number> | undefined, after: Record<string, number> | undefined): string | undefined {
  if (!delta && !after) return undefined;
  const bits: string[] = [];
  const ok = delta?.search_successful_requests_count;
  const failed = delta?.search_failure_requests_count;
  if (ok !== undefined) bits.push(`ok +${ok}`);
  if (failed !== undefined) bits.push(`failed +${failed}`);
  const docs = after?.search_total_indexed_documents;
  if (docs !== undefined) bits.push(`docs ${docs}`);
  const mem = delta?.search_used_memory_bytes;
  if (mem !== undefined) bits.push(`memory ${formatBytesDelta(mem)}`);
  return bits.length > 0 ? `search ${bits.join(", ")}` : undefined;
}

/** What ops/s leaves out on a server whose module runs commands itself (module-calls.ts). */
function internalCallsNote(nodes: readonly NodeServerMetrics[]): string | undefined {
  const calls: Record<string, number> = {};
  for (const n of nodes) for (const [name, c] of Object.entries(n.moduleInternalCalls ?? {})) calls[name] = (calls[name] ?? 0) + c;
  const parts = Object.entries(calls).map(([name, c]) => `${c} ${name} (${internalCommandOf(name)?.reason ?? "run by a module"})`);
  if (parts.length === 0) return undefined;
  return `  ops/s counts the commands clients sent; left out: ${parts.join(", ")}`;
}

export function formatServerMetrics(r: TestResult): string {
  const m = serverMetricsOf(r);
  if (!m) return "";
  const rows: { label: string; role: string; cells: string[] }[] = m.nodes.map((n) => ({
    label: n.address,
    role: n.role,
    cells: cells(n, m.testCommands, searchText(n.search?.delta, n.search?.after)),
  }));
  if (m.total.nodes.length > 1) {
    rows.push({ label: `total (${m.total.nodes.length} nodes)`, role: "", cells: cells(m.total, m.testCommands, searchText(m.total.searchDelta, undefined)) });
  }
  const labelWidth = Math.max(...rows.map((row) => row.label.length));
  const roleWidth = Math.max(...rows.map((row) => row.role.length));
  // Each cell column is as wide as its widest entry, so the same quantity lines up down the block.
  const columns = rows[0]!.cells.length;
  const shown = Array.from({ length: columns }, (_, i) => rows.some((row) => row.cells[i] !== ""));
  const widths = Array.from({ length: columns }, (_, i) => Math.max(...rows.map((row) => row.cells[i]!.length)));
  const lines = rows.map((row) => {
    const parts = row.cells.flatMap((c, i) => (shown[i] ? [c.padEnd(widths[i]!)] : []));
    const detail = parts.map((p, i) => (i < parts.length - 1 ? `${p}  ` : p)).join("").trimEnd();
    return `  ${row.label.padEnd(labelWidth)}  ${row.role.padEnd(roleWidth)}  ${detail}`;
  });
  const note = internalCallsNote(m.nodes);
  return ["Server metrics:", ...lines, ...(note ? [note] : [])].join("\n") + "\n\n";
}
