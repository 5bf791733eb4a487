import { afterAll, describe, expect, test } from "bun:test";
import type { WorkerWorkload } from "../../src/engine/workload-api.ts";
import { WORKLOADS } from "../../src/workloads/index.ts";
import { decodeHistogram } from "../../src/metrics/histogram.ts";
import type { MixPartSummary } from "../../src/search/extras.ts";
import { createMixWorkload, cumulativeWeights, pickPart } from "../../src/search/mix-workload.ts";
import type { VecQuerySummary } from "../../src/search/vec-query-workload.ts";
import type { MixParams, VecQueryParams, VecUpdateParams } from "../../src/search/workload-params.ts";
import { context, decodeCommands, groundTruthOf, searchReply, standaloneNode, text, writeFixture } from "./workload-fixtures.ts";

const fixture = writeFixture();
afterAll(() => fixture.dispose());

const dataset = { path: fixture.path, vectorOffset: 0, numVectors: 0 };
const queryParams: VecQueryParams = {
  prefix: "vec:", clusterTags: false, vectorField: "v", dataset, indexName: "idx", dim: 4, k: 3,
  nocontent: true, returnFields: [], withScores: false, filter: "*", filterFromDataset: false, distance: "L2",
};
const updateParams: VecUpdateParams = { prefix: "vec:", clusterTags: false, vectorField: "v", dataset, dim: 4, shift: 0 };

function mix(queryWeight: number, updateWeight: number): MixParams {
  return {
    parts: [
      { kind: "vec-query", params: queryParams, weight: queryWeight, title: "vec-query" },
      { kind: "vec-update", params: updateParams, weight: updateWeight, title: "vec-update" },
    ],
  };
}

const key = (id: number): string => `vec:${String(id).padStart(12, "0")}`;

