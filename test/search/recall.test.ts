import { describe, expect, test } from "bun:test";
import {
  formatRecallText,
  RECALL_CSV_COLUMNS,
  RecallAccumulator,
  recallCsvCells,
  type RecallSummary,
} from "../../src/search/recall.ts";
import { Rng } from "../resp/random-resp.ts";

const ids = (...values: number[]): Float64Array => Float64Array.from(values);

/** The summary of one accumulator fed the given queries. */
function summarize(queries: [returned: number[], gt: ArrayLike<number | bigint>, k: number][]): RecallSummary {
  const acc = new RecallAccumulator();
  for (const [returned, gt, k] of queries) acc.add(ids(...returned), returned.length, gt, k);
  return RecallAccumulator.merge([acc.toJSON()]);
}

const log2 = Math.log2;

describe("recall@k divides by k, never by what came back", () => {
  test("a perfect reply has recall 1, MRR 1 and NDCG 1", () => {
    const s = summarize([[[1, 2, 3, 4], [1, 2, 3, 4, 9, 9], 4]]);
    expect(s).toMatchObject({ queries: 1, k: 4, mean: 1, min: 1, max: 1, perfect: 1, zero: 0, shortReplies: 0, mrr: 1, ndcg: 1 });
  });

  test("a short reply still divides by k and is counted as short", () => {
    // 2 of the true top-4 came back in a reply of 2: recall 2/4, not 2/2.
    const s = summarize([[[1, 2], [1, 2, 3, 4], 4]]);
    expect(s.mean).toBe(0.5);
    expect(s.shortReplies).toBe(1);
    expect(s.perfect).toBe(0);
  });

  test("only the first k returned and the first k ground-truth ids count", () => {
    // k=2: returned [5, 1, 2] looks at [5, 1]; GT looks at [1, 2]: one hit.
    const s = summarize([[[5, 1, 2], [1, 2, 5], 2]]);
    expect(s.mean).toBe(0.5);
    expect(s.shortReplies).toBe(0);
  });

  test("a duplicate in the returned list is counted once", () => {
    const s = summarize([[[1, 1, 1, 2], [1, 2, 3, 4], 4]]);
    expect(s.mean).toBe(0.5);
    // DCG: rank 1 (id 1) and rank 4 (id 2); the duplicates at ranks 2 and 3 gain nothing.
    const ideal = 1 + 1 / log2(3) + 1 / log2(4) + 1 / log2(5);
    expect(s.ndcg).toBeCloseTo((1 + 1 / log2(5)) / ideal, 12);
  });

  test("undecodable keys (-1) are never relevant", () => {
    const s = summarize([[[-1, 2, -1], [1, 2, 3], 3]]);
    expect(s.mean).toBeCloseTo(1 / 3, 12);
  });

  test("order does not change recall but does change MRR and NDCG", () => {
    const inOrder = summarize([[[1, 2, 3, 7], [1, 2, 3, 4], 4]]);
    const reversed = summarize([[[7, 3, 2, 1], [1, 2, 3, 4], 4]]);
    expect(inOrder.mean).toBe(0.75);
    expect(reversed.mean).toBe(0.75);
    expect(inOrder.mrr).toBe(1);
    expect(reversed.mrr).toBe(0.25);
    const ideal = 1 + 1 / log2(3) + 1 / log2(4) + 1 / log2(5);
    expect(inOrder.ndcg).toBeCloseTo((1 + 1 / log2(3) + 1 / log2(4)) / ideal, 12);
    expect(reversed.ndcg).toBeCloseTo((1 / log2(3) + 1 / log2(4) + 1 / log2(5)) / ideal, 12);
    expect(reversed.ndcg).toBeLessThan(inOrder.ndcg);
  });

  test("MRR is 1/rank of the true nearest neighbour, 0 when it is missing", () => {
    expect(summarize([[[9, 8, 1], [1, 2, 3], 3]]).mrr).toBeCloseTo(1 / 3, 12);
    expect(summarize([[[2, 3, 8], [1, 2, 3], 3]]).mrr).toBe(0);
    // Past the first k returned ids it does not count.
    expect(summarize([[[2, 3, 1], [1, 2], 2]]).mrr).toBe(0);
  });

  test("a reply with no true neighbour has recall 0 and counts as zero", () => {
    const s = summarize([[[7, 8], [1, 2], 2]]);
    expect(s).toMatchObject({ mean: 0, zero: 1, perfect: 0, mrr: 0, ndcg: 0 });
  });
});

describe("ground-truth padding", () => {
  test("padding ids (2^32-1, 2^64-1, -1) are not neighbours: the denominator is the real ids", () => {
    const u32 = Uint32Array.from([4, 5, 0xffffffff, 0xffffffff]);
    expect(summarize([[[4, 9, 9, 9], u32, 4]]).mean).toBe(0.5);
    const u64 = BigUint64Array.from([4n, 5n, 2n ** 64n - 1n, 2n ** 64n - 1n]);
    expect(summarize([[[4, 5], u64, 4]])).toMatchObject({ mean: 1, perfect: 1, shortReplies: 0 });
    const i64 = BigInt64Array.from([4n, -1n, -1n]);
    expect(summarize([[[4], i64, 3]]).mean).toBe(1);
    expect(summarize([[[4], [4, -1, -1], 3]]).mean).toBe(1);
  });

  test("a ground-truth row shorter than k divides by its length", () => {
    expect(summarize([[[1, 2, 3], [1, 2], 10]]).mean).toBe(1);
  });

  test("a query without any real ground truth is skipped and counted as noGroundTruth", () => {
    const s = summarize([
      [[1, 2], Uint32Array.from([0xffffffff, 0xffffffff]), 2],
      [[1, 2], [1, 2], 2],
    ]);
    expect(s).toMatchObject({ queries: 1, noGroundTruth: 1, mean: 1 });
  });

  test("bigint ground truth works like numbers", () => {
    expect(summarize([[[10, 20], BigUint64Array.from([20n, 10n]), 2]]).mean).toBe(1);
  });

  test("a short reply is one with fewer ids than the real ground truth", () => {
    const s = summarize([[[1, 2], Uint32Array.from([1, 2, 0xffffffff]), 3]]);
    expect(s.shortReplies).toBe(0);
    expect(s.mean).toBe(1);
  });
});

