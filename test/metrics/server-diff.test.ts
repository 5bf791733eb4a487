// Server metrics arithmetic: what a node did between two INFO snapshots, and the totals over
// the nodes that served a test.

import { describe, expect, test } from "bun:test";
import { diffNode, diffSnapshots, totalOf, type NodeServerMetrics } from "../../src/metrics/server-diff.ts";
import type { ServerSnapshot } from "../../src/metrics/server-snapshot.ts";

function snapshot(over: Partial<ServerSnapshot> = {}): ServerSnapshot {
  return {
    address: "127.0.0.1:7000",
    role: "primary",
    takenAtMs: 0,
    fields: {},
    commands: {},
    keys: 0,
    search: {},
    searchPercentiles: {},
    sections: ["stats", "memory", "clients", "keyspace", "commandstats"],
    hasCommandstats: true,
    infoCallsAfterCommandstats: 1,
    infoCallsBeforeCommandstats: 0,
    ...over,
  };
}

const cmd = (calls: number, usec: number, failedCalls = 0, rejectedCalls = 0) => ({ calls, usec, failedCalls, rejectedCalls });

describe("diffNode", () => {
  test("command deltas, with usec per call over the interval rather than since server start", () => {
    const before = snapshot({ commands: { set: cmd(1000, 5000), get: cmd(10, 10) } });
    const after = snapshot({ commands: { set: cmd(3000, 7000, 2, 1), get: cmd(10, 10) } });
    const m = diffNode(before, after, 1);
    expect(m.commands).toEqual({ set: { calls: 2000, usec: 2000, usecPerCall: 1, failedCalls: 2, rejectedCalls: 1 } });
  });

  test("a command first seen after the test counts from zero", () => {
    const m = diffNode(snapshot(), snapshot({ commands: { "ft.search": cmd(40, 100) } }), 1);
    expect(m.commands!["ft.search"]).toEqual({ calls: 40, usec: 100, usecPerCall: 2.5, failedCalls: 0, rejectedCalls: 0 });
  });

  test("the snapshots' own INFO calls are not counted as the test's", () => {
    const before = snapshot({ commands: { info: cmd(5, 50) }, fields: { total_commands_processed: 100 } });
    const after = snapshot({ commands: { info: cmd(6, 60) }, fields: { total_commands_processed: 1101 } });
    const m = diffNode(before, after, 2);
    expect(m.commands).toEqual({});
    expect(m.commandsProcessed).toBe(1000);
    expect(m.opsPerSec).toBe(500);
  });

  test("the per-section way of asking leaves more own INFO calls to subtract", () => {
    const before = snapshot({ commands: { info: cmd(0, 0) } });
    const after = snapshot({ commands: { info: cmd(10, 60) }, infoCallsBeforeCommandstats: 6 });
    expect(diffNode(before, after, 1).commands!.info!.calls).toBe(3);
  });

  test("counters that went down (CONFIG RESETSTAT during the test) count from the reset", () => {
    const m = diffNode(snapshot({ commands: { set: cmd(5000, 900) } }), snapshot({ commands: { set: cmd(300, 30) } }), 1);
    expect(m.commands!.set!.calls).toBe(300);
  });

  test("keyspace hits and misses deltas and the hit rate", () => {
    const m = diffNode(snapshot({ fields: { keyspace_hits: 10, keyspace_misses: 5 } }), snapshot({ fields: { keyspace_hits: 85, keyspace_misses: 30 } }), 1);
    expect(m).toMatchObject({ keyspaceHits: 75, keyspaceMisses: 25, hitRatePct: 75 });
  });

  test("no lookups: no hit rate (not 0%, not NaN)", () => {
    const m = diffNode(snapshot({ fields: { keyspace_hits: 3, keyspace_misses: 1 } }), snapshot({ fields: { keyspace_hits: 3, keyspace_misses: 1 } }), 1);
    expect(m.keyspaceHits).toBe(0);
    expect(m.hitRatePct).toBeUndefined();
  });

  test("memory before, after and growth (negative when freed); gauges from after the test", () => {
    const before = snapshot({ fields: { used_memory: 5_000_000, connected_clients: 3, instantaneous_ops_per_sec: 0 }, keys: 10 });
    const after = snapshot({ fields: { used_memory: 4_000_000, connected_clients: 53, instantaneous_ops_per_sec: 12345 }, keys: 110 });
    expect(diffNode(before, after, 1)).toMatchObject({
      usedMemoryBeforeBytes: 5_000_000,
      usedMemoryAfterBytes: 4_000_000,
      usedMemoryGrowthBytes: -1_000_000,
      connectedClients: 53,
      instantaneousOpsPerSec: 12345,
      keysBefore: 10,
      keysAfter: 110,
    });
  });

  test("fields the server does not report stay absent (restricted INFO on managed services)", () => {
    const restricted = snapshot({ hasCommandstats: false, sections: [] });
    const m = diffNode(restricted, restricted, 1);
    expect(m).toEqual({ address: "127.0.0.1:7000", role: "primary" });
  });

  test("search counters as deltas, gauges and latency percentiles as reported after the test", () => {
    const before = snapshot({ search: { search_successful_requests_count: 100, search_failure_requests_count: 1, search_used_memory_bytes: 1000 } });
    const after = snapshot({
      search: { search_successful_requests_count: 600, search_failure_requests_count: 1, search_used_memory_bytes: 1500, search_query_queue_size: 4 },
      searchPercentiles: { search_hnsw_vector_index_search_latency_usec: { p50: 100, p99: 300 } },
    });
    expect(diffNode(before, after, 1).search).toEqual({
      after: { search_successful_requests_count: 600, search_failure_requests_count: 1, search_used_memory_bytes: 1500, search_query_queue_size: 4 },
      delta: { search_successful_requests_count: 500, search_failure_requests_count: 0, search_used_memory_bytes: 500 },
      latencyUsec: { search_hnsw_vector_index_search_latency_usec: { p50: 100, p99: 300 } },
    });
  });
});

