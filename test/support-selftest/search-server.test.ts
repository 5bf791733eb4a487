// Specification of the valkey-search stand-in: every wire exchange recorded in anchors (h) from
// valkey-search 1.0.3 on Valkey 8.1.1 is replayed and compared byte for byte.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { approximateRecall, formatScore, keySlot, startSearchCluster, startSearchServer, type SearchCluster, type SearchServer } from "../support/search-server.ts";
import { f32, RawClient, type Arg } from "../support/search-server/raw-client.ts";

const latin1 = (b: Buffer) => b.toString("latin1");

/** Starts a stand-in on `port` and a connected raw client; both are stopped after the describe block. */
function fixture(port: number, options: Parameters<typeof startSearchServer>[0] = {}) {
  const ctx = {} as { server: SearchServer; client: RawClient };
  beforeAll(async () => {
    ctx.server = await startSearchServer({ port, ...options });
    ctx.client = await RawClient.connect(port);
  });
  afterAll(async () => {
    ctx.client.close();
    await ctx.server.stop();
  });
  return ctx;
}

const QUERY = f32(0.9, 0.1, 0, 0);
const KNN2 = "*=>[KNN 2 @embedding $BLOB]";
const ITEM2 =
  "$5\r\nvec:2\r\n*6\r\n$17\r\n__embedding_score\r\n$15\r\n0.0200000051409\r\n$4\r\nname\r\n$5\r\nitem2\r\n$9\r\nembedding\r\n$16\r\n\x00\x00\x80?\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\r\n";
const ITEM5 =
  "$5\r\nvec:5\r\n*6\r\n$17\r\n__embedding_score\r\n$14\r\n0.319999992847\r\n$4\r\nname\r\n$5\r\nitem5\r\n$9\r\nembedding\r\n$16\r\n\x00\x00\x00?\x00\x00\x00?\x00\x00\x00\x00\x00\x00\x00\x00\r\n";

/** [command, exact reply] pairs transcribed from anchors (h). */
const ANCHOR_EXCHANGES: [Arg[], string][] = [
  [["FT.SEARCH", "idx", KNN2, "PARAMS", "2", "BLOB", QUERY, "DIALECT", "2"], `*5\r\n:2\r\n${ITEM2}${ITEM5}`],
  [["FT.SEARCH", "idx", KNN2, "PARAMS", "2", "BLOB", QUERY, "NOCONTENT", "DIALECT", "2"], "*3\r\n:2\r\n$5\r\nvec:2\r\n$5\r\nvec:5\r\n"],
  [
    ["FT.SEARCH", "idx", KNN2, "PARAMS", "2", "BLOB", QUERY, "RETURN", "1", "name", "DIALECT", "2"],
    "*5\r\n:2\r\n$5\r\nvec:2\r\n*2\r\n$4\r\nname\r\n$5\r\nitem2\r\n$5\r\nvec:5\r\n*2\r\n$4\r\nname\r\n$5\r\nitem5\r\n",
  ],
  [
    ["FT.SEARCH", "idx", KNN2, "PARAMS", "2", "BLOB", QUERY, "RETURN", "2", "__embedding_score", "name", "DIALECT", "2"],
    "*5\r\n:2\r\n$5\r\nvec:2\r\n*4\r\n$17\r\n__embedding_score\r\n$15\r\n0.0200000051409\r\n$4\r\nname\r\n$5\r\nitem2\r\n$5\r\nvec:5\r\n*4\r\n$17\r\n__embedding_score\r\n$14\r\n0.319999992847\r\n$4\r\nname\r\n$5\r\nitem5\r\n",
  ],
  [["FT.SEARCH", "idx", KNN2, "PARAMS", "2", "BLOB", QUERY, "RETURN", "0", "DIALECT", "2"], "*3\r\n:2\r\n$5\r\nvec:2\r\n$5\r\nvec:5\r\n"],
  [
    ["FT.SEARCH", "idx", "*=>[KNN 2 @embedding $BLOB EF_RUNTIME 100]", "PARAMS", "2", "BLOB", QUERY, "DIALECT", "2"],
    `*5\r\n:2\r\n${ITEM2}${ITEM5}`,
  ],
  [
    ["FT.SEARCH", "idx", "*=>[KNN 2 @embedding $BLOB EF_RUNTIME 100 AS d]", "PARAMS", "2", "BLOB", QUERY, "RETURN", "2", "d", "name", "DIALECT", "2"],
    "*5\r\n:2\r\n$5\r\nvec:2\r\n*4\r\n$1\r\nd\r\n$15\r\n0.0200000051409\r\n$4\r\nname\r\n$5\r\nitem2\r\n$5\r\nvec:5\r\n*4\r\n$1\r\nd\r\n$14\r\n0.319999992847\r\n$4\r\nname\r\n$5\r\nitem5\r\n",
  ],
  [
    ["FT.SEARCH", "idx", "*=>[KNN 50 @embedding $BLOB]", "PARAMS", "2", "BLOB", QUERY, "NOCONTENT"],
    "*4\r\n:3\r\n$5\r\nvec:2\r\n$5\r\nvec:5\r\n$5\r\nvec:1\r\n",
  ],
  [
    ["FT.SEARCH", "idx", "*=>[KNN 3 @embedding $BLOB]", "PARAMS", "2", "BLOB", QUERY, "NOCONTENT", "LIMIT", "1", "1", "DIALECT", "2"],
    "*2\r\n:3\r\n$5\r\nvec:5\r\n",
  ],
  [["FT.SEARCH", "idx", KNN2, "PARAMS", "2", "BLOB", QUERY, "NOCONTENT", "LIMIT", "0", "0", "DIALECT", "2"], "*1\r\n:2\r\n"],
  [
    ["FT.SEARCH", "idx", KNN2, "PARAMS", "2", "BLOB", f32(0, 0), "DIALECT", "2"],
    "-Error parsing vector similarity parameters: query vector blob size (8) does not match index's expected size (16).\r\n",
  ],
  [["FT.SEARCH", "idx", "@name:[1 2]", "DIALECT", "2"], "-Invalid filter format. Missing `=>`\r\n"],
];

