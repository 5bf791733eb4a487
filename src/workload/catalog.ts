/**
 * valkey-benchmark 8.0's built-in tests, in its order, with its titles, commands and `-t` names.
 * `{tag}` marks where cluster mode inserts a hash tag; it is removed in standalone mode.
 */

export interface CatalogTest {
  /** Title printed in reports, exactly as valkey-benchmark prints it. */
  title: string;
  /** `-t` names that select this test (valkey-benchmark matches whole comma-separated items). */
  selectedBy: readonly string[];
  /** Command arguments; DATA is replaced with the `-d` payload, `{tag}` with the cluster tag. */
  args?: readonly string[];
  /** Raw inline command (PING_INLINE), sent as is. */
  inline?: string;
  /** True when the command only reads (routing to replicas with --rfr). */
  readOnly: boolean;
}

export const DATA = "\u0000DATA\u0000";

const LRANGE_ANY = ["lrange", "lrange_100", "lrange_300", "lrange_500", "lrange_600"] as const;

function msetArgs(): string[] {
  const args = ["MSET"];
  for (let i = 0; i < 10; i++) args.push("key{tag}:__rand_int__", DATA);
  return args;
}

export function catalog(randomKeys: boolean): CatalogTest[] {
  return [
    { title: "PING_INLINE", selectedBy: ["ping_inline", "ping"], inline: "PING\r\n", readOnly: true },
    { title: "PING_MBULK", selectedBy: ["ping_mbulk", "ping"], args: ["PING"], readOnly: true },
    { title: "SET", selectedBy: ["set"], args: ["SET", "key{tag}:__rand_int__", DATA], readOnly: false },
    { title: "GET", selectedBy: ["get"], args: ["GET", "key{tag}:__rand_int__"], readOnly: true },
    { title: "INCR", selectedBy: ["incr"], args: ["INCR", "counter{tag}:__rand_int__"], readOnly: false },
    { title: "LPUSH", selectedBy: ["lpush"], args: ["LPUSH", "mylist{tag}", DATA], readOnly: false },
    { title: "RPUSH", selectedBy: ["rpush"], args: ["RPUSH", "mylist{tag}", DATA], readOnly: false },
    { title: "LPOP", selectedBy: ["lpop"], args: ["LPOP", "mylist{tag}"], readOnly: false },
    { title: "RPOP", selectedBy: ["rpop"], args: ["RPOP", "mylist{tag}"], readOnly: false },
    { title: "SADD", selectedBy: ["sadd"], args: ["SADD", "myset{tag}", "element:__rand_int__"], readOnly: false },
    { title: "HSET", selectedBy: ["hset"], args: ["HSET", "myhash{tag}", "element:__rand_int__", DATA], readOnly: false },
    { title: "SPOP", selectedBy: ["spop"], args: ["SPOP", "myset{tag}"], readOnly: false },
    {
      title: "ZADD",
      selectedBy: ["zadd"],
      args: ["ZADD", "myzset{tag}", randomKeys ? "__rand_int__" : "0", "element:__rand_int__"],
      readOnly: false,
    },
    { title: "ZPOPMIN", selectedBy: ["zpopmin"], args: ["ZPOPMIN", "myzset{tag}"], readOnly: false },
    { title: "LPUSH (needed to benchmark LRANGE)", selectedBy: LRANGE_ANY, args: ["LPUSH", "mylist{tag}", DATA], readOnly: false },
    { title: "LRANGE_100 (first 100 elements)", selectedBy: ["lrange", "lrange_100"], args: ["LRANGE", "mylist{tag}", "0", "99"], readOnly: true },
    { title: "LRANGE_300 (first 300 elements)", selectedBy: ["lrange", "lrange_300"], args: ["LRANGE", "mylist{tag}", "0", "299"], readOnly: true },
    { title: "LRANGE_500 (first 500 elements)", selectedBy: ["lrange", "lrange_500"], args: ["LRANGE", "mylist{tag}", "0", "499"], readOnly: true },
    { title: "LRANGE_600 (first 600 elements)", selectedBy: ["lrange", "lrange_600"], args: ["LRANGE", "mylist{tag}", "0", "599"], readOnly: true },
    { title: "MSET (10 keys)", selectedBy: ["mset"], args: msetArgs(), readOnly: false },
    { title: "XADD", selectedBy: ["xadd"], args: ["XADD", "mystream{tag}", "*", "myfield", DATA], readOnly: false },
  ];
}

/** The tests `-t` selects, in catalog order; an empty selection means all of them. */
export function selectTests(selection: readonly string[], randomKeys: boolean): CatalogTest[] {
  const all = catalog(randomKeys);
  if (selection.length === 0) return all;
  const wanted = new Set(selection);
  return all.filter((t) => t.selectedBy.some((n) => wanted.has(n)));
}
