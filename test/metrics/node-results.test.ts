// How evenly a test's load was spread over the nodes, and on what basis it is judged.

import { describe, expect, test } from "bun:test";
import { connectionsPerNode, imbalanceOf, imbalanceOfCounts, type NodeResult } from "../../src/metrics/node-results.ts";

function node(address: string, completed: number): NodeResult {
  return { address, role: "primary", completed, errors: 0, redirects: 0, throughput: 0, p50Ms: 0, p99Ms: 0 };
}

describe("imbalance", () => {
  test("-c 8 over three nodes splits the connections 3/3/2", () => {
    expect([...connectionsPerNode(["a", "b", "c"], 8)]).toEqual([["a", 3], ["b", 3], ["c", 2]]);
    expect([...connectionsPerNode(["a", "b", "c"], 2)]).toEqual([["a", 1], ["b", 1], ["c", 0]]);
  });

  test("a 3/3/2 connection split with equal per-connection rates is no imbalance (it warned at 1.50 per node)", () => {
    const nodes = [node("a", 300), node("b", 300), node("c", 200)];
    const perNode = imbalanceOf(nodes, 20)!;
    expect(perNode).toMatchObject({ basis: "requests per node", maxMinRatio: 1.5, warning: true });
    const perConnection = imbalanceOf(nodes, 20, connectionsPerNode(["a", "b", "c"], 8))!;
    expect(perConnection).toMatchObject({ basis: "requests per connection", maxMinRatio: 1, warning: false, perNode: { a: 100, b: 100, c: 100 } });
  });

  test("a slow node still shows per connection", () => {
    const nodes = [node("a", 300), node("b", 300), node("c", 100)];
    expect(imbalanceOf(nodes, 20, connectionsPerNode(["a", "b", "c"], 8))).toMatchObject({ maxMinRatio: 2, warning: true });
  });

  test("nodes without connections (reached by redirects only) are not judged", () => {
    const nodes = [node("a", 100), node("b", 100), node("x", 3)];
    expect(imbalanceOf(nodes, 20, new Map([["a", 1], ["b", 1]]))).toMatchObject({ maxMinRatio: 1, warning: false });
  });

  test("shard search counts are compared as they are", () => {
    const i = imbalanceOfCounts(new Map([["a", 4000], ["b", 4000], ["c", 4000]]), 20, "searches executed per shard")!;
    expect(i).toMatchObject({ basis: "searches executed per shard", maxMinRatio: 1, maxDeviationPct: 0, warning: false });
    expect(imbalanceOfCounts(new Map([["a", 1]]), 20, "searches executed per shard")).toBeUndefined();
  });
});
