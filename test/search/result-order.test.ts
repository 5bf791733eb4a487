// Rank metrics use the true-distance order of the returned ids, whatever order the server used;
// the reply's own order is classified (nearest-first, farthest-first, disagreeing).

import { describe, expect, test } from "bun:test";
import type { DistanceMetric, VectorDataset } from "../../src/dataset/index.ts";
import { ORDER_DISAGREES, ORDER_FARTHEST_FIRST, ORDER_NEAREST_FIRST, TrueDistanceRanker } from "../../src/search/result-order.ts";
import { RecallAccumulator } from "../../src/search/recall.ts";

/** Vectors (dim 2) at x = 0, 1, 2, ... 9 on a line; query 0 at the origin, query 1 at (9, 0). */
function lineDataset(): VectorDataset {
  const vectors = Array.from({ length: 10 }, (_, i) => Float32Array.of(i, 0));
  const queries = [Float32Array.of(0, 0), Float32Array.of(9, 0)];
  return {
    dim: 2,
    numVectors: 10,
    numQueries: 2,
    vectorF32: (i: number) => vectors[i]!,
    queryF32: (q: number) => queries[q]!,
  } as unknown as VectorDataset;
}

function ranker(metric: DistanceMetric = "L2", offset = 0): TrueDistanceRanker {
  return new TrueDistanceRanker(lineDataset(), offset, metric, 10);
}

