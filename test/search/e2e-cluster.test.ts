// Vector workloads over a three-shard cluster through the CLI: a real valkey-search cluster (the
// module with its coordinator, formed by the test) when VSB_SEARCH_SERVER_DIR is set, else the
// in-process stand-in cluster. Every behaviour both share is asserted on both; the stand-in's
// instant slot swap and MIGRATE-based moves on the real cluster cover resharding during a load.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Imbalance } from "../../src/metrics/node-results.ts";
import type { RecallSummary } from "../../src/search/recall.ts";
import { openDataset } from "../../src/dataset/index.ts";
import { migrateSlots, slotsOf } from "../support/cluster-ops.ts";
import { expectExit, parseJsonReport, runBench, type RunResult, waitFor } from "../support/run-cli.ts";
import { call, countKeys, makeDatasets, numDocs, realOnlyTest, searchClusterTarget, SERVER_KIND, standInTest, type Datasets, type SearchClusterTarget, uniqueNames } from "./e2e-target.ts";

const TIMEOUT = 60_000;
let target: SearchClusterTarget;
let data: Datasets;

beforeAll(async () => {
  [data, target] = await Promise.all([makeDatasets(), searchClusterTarget(3)]);
});
afterAll(async () => {
  await target.stop();
  data.remove();
});

