/**
 * INFO text as data: sections of raw `name:value` fields, and the number a value stands for.
 *
 * Values come in several forms, all read here and nowhere else: integers and floats
 * (`total_commands_processed:123`, `mem_fragmentation_ratio:1.23`), memory strings
 * (`used_memory_human:1.5G`, `search_used_memory_human:4.51M`), percentages
 * (`allocator_frag_ratio` style `12.5%`), and the `k=v,k=v` sub-fields INFO uses for
 * commandstats, keyspace and latency percentiles (`cmdstat_set:calls=3,usec=9,...`,
 * `db0:keys=10,expires=0`, `latency_percentiles_usec_get:p50=1.003,p99=2.007`).
 */

/** One INFO reply: section name (lower case, as in its `# Header`) to its fields in order. */
export type InfoSections = Map<string, Map<string, string>>;

/** Parses INFO text of any sections; lines outside a section go to section "". */
export function parseInfoSections(text: string): InfoSections {
  const sections: InfoSections = new Map();
  let current = new Map<string, string>();
  sections.set("", current);
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "") continue;
    if (line.startsWith("#")) {
      const name = line.slice(1).trim().toLowerCase();
      current = sections.get(name) ?? new Map();
      sections.set(name, current);
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    current.set(line.slice(0, colon), line.slice(colon + 1));
  }
  if (sections.get("")!.size === 0) sections.delete("");
  return sections;
}

/**
 * Does the INFO header `header` belong to the section a metric names? Exact names match
 * ("stats" = "# Stats"); a module's sections match by their prefix: valkey-search answers
 * `INFO search` with `# search_memory`, `# search_query`..., all of which are section "search".
 */
export function sectionMatches(header: string, section: string): boolean {
  return header === section || header.startsWith(`${section}_`);
}

/** Does the reply have the section (any header that belongs to it, even with no fields)? */
export function hasInfoSection(info: InfoSections, section: string): boolean {
  for (const header of info.keys()) if (sectionMatches(header, section)) return true;
  return false;
}

const MEMORY_UNITS: Record<string, number> = { b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, t: 1024 ** 4, tb: 1024 ** 4 };

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const MEMORY = /^([-+]?(?:\d+\.?\d*|\.\d+))\s*([KMGT]B?|B)$/i;
const PERCENT = /^([-+]?(?:\d+\.?\d*|\.\d+))%$/;

/**
 * The number an INFO value stands for: integers, floats, memory strings in INFO's binary
 * units (`1.5G` = 1.5 * 2^30 bytes), percentages (`12.5%` = 12.5). Anything else (a status
 * word, a `k=v` list) is undefined.
 */
export function infoNumber(text: string): number | undefined {
  const t = text.trim();
  if (t === "") return undefined;
  if (NUMBER.test(t)) {
    const n = Number(t);
    return Number.isFinite(n) ? n : undefined;
  }
  const m = MEMORY.exec(t);
  if (m) return Number(m[1]) * MEMORY_UNITS[m[2]!.toLowerCase()]!;
  const p = PERCENT.exec(t);
  if (p) return Number(p[1]);
  return undefined;
}

/** One `k=v` sub-field of a value (`calls` of `calls=3,usec=9`), as text; undefined if absent. */
export function subField(value: string, key: string): string | undefined {
  for (const pair of value.split(",")) {
    const eq = pair.indexOf("=");
    if (eq > 0 && pair.slice(0, eq).trim() === key) return pair.slice(eq + 1).trim();
  }
  return undefined;
}

/** Every `k=v` sub-field of a value, as numbers (values that are not numbers are left out). */
export function subFields(value: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pair of value.split(",")) {
    const eq = pair.indexOf("=");
    if (eq <= 0) continue;
    const n = infoNumber(pair.slice(eq + 1));
    if (n !== undefined) out[pair.slice(0, eq).trim()] = n;
  }
  return out;
}

/** Every field of the sections that belong to `section` (see sectionMatches), in INFO order. */
export function* fieldsOf(info: InfoSections, section: string): Generator<[string, string]> {
  for (const [header, fields] of info) {
    if (sectionMatches(header, section)) yield* fields;
  }
}

/** A plain object of every section (for --metrics-snapshot files). */
export function sectionsToObject(info: InfoSections): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const [name, fields] of info) out[name] = Object.fromEntries(fields);
  return out;
}

/** The inverse of sectionsToObject (reading a snapshot file). */
export function sectionsFromObject(o: Record<string, Record<string, string>>): InfoSections {
  const out: InfoSections = new Map();
  for (const [name, fields] of Object.entries(o)) out.set(name, new Map(Object.entries(fields)));
  return out;
}