describe("TrueDistanceRanker", () => {
  test("a nearest-first reply is left alone", () => {
    const ids = Float64Array.of(0, 1, 2, 3);
    expect(ranker().rank(0, ids, 4)).toBe(ORDER_NEAREST_FIRST);
    expect([...ids]).toEqual([0, 1, 2, 3]);
  });

  test("a farthest-first reply (valkey-search cluster mode) is reversed and classified", () => {
    const ids = Float64Array.of(9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    expect(ranker().rank(0, ids, 10)).toBe(ORDER_FARTHEST_FIRST);
    expect([...ids]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  test("a shuffled reply is sorted by distance and counted as disagreeing", () => {
    const ids = Float64Array.of(2, 0, 3, 1);
    expect(ranker().rank(0, ids, 4)).toBe(ORDER_DISAGREES);
    expect([...ids]).toEqual([0, 1, 2, 3]);
  });

  test("distance is to the query asked: query 1 sits at x = 9", () => {
    const ids = Float64Array.of(9, 8, 7);
    expect(ranker().rank(1, ids, 3)).toBe(ORDER_NEAREST_FIRST);
    const reversed = Float64Array.of(7, 8, 9);
    expect(ranker().rank(1, reversed, 3)).toBe(ORDER_FARTHEST_FIRST);
    expect([...reversed]).toEqual([9, 8, 7]);
  });

  test("a query's repeated reply gets the same verdict and order from the memo; a different reply is ranked afresh", () => {
    // Counts distance computations through the dataset, to see the memo skip them.
    let reads = 0;
    const base = lineDataset();
    const counting = { ...base, vectorF32: (i: number, s: Float32Array) => (reads++, base.vectorF32(i, s)), queryF32: base.queryF32 } as VectorDataset;
    const r = new TrueDistanceRanker(counting, 0, "L2", 10);
    const replies = [
      [2, 0, 3, 1],
      [2, 0, 3, 1],
      [3, 2, 1, 0],
      [3, 2, 1, 0],
      [2, 0, 3, 1],
      [0, 1, 2],
      [2, 0, 3, 1, 5],
    ];
    for (const reply of replies) {
      const fresh = Float64Array.from(reply);
      const expectedOrder = ranker().rank(0, fresh, reply.length);
      const before = reads;
      const ids = Float64Array.from(reply);
      expect(r.rank(0, ids, reply.length)).toBe(expectedOrder);
      expect([...ids]).toEqual([...fresh]);
      const repeated = reply === replies[1] || reply === replies[3];
      if (repeated) expect(reads).toBe(before);
    }
    // The same ids under the other query are not the same reply.
    const q1 = Float64Array.of(2, 0, 3, 1);
    expect(r.rank(1, q1, 4)).toBe(ranker().rank(1, Float64Array.of(2, 0, 3, 1), 4));
  });

  test("ids outside the slice and undecodable ids (-1) go last, in reply order", () => {
    const ids = Float64Array.of(-1, 3, 42, 1);
    // The known ones (3, then 1) are farthest-first; unknown ones do not take part.
    expect(ranker().rank(0, ids, 4)).toBe(ORDER_FARTHEST_FIRST);
    expect([...ids]).toEqual([1, 3, -1, 42]);
  });

  test("ids are dataset ids: with --vector-offset 100, id 103 is vector 3 of the slice", () => {
    const ids = Float64Array.of(105, 103, 101);
    expect(ranker("L2", 100).rank(0, ids, 3)).toBe(ORDER_FARTHEST_FIRST);
    expect([...ids]).toEqual([101, 103, 105]);
  });

  test("IP: the larger inner product is nearer", () => {
    const ids = Float64Array.of(1, 5, 9);
    expect(ranker("IP").rank(1, ids, 3)).toBe(ORDER_FARTHEST_FIRST);
    expect([...ids]).toEqual([9, 5, 1]);
  });

  test("only the first count entries are touched", () => {
    const ids = Float64Array.of(3, 2, 1, 0);
    ranker().rank(0, ids, 2);
    expect([...ids]).toEqual([2, 3, 1, 0]);
  });

  test("MRR of a farthest-first but exact reply is 1 once ranked (it was 1/k before)", () => {
    const acc = new RecallAccumulator(10);
    const gt = Uint32Array.from({ length: 10 }, (_, i) => i);
    const ids = Float64Array.of(9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    const raw = new RecallAccumulator(10);
    raw.add(ids, 10, gt, 10);
    expect(RecallAccumulator.merge([raw.toJSON()]).mrr).toBeCloseTo(0.1, 12);
    ranker().rank(0, ids, 10);
    acc.add(ids, 10, gt, 10);
    const s = RecallAccumulator.merge([acc.toJSON()]);
    expect(s).toMatchObject({ mean: 1, mrr: 1, ndcg: 1 });
  });
});

/** lineDataset with exact ground truth (ids by distance) and a count of distances computed. */
function lineDatasetWithTruth(metricHint?: DistanceMetric, depth = 10): { ds: VectorDataset; reads: () => number } {
  const base = lineDataset() as unknown as Record<string, unknown>;
  let reads = 0;
  const vectorF32 = base.vectorF32 as (i: number) => Float32Array;
  const truth = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
  ];
  const ds = {
    ...base,
    metricHint,
    neighborsPerQuery: depth,
    neighborId: (q: number, j: number) => truth[q]![j]!,
    vectorF32: (i: number) => {
      reads++;
      return vectorF32(i);
    },
  } as unknown as VectorDataset;
  return { ds, reads: () => reads };
}

describe("TrueDistanceRanker with ground truth: the order is read off the ground-truth row", () => {
  test("a nearest-first reply needs no distance at all", () => {
    const { ds, reads } = lineDatasetWithTruth("L2");
    const ids = Float64Array.of(0, 1, 2, 3);
    expect(new TrueDistanceRanker(ds, 0, "L2", 10).rank(0, ids, 4)).toBe(ORDER_NEAREST_FIRST);
    expect([...ids]).toEqual([0, 1, 2, 3]);
    expect(reads()).toBe(0);
  });

  test("a farthest-first reply is reversed after two distances (its ends)", () => {
    const { ds, reads } = lineDatasetWithTruth();
    const ids = Float64Array.of(9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    expect(new TrueDistanceRanker(ds, 0, "L2", 10).rank(0, ids, 10)).toBe(ORDER_FARTHEST_FIRST);
    expect([...ids]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(reads()).toBe(2);
  });

  test("gives the same order and class as the distances would, for every reply shape", () => {
    const replies = [
      [0, 1, 2, 3],
      [3, 2, 1, 0],
      [2, 0, 3, 1],
      [5, 42, 1],
      [-1, 3, 42, 1],
      [1, 1, 0],
      [8, 9],
      [0, 2, 7, 9],
      [9, 7, 2, 0],
      [1, 3, 5, 7, 9],
      [1, 3, 9, 7],
      [9, 7, 3, 1],
      [7, 9, 3, 1],
      [-1, 7, 1],
      [42, 9],
    ];
    for (const q of [0, 1]) {
      for (const reply of replies) {
        for (const depth of [10, 3]) {
        const fast = Float64Array.from(reply);
        const slow = Float64Array.from(reply);
        const a = new TrueDistanceRanker(lineDatasetWithTruth("L2", depth).ds, 0, "L2", 10).rank(q, fast, fast.length);
        const b = ranker().rank(q, slow, slow.length);
        expect({ q, depth, reply, order: a, ids: [...fast] }).toEqual({ q, depth, reply, order: b, ids: [...slow] });
        }
      }
    }
  });

  test("with recall below 1 (ids beyond the ground-truth row) only those ids' distances are computed", () => {
    const { ds, reads } = lineDatasetWithTruth("L2", 3);
    const ids = Float64Array.of(0, 1, 2, 5, 7);
    expect(new TrueDistanceRanker(ds, 0, "L2", 10).rank(0, ids, 5)).toBe(ORDER_NEAREST_FIRST);
    expect(reads()).toBe(2);
    const one = Float64Array.of(0, 2, 9);
    expect(new TrueDistanceRanker(ds, 0, "L2", 10).rank(0, one, 3)).toBe(ORDER_NEAREST_FIRST);
    expect(reads()).toBe(2);
  });

  test("ground truth computed for another metric is not trusted: distances decide", () => {
    const { ds, reads } = lineDatasetWithTruth("COSINE");
    const ids = Float64Array.of(1, 2, 3);
    expect(new TrueDistanceRanker(ds, 0, "L2", 10).rank(0, ids, 3)).toBe(ORDER_NEAREST_FIRST);
    expect(reads()).toBe(3);
  });
});

describe("ranking by returned scores (--with-scores)", () => {
  test("the server's own scores order the ids; the reply's order is judged against them", () => {
    const ids = Float64Array.of(7, 3, 5);
    // Scores say 3 is nearest, then 5, then 7: the reply's order disagrees with its own scores.
    expect(ranker().rankByScores(ids, Float64Array.of(0.9, 0.1, 0.5), 3)).toBe(ORDER_DISAGREES);
    expect([...ids]).toEqual([3, 5, 7]);
    const same = Float64Array.of(1, 2);
    expect(ranker().rankByScores(same, Float64Array.of(0.1, 0.2), 2)).toBe(ORDER_NEAREST_FIRST);
    const missing = Float64Array.of(4, 8, 6);
    expect(ranker().rankByScores(missing, Float64Array.of(NaN, 0.3, 0.2), 3)).toBe(ORDER_FARTHEST_FIRST);
    expect([...missing]).toEqual([6, 8, 4]);
  });
});
