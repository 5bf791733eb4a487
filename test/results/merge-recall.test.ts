// merge: the merged test's top-level recall / mrr / ndcg / replyOrder (what compare and report
// read) cover every shard's queries, not the first shard's.
import { afterAll, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import type { JsonRecall } from "../../src/report/json.ts";
import { mergeRuns } from "../../src/results/merge-runs.ts";
import { loadRunFile, recallOf } from "../../src/results/run-file.ts";
import { configOf, reportOf, result, tempDir, writeReport } from "./support.ts";

const dir = tempDir("merge-recall");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function recall(queries: number, mean: number, perfect: number): JsonRecall {
  return { k: 10, valid: true, queries, mean, min: mean - 0.1, p1: mean - 0.1, p5: mean, p50: mean, max: 1, perfect, zero: 0, shortReplies: 1, noGroundTruth: 0, errorReplies: 0, unscoredReplies: 0, redirectedReplies: 0 };
}

async function shard(i: number, r: JsonRecall, mrr: number, disagreements: number): Promise<string> {
  const config = await configOf(["-t", "set", "--shard", `${i}/2`]);
  const report = reportOf(config, [result({ title: "VEC-QUERY (k=10)", issued: r.queries, completed: r.queries })]);
  Object.assign(report.tests[0]!, { recall: r, mrr, ndcg: mrr, replyOrder: { checked: r.queries, disagreements, farthestFirst: 0, rankedByScores: 0, rankedBy: "true distance" } });
  return writeReport(dir, `s${i}.json`, report);
}

test("merged recall, mrr, ndcg and replyOrder are over all shards' queries (they were the first shard's)", async () => {
  const files = [await shard(0, recall(1000, 0.9, 500), 0.8, 3), await shard(1, recall(3000, 0.5, 100), 0.4, 5)];
  const t = mergeRuns(files.map(loadRunFile)).tests[0]!;
  expect(t.recall).toMatchObject({ queries: 4000, perfect: 600, shortReplies: 2, min: 0.4, max: 1, p1: null, p5: null, p50: null });
  expect(t.recall!.mean!).toBeCloseTo(0.6, 9); // (0.9*1000 + 0.5*3000) / 4000
  expect(t.mrr!).toBeCloseTo(0.5, 9); // (0.8*1000 + 0.4*3000) / 4000
  expect(t.ndcg!).toBeCloseTo(0.5, 9);
  expect(t.replyOrder).toMatchObject({ checked: 4000, disagreements: 8 });
  expect(recallOf(t)).toMatchObject({ queries: 4000 });
});
