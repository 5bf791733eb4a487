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
