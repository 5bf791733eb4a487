/**
 * The configuration of several runs side by side: each report's `config` flattened to
 * `dotted.path -> text`, and the paths whose values differ. Used by `compare` (printed for
 * information), `merge` (refuses differing shards) and the HTML report (highlighted).
 */

/** `{a: {b: 1}, c: [1, 2]}` -> `{"a.b": "1", "c": "[1,2]"}`. Arrays stay whole (one cell). */
export function flattenConfig(value: unknown, prefix = "", out: Record<string, string> = {}): Record<string, string> {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flattenConfig(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (value !== undefined) {
    out[prefix] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return out;
}

/** Paths present in any of the flattened configs, with the value in each ("" when absent). */
export function configTable(configs: unknown[]): { path: string; values: string[]; differs: boolean }[] {
  const flat = configs.map((c) => flattenConfig(c));
  const paths = [...new Set(flat.flatMap((f) => Object.keys(f)))].sort();
  return paths.map((path) => {
    const values = flat.map((f) => f[path] ?? "");
    return { path, values, differs: values.some((v) => v !== values[0]) };
  });
}
