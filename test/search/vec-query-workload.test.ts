import { afterAll, describe, expect, test } from "bun:test";
import type { ConnectionWorkload, WorkerWorkload } from "../../src/engine/workload-api.ts";
import { WORKLOADS } from "../../src/workloads/index.ts";
import { allOf, datasetTagFilter, knnQuery, numericFilter, tagFilter } from "../../src/search/query-filter.ts";
import { openDataset } from "../../src/dataset/index.ts";
import { compileQueryCommand, createVecQueryWorkload, EncodedQueries, type VecQueryExtra, type VecQuerySummary } from "../../src/search/vec-query-workload.ts";
import type { VecQueryParams } from "../../src/search/workload-params.ts";
import { KeyIdDecoder } from "../../src/search/key-id.ts";
import { context, decodeCommands, floatBytes, groundTruthOf, queryOf, searchReply, standaloneNode, text, writeFixture } from "./workload-fixtures.ts";

const plain = writeFixture();
const tagged = writeFixture({ tags: true });
const numeric = writeFixture({ numeric: true });
afterAll(() => {
  numeric.dispose();
  plain.dispose();
  tagged.dispose();
});

function params(extra: Partial<VecQueryParams> = {}): VecQueryParams {
  return {
    prefix: "vec:",
    clusterTags: false,
    vectorField: "v",
    dataset: { path: plain.path, vectorOffset: 0, numVectors: 0 },
    indexName: "idx",
    dim: 4,
    k: 3,
    nocontent: true,
    returnFields: [],
    withScores: false,
    filter: "*",
    filterFromDataset: false,
    distance: "L2",
    ...extra,
  };
}

function open(w: WorkerWorkload, pipeline = 16): { conn: ConnectionWorkload; buffer: Uint8Array } {
  const conn = w.forConnection(0, standaloneNode());
  return { conn, buffer: conn.allocate!(pipeline) };
}

const key = (id: number): string => `vec:${String(id).padStart(12, "0")}`;

/** Feeds `s` to the scanner one byte at a time (replies split everywhere); returns replies counted. */
function feedBytewise(conn: ConnectionWorkload, s: string): number {
  const bytes = new TextEncoder().encode(s);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) n += conn.scanner.feed(bytes, i, i + 1);
  return n;
}

function summary(w: WorkerWorkload): VecQuerySummary {
  return WORKLOADS.mergeExtras("vec-query", [w.extra!() as VecQueryExtra]) as VecQuerySummary;
}

