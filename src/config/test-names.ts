/**
 * Names `-t` accepts, lowercased as valkey-benchmark prints them. `ping` selects both PING tests and
 * `lrange` every LRANGE test, as in valkey-benchmark. Modules that add tests (vector search)
 * call registerTestNames() at import time so `-t` validation and did-you-mean know them.
 */

/** valkey-benchmark 8.0's `-t` names, in its default order. */
export const VALKEY_BENCHMARK_TEST_NAMES: readonly string[] = [
  "ping",
  "ping_inline",
  "ping_mbulk",
  "set",
  "get",
  "incr",
  "lpush",
  "rpush",
  "lpop",
  "rpop",
  "sadd",
  "hset",
  "spop",
  "zadd",
  "zpopmin",
  "lrange",
  "lrange_100",
  "lrange_300",
  "lrange_500",
  "lrange_600",
  "mset",
  "xadd",
];

const known: string[] = [...VALKEY_BENCHMARK_TEST_NAMES];

/** Adds test names (lowercase) that `-t` should accept; duplicates are ignored. */
export function registerTestNames(names: readonly string[]): void {
  for (const name of names) {
    const lower = name.toLowerCase();
    if (!known.includes(lower)) known.push(lower);
  }
}

/** Every name `-t` accepts, built-in first, then registered ones in registration order. */
export function knownTestNames(): readonly string[] {
  return known;
}

/** The vector search tests (issue 5), canonical names. */
export const VECTOR_TEST_NAMES: readonly string[] = ["vec-load", "vec-query", "vec-update", "vec-delete"];

/** Other spellings `-t` and `--mix` accept for them (the seed's). */
const TEST_NAME_ALIASES: Readonly<Record<string, string>> = {
  vecload: "vec-load",
  vec_load: "vec-load",
  vecquery: "vec-query",
  vec_query: "vec-query",
  vecupdate: "vec-update",
  vec_update: "vec-update",
  vecdelete: "vec-delete",
  vec_delete: "vec-delete",
};

registerTestNames([...VECTOR_TEST_NAMES, ...Object.keys(TEST_NAME_ALIASES)]);

/** The canonical name of a (lowercased) test name: `vec_load` → `vec-load`; others unchanged. */
export function canonicalTestName(name: string): string {
  return TEST_NAME_ALIASES[name] ?? name;
}

export function isVectorTestName(name: string): boolean {
  return VECTOR_TEST_NAMES.includes(canonicalTestName(name));
}