describe("mix", () => {
  test("a seeded 90:10 mix sends each part in proportion, identically for the same seed", async () => {
    const runs: string[][] = [];
    for (let run = 0; run < 2; run++) {
      const w = await createMixWorkload(mix(90, 10), context(42));
      const conn = w.forConnection(3, standaloneNode());
      const buffer = conn.allocate!(16);
      const names: string[] = [];
      for (let first = 0; first < 4000; first += 16) {
        const cmds = decodeCommands(buffer.subarray(0, conn.patch(buffer, 16, first)));
        expect(cmds.length).toBe(16);
        names.push(...cmds.map((c) => text(c[0]!)));
        conn.abandonBatch();
      }
      runs.push(names);
      w.close?.();
    }
    const queries = runs[0]!.filter((n) => n === "FT.SEARCH").length;
    expect(queries + runs[0]!.filter((n) => n === "HSET").length).toBe(4000);
    expect(queries / 4000).toBeGreaterThan(0.87);
    expect(queries / 4000).toBeLessThan(0.93);
    expect(runs[1]).toEqual(runs[0]!);
  });

  test("the weighted pick follows the cumulative weights", () => {
    const c = cumulativeWeights([1, 3]);
    expect(pickPart(c, 0)).toBe(0);
    expect(pickPart(c, 0.2499)).toBe(0);
    expect(pickPart(c, 0.25)).toBe(1);
    expect(pickPart(c, 0.9999)).toBe(1);
    expect(() => cumulativeWeights([1, 0])).toThrow(/positive/);
  });

  test("replies are routed to their part: per-part counts, errors, latency and the query part's recall", async () => {
    const w: WorkerWorkload = await createMixWorkload(mix(50, 50), context(7));
    const conn = w.forConnection(0, standaloneNode());
    const buffer = conn.allocate!(16);
    const first = 100;
    const cmds = decodeCommands(buffer.subarray(0, conn.patch(buffer, 16, first)));
    let replies = "";
    let queries = 0;
    let updates = 0;
    cmds.forEach((c, u) => {
      if (text(c[0]!) === "FT.SEARCH") {
        queries++;
        replies += searchReply(groundTruthOf((first + u) % 5).map(key));
      } else {
        updates++;
        // The first update fails; the others succeed.
        replies += updates === 1 ? "-ERR out of memory\r\n" : ":0\r\n";
      }
    });
    expect(queries).toBeGreaterThan(0);
    expect(updates).toBeGreaterThan(0);
    // Split the stream in two reads to cross reply boundaries.
    const bytes = new TextEncoder().encode(replies);
    const half = Math.floor(bytes.length / 2);
    const n1 = conn.scanner.feed(bytes, 0, half);
    conn.onReplies!(0, n1, 1.5);
    const n2 = conn.scanner.feed(bytes, half, bytes.length);
    conn.onReplies!(n1, n2, 3);
    expect(n1 + n2).toBe(16);

    // The engine closes the workload before it asks for the extra.
    w.close?.();
    const merged = WORKLOADS.mergeExtras("mix", [w.extra!()]) as { parts: MixPartSummary[] };
    const [q, upd] = merged.parts;
    expect(q!.replies).toBe(queries);
    expect(q!.errors).toBe(0);
    expect(upd!.replies).toBe(updates);
    expect(upd!.errors).toBe(1);
    expect(decodeHistogram(q!.histogram).totalCount).toBe(queries);
    const recall = q!.extra as VecQuerySummary;
    expect(recall.queries).toBe(queries);
    expect(recall.perfect).toBe(queries);
    w.close?.();
  });

  test("redirected requests leave their part's errors, and the query part's, once the resend succeeds", async () => {
    const w: WorkerWorkload = await createMixWorkload(mix(50, 50), context(7));
    const conn = w.forConnection(0, standaloneNode());
    const buffer = conn.allocate!(16);
    const cmds = decodeCommands(buffer.subarray(0, conn.patch(buffer, 16, 100)));
    const firstQuery = cmds.findIndex((c) => text(c[0]!) === "FT.SEARCH");
    const firstUpdate = cmds.findIndex((c) => text(c[0]!) !== "FT.SEARCH");
    expect(firstQuery).toBeGreaterThanOrEqual(0);
    expect(firstUpdate).toBeGreaterThanOrEqual(0);
    const replies = cmds.map((c, u) => (u === firstQuery || u === firstUpdate ? "-MOVED 1 127.0.0.1:7001\r\n" : text(c[0]!) === "FT.SEARCH" ? searchReply(groundTruthOf((100 + u) % 5).map(key)) : ":0\r\n")).join("");
    const bytes = new TextEncoder().encode(replies);
    expect(conn.scanner.feed(bytes, 0, bytes.length)).toBe(16);
    conn.onReplies!(0, 16, 1);
    conn.onRedirect!(firstQuery)!(true);
    conn.onRedirect!(firstUpdate)!(false);
    w.close?.();
    const [q, upd] = (WORKLOADS.mergeExtras("mix", [w.extra!()]) as { parts: MixPartSummary[] }).parts;
    expect(q!.errors).toBe(0);
    expect(upd!.errors).toBe(1);
    expect(q!.extra as VecQuerySummary).toMatchObject({ errorReplies: 0, redirectedReplies: 1 });
  });

  test("key-value parts mix in with their template laid down afresh each time", async () => {
    const set = { kind: "kv", params: { unit: { kind: "commands", commands: [["SET", "key:__rand_int__", "abc"]] }, clusterTags: false }, weight: 1, title: "set" };
    const query = { kind: "vec-query", params: queryParams, weight: 1, title: "vec-query" };
    const config = { ...context(3).config, keyspaceLen: 1000, dataSize: 3, sequential: false, clients: 1 };
    const w = await createMixWorkload({ parts: [set, query] }, { ...context(3), config });
    const conn = w.forConnection(0, standaloneNode());
    const buffer = conn.allocate!(16);
    const seen = new Set<string>();
    for (let first = 0; first < 160; first += 16) {
      for (const c of decodeCommands(buffer.subarray(0, conn.patch(buffer, 16, first)))) {
        const name = text(c[0]!);
        seen.add(name);
        if (name === "SET") {
          expect(text(c[1]!)).toMatch(/^key:\d{12}$/);
          expect(text(c[2]!)).toBe("abc");
        } else expect(c.length).toBe(13);
      }
      conn.abandonBatch();
    }
    expect([...seen].sort()).toEqual(["FT.SEARCH", "SET"]);
    w.close?.();
  });

  test("a part with several commands per request cannot be mixed", async () => {
    const kv = { kind: "kv", params: { unit: { kind: "commands", commands: [["PING"], ["PING"]] }, clusterTags: false }, weight: 1, title: "two" };
    const w = await createMixWorkload({ parts: [kv] }, { ...context(), config: { ...context().config, keyspaceLen: 0, dataSize: 3 } });
    expect(() => w.forConnection(0, standaloneNode())).toThrow(/single-command/);
    w.close?.();
  });
});
