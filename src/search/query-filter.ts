/**
 * The text of an FT.SEARCH query: the pre-filter before `=>` and the KNN clause after it.
 *
 * Filter syntax accepted by valkey-search 1.0.3 (docs/external-facts.md, valkey-search (h)) and the test stand-in:
 * - `*` matches everything;
 * - `@tag:{a|b}` matches a document carrying a OR b (`{a,b}` is ONE tag "a,b" and matches nothing);
 * - `@num:[lo hi]`, `(` before a bound makes it exclusive, `-inf` / `+inf` are open ends;
 * - juxtaposition is AND, so several predicates become `(p1 p2 ...)`.
 * A dataset query that requires tags t1 and t2 (VectorDataset.queryFilter: the vector must carry
 * ALL of them, the semantics its ground truth was computed with) is therefore
 * `(@f:{t1} @f:{t2})`, not `@f:{t1|t2}` (which would be OR).
 */

/** Characters that would end or split a tag inside `{...}`; such tags cannot be queried safely. */
const TAG_SYNTAX = /[{}|]/;

/** `@field:{a|b}`: documents carrying any of `values`. */
export function tagFilter(field: string, values: readonly string[]): string {
  if (values.length === 0) throw new RangeError(`tag filter on @${field} needs at least one value`);
  for (const v of values) {
    if (v.trim() === "" || TAG_SYNTAX.test(v)) {
      throw new RangeError(`tag "${v}" cannot be used in a filter on @${field}: it is empty or contains {, } or |`);
    }
  }
  return `@${field}:{${values.join("|")}}`;
}

export interface NumericRange {
  /** -Infinity for an open lower end. */
  low: number;
  /** +Infinity for an open upper end. */
  high: number;
  lowExclusive?: boolean;
  highExclusive?: boolean;
}

function bound(v: number, exclusive: boolean | undefined): string {
  const text = v === Infinity ? "+inf" : v === -Infinity ? "-inf" : String(v);
  if (Number.isNaN(v)) throw new RangeError("numeric filter bound is not a number");
  return exclusive ? `(${text}` : text;
}

/** `@field:[lo hi]` with `(` marking exclusive bounds and -inf/+inf for open ends. */
export function numericFilter(field: string, r: NumericRange): string {
  return `@${field}:[${bound(r.low, r.lowExclusive)} ${bound(r.high, r.highExclusive)}]`;
}

/** AND of predicates: `*` for none, the predicate itself for one, `(p1 p2 ...)` for several. */
export function allOf(predicates: readonly string[]): string {
  const parts = predicates.filter((p) => p !== "" && p !== "*");
  if (parts.length === 0) return "*";
  if (parts.length === 1) return parts[0]!;
  return `(${parts.join(" ")})`;
}

/**
 * The filter of a dataset query that requires every tag in `tags` ([] = unfiltered): one
 * single-value tag predicate per tag, ANDed.
 */
export function datasetTagFilter(field: string, tags: readonly string[]): string {
  return allOf(tags.map((t) => tagFilter(field, [t])));
}

export interface KnnClause {
  k: number;
  vectorField: string;
  /** Name of the PARAMS entry holding the query vector. */
  blobParam: string;
  /** EF_RUNTIME, only when given (the index's default applies otherwise). */
  efRuntime?: number;
}

/** `<filter>=>[KNN k @field $BLOB [EF_RUNTIME ef]]`: the query argument of FT.SEARCH. */
export function knnQuery(filter: string, c: KnnClause): string {
  const ef = c.efRuntime !== undefined ? ` EF_RUNTIME ${c.efRuntime}` : "";
  return `${filter === "" ? "*" : filter}=>[KNN ${c.k} @${c.vectorField} $${c.blobParam}${ef}]`;
}
