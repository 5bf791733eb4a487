/**
 * Commands a server module runs itself, which the server counts as if a client had sent them.
 *
 * valkey-search 1.0 checks the caller's ACL permissions by running `ACL GETUSER` internally on
 * every FT.SEARCH, FT.INFO, FT.CREATE and FT.DROPINDEX (checked on 1.0.3 with INFO commandstats
 * before and after a few calls from valkey-cli: `cmdstat_acl|getuser` grows by one per call;
 * FT._LIST, a failed query and plain HSET run none). Valkey counts those calls in
 * `total_commands_processed` and `cmdstat_acl|getuser`, so without this a vec-query run showed
 * twice its FT.SEARCH rate as the server's ops/s.
 *
 * metric-eval.ts takes these calls out of `total_commands_processed` on a node that has the
 * module (its INFO has the module's section): the server ops/s then counts commands clients sent.
 * `cmdstat_acl|getuser` itself stays as the server counts it. A client that sends ACL GETUSER to
 * such a node has those calls taken out too: they cannot be told apart from the module's.
 */
import { fieldsOf, hasInfoSection, subField, type InfoSections } from "./info-text.ts";

export interface ModuleInternalCommands {
  /** The INFO section (prefix) that shows the module is loaded. */
  section: string;
  /** Commands the module runs, by their commandstats name. */
  commands: readonly string[];
  /** For the report: who runs them and why. */
  reason: string;
}

export const MODULE_INTERNAL_COMMANDS: readonly ModuleInternalCommands[] = [
  { section: "search", commands: ["acl|getuser"], reason: "the search module's ACL check on FT.SEARCH, FT.INFO, FT.CREATE, FT.DROPINDEX" },
];

/** The cumulative calls of `names` in a reading's INFO commandstats. */
function callsOf(info: InfoSections, names: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [field, value] of fieldsOf(info, "commandstats")) {
    const name = field.startsWith("cmdstat_") ? field.slice("cmdstat_".length).toLowerCase() : "";
    if (!names.includes(name)) continue;
    const calls = Number(subField(value, "calls"));
    if (Number.isFinite(calls)) out[name] = (out[name] ?? 0) + calls;
  }
  return out;
}

/**
 * Module-internal calls between two readings of a node, by commandstats name: only for modules
 * the later reading shows loaded, and only when both readings have INFO commandstats (else
 * nothing is known and nothing is taken out). A counter that went down (CONFIG RESETSTAT)
 * counts from the reset.
 */
export function moduleCallsBetween(before: InfoSections, after: InfoSections): Record<string, number> {
  const out: Record<string, number> = {};
  if (!hasInfoSection(before, "commandstats") || !hasInfoSection(after, "commandstats")) return out;
  for (const m of MODULE_INTERNAL_COMMANDS) {
    if (!hasInfoSection(after, m.section)) continue;
    const b = callsOf(before, m.commands);
    for (const [name, n] of Object.entries(callsOf(after, m.commands))) {
      const was = b[name] ?? 0;
      const d = n >= was ? n - was : n;
      if (d > 0) out[name] = (out[name] ?? 0) + d;
    }
  }
  return out;
}

/** The total of moduleCallsBetween. */
export function moduleCallCount(calls: Record<string, number>): number {
  return Object.values(calls).reduce((a, b) => a + b, 0);
}

/** The module entry that runs `name` (a commandstats name) internally, if any. */
export function internalCommandOf(name: string): ModuleInternalCommands | undefined {
  return MODULE_INTERNAL_COMMANDS.find((m) => m.commands.includes(name));
}
