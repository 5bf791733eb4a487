/**
 * `--tag-filter` and `--numeric-filter` put one filter on every query, but recall is scored
 * against the dataset's ground truth, which holds only for that filter when it was computed with
 * it (`dataset ground-truth --numeric-filter`, a VectorDBBench filter case). The one proof the
 * run can check without the server: a ground-truth neighbour the filter excludes. The server
 * must not return such a vector, so recall against that ground truth would be wrong with nothing
 * to show why. (A ground truth computed for another filter the neighbours all happen to pass is
 * not caught; docs/vector-search.md says so.)
 *
 * A vector passes as vec-load writes it: its tags into the TAG field; per NUMERIC field, the
 * dataset's attribute of that name (absent: no field, so no range matches) or else its dataset id.
 * Tags compare as valkey-search's TAG fields do by default (case-insensitive, `pre*` a prefix).
 */
import type { NumericFilter } from "../config/types.ts";
import { inNumericRange, NO_NEIGHBOR, type VectorDataset } from "../dataset/index.ts";

export interface FlagFilters {
  /** `--tag-filter a|b` split on `|` (undefined: no tag filter). */
  tags?: readonly string[];
  numeric: readonly NumericFilter[];
}

/**
 * Why recall cannot be scored under the flag filters, or undefined when every query's first k
 * ground-truth neighbours pass them. `ds` is the run's slice starting at dataset id `offset`.
 */
export function flagFilterGroundTruthMismatch(ds: VectorDataset, k: number, offset: number, filters: FlagFilters): string | undefined {
  const tags = filters.tags?.map((t) => t.trim().toLowerCase());
  if (tags === undefined && filters.numeric.length === 0) return undefined;
  const attributes = new Set(ds.numericFields);
  const passes = (id: number): boolean => {
    const i = id - offset;
    if (tags !== undefined) {
      const own = ds.vectorTags(i).map((t) => t.trim().toLowerCase());
      if (!tags.some((want) => own.some((t) => (want.endsWith("*") ? t.startsWith(want.slice(0, -1)) : t === want)))) return false;
    }
    for (const f of filters.numeric) {
      const value = attributes.has(f.field) ? ds.vectorNumeric(i, f.field) : id;
      if (!inNumericRange(value, f)) return false;
    }
    return true;
  };
  let queries = 0;
  let example = "";
  const width = Math.min(k, ds.neighborsPerQuery);
  for (let q = 0; q < ds.numQueries; q++) {
    for (let j = 0; j < width; j++) {
      const id = ds.neighborId(q, j);
      if (id === NO_NEIGHBOR || id < offset || id >= offset + ds.numVectors) continue;
      if (!passes(id)) {
        if (queries === 0) example = ` (query ${q}: neighbour ${j + 1}, vector ${id})`;
        queries++;
        break;
      }
    }
  }
  if (queries === 0) return undefined;
  const flags = [...(filters.tags ? [`--tag-filter "${filters.tags.join("|")}"`] : []), ...filters.numeric.map((f) => `--numeric-filter "${numericFilterText(f)}"`)];
  const fix = filters.tags
    ? "use a dataset whose ground truth was computed with this tag filter (a VectorDBBench label case converted with --neighbors)"
    : `compute it with \`dataset ground-truth ${filters.numeric.map((f) => `--numeric-filter "${numericFilterText(f)}"`).join(" ")}\``;
  return `the ground truth of ${queries} of the ${ds.numQueries} queries in ${ds.path} names vectors that ${flags.join(" ")} excludes${example}, so it was not computed with this filter; ${fix} to score recall`;
}

/** `price:[10 (20]`, as --numeric-filter reads it. */
export function numericFilterText(f: NumericFilter): string {
  const bound = (v: number, exclusive: boolean): string => `${exclusive ? "(" : ""}${v === Infinity ? "+inf" : v === -Infinity ? "-inf" : String(v)}`;
  return `${f.field}:[${bound(f.min, f.minExclusive)} ${bound(f.max, f.maxExclusive)}]`;
}