async function loadAnchorData(client: RawClient): Promise<string[]> {
  const replies = await client.pipeline([
    ["FT.CREATE", "idx", "ON", "HASH", "PREFIX", "1", "vec:", "SCHEMA", "embedding", "VECTOR", "HNSW", "6", "TYPE", "FLOAT32", "DIM", "4", "DISTANCE_METRIC", "L2"],
    ["HSET", "vec:1", "embedding", f32(0, 0, 0, 0), "name", "item1"],
    ["HSET", "vec:2", "embedding", f32(1, 0, 0, 0), "name", "item2"],
    ["HSET", "vec:5", "embedding", f32(0.5, 0.5, 0, 0), "name", "item5"],
  ]);
  return replies.map(latin1);
}

describe("wire exchanges recorded from valkey-search 1.0.3 (anchors h)", () => {
  const ctx = fixture(23010);

  test("FT.CREATE answers +OK and each HSET of two fields answers :2", async () => {
    expect(await loadAnchorData(ctx.client)).toEqual(["+OK\r\n", ":2\r\n", ":2\r\n", ":2\r\n"]);
  });

  for (const [command, expected] of ANCHOR_EXCHANGES) {
    const label = command
      .map((a) => (typeof a === "string" ? a : `<${a.length}-byte blob>`))
      .filter((a) => a !== "FT.SEARCH" && a !== "idx")
      .join(" ");
    test(`FT.SEARCH ${label} replies byte for byte as the real module`, async () => {
      expect(latin1(await ctx.client.send(...command))).toBe(expected);
    });
  }

  test("after HELLO 3 every FT.SEARCH reply is byte-identical to RESP2 (plain arrays, no maps)", async () => {
    const hello = latin1(await ctx.client.send("HELLO", "3"));
    expect(hello.startsWith("%7\r\n$6\r\nserver\r\n$6\r\nvalkey\r\n")).toBe(true);
    const replies = await ctx.client.pipeline(ANCHOR_EXCHANGES.map(([command]) => command));
    expect(replies.map(latin1)).toEqual(ANCHOR_EXCHANGES.map(([, expected]) => expected));
    await ctx.client.send("HELLO", "2");
  });

  test("an unknown index is reported by name", async () => {
    const reply = await ctx.client.send("FT.SEARCH", "nope", KNN2, "PARAMS", "2", "BLOB", QUERY);
    expect(latin1(reply)).toBe("-Index with name 'nope' not found\r\n");
  });

  test("SORTBY is rejected as an unexpected argument and DIALECT outside 2..4 is refused", async () => {
    const sortby = await ctx.client.send("FT.SEARCH", "idx", KNN2, "PARAMS", "2", "BLOB", QUERY, "SORTBY", "name");
    expect(latin1(sortby)).toBe("-Unexpected argument `SORTBY`\r\n");
    const dialect = await ctx.client.send("FT.SEARCH", "idx", KNN2, "PARAMS", "2", "BLOB", QUERY, "DIALECT", "5");
    expect(latin1(dialect).startsWith("-DIALECT")).toBe(true);
  });

  test("FT.AGGREGATE is an unknown command, worded like Valkey", async () => {
    expect(latin1(await ctx.client.send("FT.AGGREGATE", "idx", "*"))).toBe(
      "-ERR unknown command 'FT.AGGREGATE', with args beginning with: 'idx' '*' \r\n",
    );
  });
});

describe("KNN totals, LIMIT and scores", () => {
  const ctx = fixture(23011);

  beforeAll(async () => {
    await ctx.client.send("FT.CREATE", "ip", "PREFIX", "1", "ip:", "SCHEMA", "v", "VECTOR", "FLAT", "6", "TYPE", "FLOAT32", "DIM", "2", "DISTANCE_METRIC", "IP");
    await ctx.client.send("FT.CREATE", "cos", "PREFIX", "1", "cos:", "SCHEMA", "v", "VECTOR", "HNSW", "6", "TYPE", "FLOAT32", "DIM", "2", "DISTANCE_METRIC", "COSINE");
    await ctx.client.send("FT.CREATE", "l2", "PREFIX", "1", "l2:", "SCHEMA", "v", "VECTOR", "HNSW", "6", "TYPE", "FLOAT32", "DIM", "2", "DISTANCE_METRIC", "L2");
    const loads: Arg[][] = [["HSET", "ip:1", "v", f32(2, 2.5)], ["HSET", "cos:x", "v", f32(3, 0)], ["HSET", "cos:y", "v", f32(0, 5)]];
    for (let i = 0; i < 30; i++) loads.push(["HSET", `l2:${String(i).padStart(2, "0")}`, "v", f32(i, 0)]);
    await ctx.client.pipeline(loads);
  });

  test("IP scores are 1 - dot and may be negative", async () => {
    const reply = await ctx.client.send("FT.SEARCH", "ip", "*=>[KNN 1 @v $q]", "PARAMS", "2", "q", f32(2, 2), "RETURN", "1", "__v_score");
    expect(latin1(reply)).toBe("*3\r\n:1\r\n$4\r\nip:1\r\n*2\r\n$9\r\n__v_score\r\n$2\r\n-8\r\n");
  });

  test("COSINE scores are 1 - cos: 0 for the same direction, 1 for orthogonal", async () => {
    const reply = await ctx.client.send("FT.SEARCH", "cos", "*=>[KNN 2 @v $q]", "PARAMS", "2", "q", f32(1, 0), "RETURN", "1", "__v_score");
    expect(latin1(reply)).toBe(
      "*5\r\n:2\r\n$5\r\ncos:x\r\n*2\r\n$9\r\n__v_score\r\n$1\r\n0\r\n$5\r\ncos:y\r\n*2\r\n$9\r\n__v_score\r\n$1\r\n1\r\n",
    );
  });

  test("L2 scores are squared distances", async () => {
    const reply = await ctx.client.send("FT.SEARCH", "l2", "*=>[KNN 1 @v $q]", "PARAMS", "2", "q", f32(3, 4), "RETURN", "1", "__v_score");
    expect(latin1(reply)).toBe("*3\r\n:1\r\n$5\r\nl2:03\r\n*2\r\n$9\r\n__v_score\r\n$2\r\n16\r\n");
  });

  test("KNN 20 without LIMIT reports total 20 but returns the default 10 keys; LIMIT 0 20 returns 20", async () => {
    const query = ["FT.SEARCH", "l2", "*=>[KNN 20 @v $q]", "PARAMS", "2", "q", f32(0, 0), "NOCONTENT"];
    const defaultPage = latin1(await ctx.client.send(...query));
    const keys = (text: string): string[] => [...(text.match(/l2:\d\d/g) ?? [])];
    expect(defaultPage.startsWith("*11\r\n:20\r\n")).toBe(true);
    expect(keys(defaultPage)).toEqual(Array.from({ length: 10 }, (_, i) => `l2:${String(i).padStart(2, "0")}`));
    const full = latin1(await ctx.client.send(...query, "LIMIT", "0", "20"));
    expect(full.startsWith("*21\r\n:20\r\n")).toBe(true);
    expect(keys(full)).toHaveLength(20);
  });

  test("scores print like C's %.12g", () => {
    expect(formatScore(Math.fround(380.820007324))).toBe("380.820007324");
    expect(formatScore(0)).toBe("0");
    expect(formatScore(-8)).toBe("-8");
    expect(formatScore(Math.fround(0.02000000514))).toBe("0.0200000051409");
    expect(formatScore(0.000015)).toBe("1.5e-05");
    expect(formatScore(1234567890123)).toBe("1.23456789012e+12");
  });
});

