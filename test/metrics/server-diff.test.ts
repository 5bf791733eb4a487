// Server metrics arithmetic: what a node did between two INFO readings, and the totals over
// the nodes that served a test. The default metrics are definitions like --track-metric's;
// these tests pin the report shape they are arranged into.

import { describe, expect, test } from "bun:test";
import { parseInfoSections } from "../../src/metrics/info-text.ts";
import type { NodeReading } from "../../src/metrics/metric-eval.ts";
import { diffSnapshots, totalOf, type NodeServerMetrics } from "../../src/metrics/server-diff.ts";

/** A reading from INFO text lines ("# Stats", "keyspace_hits:5", ...). */
function reading(lines: string[], over: Partial<NodeReading> = {}): NodeReading {
  return { address: "127.0.0.1:7000", role: "primary", takenAtMs: 0, info: parseInfoSections(lines.join("\r\n")), ownCalls: {}, ...over };
}

const cmd = (name: string, calls: number, usec: number, failed = 0, rejected = 0) => `cmdstat_${name}:calls=${calls},usec=${usec},usec_per_call=1.00,rejected_calls=${rejected},failed_calls=${failed}`;

/** diffSnapshots over one node. */
function diffNode(before: NodeReading, after: NodeReading, durationSec: number): NodeServerMetrics {
  return diffSnapshots(new Map([[before.address, before]]), new Map([[after.address, after]]), { durationSec, serving: [], testCommands: [] }).nodes[0]!;
}