describe("merging and percentiles", () => {
  test("merging worker snapshots equals one accumulator fed every query", () => {
    const rng = new Rng(7);
    const all = new RecallAccumulator();
    const parts = [new RecallAccumulator(), new RecallAccumulator(), new RecallAccumulator()];
    const gt = new Uint32Array(10);
    const returned = new Float64Array(10);
    for (let q = 0; q < 3000; q++) {
      for (let i = 0; i < 10; i++) gt[i] = q * 100 + i;
      const count = rng.int(0, 10);
      for (let i = 0; i < count; i++) returned[i] = rng.next() < 0.8 ? q * 100 + rng.int(0, 12) : -1;
      all.add(returned, count, gt, 10);
      parts[q % 3]!.add(returned, count, gt, 10);
    }
    const merged = RecallAccumulator.merge(parts.map((p) => structuredClone(p.toJSON())));
    const single = RecallAccumulator.merge([all.toJSON()]);
    for (const key of Object.keys(single) as (keyof RecallSummary)[]) {
      expect({ key, value: merged[key] }).toEqual({ key, value: expect.closeTo(single[key] as number, 12) as unknown as number });
    }
    expect(merged.queries).toBe(3000);
  });

  test("p1/p5/p50 are the recall at or below which that share of queries lie", () => {
    const acc = new RecallAccumulator();
    const gt = Uint32Array.from({ length: 10 }, (_, i) => i);
    // 100 queries: recall 0.1 for 1, 0.5 for 4, 0.9 for 45 and 1.0 for 50.
    const add = (hits: number, times: number): void => {
      for (let t = 0; t < times; t++) acc.add(ids(...Array.from({ length: hits }, (_, i) => i)), hits, gt, 10);
    };
    add(1, 1);
    add(5, 4);
    add(9, 45);
    add(10, 50);
    const s = RecallAccumulator.merge([acc.toJSON()]);
    expect(s).toMatchObject({ p1: 0.1, p5: 0.5, p50: 0.9, min: 0.1, max: 1, perfect: 50, zero: 0, shortReplies: 50 });
    expect(s.mean).toBeCloseTo((0.1 + 4 * 0.5 + 45 * 0.9 + 50) / 100, 12);
  });

  test("no queries gives NaN ratios (null in JSON) and a clear text line", () => {
    const s = RecallAccumulator.merge([new RecallAccumulator().toJSON()]);
    expect(s.queries).toBe(0);
    expect(Number.isNaN(s.mean)).toBe(true);
    expect(JSON.parse(JSON.stringify(s)).p50).toBeNull();
    expect(formatRecallText(s)).toContain("no query scored");
    expect(recallCsvCells(s)[2]).toBe("");
  });

  test("snapshots are JSON-safe (no NaN or Infinity) even when empty", () => {
    const snapshot = new RecallAccumulator().toJSON();
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
  });
});

describe("reporting", () => {
  const s = summarize([
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], Array.from({ length: 10 }, (_, i) => i + 1), 10],
    [[1, 2, 3], Array.from({ length: 10 }, (_, i) => i + 1), 10],
  ]);

  test("the text report names k and every statistic", () => {
    const text = formatRecallText(s);
    expect(text).toContain("Recall@10: mean 0.6500, min 0.3000, p1 0.3000, p5 0.3000, p50 0.3000, max 1.0000");
    expect(text).toContain("perfect 1/2, zero 0/2; short replies 1");
    expect(text).toContain("MRR 1.0000; NDCG@10");
  });

  test("CSV cells line up with RECALL_CSV_COLUMNS", () => {
    const cells = recallCsvCells(s);
    expect(cells.length).toBe(RECALL_CSV_COLUMNS.length);
    const row = Object.fromEntries(RECALL_CSV_COLUMNS.map((c, i) => [c, cells[i]]));
    expect(row).toMatchObject({ recall_k: "10", recall_queries: "2", recall_mean: "0.650000", recall_min: "0.300000", recall_short_replies: "1", mrr: "1.000000" });
  });
});

describe("scratch space", () => {
  test("k above the preallocated size still scores correctly", () => {
    const k = 5000;
    const gt = Uint32Array.from({ length: k }, (_, i) => i * 7);
    const returned = Float64Array.from({ length: k }, (_, i) => (i % 2 === 0 ? i * 7 : -1));
    const acc = new RecallAccumulator(10);
    acc.add(returned, k, gt, k);
    expect(RecallAccumulator.merge([acc.toJSON()]).mean).toBe(0.5);
  });

  test("large ids (past 2^32) are matched exactly", () => {
    const big = 2 ** 40 + 3;
    expect(summarize([[[big, 2 ** 40 + 4], BigUint64Array.from([BigInt(big), 5n]), 2]]).mean).toBe(0.5);
  });
});