/** Splits a flat RESP2 FT.INFO reply into its 13 top-level key → raw-value-text pairs. */
function infoPairs(reply: string): Map<string, string> {
  const pairs = new Map<string, string>();
  const keys = [...reply.matchAll(/\r\n\+([a-z_]+)\r\n/g)].map((m) => m[1]);
  for (const key of ["num_docs", "hash_indexing_failures", "backfill_in_progress", "backfill_complete_percent", "num_records"]) {
    const m = reply.match(new RegExp(`\\+${key}\\r\\n\\$\\d+\\r\\n([^\\r]*)\\r\\n`));
    if (m) pairs.set(key, m[1]);
  }
  const state = reply.match(/\+state\r\n\+([a-z_]+)\r\n$/);
  if (state) pairs.set("state", state[1]);
  pairs.set("keys", keys.join(","));
  return pairs;
}

describe("FT.CREATE, FT.INFO and FT.DROPINDEX", () => {
  const ctx = fixture(23012);

  test("FT.INFO is a 26-element flat array with simple-string keys and bulk-string counts", async () => {
    await ctx.client.send("FT.CREATE", "idx", "ON", "HASH", "PREFIX", "1", "doc:", "SCHEMA", "tags", "TAG", "price", "NUMERIC", "vec", "VECTOR", "HNSW", "14", "TYPE", "FLOAT32", "DIM", "2", "DISTANCE_METRIC", "COSINE", "M", "32", "EF_CONSTRUCTION", "400", "EF_RUNTIME", "64", "INITIAL_CAP", "1000");
    await ctx.client.pipeline([
      ["HSET", "doc:1", "vec", f32(1, 2), "tags", "a", "price", "3"],
      ["HSET", "doc:2", "vec", f32(2, 1), "tags", "b", "price", "4"],
    ]);
    const reply = latin1(await ctx.client.send("FT.INFO", "idx"));
    expect(reply.startsWith("*26\r\n+index_name\r\n$3\r\nidx\r\n+index_options\r\n*0\r\n+index_definition\r\n*6\r\n+key_type\r\n+HASH\r\n+prefixes\r\n*1\r\n$4\r\ndoc:\r\n+default_score\r\n$1\r\n1\r\n")).toBe(true);
    expect(reply).toContain("+algorithm\r\n*8\r\n+name\r\n+HNSW\r\n+m\r\n:32\r\n+ef_construction\r\n:400\r\n+ef_runtime\r\n:64\r\n");
    expect(reply).toContain("+capacity\r\n:1000\r\n+dimensions\r\n:2\r\n+distance_metric\r\n+COSINE\r\n");
    expect(reply).toContain("+type\r\n+TAG\r\n+SEPARATOR\r\n$1\r\n,\r\n");
    const info = infoPairs(reply);
    expect(info.get("num_docs")).toBe("2");
    expect(info.get("num_records")).toBe("6");
    expect(info.get("hash_indexing_failures")).toBe("0");
    expect(info.get("backfill_in_progress")).toBe("0");
    expect(info.get("backfill_complete_percent")).toBe("1.000000");
    expect(info.get("state")).toBe("ready");
    expect(reply.endsWith("+mutation_queue_size\r\n$1\r\n0\r\n+recent_mutations_queue_delay\r\n$5\r\n0 sec\r\n+state\r\n+ready\r\n")).toBe(true);
  });

  test("a vector of the wrong size is stored but not indexed, and counted in hash_indexing_failures", async () => {
    expect(latin1(await ctx.client.send("HSET", "doc:bad", "vec", f32(1, 2, 3), "tags", "a"))).toBe(":2\r\n");
    expect(latin1(await ctx.client.send("EXISTS", "doc:bad"))).toBe(":1\r\n");
    const info = infoPairs(latin1(await ctx.client.send("FT.INFO", "idx")));
    expect(info.get("hash_indexing_failures")).toBe("1");
    expect(info.get("num_docs")).toBe("2");
  });

  test("the FT.CREATE grammar errors of 1.0.3", async () => {
    const create = (...schema: string[]) => ctx.client.send("FT.CREATE", "x", "SCHEMA", ...schema).then(latin1);
    expect(await create("title", "TEXT")).toBe("-Unknown argument `TEXT`\r\n");
    expect(await create("t", "TAG", "n", "NUMERIC")).toBe("-At least one attribute must be indexed as a vector\r\n");
    expect(await create("v", "VECTOR", "HNSW", "6", "TYPE", "FLOAT64", "DIM", "2", "DISTANCE_METRIC", "L2")).toMatch(/^-.*FLOAT64/);
    expect(await create("v", "VECTOR", "HNSW", "8", "TYPE", "FLOAT32", "DIM", "2", "DISTANCE_METRIC", "L2", "EF_RUNTIME", "5000")).toMatch(/^-.*EF_RUNTIME/);
    expect(await create("v", "VECTOR", "FLAT", "6", "TYPE", "FLOAT32", "DIM", "2", "DISTANCE_METRIC", "HAMMING")).toMatch(/^-.*HAMMING/);
    expect(latin1(await ctx.client.send("FT.CREATE", "idx", "SCHEMA", "v", "VECTOR", "FLAT", "6", "TYPE", "FLOAT32", "DIM", "2", "DISTANCE_METRIC", "L2"))).toBe(
      "-Index idx already exists.\r\n",
    );
    expect(latin1(await ctx.client.send("FT._LIST"))).toBe("*1\r\n$3\r\nidx\r\n");
  });

  test("FT.DROPINDEX removes the index but keeps its keys", async () => {
    const before = latin1(await ctx.client.send("DBSIZE"));
    expect(latin1(await ctx.client.send("FT.DROPINDEX", "idx"))).toBe("+OK\r\n");
    expect(latin1(await ctx.client.send("DBSIZE"))).toBe(before);
    expect(latin1(await ctx.client.send("FT.INFO", "idx"))).toBe("-Index with name 'idx' not found\r\n");
    expect(latin1(await ctx.client.send("FT._LIST"))).toBe("*0\r\n");
  });

  test("FT.CREATE over existing keys indexes them (backfill)", async () => {
    await ctx.client.send("FT.CREATE", "again", "PREFIX", "1", "doc:", "SCHEMA", "vec", "VECTOR", "FLAT", "6", "TYPE", "FLOAT32", "DIM", "2", "DISTANCE_METRIC", "L2");
    const info = infoPairs(latin1(await ctx.client.send("FT.INFO", "again")));
    expect(info.get("num_docs")).toBe("2");
    expect(info.get("hash_indexing_failures")).toBe("1");
  });
});