describe("one node between two readings", () => {
  test("command deltas, with usec per call over the interval rather than since server start", () => {
    const before = reading(["# Commandstats", cmd("set", 1000, 5000), cmd("get", 10, 10)]);
    const after = reading(["# Commandstats", cmd("set", 3000, 7000, 2, 1), cmd("get", 10, 10)]);
    expect(diffNode(before, after, 1).commands).toEqual({ set: { calls: 2000, usec: 2000, usecPerCall: 1, failedCalls: 2, rejectedCalls: 1 } });
  });

  test("a command first seen after the test counts from zero", () => {
    const m = diffNode(reading(["# Commandstats"]), reading(["# Commandstats", cmd("ft.search", 40, 100)]), 1);
    expect(m.commands!["ft.search"]).toEqual({ calls: 40, usec: 100, usecPerCall: 2.5, failedCalls: 0, rejectedCalls: 0 });
  });

  test("our own INFO calls between the readings are not counted as the test's", () => {
    const before = reading(["# Stats", "total_commands_processed:100", "# Commandstats", cmd("info", 5, 50)], { ownCalls: { info: 4 } });
    const after = reading(["# Stats", "total_commands_processed:1101", "# Commandstats", cmd("info", 6, 60)], { ownCalls: { info: 5 } });
    const m = diffNode(before, after, 2);
    expect(m.commands).toEqual({});
    expect(m.commandsProcessed).toBe(1000);
    expect(m.opsPerSec).toBe(500);
  });

  test("a search module's own ACL GETUSER calls are left out of the commands processed and named; cmdstat_acl|getuser stays as counted", () => {
    const search = ["# search_query", "search_successful_requests_count:0"];
    const before = reading(["# Stats", "total_commands_processed:100", ...search, "# Commandstats", cmd("FT.SEARCH", 10, 50), cmd("acl|getuser", 10, 10)]);
    const after = reading(["# Stats", "total_commands_processed:2100", ...search, "# Commandstats", cmd("FT.SEARCH", 1010, 5050), cmd("acl|getuser", 1010, 1010)]);
    const m = diffNode(before, after, 2);
    expect(m.commandsProcessed).toBe(1000);
    expect(m.opsPerSec).toBe(500);
    expect(m.moduleInternalCalls).toEqual({ "acl|getuser": 1000 });
    expect(m.commands!["acl|getuser"]!.calls).toBe(1000);
    expect(diffSnapshots(new Map([[before.address, before]]), new Map([[after.address, after]]), { durationSec: 2, serving: [], testCommands: [] }).total.moduleInternalCalls).toEqual({ "acl|getuser": 1000 });
  });

  test("without the search module, ACL GETUSER is a client's command like any other (plain valkey numbers unchanged)", () => {
    const before = reading(["# Stats", "total_commands_processed:100", "# Commandstats", cmd("acl|getuser", 10, 10)]);
    const after = reading(["# Stats", "total_commands_processed:1100", "# Commandstats", cmd("acl|getuser", 1010, 1010)]);
    const m = diffNode(before, after, 1);
    expect(m.commandsProcessed).toBe(1000);
    expect(m.moduleInternalCalls).toBeUndefined();
  });

  test("counters that went down (CONFIG RESETSTAT during the test) count from the reset", () => {
    const m = diffNode(reading(["# Commandstats", cmd("set", 5000, 900)]), reading(["# Commandstats", cmd("set", 300, 30)]), 1);
    expect(m.commands!.set!.calls).toBe(300);
  });

  test("keyspace hits and misses deltas and the hit rate", () => {
    const m = diffNode(reading(["# Stats", "keyspace_hits:10", "keyspace_misses:5"]), reading(["# Stats", "keyspace_hits:85", "keyspace_misses:30"]), 1);
    expect(m).toMatchObject({ keyspaceHits: 75, keyspaceMisses: 25, hitRatePct: 75 });
  });

  test("no lookups: no hit rate (not 0%, not NaN)", () => {
    const same = ["# Stats", "keyspace_hits:3", "keyspace_misses:1"];
    const m = diffNode(reading(same), reading(same), 1);
    expect(m.keyspaceHits).toBe(0);
    expect(m.hitRatePct).toBeUndefined();
  });

  test("memory before, after and growth (negative when freed); gauges from after the test; keys over every database", () => {
    const before = reading(["# Memory", "used_memory:5000000", "# Clients", "connected_clients:3", "# Stats", "instantaneous_ops_per_sec:0", "# Keyspace", "db0:keys=10,expires=0,avg_ttl=0"]);
    const after = reading(["# Memory", "used_memory:4000000", "# Clients", "connected_clients:53", "# Stats", "instantaneous_ops_per_sec:12345", "# Keyspace", "db0:keys=100,expires=0,avg_ttl=0", "db3:keys=10,expires=0,avg_ttl=0"]);
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
    expect(diffNode(reading([]), reading([]), 1)).toEqual({ address: "127.0.0.1:7000", role: "primary" });
  });

  test("search counters as deltas, gauges and latency percentiles as reported after the test (module sections search_*)", () => {
    const before = reading(["# search_query", "search_successful_requests_count:100", "search_failure_requests_count:1", "# search_memory", "search_used_memory_bytes:1000"]);
    const after = reading([
      "# search_query",
      "search_successful_requests_count:600",
      "search_failure_requests_count:1",
      "# search_memory",
      "search_used_memory_bytes:1500",
      "search_used_memory_human:1.46K",
      "# search_thread-pool",
      "search_query_queue_size:4",
      "# search_latency",
      "search_hnsw_vector_index_search_latency_usec:p50=100,p99=300",
    ]);
    const search = diffNode(before, after, 1).search!;
    expect(search.delta).toEqual({ search_successful_requests_count: 500, search_failure_requests_count: 0, search_used_memory_bytes: 500 });
    expect(search.after).toMatchObject({ search_successful_requests_count: 600, search_used_memory_bytes: 1500, search_query_queue_size: 4, search_used_memory_human: 1.46 * 1024 });
    expect(search.latencyUsec).toEqual({ search_hnsw_vector_index_search_latency_usec: { p50: 100, p99: 300 } });
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
  test("a node missing from either reading has no metrics; the interval is measured between readings", () => {
    const before = new Map([
      ["a:1", reading(["# Commandstats", cmd("set", 0, 0)], { address: "a:1", takenAtMs: 1000 })],
      ["b:1", reading(["# Commandstats"], { address: "b:1", takenAtMs: 1000 })],
    ]);
    const after = new Map([["a:1", reading(["# Commandstats", cmd("set", 10, 20)], { address: "a:1", takenAtMs: 3500 })]]);
    const m = diffSnapshots(before, after, { durationSec: 2, serving: ["a:1", "b:1"], testCommands: ["set"] });
    expect(m.nodes.map((n) => n.address)).toEqual(["a:1"]);
    expect(m.intervalSec).toBe(2.5);
    expect(m.total.nodes).toEqual(["a:1"]);
    expect(m.testCommands).toEqual(["set"]);
  });

  test("the search module's metrics by platform-table name, over primaries only", () => {
    const lines = (docs: number, mem: number) => ["# search_index_stats", `search_total_indexed_documents:${docs}`, "# search_memory", `search_used_memory_bytes:${mem}`];
    const before = new Map([
      ["p:1", reading(lines(0, 100), { address: "p:1" })],
      ["r:1", reading(lines(0, 100), { address: "r:1", role: "replica" })],
    ]);
    const after = new Map([
      ["p:1", reading(lines(500, 900), { address: "p:1" })],
      ["r:1", reading(lines(500, 900), { address: "r:1", role: "replica" })],
    ]);
    const m = diffSnapshots(before, after, { durationSec: 1, serving: [], testCommands: [] });
    expect(m.searchMetrics).toMatchObject({ search_indexed_documents: 500, search_used_memory: 900, search_memory_growth: 800 });
  });
});
