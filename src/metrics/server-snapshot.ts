/**
 * One node's INFO counters at one moment: what the server itself says it did (commands, hits,
 * memory, search module counters). Two snapshots around a test are diffed by server-diff.ts.
 *
 * Only the light sections are read (stats, memory, clients, keyspace, commandstats, search);
 * INFO everything would also render latencystats and every module section on each call. A
 * section the server refuses (managed services restrict some) or does not have (no search
 * module) is simply absent from the snapshot: metrics never stop a run.
 */
import type { RespValue } from "../resp/types.ts";

/** The per-command counters of one `cmdstat_<name>` line. */
export interface CommandCounters {
  calls: number;
  usec: number;
  failedCalls: number;
  rejectedCalls: number;
}

/** Parsed INFO text: every numeric field, per-command counters, keyspace and search fields. */
export interface ParsedInfo {
  /** Numeric fields of the core sections (stats, memory, clients...), by INFO name. */
  fields: Record<string, number>;
  /** By the server's lower-case command name: "set", "ft.search", "client|setname". */
  commands: Record<string, CommandCounters>;
  /** Keys summed over every `dbN:keys=...` line. */
  keys: number;
  /** Numeric `search_*` fields (valkey-search's INFO SEARCH). */
  search: Record<string, number>;
  /** `search_*` fields given as percentiles ("p50=1.2,p99=3.4,p99.9=5"), by field then percentile. */
  searchPercentiles: Record<string, Record<string, number>>;
  /** Sections present (lower-case header names: "stats", "commandstats", "search_query"...). */
  sections: string[];
}

export interface ServerSnapshot extends ParsedInfo {
  address: string;
  role: "primary" | "replica";
  /** performance.now() when the reply arrived. */
  takenAtMs: number;
  /** commandstats was read: `commands` is meaningful (an empty record otherwise means unknown). */
  hasCommandstats: boolean;
  /**
   * INFO calls this snapshot made that its own commandstats reading did not count but a later
   * reading will (the reading call itself, and any after it); a diff subtracts them from "info".
   */
  infoCallsAfterCommandstats: number;
  /** INFO calls this snapshot made before its commandstats reading (already counted in it). */
  infoCallsBeforeCommandstats: number;
}

/** The sections read; "search" is valkey-search's module section (empty or an error without it). */
export const SNAPSHOT_SECTIONS = ["stats", "memory", "clients", "keyspace", "search", "commandstats"] as const;

function toNumber(text: string): number | undefined {
  if (text === "" || !/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** "a=1,b=2.5" into a map of numbers (non-numeric values dropped). */
function keyValues(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const pair of text.split(",")) {
    const eq = pair.indexOf("=");
    if (eq <= 0) continue;
    const n = toNumber(pair.slice(eq + 1).trim());
    if (n !== undefined) out.set(pair.slice(0, eq).trim(), n);
  }
  return out;
}

/** Parses INFO text of any sections; unknown or non-numeric fields are skipped, never an error. */
export function parseInfoText(text: string): ParsedInfo {
  const parsed: ParsedInfo = { fields: {}, commands: {}, keys: 0, search: {}, searchPercentiles: {}, sections: [] };
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "") continue;
    if (line.startsWith("#")) {
      parsed.sections.push(line.slice(1).trim().toLowerCase());
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon);
    const value = line.slice(colon + 1);
    if (name.startsWith("cmdstat_")) {
      const kv = keyValues(value);
      parsed.commands[name.slice("cmdstat_".length).toLowerCase()] = {
        calls: kv.get("calls") ?? 0,
        usec: kv.get("usec") ?? 0,
        failedCalls: kv.get("failed_calls") ?? 0,
        rejectedCalls: kv.get("rejected_calls") ?? 0,
      };
    } else if (/^db\d+$/.test(name)) {
      parsed.keys += keyValues(value).get("keys") ?? 0;
    } else if (name.startsWith("search_")) {
      const n = toNumber(value);
      if (n !== undefined) parsed.search[name] = n;
      else if (/^p[\d.]+=/.test(value)) parsed.searchPercentiles[name] = Object.fromEntries(keyValues(value));
    } else {
      const n = toNumber(value);
      if (n !== undefined) parsed.fields[name] = n;
    }
  }
  return parsed;
}

/** The INFO reply as text, or undefined for an error reply (restricted or unknown section). */
function infoReplyText(reply: RespValue): string | undefined {
  if (typeof reply === "string") return reply;
  if (reply instanceof Uint8Array) return new TextDecoder().decode(reply);
  return undefined; // RespError or an unexpected shape: the section is absent
}

/** What a snapshot needs from a connection: ControlClient satisfies it. */
export interface InfoSource {
  call(args: readonly string[], timeoutMs?: number): Promise<RespValue>;
}

/**
 * Reads one node's counters. One `INFO stats memory ... commandstats` call where the server
 * takes several sections (Valkey, Redis 7+: one round trip, and the reply is one consistent
 * moment); otherwise (older servers answer an error) one call per section, commandstats last,
 * and a section answered with an error is left out. Connection failures (timeouts, a closed
 * connection) reject: the caller decides what an unreachable node means.
 */
export async function takeSnapshot(source: InfoSource, node: { address: string; role: "primary" | "replica" }, timeoutMs: number): Promise<ServerSnapshot> {
  const combined = await source.call(["INFO", ...SNAPSHOT_SECTIONS], timeoutMs);
  let text = infoReplyText(combined);
  let before = 0;
  if (text === undefined) {
    const parts: string[] = [];
    for (const section of SNAPSHOT_SECTIONS) {
      if (section === "commandstats") break;
      const reply = await source.call(["INFO", section], timeoutMs);
      before++;
      const t = infoReplyText(reply);
      if (t !== undefined) parts.push(t);
    }
    const reply = await source.call(["INFO", "commandstats"], timeoutMs);
    const t = infoReplyText(reply);
    if (t !== undefined) parts.push(t);
    // The failed combined call came before the commandstats reading: already counted in it.
    before++;
    text = parts.join("\r\n");
  }
  const parsed = parseInfoText(text);
  return {
    ...parsed,
    address: node.address,
    role: node.role,
    takenAtMs: performance.now(),
    hasCommandstats: parsed.sections.includes("commandstats"),
    // The call that read commandstats is counted only once it has run.
    infoCallsAfterCommandstats: 1,
    infoCallsBeforeCommandstats: before,
  };
}