describe("filters", () => {
  const ctx = fixture(23013);
  // price 1..10 for p1..p10; category cycles a, b, c; some mixed-case tags.
  const docs: [string, string, number][] = [];
  for (let i = 1; i <= 10; i++) docs.push([`p:${i}`, ["a", "b", "c"][i % 3], i]);
  docs.push(["p:29", "Z,Y", 29]);

  beforeAll(async () => {
    await ctx.client.send("FT.CREATE", "f", "PREFIX", "1", "p:", "SCHEMA", "category", "TAG", "price", "NUMERIC", "v", "VECTOR", "FLAT", "6", "TYPE", "FLOAT32", "DIM", "2", "DISTANCE_METRIC", "L2");
    await ctx.client.send("FT.CREATE", "cs", "PREFIX", "1", "p:", "SCHEMA", "category", "TAG", "CASESENSITIVE", "v", "VECTOR", "FLAT", "6", "TYPE", "FLOAT32", "DIM", "2", "DISTANCE_METRIC", "L2");
    await ctx.client.pipeline(docs.map(([key, category, price]) => ["HSET", key, "v", f32(price, 0), "category", category, "price", String(price)]));
  });

  async function hits(filter: string, index = "f"): Promise<string[]> {
    const reply = latin1(await ctx.client.send("FT.SEARCH", index, `${filter}=>[KNN 20 @v $q]`, "PARAMS", "2", "q", f32(0, 0), "NOCONTENT", "LIMIT", "0", "20"));
    if (reply.startsWith("-")) throw new Error(reply);
    return (reply.match(/p:\d+/g) ?? []).sort();
  }
  const expected = (predicate: (category: string, price: number) => boolean) =>
    docs.filter(([, c, p]) => predicate(c, p)).map(([k]) => k).sort();

  test("tag OR combined with a numeric range, in every spelling", async () => {
    const want = expected((c, p) => (c === "a" || c === "b") && p >= 1 && p <= 10);
    expect(want.length).toBeGreaterThan(0);
    expect(await hits("@category:{a|b} @price:[1 10]")).toEqual(want);
    expect(await hits("(@category:{a|b} @price:[1 10])")).toEqual(want);
    expect(await hits("@category:{a | b} @price:[1 10]")).toEqual(want);
    expect(await hits("@price:[1 10] @category:{a|b}")).toEqual(want);
  });

  test("exclusive bounds, +inf and negation", async () => {
    expect(await hits("(@price:[(5 +inf] -@category:{a})")).toEqual(expected((c, p) => p > 5 && c !== "a"));
    expect(await hits("@price:[-inf (3]")).toEqual(expected((_c, p) => p < 3));
  });

  test("OR between predicates", async () => {
    expect(await hits("(@category:{a} | @price:[29 29])")).toEqual(expected((c, p) => c === "a" || p === 29));
  });

  test("tags match case-insensitively unless CASESENSITIVE; stored values split on the separator", async () => {
    expect(await hits("@category:{z}")).toEqual(["p:29"]);
    expect(await hits("@category:{A}")).toEqual(expected((c) => c === "a"));
    expect(await hits("@category:{z}", "cs")).toEqual([]);
    expect(await hits("@category:{Z}", "cs")).toEqual(["p:29"]);
  });

  test("{a,b} does not OR: it matches nothing", async () => {
    expect(await hits("@category:{a,b}")).toEqual([]);
  });

  test("a filtered KNN reports total = min(K, matching docs)", async () => {
    const reply = latin1(await ctx.client.send("FT.SEARCH", "f", "@category:{a}=>[KNN 10 @v $q]", "PARAMS", "2", "q", f32(0, 0), "NOCONTENT"));
    expect(reply.startsWith(`*${1 + expected((c) => c === "a").length}\r\n:${expected((c) => c === "a").length}\r\n`)).toBe(true);
  });

  test("filtered searches are counted as hybrid queries in INFO SEARCH", async () => {
    const info = latin1(await ctx.client.send("INFO", "SEARCH"));
    expect(Number(info.match(/search_hybrid_requests_count:(\d+)/)?.[1])).toBeGreaterThan(0);
  });
});

