// Parsers for INFO output as printed by valkey-cli.

/** Per-command counters from INFO commandstats. */
export interface CommandStat {
  calls: number;
  failed: number;
  rejected: number;
}

/** "key:value" lines into a record; section headers ("# Server") and blank lines are skipped. */
export function parseInfo(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const colon = line.indexOf(":");
    if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return fields;
}

/**
 * INFO commandstats into counters keyed by lower-case command name, as the server names them:
 * "get", "ft.search", "client|setname" (subcommands joined with "|").
 */
export function parseCommandstats(text: string): Record<string, CommandStat> {
  const stats: Record<string, CommandStat> = {};
  for (const [key, value] of Object.entries(parseInfo(text))) {
    if (!key.startsWith("cmdstat_")) continue;
    const counters = new Map<string, number>();
    for (const pair of value.split(",")) {
      const [name, num] = pair.split("=");
      if (name !== undefined && num !== undefined) counters.set(name, Number(num));
    }
    stats[key.slice("cmdstat_".length)] = {
      calls: counters.get("calls") ?? 0,
      failed: counters.get("failed_calls") ?? 0,
      rejected: counters.get("rejected_calls") ?? 0,
    };
  }
  return stats;
}
