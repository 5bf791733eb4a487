import { describe, expect, test } from "bun:test";
import { shardRequests } from "../../src/engine/shard.ts";

describe("--shard splits a test's requests", () => {
  test("N shards cover the total exactly once, in whole units", () => {
    for (const [total, unit, n] of [[100000, 1, 3], [1000, 3, 7], [12, 4, 5], [5, 1, 8]] as const) {
      let next = 0;
      for (let i = 0; i < n; i++) {
        const part = shardRequests(total, unit, { index: i, count: n });
        expect(part.firstRequest).toBe(next);
        expect(part.firstRequest % unit).toBe(0);
        expect(part.requests).toBeGreaterThanOrEqual(0);
        next += part.requests;
      }
      expect(next).toBe(total);
    }
  });

  test("without a total, shards number their requests from disjoint starts", () => {
    const starts = [0, 1, 2].map((index) => shardRequests(Infinity, 1, { index, count: 3 }).firstRequest);
    expect(starts).toEqual([0, Math.floor(2 ** 32 / 3), Math.floor((2 * 2 ** 32) / 3)]);
    expect(shardRequests(500, 1, undefined)).toEqual({ firstRequest: 0, requests: 500 });
  });
});