describe("approximate mode", () => {
  // 100 points on a line at distance 1..100 from the query: the true ranking is p001, p002, …
  const ctx = fixture(23014, { approximate: true });
  const custom = fixture(23015, { approximate: { recallAtEf: (ef) => (ef >= 8 ? 0.8 : 0.3) } });
  const key = (i: number) => `a:${String(i).padStart(3, "0")}`;

  async function load(client: RawClient): Promise<void> {
    await client.send("FT.CREATE", "h", "PREFIX", "1", "a:", "SCHEMA", "v", "VECTOR", "HNSW", "6", "TYPE", "FLOAT32", "DIM", "2", "DISTANCE_METRIC", "L2");
    await client.send("FT.CREATE", "flat", "PREFIX", "1", "a:", "SCHEMA", "v", "VECTOR", "FLAT", "6", "TYPE", "FLOAT32", "DIM", "2", "DISTANCE_METRIC", "L2");
    await client.pipeline(Array.from({ length: 100 }, (_, i) => ["HSET", key(i + 1), "v", f32(i + 1, 0)]));
  }
  beforeAll(async () => {
    await load(ctx.client);
    await load(custom.client);
  });

  async function knn(client: RawClient, index: string, k: number, ef?: number): Promise<string[]> {
    const clause = ef === undefined ? `*=>[KNN ${k} @v $q]` : `*=>[KNN ${k} @v $q EF_RUNTIME ${ef}]`;
    const reply = latin1(await client.send("FT.SEARCH", index, clause, "PARAMS", "2", "q", f32(0, 0), "NOCONTENT", "LIMIT", "0", String(k)));
    expect(reply).toMatch(new RegExp(`^\\*\\d+\\r\\n:${k}\\r\\n`));
    return reply.match(/a:\d{3}/g) ?? [];
  }
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => key(from + i));

  test("at the index default EF_RUNTIME 10, recall is 0.55: the last floor(10*0.45)=4 of the top 10 are swapped for ranks 11-14", async () => {
    expect(await knn(ctx.client, "h", 10)).toEqual([...range(1, 6), ...range(11, 14)]);
  });

  test("EF_RUNTIME 50 gives recall 0.75: floor(10*0.25)=2 swapped", async () => {
    expect(await knn(ctx.client, "h", 10, 50)).toEqual([...range(1, 8), ...range(11, 12)]);
  });

  test("EF_RUNTIME 100 and above is exact", async () => {
    expect(await knn(ctx.client, "h", 10, 100)).toEqual(range(1, 10));
  });

  test("FLAT indexes are always exact", async () => {
    expect(await knn(ctx.client, "flat", 10, 1)).toEqual(range(1, 10));
  });

  test("approximateRecall predicts the delivered recall exactly", async () => {
    const got = await knn(ctx.client, "h", 10, 30);
    const truth = new Set(range(1, 10));
    expect(got.filter((k) => truth.has(k)).length / 10).toBe(approximateRecall(10, 0.5 + 30 / 200));
    expect(approximateRecall(10, 0.55)).toBe(0.6);
  });

  test("a custom recallAtEf is applied the same way", async () => {
    expect(await knn(custom.client, "h", 10, 8)).toEqual([...range(1, 8), ...range(11, 12)]);
    expect(await knn(custom.client, "h", 20, 4)).toEqual([...range(1, 6), ...range(21, 34)]);
  });
});

