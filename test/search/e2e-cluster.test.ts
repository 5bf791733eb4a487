// Vector workloads over a three-shard stand-in cluster, through the real cluster discovery and
// routing code: keys land on every shard, FT.SEARCH fans out, readiness and cleanup cover every
// primary. Skipped with VSB_TEST_SEARCH_URL (the real target is one server, not a cluster).

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Imbalance } from "../../src/metrics/node-results.ts";
import type { RecallSummary } from "../../src/search/recall.ts";
import { expectExit, parseJsonReport, runBench } from "../support/run-cli.ts";
import { call, countKeys, makeDatasets, numDocs, searchClusterTarget, SERVER_KIND, standInTest, type Datasets, type SearchClusterTarget, uniqueNames } from "./e2e-target.ts";

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
});