describe("vec-query command", () => {
  test("FT.SEARCH with KNN, EF_RUNTIME inside the brackets, the query blob, NOCONTENT and LIMIT 0 k", () => {
    const w = createVecQueryWorkload(params({ efSearch: 50 }), context()) as WorkerWorkload;
    const { conn, buffer } = open(w);
    const cmds = decodeCommands(buffer.subarray(0, conn.patch(buffer, 7, 0)));
    expect(cmds.length).toBe(7);
    cmds.forEach((c, r) => {
      const q = r % 5;
      expect(c.map((a, i) => (i === 6 ? "<blob>" : text(a)))).toEqual([
        "FT.SEARCH", "idx", "*=>[KNN 3 @v $BLOB EF_RUNTIME 50]", "PARAMS", "2", "BLOB", "<blob>", "NOCONTENT", "LIMIT", "0", "3", "DIALECT", "2",
      ]);
      expect(c[6]).toEqual(floatBytes(queryOf(q)));
    });
    w.close?.();
  });

  test("queries past the encoded-command budget are encoded at each send, byte for byte the same", () => {
    const p = params({ efSearch: 50 });
    const w = createVecQueryWorkload(p, context()) as WorkerWorkload;
    const { conn, buffer } = open(w);
    const whole = buffer.slice(0, conn.patch(buffer, 12, 0));
    w.close?.();
    // A budget that keeps two commands: queries 2.. go through the scratch buffer every time.
    const ds = openDataset(plain.path);
    const command = compileQueryCommand(p, ds);
    const small = new EncodedQueries(command, ds, command.maxBytes * 2 + 1);
    const parts: Uint8Array[] = [];
    for (let r = 0; r < 12; r++) parts.push(small.get(r % ds.numQueries).slice());
    expect(Buffer.concat(parts)).toEqual(Buffer.from(whole));
    // A later get() of an uncached query must not change an earlier cached one.
    const first = small.get(0);
    small.get(3);
    expect(first).toEqual(parts[0]!);
    ds.close();
  });

  test("return fields and scores replace NOCONTENT with RETURN; no EF_RUNTIME unless asked", () => {
    const w = createVecQueryWorkload(params({ returnFields: ["name"], withScores: true }), context()) as WorkerWorkload;
    const { conn, buffer } = open(w);
    const [c] = decodeCommands(buffer.subarray(0, conn.patch(buffer, 1, 0)));
    expect(c!.slice(7).map(text)).toEqual(["RETURN", "2", "name", "__v_score", "LIMIT", "0", "3", "DIALECT", "2"]);
    expect(text(c![2]!)).toBe("*=>[KNN 3 @v $BLOB]");
    w.close?.();
  });

  test("dataset filters require ALL the query's tags, ANDed with the flag filter", () => {
    const p = params({ dataset: { path: tagged.path, vectorOffset: 0, numVectors: 0 }, filterFromDataset: true, tagField: "tags", filter: "@n:[0 (30]" });
    const w = createVecQueryWorkload(p, context()) as WorkerWorkload;
    const { conn, buffer } = open(w);
    const cmds = decodeCommands(buffer.subarray(0, conn.patch(buffer, 3, 0)));
    expect(cmds.map((c) => text(c[2]!))).toEqual([
      "@n:[0 (30]=>[KNN 3 @v $BLOB]",
      "(@n:[0 (30] @tags:{even})=>[KNN 3 @v $BLOB]",
      "(@n:[0 (30] @tags:{even} @tags:{three})=>[KNN 3 @v $BLOB]",
    ]);
    // commandRange finds each variable-size command.
    const [s, e] = conn.commandRange!(2);
    expect(text(decodeCommands(buffer.slice(s, e))[0]![2]!)).toContain("three");
    w.close?.();
  });

  test("dataset ranges on any NUMERIC field become @field:[lo hi] terms, ANDed with each other and the flag filter", () => {
    const dataset = { path: numeric.path, vectorOffset: 0, numVectors: 0 };
    const p = params({ dataset, filterFromDataset: true, numericFields: ["price", "year"], filter: "@n:[0 +inf]" });
    const w = createVecQueryWorkload(p, context()) as WorkerWorkload;
    const { conn, buffer } = open(w);
    const cmds = decodeCommands(buffer.subarray(0, conn.patch(buffer, 4, 0)));
    expect(cmds.map((c) => text(c[2]!))).toEqual([
      "(@n:[0 +inf] @price:[0.5 (2])=>[KNN 3 @v $BLOB]",
      "(@n:[0 +inf] @year:[(1995 +inf])=>[KNN 3 @v $BLOB]",
      "(@n:[0 +inf] @price:[0.5 (2] @year:[(1995 +inf])=>[KNN 3 @v $BLOB]",
      "@n:[0 +inf]=>[KNN 3 @v $BLOB]",
    ]);
    w.close?.();
    // A range on a field the index does not declare NUMERIC is refused, naming the fix.
    expect(() => createVecQueryWorkload({ ...p, numericFields: ["price"] }, context())).toThrow(
      "query 1 of the dataset filters on numeric attribute 'year' but the NUMERIC fields are price; pass --numeric-field price,year",
    );
  });

  test("filter text: tag OR, numeric bounds with exclusive ends and infinities, AND in parentheses", () => {
    expect(tagFilter("c", ["a", "b"])).toBe("@c:{a|b}");
    expect(() => tagFilter("c", ["a|b"])).toThrow(/contains/);
    expect(numericFilter("p", { low: 5, high: Infinity, lowExclusive: true })).toBe("@p:[(5 +inf]");
    expect(numericFilter("p", { low: -Infinity, high: 2, highExclusive: true })).toBe("@p:[-inf (2]");
    expect(allOf([])).toBe("*");
    expect(allOf(["*", "@c:{a}"])).toBe("@c:{a}");
    expect(datasetTagFilter("t", ["x", "y"])).toBe("(@t:{x} @t:{y})");
    expect(knnQuery("*", { k: 10, vectorField: "e", blobParam: "B", efRuntime: 64 })).toBe("*=>[KNN 10 @e $B EF_RUNTIME 64]");
  });
});