describe("generic Valkey commands", () => {
  const ctx = fixture(23016);

  test("HELLO 3 answers a map and switches HGETALL to a map and nulls to _", async () => {
    const hello = latin1(await ctx.client.send("HELLO", "3"));
    expect(hello).toMatch(/^%7\r\n\$6\r\nserver\r\n\$6\r\nvalkey\r\n\$7\r\nversion\r\n\$5\r\n8\.1\.1\r\n\$5\r\nproto\r\n:3\r\n\$2\r\nid\r\n:\d+\r\n\$4\r\nmode\r\n\$10\r\nstandalone\r\n\$4\r\nrole\r\n\$6\r\nmaster\r\n\$7\r\nmodules\r\n\*1\r\n%4\r\n\$4\r\nname\r\n\$6\r\nsearch\r\n\$3\r\nver\r\n:10003\r\n/);
    await ctx.client.send("HSET", "h", "a", "1");
    expect(latin1(await ctx.client.send("HGETALL", "h"))).toBe("%1\r\n$1\r\na\r\n$1\r\n1\r\n");
    expect(latin1(await ctx.client.send("HGET", "h", "zz"))).toBe("_\r\n");
    expect(latin1(await ctx.client.send("HELLO", "2"))).toMatch(/^\*14\r\n/);
    expect(latin1(await ctx.client.send("HGETALL", "h"))).toBe("*2\r\n$1\r\na\r\n$1\r\n1\r\n");
    expect(latin1(await ctx.client.send("HGET", "h", "zz"))).toBe("$-1\r\n");
    expect(latin1(await ctx.client.send("HELLO", "4"))).toBe("-NOPROTO unsupported protocol version\r\n");
  });

  test("PING, ECHO, SELECT, CLIENT, READONLY and CONFIG GET answer like Valkey", async () => {
    const replies = await ctx.client.pipeline([
      ["PING"],
      ["PING", "x"],
      ["ECHO", "hi"],
      ["SELECT", "0"],
      ["CLIENT", "SETNAME", "bench"],
      ["CLIENT", "SETINFO", "lib-name", "x"],
      ["READONLY"],
      ["CONFIG", "GET", "appendonly"],
      ["CONFIG", "GET", "save"],
      ["TYPE", "h"],
      ["TYPE", "nope"],
      ["HSET", "h", "a"],
      ["FOO"],
    ]);
    expect(replies.map(latin1)).toEqual([
      "+PONG\r\n",
      "$1\r\nx\r\n",
      "$2\r\nhi\r\n",
      "+OK\r\n",
      "+OK\r\n",
      "+OK\r\n",
      "+OK\r\n",
      "*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n",
      "*2\r\n$4\r\nsave\r\n$0\r\n\r\n",
      "+hash\r\n",
      "+none\r\n",
      "-ERR wrong number of arguments for 'hset' command\r\n",
      "-ERR unknown command 'FOO', with args beginning with: \r\n",
    ]);
    const search = latin1(await ctx.client.send("CONFIG", "GET", "search.*"));
    for (const name of ["search.log-level", "search.writer-threads", "search.reader-threads", "search.hnsw-block-size"]) {
      expect(search).toContain(`$${name.length}\r\n${name}\r\n`);
    }
  });

  test("INFO reports the server, cluster, module and search sections", async () => {
    await ctx.client.send("FT.CREATE", "i", "PREFIX", "1", "doc:", "SCHEMA", "v", "VECTOR", "FLAT", "6", "TYPE", "FLOAT32", "DIM", "1", "DISTANCE_METRIC", "L2");
    const all = latin1(await ctx.client.send("INFO"));
    expect(all).toContain("\r\nvalkey_version:8.1.1\r\n");
    expect(all).toContain("# Modules\r\nmodule:name=search,ver=10003,");
    expect(all).not.toContain("search_number_of_indexes");
    expect(all).toContain("# Cluster\r\ncluster_enabled:0\r\n");
    const modules = latin1(await ctx.client.send("INFO", "MODULES"));
    expect(modules).toContain("module:name=search,ver=10003,");
    expect(modules).toContain("search_number_of_indexes:1\r\n");
    const search = latin1(await ctx.client.send("INFO", "SEARCH"));
    for (const field of ["search_used_memory_bytes", "search_background_indexing_status:NO_ACTIVITY", "search_query_queue_size", "search_rdb_load_success_cnt", "search_successful_requests_count", "search_hnsw_search_exceptions_count", "search_hnsw_vector_index_search_latency_usec", "search_string_interning_store_size", "search_vector_externing_entry_count"]) {
      expect(search).toContain(field);
    }
    expect(latin1(await ctx.client.send("MODULE", "LIST"))).toBe(
      "*1\r\n*8\r\n$4\r\nname\r\n$6\r\nsearch\r\n$3\r\nver\r\n:10003\r\n$4\r\npath\r\n$28\r\n/usr/lib/valkey/libsearch.so\r\n$4\r\nargs\r\n*0\r\n",
    );
  });

  test("SCAN walks every key once with MATCH, COUNT and TYPE, even while other keys are deleted", async () => {
    await ctx.client.send("FLUSHALL");
    await ctx.client.pipeline(Array.from({ length: 25 }, (_, i) => ["HSET", `k:${i}`, "f", "v"]));
    await ctx.client.send("SET", "s:1", "x");
    const seen: string[] = [];
    let cursor = "0";
    let steps = 0;
    do {
      const reply = latin1(await ctx.client.send("SCAN", cursor, "MATCH", "k:*", "COUNT", "4", "TYPE", "hash"));
      const [, next] = reply.match(/^\*2\r\n\$\d+\r\n(\d+)\r\n/) ?? [];
      cursor = next;
      seen.push(...(reply.match(/k:\d+/g) ?? []));
      if (steps++ === 1) await ctx.client.send("DEL", "k:0", "k:24"); // one already seen, one not yet
    } while (cursor !== "0" && steps < 100);
    expect(seen.filter((k) => k !== "k:24").sort()).toEqual(Array.from({ length: 24 }, (_, i) => `k:${i}`).sort());
    expect(new Set(seen).size).toBe(seen.length);
    expect(latin1(await ctx.client.send("DBSIZE"))).toBe(":24\r\n");
    expect(latin1(await ctx.client.send("KEYS", "s:*"))).toBe("*1\r\n$3\r\ns:1\r\n");
  });

  test("pipelined commands are answered in order, even when frames are split across writes", async () => {
    const replies = await ctx.client.pipeline(Array.from({ length: 300 }, (_, i) => ["ECHO", String(i)]));
    expect(replies.map(latin1)).toEqual(Array.from({ length: 300 }, (_, i) => `$${String(i).length}\r\n${i}\r\n`));
    const reply = ctx.client.next();
    ctx.client.writeRaw("*2\r\n$4\r\nEC");
    await Bun.sleep(5);
    ctx.client.writeRaw("HO\r\n$3\r\nabc\r\n");
    expect(latin1(await reply)).toBe("$3\r\nabc\r\n");
    const inline = ctx.client.next();
    ctx.client.writeRaw("ECHO inline\r\n");
    expect(latin1(await inline)).toBe("$6\r\ninline\r\n");
  });

  test("a multi-megabyte reply arrives complete (socket backpressure is handled)", async () => {
    const big = Buffer.alloc(8 * 1024 * 1024, 0x61);
    expect(latin1(await ctx.client.send("HSET", "big", "f", big))).toBe(":1\r\n");
    const reply = await ctx.client.send("HGET", "big", "f");
    expect(reply.length).toBe(big.length + `$${big.length}\r\n\r\n`.length);
    expect(reply.subarray(reply.length - 5).toString()).toBe("aaa\r\n");
    await ctx.client.send("DEL", "big");
  });

  test("stats() counts commands per name and accepted connections", async () => {
    const stats = ctx.server.stats();
    expect(stats.commands.ECHO).toBeGreaterThanOrEqual(301);
    expect(stats.connections).toBe(1);
  });

  test("valkey-cli can talk to it", async () => {
    const cli = Bun.spawn(["valkey-cli", "-h", "127.0.0.1", "-p", String(ctx.server.port), "PING"], { stdout: "pipe" });
    expect((await new Response(cli.stdout).text()).trim()).toBe("PONG");
    expect(await cli.exited).toBe(0);
  });
});

test("starting on a port that is already taken fails with a message naming the port", async () => {
  const first = await startSearchServer({ port: 23019 });
  try {
    await expect(startSearchServer({ port: 23019 })).rejects.toThrow("search stand-in cannot listen on 127.0.0.1:23019");
  } finally {
    await first.stop();
  }
});