describe("totalOf", () => {
  const node = (address: string, role: "primary" | "replica", setCalls: number, usec: number, growth: number): NodeServerMetrics => ({
    address,
    role,
    commands: { set: { calls: setCalls, usec, usecPerCall: usec / setCalls, failedCalls: 0, rejectedCalls: 0 } },
    keyspaceHits: 0,
    keyspaceMisses: 0,
    usedMemoryGrowthBytes: growth,
    opsPerSec: setCalls,
  });

  test("sums over the serving nodes only: a replica's replicated writes are not counted twice", () => {
    const nodes = [node("a:1", "primary", 600, 600, 100), node("b:1", "primary", 400, 1400, 300), node("a:2", "replica", 600, 300, 100)];
    const t = totalOf(nodes, ["a:1", "b:1"]);
    expect(t.nodes).toEqual(["a:1", "b:1"]);
    expect(t.commands!.set).toEqual({ calls: 1000, usec: 2000, usecPerCall: 2, failedCalls: 0, rejectedCalls: 0 });
    expect(t.usedMemoryGrowthBytes).toBe(400);
    expect(t.maxUsedMemoryGrowthBytes).toBe(300);
    expect(t.opsPerSec).toBe(1000);
    expect(t.hitRatePct).toBeUndefined();
  });

  test("serving nodes unknown: the primaries", () => {
    const nodes = [node("a:1", "primary", 600, 600, 100), node("a:2", "replica", 600, 300, 100)];
    expect(totalOf(nodes, []).nodes).toEqual(["a:1"]);
  });

  test("nodes without commandstats are left out of the command totals, not counted as zero", () => {
    const t = totalOf([{ address: "x:1", role: "primary" }], ["x:1"]);
    expect(t.commands).toBeUndefined();
    expect(t.usedMemoryGrowthBytes).toBeUndefined();
  });
});

describe("diffSnapshots", () => {
  test("a node missing from either snapshot has no metrics; the interval is measured between snapshots", () => {
    const before = new Map([
      ["a:1", snapshot({ address: "a:1", takenAtMs: 1000, commands: { set: cmd(0, 0) } })],
      ["b:1", snapshot({ address: "b:1", takenAtMs: 1000 })],
    ]);
    const after = new Map([["a:1", snapshot({ address: "a:1", takenAtMs: 3500, commands: { set: cmd(10, 20) } })]]);
    const m = diffSnapshots(before, after, { durationSec: 2, serving: ["a:1", "b:1"], testCommands: ["set"] });
    expect(m.nodes.map((n) => n.address)).toEqual(["a:1"]);
    expect(m.intervalSec).toBe(2.5);
    expect(m.total.nodes).toEqual(["a:1"]);
    expect(m.testCommands).toEqual(["set"]);
  });
});
