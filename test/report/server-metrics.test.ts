// The "Server metrics:" text block: what it shows per node and in total, and what it leaves out.

import { describe, expect, test } from "bun:test";
import type { NodeServerMetrics, ServerMetrics } from "../../src/metrics/server-diff.ts";
import type { TestResult } from "../../src/metrics/types.ts";
import { formatBytesDelta, formatServerMetrics } from "../../src/report/server-metrics.ts";

const d = (calls: number, usec: number, failedCalls = 0, rejectedCalls = 0) => ({ calls, usec, usecPerCall: usec / calls, failedCalls, rejectedCalls });

function result(metrics: ServerMetrics | undefined): TestResult {
  return { title: "SET", extra: metrics ? { serverMetrics: metrics } : {} } as unknown as TestResult;
}

function metrics(nodes: NodeServerMetrics[], over: Partial<ServerMetrics> = {}): ServerMetrics {
  return { testCommands: ["set"], intervalSec: 1, nodes, total: { nodes: nodes.map((n) => n.address) }, ...over };
}

describe("formatBytesDelta", () => {
  test("signed, in the binary units of INFO's *_human fields", () => {
    expect(formatBytesDelta(0)).toBe("+0 B");
    expect(formatBytesDelta(1023)).toBe("+1023 B");
    expect(formatBytesDelta(3.2 * 1024 * 1024)).toBe("+3.2 MB");
    expect(formatBytesDelta(-1536)).toBe("-1.5 KB");
    expect(formatBytesDelta(5 * 1024 ** 3)).toBe("+5.0 GB");
  });
});

describe("formatServerMetrics", () => {
  test("nothing without server metrics (--no-server-metrics, or no node answered)", () => {
    expect(formatServerMetrics(result(undefined))).toBe("");
  });

  test("one line per node with the test's command, lookups, memory growth and ops/s", () => {
    const node: NodeServerMetrics = {
      address: "127.0.0.1:7000",
      role: "primary",
      commands: { set: d(33333, 40333), info: d(1, 5) },
      keyspaceHits: 0,
      keyspaceMisses: 0,
      usedMemoryGrowthBytes: 3.2 * 1024 * 1024,
      opsPerSec: 12000.4,
    };
    expect(formatServerMetrics(result(metrics([node])))).toBe(
      "Server metrics:\n  127.0.0.1:7000  primary  set: calls 33333, 1.21 usec/call, failed 0  hits 0 misses 0  used_memory +3.2 MB  12000 ops/s\n\n",
    );
  });

  test("rejected calls and the hit rate appear only when there is something to show", () => {
    const node: NodeServerMetrics = { address: "a:1", role: "primary", commands: { get: d(10, 10, 1, 2) }, keyspaceHits: 3, keyspaceMisses: 1, hitRatePct: 75 };
    expect(formatServerMetrics(result(metrics([node], { testCommands: ["get"] })))).toContain("get: calls 10, 1.00 usec/call, failed 1, rejected 2  hits 3 misses 1 (75.0% hits)");
  });

  test("unknown test commands: the two busiest commands the server ran", () => {
    const node: NodeServerMetrics = { address: "a:1", role: "primary", commands: { hset: d(5, 5), "ft.search": d(50, 500), del: d(1, 1) } };
    const text = formatServerMetrics(result(metrics([node], { testCommands: [] })));
    expect(text).toContain("ft.search: calls 50, 10.00 usec/call, failed 0; hset: calls 5,");
    expect(text).not.toContain("del:");
  });

  test("a module's internal commands: never among the busiest, and a line says ops/s leaves them out", () => {
    const node: NodeServerMetrics = { address: "a:1", role: "primary", commands: { hset: d(5, 5), "ft.search": d(50, 500), "acl|getuser": d(50, 50) }, opsPerSec: 55, moduleInternalCalls: { "acl|getuser": 50 } };
    const text = formatServerMetrics(result(metrics([node], { testCommands: [] })));
    expect(text).toContain("ft.search: calls 50, 10.00 usec/call, failed 0; hset: calls 5,");
    expect(text).not.toContain("acl|getuser: calls");
    expect(text).toContain("\n  ops/s counts the commands clients sent; left out: 50 acl|getuser (the search module's ACL check on FT.SEARCH, FT.INFO, FT.CREATE, FT.DROPINDEX)\n\n");
  });

  test("a server that hides commandstats says so; fields it does not report are left out", () => {
    const text = formatServerMetrics(result(metrics([{ address: "a:1", role: "primary" }])));
    expect(text).toBe("Server metrics:\n  a:1  primary  commandstats unavailable\n\n");
  });

  test("valkey-search nodes add the query counters, indexed documents and index memory they report", () => {
    const node: NodeServerMetrics = {
      address: "a:1",
      role: "primary",
      commands: { "ft.search": d(500, 5000) },
      search: {
        after: { search_total_indexed_documents: 1000, search_used_memory_bytes: 4096 },
        delta: { search_successful_requests_count: 500, search_failure_requests_count: 0, search_used_memory_bytes: 0 },
        latencyUsec: {},
      },
    };
    expect(formatServerMetrics(result(metrics([node], { testCommands: ["ft.search"] })))).toContain("search ok +500, failed +0, docs 1000, memory +0 B");
  });

  test("a total line over the serving nodes, aligned with the node lines", () => {
    const nodes: NodeServerMetrics[] = [
      { address: "127.0.0.1:7000", role: "primary", commands: { set: d(600, 600) }, usedMemoryGrowthBytes: 2048 },
      { address: "127.0.0.1:7001", role: "replica", commands: { set: d(600, 300) }, usedMemoryGrowthBytes: 2048 },
      { address: "127.0.0.1:7002", role: "primary", commands: { set: d(400, 1400) }, usedMemoryGrowthBytes: 1024 },
    ];
    const m = metrics(nodes, { total: { nodes: ["127.0.0.1:7000", "127.0.0.1:7002"], commands: { set: d(1000, 2000) }, usedMemoryGrowthBytes: 3072 } });
    const lines = formatServerMetrics(result(m)).trimEnd().split("\n");
    expect(lines).toHaveLength(5);
    expect(lines[4]).toBe("  total (2 nodes)           set: calls 1000, 2.00 usec/call, failed 0  used_memory +3.0 KB");
    expect(new Set(lines.slice(1).map((l) => l.indexOf("used_memory"))).size).toBe(1);
  });
});