describe("authentication", () => {
  const ctx = fixture(23017, { password: "s3cret", user: "bench" });

  test("commands need AUTH first; wrong credentials are refused; HELLO AUTH works", async () => {
    expect(latin1(await ctx.client.send("PING"))).toBe("-NOAUTH Authentication required.\r\n");
    expect(latin1(await ctx.client.send("AUTH", "bench", "nope"))).toBe("-WRONGPASS invalid username-password pair or user is disabled.\r\n");
    expect(latin1(await ctx.client.send("HELLO", "3", "AUTH", "bench", "s3cret"))).toMatch(/^%7\r\n/);
    expect(latin1(await ctx.client.send("PING"))).toBe("+PONG\r\n");
    const other = await RawClient.connect(ctx.server.port);
    expect(latin1(await other.send("AUTH", "bench", "s3cret"))).toBe("+OK\r\n");
    other.close();
  });
});

describe("fault switches", () => {
  const ctx = fixture(23018);
  const search = ["FT.SEARCH", "i", "*=>[KNN 1 @v $q]", "PARAMS", "2", "q", f32(0), "NOCONTENT"];

  beforeAll(async () => {
    await ctx.client.send("FT.CREATE", "i", "PREFIX", "1", "d:", "SCHEMA", "v", "VECTOR", "FLAT", "6", "TYPE", "FLOAT32", "DIM", "1", "DISTANCE_METRIC", "L2");
    await ctx.client.send("HSET", "d:1", "v", f32(1));
  });

  test("errorRate 0.5 fails exactly every second FT.SEARCH and nothing else", async () => {
    ctx.server.setFaults({ errorRate: 0.5 });
    const replies = (await ctx.client.pipeline([...Array.from({ length: 10 }, () => search), ["PING"]])).map(latin1);
    expect(replies.filter((r) => r.startsWith("-")).length).toBe(5);
    expect(replies.filter((r) => r === "*2\r\n:1\r\n$3\r\nd:1\r\n").length).toBe(5);
    expect(replies[10]).toBe("+PONG\r\n");
    ctx.server.setFaults({});
    expect(latin1(await ctx.client.send(...search))).toBe("*2\r\n:1\r\n$3\r\nd:1\r\n");
  });

  test("delayMs holds FT.SEARCH back without letting later pipelined replies overtake it", async () => {
    ctx.server.setFaults({ delayMs: 30 });
    const replies = (await ctx.client.pipeline([["ECHO", "before"], search, ["ECHO", "after"], search])).map(latin1);
    expect(replies).toEqual(["$6\r\nbefore\r\n", "*2\r\n:1\r\n$3\r\nd:1\r\n", "$5\r\nafter\r\n", "*2\r\n:1\r\n$3\r\nd:1\r\n"]);
    ctx.server.setFaults({});
  });

  test("hsetDelayMs delays HSET but keeps order and still indexes the hash", async () => {
    ctx.server.setFaults({ hsetDelayMs: 20 });
    const replies = (await ctx.client.pipeline([["HSET", "d:2", "v", f32(0.5)], search])).map(latin1);
    expect(replies).toEqual([":1\r\n", "*2\r\n:1\r\n$3\r\nd:2\r\n"]);
    ctx.server.setFaults({});
  });

  test("disconnectAfter N closes the connection right after the N-th reply", async () => {
    ctx.server.setFaults({ disconnectAfter: 2 });
    const client = await RawClient.connect(ctx.server.port);
    const replies = client.pipeline([["PING"], ["ECHO", "x"]]);
    client.writeRaw("*1\r\n$4\r\nPING\r\n"); // a third command that must go unanswered
    expect((await replies).map(latin1)).toEqual(["+PONG\r\n", "$1\r\nx\r\n"]);
    await client.closed;
    ctx.server.setFaults({});
  });

  test("backfillMs makes FT.INFO report a backfill in progress after FT.CREATE over existing keys", async () => {
    await ctx.client.pipeline(Array.from({ length: 50 }, (_, i) => ["HSET", `b:${i}`, "v", f32(i)]));
    ctx.server.setFaults({ backfillMs: 60_000 });
    await ctx.client.send("FT.CREATE", "slow", "PREFIX", "1", "b:", "SCHEMA", "v", "VECTOR", "HNSW", "6", "TYPE", "FLOAT32", "DIM", "1", "DISTANCE_METRIC", "L2");
    const slow = infoPairs(latin1(await ctx.client.send("FT.INFO", "slow")));
    expect(slow.get("backfill_in_progress")).toBe("1");
    expect(slow.get("state")).toBe("backfill_in_progress");
    expect(Number(slow.get("num_docs"))).toBeLessThan(50);
    expect(Number(slow.get("backfill_complete_percent"))).toBeLessThan(1);
    expect(latin1(await ctx.client.send("INFO", "SEARCH"))).toContain("search_background_indexing_status:IN_PROGRESS");

    ctx.server.setFaults({ backfillMs: 20 });
    await ctx.client.send("FT.CREATE", "quick", "PREFIX", "1", "b:", "SCHEMA", "v", "VECTOR", "HNSW", "6", "TYPE", "FLOAT32", "DIM", "1", "DISTANCE_METRIC", "L2");
    let quick = infoPairs(latin1(await ctx.client.send("FT.INFO", "quick")));
    for (let polls = 0; quick.get("state") !== "ready" && polls < 200; polls++) {
      await Bun.sleep(10);
      quick = infoPairs(latin1(await ctx.client.send("FT.INFO", "quick")));
    }
    expect(quick.get("state")).toBe("ready");
    expect(quick.get("backfill_in_progress")).toBe("0");
    expect(quick.get("num_docs")).toBe("50");
    ctx.server.setFaults({});
  });
});

