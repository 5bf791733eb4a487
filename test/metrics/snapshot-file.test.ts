// --compare-snapshot arithmetic: nodes matched by address, else by the slots they own; changes
// in absolute and percent terms; nodes that appeared or vanished.

import { describe, expect, test } from "bun:test";
import { compareSnapshots, slotRanges, SNAPSHOT_KIND, type MetricsSnapshotFile, type SnapshotNode } from "../../src/metrics/snapshot-file.ts";

function node(address: string, slots: [number, number][], usedMemory: number, keys: number): SnapshotNode {
  return { address, role: "primary", slots, info: { memory: { used_memory: String(usedMemory) }, keyspace: { db0: `keys=${keys},expires=0,avg_ttl=0` } } };
}

function snapshot(nodes: SnapshotNode[], trackMetrics: string[] = []): MetricsSnapshotFile {
  return { kind: SNAPSHOT_KIND, version: 1, takenAt: "2026-01-01T00:00:00.000Z", toolVersion: "test", trackMetrics, nodes, tests: [] };
}

describe("compareSnapshots", () => {
  test("same addresses: per node and total change; a cluster rebuilt on other ports is matched by slots", () => {
    const then = snapshot([node("a:1", [[0, 8191]], 1000, 10), node("b:1", [[8192, 16383]], 2000, 20), node("gone:1", [], 5, 0)]);
    const now = snapshot([node("a:1", [[0, 8191]], 1500, 10), node("c:2", [[8192, 16383]], 1000, 25), node("new:1", [], 7, 0)], ["memory:used_memory:max:none"]);
    const c = compareSnapshots("then.json", then, now);
    const mem = c.metrics.find((m) => m.metric === "memory:used_memory")!;
    expect(mem.nodes).toEqual([
      { address: "a:1", before: 1000, after: 1500, change: 500, changePct: 50 },
      { address: "c:2", previousAddress: "b:1", before: 2000, after: 1000, change: -1000, changePct: -50 },
    ]);
    expect(mem.total).toMatchObject({ before: 3000, after: 2500, change: -500 });
    expect(c.metrics.find((m) => m.metric === "keyspace:db0:keys")!.total).toMatchObject({ before: 30, after: 35, change: 5 });
    expect(c.appeared).toEqual(["new:1"]);
    expect(c.vanished).toEqual(["gone:1"]);
    expect(c.takenAt).toBe("2026-01-01T00:00:00.000Z");
  });

  test("slot lists become ranges", () => {
    expect(slotRanges([5, 1, 2, 3, 9, 10])).toEqual([
      [1, 3],
      [5, 5],
      [9, 10],
    ]);
    expect(slotRanges([])).toEqual([]);
  });
});