describe("vec-query repeated replies (src/search/reply-memo.ts)", () => {
  /** Rounds of replies for queries 0..4: the same, then one changed, over-k, short, reversed, undecodable. */
  const rounds: string[][] = [
    [groundTruthOf(0).map(key), [key(6), key(30), key(31)], [key(20), key(21), key(22)], groundTruthOf(3).reverse().map(key), [key(12), key(13)]].map((k) => searchReply(k)),
    [groundTruthOf(0).map(key), [key(6), key(30), key(31)], [key(20), key(21), key(22)], groundTruthOf(3).reverse().map(key), [key(12), key(13)]].map((k) => searchReply(k)),
    [groundTruthOf(0).map(key), [key(6), key(7), key(31)], [key(20), key(21), key(22), key(6)], groundTruthOf(3).reverse().map(key), [key(12), "other:1", key(13)]].map((k) => searchReply(k)),
    [groundTruthOf(0).map(key), [key(6), key(7), key(31)], [key(20), key(21), key(22), key(6)], groundTruthOf(3).reverse().map(key), [key(12), "other:1", key(13)]].map((k) => searchReply(k)),
  ];
  rounds[1]![1] = "-ERR index busy\r\n"; // an error between remembered replies

  /** Feeds every round, whole (one buffer per round) or byte by byte; returns the summary and replies counted. */
  function run(whole: boolean): { s: VecQuerySummary; counted: number } {
    const w = createVecQueryWorkload(params(), context()) as WorkerWorkload;
    const { conn, buffer } = open(w);
    let counted = 0;
    for (const round of rounds) {
      conn.patch(buffer, 5, 0);
      const text = round.join("");
      if (whole) {
        const bytes = new TextEncoder().encode(text);
        counted += conn.scanner.feed(bytes, 0, bytes.length);
      } else counted += feedBytewise(conn, text);
    }
    const s = summary(w);
    w.close?.();
    return { s, counted };
  }

  test("every number equals reading each reply afresh (byte by byte, where nothing is remembered)", () => {
    const whole = run(true);
    const afresh = run(false);
    expect(whole.counted).toBe(20);
    expect(afresh.counted).toBe(20);
    expect(whole.s).toEqual(afresh.s);
    expect(whole.s).toMatchObject({ queries: 19, errorReplies: 1, droppedResults: 2, orderChecked: 19 });
    expect(whole.s.farthestFirst).toBeGreaterThan(0);
    expect(whole.s.shortReplies).toBeGreaterThan(0);
  });

  test("a reply identical to its query's last one is not decoded again; a changed one is", () => {
    const decode = KeyIdDecoder.prototype.decode;
    let decoded = 0;
    KeyIdDecoder.prototype.decode = function (this: KeyIdDecoder, buf: Uint8Array, start: number, end: number) {
      decoded++;
      return decode.call(this, buf, start, end);
    };
    try {
      const w = createVecQueryWorkload(params(), context()) as WorkerWorkload;
      const { conn, buffer } = open(w);
      const feed = (keys: string[]) => {
        conn.patch(buffer, 1, 0);
        const bytes = new TextEncoder().encode(searchReply(keys));
        return conn.scanner.feed(bytes, 0, bytes.length);
      };
      expect(feed(groundTruthOf(0).map(key))).toBe(1);
      expect(decoded).toBe(3);
      expect(feed(groundTruthOf(0).map(key))).toBe(1);
      expect(feed(groundTruthOf(0).map(key))).toBe(1);
      expect(decoded).toBe(3);
      expect(feed([key(0), key(1), key(9)])).toBe(1);
      expect(decoded).toBe(6);
      expect(summary(w)).toMatchObject({ queries: 4, perfect: 3 });
      expect(summary(w).mean).toBeCloseTo((3 + 2 / 3) / 4, 12);
      w.close?.();
    } finally {
      KeyIdDecoder.prototype.decode = decode;
    }
  });

  test("an error after remembered replies is reported at its position in the read", () => {
    const w = createVecQueryWorkload(params(), context()) as WorkerWorkload;
    const { conn, buffer } = open(w);
    const enc = new TextEncoder();
    conn.patch(buffer, 2, 0);
    const first = enc.encode(searchReply(groundTruthOf(0).map(key)) + searchReply(groundTruthOf(1).map(key)));
    expect(conn.scanner.feed(first, 0, first.length)).toBe(2);
    conn.patch(buffer, 2, 0);
    const second = enc.encode(searchReply(groundTruthOf(0).map(key)) + "-MOVED 866 127.0.0.1:7001\r\n");
    expect(conn.scanner.feed(second, 0, second.length)).toBe(2);
    expect(conn.scanner.errorCount).toBe(1);
    const ordinals: number[] = [];
    conn.scanner.forEachErrorDetail((code, ordinal) => ordinals.push(code === "MOVED" ? ordinal : -1));
    expect(ordinals).toEqual([1]);
    expect(summary(w)).toMatchObject({ queries: 3, perfect: 3, errorReplies: 1 });
    w.close?.();
  });
});