describe(`cluster mode (${SERVER_KIND})`, () => {
  test(
    "load, update, delete and query over three shards keep recall 1.0; cleanup empties every shard",
    async () => {
      const n = uniqueNames();
      const seed = target.shards[1]!;
      const args = ["-h", seed.host, "-p", String(seed.port), "-c", "6", "--threads", "2", ...n.args, "--dataset", data.plain, "--search-algorithm", "FLAT"];
      const run = await runBench([...args, "-t", "vec-load,vec-update,vec-delete,vec-query", "-n", "60", "--update-shift", "0", "--output-format", "json"], { timeoutMs: 45_000 });
      expectExit(run, 0);
      const report = parseJsonReport(run.stdout);
      expect(report.tests.map((t) => t.title)).toEqual(["VEC-LOAD", "VEC-UPDATE", "VEC-DELETE", "VEC-QUERY (k=10)"]);
      for (const t of report.tests) expect(t.requests.errors).toBe(0);
      expect(report.tests[0]!.extra["vec-load"]).toMatchObject({ vectorsWritten: 500 });
      // FT.INFO is per shard: the wait summed num_docs over the primaries.
      expect(report.tests[0]!.extra.index).toMatchObject({ numDocs: 500 });
      const perShard = await Promise.all(target.shards.map((s) => countKeys(s, n.prefix)));
      for (const k of perShard) expect(k).toBeGreaterThan(0);
      expect(perShard.reduce((a, b) => a + b, 0)).toBe(440);
      const docs = await Promise.all(target.shards.map((s) => numDocs(s, n.index)));
      expect(docs.reduce((a, b) => a! + b!, 0)).toBe(440);
      expect(report.tests[3]!.extra["vec-query"] as RecallSummary).toMatchObject({ mean: 1, queries: 60, shortReplies: 0 });
      // Rank metrics follow the true distances, not the order the coordinator merged results in
      // (valkey-search 1.0.3 lists them farthest-first in cluster mode: MRR was 0.1 before).
      const query = report.tests[3]!;
      expect(query.recall).toMatchObject({ valid: true, mean: 1, min: 1 });
      expect(query.mrr).toBe(1);
      expect(query.ndcg).toBe(1);
      const order = query.replyOrder!;
      expect(order.checked).toBe(60);
      if (target.real) expect(order).toMatchObject({ disagreements: 60, farthestFirst: 60 });
      else expect(order).toMatchObject({ disagreements: 0, farthestFirst: 0 });

      // --with-scores: the server's own scores rank the results (same answer: MRR 1).
      const scored = parseJsonReport(expectOk(await runBench([...args, "-t", "vec-query", "-n", "30", "--with-scores", "--output-format", "json"], { timeoutMs: 45_000 })));
      expect(scored.tests[0]!.mrr).toBe(1);
      expect(scored.tests[0]!.replyOrder).toMatchObject({ checked: 30, rankedByScores: 30, rankedBy: "returned scores", farthestFirst: target.real ? 30 : 0 });

      // -c 6 over three shards is an even split; -c 8 splits 3/3/2 below. FT.SEARCH runs on
      // every shard whichever node received it, so the shards' own counters judge the balance.
      const query8 = await runBench([...args.map((a) => (a === "6" ? "8" : a)), "-t", "vec-query", "-n", "90"], { timeoutMs: 45_000 });
      expectExit(query8, 0);
      expect(query8.stdout).toContain("imbalance (searches executed per shard): max/min 1.00, max deviation from mean 0.0%");
      expect(query8.stdout).not.toContain("WARNING: node imbalance");
      const json8 = await runBench([...args.map((a) => (a === "6" ? "8" : a)), "-t", "vec-query", "-n", "90", "--output-format", "json"], { timeoutMs: 45_000 });
      expectExit(json8, 0);
      const imbalance = parseJsonReport(json8.stdout).tests[0]!.extra.imbalance as Imbalance;
      expect(imbalance).toMatchObject({ basis: "searches executed per shard", maxMinRatio: 1, warning: false });
      // Each shard ran every query once (the warmup-free run's 90), as its entry node or as a partition.
      expect(Object.values(imbalance.perNode)).toEqual([90, 90, 90]);

      const again = await runBench([...args, "-t", "vec-query", "-n", "20", "--cleanup", "-q"], { timeoutMs: 45_000 });
      expectExit(again, 0);
      expect(again.stderr).toBe("");
      for (const s of target.shards) {
        expect(await call(s, "DBSIZE")).toBe(0);
        expect(await call(s, "FT._LIST")).toEqual([]);
      }
    },
    TIMEOUT,
  );

  standInTest(
    "a resharding during vec-load: MOVED writes are resent and counted as written, not as errors (stand-in only)",
    async () => {
      const n = uniqueNames();
      const seed = target.shards[0]!;
      const args = ["-h", seed.host, "-p", String(seed.port), "-c", "4", ...n.args, "--dataset", data.plain, "--search-algorithm", "FLAT"];
      // 500 vectors at 500/s; the slots swap once a fifth of them are in, so mid-load however
      // slowly the process starts.
      const running = runBench([...args, "-t", "vec-load", "--rps", "500", "--output-format", "json"], { timeoutMs: 45_000 });
      const deadline = Date.now() + 30_000;
      let loaded = 0;
      while (loaded < 100 && Date.now() < deadline) {
        await Bun.sleep(10);
        loaded = (await Promise.all(target.shards.map((s) => countKeys(s, n.prefix)))).reduce((a, b) => a + b, 0);
      }
      expect(loaded).toBeLessThan(500);
      target.standIn!.swapSlots(0, 1);
      const run = await running;
      target.standIn!.swapSlots(0, 1);
      expectExit(run, 0);
      const report = parseJsonReport(run.stdout);
      const load = report.tests[0]!;
      expect(load.requests.errors).toBe(0);
      expect(load.extra["vec-load"]).toMatchObject({ vectorsSent: 500, vectorsWritten: 500, errors: 0 });
      const perShard = await Promise.all(target.shards.map((s) => countKeys(s, n.prefix)));
      expect(perShard.reduce((a, b) => a + b, 0)).toBe(500);
      expect(JSON.stringify(report)).toContain("MOVED");
    },
    TIMEOUT,
  );

  test(
    "--filtered-search through the coordinator, a mix, and later --skip-load runs that rebuild the slot map with SCAN",
    async () => {
      const n = uniqueNames();
      const seed = target.shards[2]!;
      const args = ["-h", seed.host, "-p", String(seed.port), "-c", "6", ...n.args, "--dataset", data.tagged, "--search-algorithm", "FLAT"];
      const load = await runBench([...args, "-t", "vec-load", "-q"], { timeoutMs: 45_000 });
      expectExit(load, 0);
      // Later processes know nothing of where vec-load put each key: they SCAN every shard.
      const writes = parseJsonReport(expectOk(await runBench([...args, "-t", "vec-update,vec-delete", "--skip-load", "--update-shift", "0", "-n", "40", "--output-format", "json"], { timeoutMs: 45_000 })));
      for (const t of writes.tests) expect(t.requests).toEqual({ issued: 40, completed: 40, errors: 0 });
      // Keys keep the tag they were loaded with. An update goes out on a connection to the shard
      // that owns its key: no redirect (before, two thirds were MOVED and resent). A delete, whose
      // ids are fixed, is MOVED and resent when sent on another shard's connection.
      const [update, del] = writes.tests;
      expect(update!.extra.redirects ?? {}).toEqual({});
      expect(Object.keys(del!.extra.redirects ?? {}).filter((k) => k !== "MOVED")).toEqual([]);
      expect(await totalKeys(n.prefix)).toBe(460);
      const query = parseJsonReport(expectOk(await runBench([...args, "-t", "vec-query", "--filtered-search", "--skip-load", "-n", "40", "--output-format", "json"], { timeoutMs: 45_000 })));
      expect(query.tests[0]!.title).toBe("VEC-QUERY (k=10, filtered)");
      expect(query.tests[0]!.recall).toMatchObject({ valid: true, queries: 40, mean: 1, shortReplies: 0 });
      expect(query.tests[0]!.mrr).toBe(1);
      // A value-changing update leaves the rewrite marker on the shard owning its slot; queries
      // then withhold recall until a full reload.
      expectOk(await runBench([...args, "-t", "vec-update", "--skip-load", "-n", "5", "-q"], { timeoutMs: 45_000 }));
      const withheld = parseJsonReport(expectOk(await runBench([...args, "-t", "vec-query", "--filtered-search", "--skip-load", "-n", "10", "--output-format", "json"], { timeoutMs: 45_000 })));
      expect(withheld.tests[0]!.recall).toMatchObject({ valid: false, mean: null });
      // Some tagged vectors have no tags, so a reload cannot remove tags the update wrote: the
      // marker stays (recall would be 0.986 here); --cleanup and a fresh load restore them.
      const reload = await runBench([...args, "-t", "vec-load", "--reload", "--csv"], { timeoutMs: 45_000 });
      expectOk(reload);
      expect(reload.stderr).toContain("recall stays withheld: some vectors have no tags");
      expect(await totalKeys(n.prefix)).toBe(501); // every vector once (a reload keeps each key's tag) and the marker
      expectOk(await runBench([...args, "-t", "vec-query", "--filtered-search", "-n", "1", "-q", "--cleanup"], { timeoutMs: 45_000 }));
      expectOk(await runBench([...args, "-t", "vec-load", "-q"], { timeoutMs: 45_000 }));
      const mix = parseJsonReport(expectOk(await runBench([...args, "--mix", "vec-query:3,vec-update:1", "--update-shift", "0", "--filtered-search", "--skip-load", "-n", "80", "--output-format", "json", "--cleanup"], { timeoutMs: 45_000 })));
      expect(mix.tests[0]!.requests.errors).toBe(0);
      expect(mix.tests[0]!.recall).toMatchObject({ valid: true, mean: 1 });
      expect(await totalKeys(n.prefix)).toBe(0);
    },
    TIMEOUT,
  );

  test(
    "FT.CREATE over vectors already on every shard: the run waits for each shard's backfill, then recall is 1.0",
    async () => {
      const n = uniqueNames();
      const seed = target.shards[0]!;
      const args = ["-h", seed.host, "-p", String(seed.port), "-c", "3", ...n.args, "--dataset", data.plain, "--search-algorithm", "FLAT"];
      expectOk(await runBench([...args, "-t", "vec-load", "-q"], { timeoutMs: 45_000 }));
      expect(await call(seed, "FT.DROPINDEX", n.index)).toBe("OK");
      // The coordinator drops it on the other shards asynchronously.
      await waitFor("the index to be gone from every shard", async () => (await Promise.all(target.shards.map((sh) => numDocs(sh, n.index)))).every((d) => d === undefined), 10_000);
      const run = await runBench([...args, "-t", "vec-query", "-n", "60", "--output-format", "json"], { timeoutMs: 45_000 });
      const report = parseJsonReport(expectOk(run));
      expect(run.stderr).toContain(`index ${n.index}: created`);
      const docs = await Promise.all(target.shards.map((s) => numDocs(s, n.index)));
      expect(docs.reduce((a, b) => a! + b!, 0)).toBe(500);
      expect(report.tests[0]!.recall).toMatchObject({ valid: true, mean: 1, min: 1, shortReplies: 0 });
      expectOk(await runBench([...args, "-t", "vec-query", "-n", "1", "-q", "--cleanup"], { timeoutMs: 45_000 }));
    },
    TIMEOUT,
  );

  test(
    "HNSW recall equals what the test computes itself: its own FT.SEARCH per query against its own brute force",
    async () => {
      const n = uniqueNames();
      const seed = target.shards[1]!;
      const args = ["-h", seed.host, "-p", String(seed.port), ...n.args, "--dataset", data.plain, "--search-vector-field", "v"];
      // -c 3 --threads 1 and -n 20 over 20 queries: every query is scored exactly once.
      const report = parseJsonReport(expectOk(await runBench([...args, "-c", "3", "-t", "vec-load,vec-query", "-n", "20", "--output-format", "json"], { timeoutMs: 45_000 })));
      const tool = report.tests[1]!;
      expect(tool.recall!.queries).toBe(20);

      const ds = openDataset({ path: data.plain });
      try {
        let recallSum = 0;
        let rrSum = 0;
        for (let q = 0; q < ds.numQueries; q++) {
          const query = ds.queryF32(q, new Float32Array(ds.dim));
          const dist = (i: number): number => {
            const x = ds.vectorF32(i, new Float32Array(ds.dim));
            let d = 0;
            for (let j = 0; j < ds.dim; j++) d += (query[j]! - x[j]!) ** 2;
            return d;
          };
          const exact = Array.from({ length: ds.numVectors }, (_, i) => i).sort((a, b) => dist(a) - dist(b)).slice(0, 10);
          const blob = new Uint8Array(Float32Array.from(query).buffer);
          const reply = (await call(seed, "FT.SEARCH", n.index, "*=>[KNN 10 @v $BLOB]", "PARAMS", "2", "BLOB", blob as unknown as string, "NOCONTENT", "LIMIT", "0", "10", "DIALECT", "2")) as unknown[];
          const ids = reply.slice(1).map((k) => Number((typeof k === "string" ? k : new TextDecoder().decode(k as Uint8Array)).slice(-12)));
          recallSum += ids.filter((id) => exact.includes(id)).length / 10;
          const ranked = [...ids].sort((a, b) => dist(a) - dist(b));
          const rank = ranked.indexOf(exact[0]!);
          rrSum += rank < 0 ? 0 : 1 / (rank + 1);
        }
        expect(tool.recall!.mean!).toBeCloseTo(recallSum / ds.numQueries, 12);
        expect(tool.mrr!).toBeCloseTo(rrSum / ds.numQueries, 12);
      } finally {
        ds.close();
      }
      expectOk(await runBench([...args, "-c", "3", "-t", "vec-query", "-n", "1", "-q", "--cleanup"], { timeoutMs: 45_000 }));
    },
    TIMEOUT,
  );

  realOnlyTest(
    "slots migrated with MIGRATE while vec-load writes: every vector lands once, keys and num_docs exact (real server only)",
    async () => {
      const n = uniqueNames();
      const seed = target.shards[0]!;
      const args = ["-h", seed.host, "-p", String(seed.port), "-c", "4", ...n.args, "--dataset", data.plain, "--search-algorithm", "FLAT"];
      const running = runBench([...args, "-t", "vec-load", "--rps", "400", "--output-format", "json"], { timeoutMs: 45_000 });
      const deadline = Date.now() + 30_000;
      while ((await totalKeys(n.prefix)) < 100 && Date.now() < deadline) await Bun.sleep(10);
      const cluster = target.real!;
      const primaries = await cluster.primaries();
      const [from, to] = [primaries.find((p) => p.port === target.shards[0]!.port)!, primaries.find((p) => p.port === target.shards[1]!.port)!];
      const slots = (await slotsOf(from)).slice(0, 2000);
      const { keysMoved } = await migrateSlots(cluster, from, to, slots, { holdMs: 200 });
      const report = parseJsonReport(expectOk(await running));
      const load = report.tests[0]!;
      expect(load.requests.errors).toBe(0);
      expect(load.extra["vec-load"]).toMatchObject({ vectorsSent: 500, vectorsWritten: 500, errors: 0 });
      expect(keysMoved).toBeGreaterThan(0);
      expect(await totalKeys(n.prefix)).toBe(500);
      const docs = await Promise.all(target.shards.map((s) => numDocs(s, n.index)));
      expect(docs.reduce((a, b) => a! + b!, 0)).toBe(500);
      const query = parseJsonReport(expectOk(await runBench([...args, "-t", "vec-query", "-n", "40", "--output-format", "json", "--cleanup"], { timeoutMs: 45_000 })));
      expect(query.tests[0]!.recall).toMatchObject({ valid: true, mean: 1 });
    },
    TIMEOUT,
  );

  test(
    "a partial load (--num-vectors below the dataset) withholds vec-query's recall: the ground-truth keys are looked up on every shard",
    async () => {
      const n = uniqueNames();
      const seed = target.shards[0]!;
      const args = ["-h", seed.host, "-p", String(seed.port), "-c", "3", ...n.args, "--dataset", data.plain, "--search-algorithm", "FLAT"];
      expectOk(await runBench([...args, "-t", "vec-load", "-q", "--num-vectors", "200"], { timeoutMs: 45_000 }));
      const partial = parseJsonReport(expectOk(await runBench([...args, "-t", "vec-query", "-n", "30", "--output-format", "json"], { timeoutMs: 45_000 })));
      expect(partial.tests[0]!.recall).toMatchObject({ valid: false, mean: null });
      expect(partial.tests[0]!.recall!.invalidReason).toMatch(/^\d+ of \d+ sampled ground-truth vectors are not on the server/);
      expectOk(await runBench([...args, "-t", "vec-load", "-q"], { timeoutMs: 45_000 }));
      const full = parseJsonReport(expectOk(await runBench([...args, "-t", "vec-query", "-n", "30", "--output-format", "json", "--cleanup"], { timeoutMs: 45_000 })));
      expect(full.tests[0]!.recall).toMatchObject({ valid: true, mean: 1 });
    },
    TIMEOUT,
  );
});

function expectOk(run: RunResult): string {
  expectExit(run, 0);
  return run.stdout;
}

async function totalKeys(prefix: string): Promise<number> {
  return (await Promise.all(target.shards.map((s) => countKeys(s, prefix)))).reduce((a, b) => a + b, 0);
}