describe("cluster mode (three in-process shards)", () => {
  let cluster: SearchCluster;
  const clients: RawClient[] = [];
  const ports = [23020, 23021, 23022];
  /** Each shard's own keys, so HSETs go straight to the owner. */
  const owner = (key: string) => (keySlot(key) <= 5460 ? 0 : keySlot(key) <= 10922 ? 1 : 2);

  beforeAll(async () => {
    cluster = await startSearchCluster({ shards: 3, basePort: ports[0] });
    for (const port of ports) clients.push(await RawClient.connect(port));
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await cluster.stop();
  });

  test("CRC16 key slots match Valkey, hash tags included", async () => {
    expect(keySlot("foo")).toBe(12182);
    expect(keySlot("123456789")).toBe(12739);
    expect(keySlot("{foo}.bar")).toBe(12182);
    expect(latin1(await clients[0].send("CLUSTER", "KEYSLOT", "somekey"))).toBe(":11058\r\n");
  });

  test("slots are split like valkey-cli --cluster create and CLUSTER SLOTS/SHARDS/NODES describe them", async () => {
    const slots = latin1(await clients[1].send("CLUSTER", "SLOTS"));
    expect(slots).toMatch(
      /^\*3\r\n\*3\r\n:0\r\n:5460\r\n\*4\r\n\$9\r\n127\.0\.0\.1\r\n:23020\r\n\$40\r\n[0-9a-f]{40}\r\n\*0\r\n\*3\r\n:5461\r\n:10922\r\n\*4\r\n\$9\r\n127\.0\.0\.1\r\n:23021\r\n/,
    );
    expect(slots).toContain(":10923\r\n:16383\r\n*4\r\n$9\r\n127.0.0.1\r\n:23022\r\n");
    const shards = latin1(await clients[0].send("CLUSTER", "SHARDS"));
    expect(shards.startsWith("*3\r\n*4\r\n$5\r\nslots\r\n*2\r\n:0\r\n:5460\r\n$5\r\nnodes\r\n*1\r\n*14\r\n$2\r\nid\r\n$40\r\n")).toBe(true);
    expect(shards).toContain("$4\r\nport\r\n:23022\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$8\r\nendpoint\r\n$9\r\n127.0.0.1\r\n$4\r\nrole\r\n$6\r\nmaster\r\n");
    const nodes = latin1(await clients[2].send("CLUSTER", "NODES"));
    expect(nodes).toMatch(/127\.0\.0\.1:23022@33022 myself,master - 0 0 3 connected 10923-16383\n/);
    expect(nodes).toMatch(/127\.0\.0\.1:23020@33020 master - 0 0 1 connected 0-5460\n/);
    expect(latin1(await clients[0].send("INFO", "cluster"))).toContain("cluster_enabled:1\r\n");
  });

  test("keys owned elsewhere get MOVED, multi-slot commands CROSSSLOT", async () => {
    expect(latin1(await clients[0].send("HSET", "foo", "a", "1"))).toBe("-MOVED 12182 127.0.0.1:23022\r\n");
    expect(latin1(await clients[0].send("DEL", "foo", "bar"))).toBe("-CROSSSLOT Keys in request don't hash to the same slot\r\n");
    expect(latin1(await clients[2].send("HSET", "foo", "a", "1"))).toBe(":1\r\n");
  });

  test("valkey-cli -c follows the MOVED redirect", async () => {
    const cli = Bun.spawn(["valkey-cli", "-c", "-h", "127.0.0.1", "-p", "23020", "HGET", "foo", "a"], { stdout: "pipe" });
    expect((await new Response(cli.stdout).text()).trim()).toBe("1");
    expect(await cli.exited).toBe(0);
  });

  test("FT.CREATE on one shard reaches all; FT.SEARCH on any shard merges every shard's nearest", async () => {
    expect(latin1(await clients[1].send("FT.CREATE", "c", "PREFIX", "1", "c:", "SCHEMA", "tag", "TAG", "v", "VECTOR", "HNSW", "6", "TYPE", "FLOAT32", "DIM", "1", "DISTANCE_METRIC", "L2"))).toBe("+OK\r\n");
    for (const c of clients) expect(latin1(await c.send("FT._LIST"))).toBe("*1\r\n$1\r\nc\r\n");
    const keys = Array.from({ length: 30 }, (_, i) => `c:${i}`);
    for (const key of keys) {
      const i = Number(key.slice(2));
      expect(latin1(await clients[owner(key)].send("HSET", key, "v", f32(i), "tag", i % 2 ? "odd" : "even"))).toBe(":2\r\n");
    }
    const want = Array.from({ length: 5 }, (_, i) => `c:${i}`);
    for (const c of clients) {
      const reply = latin1(await c.send("FT.SEARCH", "c", "*=>[KNN 5 @v $q]", "PARAMS", "2", "q", f32(0), "NOCONTENT"));
      expect(reply.startsWith("*6\r\n:5\r\n")).toBe(true);
      expect([...(reply.match(/c:\d+/g) ?? [])]).toEqual(want);
    }
    const content = latin1(await clients[0].send("FT.SEARCH", "c", "@tag:{odd}=>[KNN 1 @v $q]", "PARAMS", "2", "q", f32(0), "RETURN", "1", "tag"));
    expect(content).toBe("*3\r\n:1\r\n$3\r\nc:1\r\n*2\r\n$3\r\ntag\r\n$3\r\nodd\r\n");
  });

  test("FT.INFO and LOCALONLY see only the local shard", async () => {
    let sum = 0;
    for (let shard = 0; shard < 3; shard++) {
      const local = Array.from({ length: 30 }, (_, i) => `c:${i}`).filter((k) => owner(k) === shard);
      const docs = Number(infoPairs(latin1(await clients[shard].send("FT.INFO", "c"))).get("num_docs"));
      expect(docs).toBe(local.length);
      sum += docs;
      const reply = latin1(await clients[shard].send("FT.SEARCH", "c", "*=>[KNN 30 @v $q]", "PARAMS", "2", "q", f32(0), "NOCONTENT", "LIMIT", "0", "30", "LOCALONLY"));
      expect([...(reply.match(/c:\d+/g) ?? [])].sort()).toEqual(local.sort());
    }
    expect(sum).toBe(30);
  });

  test("FT.DROPINDEX on one shard drops the index everywhere", async () => {
    expect(latin1(await clients[2].send("FT.DROPINDEX", "c"))).toBe("+OK\r\n");
    for (const c of clients) expect(latin1(await c.send("FT._LIST"))).toBe("*0\r\n");
  });
});