describe("vec-query recall", () => {
  test("each reply is scored against its own query's ground truth, errors pop their query too", () => {
    const w = createVecQueryWorkload(params(), context()) as WorkerWorkload;
    const { conn, buffer } = open(w);
    conn.patch(buffer, 5, 0); // queries 0..4
    const replies =
      searchReply(groundTruthOf(0).map(key)) + // q0: perfect
      "-ERR index busy\r\n" + // q1: error, not scored
      searchReply([key(6), key(30), key(31)]) + // q2: 1 of 3
      searchReply([key(20), key(21), key(22)]) + // q3: none
      searchReply(groundTruthOf(4).reverse().map(key)); // q4: perfect, any order
    expect(feedBytewise(conn, replies)).toBe(5);
    const s = summary(w);
    expect(s.queries).toBe(4);
    expect(s.errorReplies).toBe(1);
    expect(s.perfect).toBe(2);
    expect(s.zero).toBe(1);
    expect(s.mean).toBeCloseTo((1 + 1 / 3 + 0 + 1) / 4, 12);
    expect(s.unscoredReplies).toBe(0);
    w.close?.();
  });

  test("a query the cluster redirects is counted as redirected, not as an error, once its resend succeeds", () => {
    const w = createVecQueryWorkload(params(), context()) as WorkerWorkload;
    const { conn, buffer } = open(w);
    conn.patch(buffer, 3, 0);
    const replies = searchReply(groundTruthOf(0).map(key)) + "-MOVED 866 127.0.0.1:7001\r\n" + "-MOVED 866 127.0.0.1:7001\r\n";
    expect(feedBytewise(conn, replies)).toBe(3);
    expect(summary(w)).toMatchObject({ queries: 1, errorReplies: 2, redirectedReplies: 0 });
    const first = conn.onRedirect!(1)!;
    const second = conn.onRedirect!(2)!;
    first(true);
    second(false);
    expect(summary(w)).toMatchObject({ queries: 1, perfect: 1, errorReplies: 1, redirectedReplies: 1 });
    w.close?.();
  });

  test("at -P 100 every MOVED of one read is reported with its position, so each can be followed and scored", () => {
    // Regression: the search scanner kept the details of 32 errors per read; MOVED replies past
    // the 32nd were neither resent by the engine nor scored once their resend succeeded.
    const pipeline = 100;
    const w = createVecQueryWorkload(params(), context()) as WorkerWorkload;
    const { conn, buffer } = open(w, pipeline);
    conn.patch(buffer, pipeline, 0);
    const bytes = new TextEncoder().encode("-MOVED 866 127.0.0.1:7001\r\n".repeat(pipeline));
    expect(conn.scanner.feed(bytes, 0, bytes.length)).toBe(pipeline);
    const ordinals: number[] = [];
    conn.scanner.forEachErrorDetail((code, ordinal, message) => {
      expect([code, message]).toEqual(["MOVED", "MOVED 866 127.0.0.1:7001"]);
      ordinals.push(ordinal);
    });
    expect(ordinals).toEqual(Array.from({ length: pipeline }, (_, i) => i));
    for (const i of ordinals) conn.onRedirect!(i)!(true);
    expect(summary(w)).toMatchObject({ errorReplies: 0, redirectedReplies: pipeline });
    w.close?.();
  });

  test("a short reply costs recall: 2 of k=3 ids is 2/3 and counts as a short reply", () => {
    const w = createVecQueryWorkload(params(), context()) as WorkerWorkload;
    const { conn, buffer } = open(w);
    conn.patch(buffer, 1, 5); // query 0
    const reply = searchReply([key(0), key(1)]);
    const bytes = new TextEncoder().encode(reply);
    expect(conn.scanner.feed(bytes, 0, bytes.length)).toBe(1);
    const s = summary(w);
    expect(s.mean).toBeCloseTo(2 / 3, 12);
    expect(s.shortReplies).toBe(1);
    w.close?.();
  });

  test("after an abandoned batch the FIFO starts afresh: the next reply belongs to the next request", () => {
    const w = createVecQueryWorkload(params(), context()) as WorkerWorkload;
    const { conn, buffer } = open(w);
    conn.patch(buffer, 2, 0); // queries 0, 1 lost
    conn.abandonBatch();
    conn.patch(buffer, 1, 7); // query 2
    expect(feedBytewise(conn, searchReply(groundTruthOf(2).map(key)))).toBe(1);
    const s = summary(w);
    expect(s.queries).toBe(1);
    expect(s.perfect).toBe(1);
    w.close?.();
  });

  test("cluster keys with a hash tag decode to their ids", () => {
    const w = createVecQueryWorkload(params({ clusterTags: true }), context()) as WorkerWorkload;
    const { conn, buffer } = open(w);
    conn.patch(buffer, 1, 3); // query 3
    const keys = groundTruthOf(3).map((id) => `vec:{AbC}${String(id).padStart(12, "0")}`);
    expect(feedBytewise(conn, searchReply(keys))).toBe(1);
    expect(summary(w).perfect).toBe(1);
    w.close?.();
  });
});
