// The search module's metrics and FT.INFO in the per-test server metrics, end to end through the
// CLI: on the search stand-in, or on the real valkey-search with VSB_SEARCH_SERVER_DIR.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ServerMetrics } from "../../src/metrics/server-diff.ts";
import type { MetricsSnapshotFile } from "../../src/metrics/snapshot-file.ts";
import { expectExit, parseJsonReport, runBench } from "../support/run-cli.ts";
import { makeDatasets, searchTarget, uniqueNames, type Datasets, type SearchTarget } from "../search/e2e-target.ts";

let target: SearchTarget;
let data: Datasets;

beforeAll(async () => {
  [target, data] = await Promise.all([searchTarget(), makeDatasets()]);
});
afterAll(async () => {
  await target.stop();
  data.remove();
});

describe("search metrics", () => {
  test("vec-load and vec-query: documents, index memory and query counts from INFO SEARCH; FT.INFO of the index after each test", async () => {
    const n = uniqueNames();
    const snapshotFile = join(data.dir, "snapshot.json");
    const run = await runBench(
      ["-h", target.host, "-p", String(target.port), "-c", "4", ...n.args, "--dataset", data.plain, "--search-algorithm", "FLAT", "-t", "vec-load,vec-query", "-n", "100", "--output-format", "json", "--track-metric", "search:search_successful_requests_count:sum:delta", "--metrics-snapshot", snapshotFile],
      { timeoutMs: 45_000 },
    );
    expectExit(run, 0);
    const [load, query] = parseJsonReport(run.stdout).tests.map((t) => t.extra.serverMetrics as ServerMetrics);
    expect(load!.searchMetrics!.search_indexed_documents).toBeGreaterThanOrEqual(500);
    expect(load!.searchMetrics!.search_indexes).toBeGreaterThanOrEqual(1);
    expect(load!.searchMetrics!.search_used_memory).toBeGreaterThan(0);
    expect(query!.searchMetrics!.search_successful_queries).toBe(100);
    expect(query!.searchMetrics!.search_failed_queries).toBe(0);
    expect(query!.tracked![0]!.series[0]!.aggregate).toBe(100);
    const ft = query!.ftInfo!;
    expect(ft).toHaveLength(1);
    expect(ft[0]!.index).toBe(n.index);
    expect(ft[0]!.fields.num_docs).toBeGreaterThanOrEqual(500);
    // The snapshot file holds the index's FT.INFO and the module's INFO sections too.
    const snapshot = JSON.parse(readFileSync(snapshotFile, "utf8")) as MetricsSnapshotFile;
    expect(snapshot.ftInfo![0]!.index).toBe(n.index);
    expect(Object.keys(snapshot.nodes[0]!.info).some((section) => section.startsWith("search"))).toBe(true);
  }, 60_000);

  test("server ops/s counts the FT.SEARCH calls clients sent: the module's own ACL GETUSER per search is left out and named", async () => {
    const n = uniqueNames();
    const jsonFile = join(data.dir, "ops.json");
    const run = await runBench(
      ["-h", target.host, "-p", String(target.port), "-c", "2", ...n.args, "--dataset", data.plain, "--search-algorithm", "FLAT", "-t", "vec-load,vec-query", "-n", "300", "--server-metrics", "-o", jsonFile],
      { timeoutMs: 45_000 },
    );
    expectExit(run, 0);
    const query = JSON.parse(readFileSync(jsonFile, "utf8")).tests[1].extra.serverMetrics as ServerMetrics;
    const node = query.nodes[0]!;
    const searches = node.commands!["ft.search"]!.calls;
    expect(searches).toBe(300);
    // valkey-search 1.0.3 runs one ACL GETUSER per FT.SEARCH (the stand-in mimics it).
    expect(node.commands!["acl|getuser"]!.calls).toBe(searches);
    expect(node.commandsProcessed).toBe(searches);
    expect(query.total.commandsProcessed).toBe(searches);
    expect(node.moduleInternalCalls).toEqual({ "acl|getuser": searches });
    expect(query.total.moduleInternalCalls).toEqual({ "acl|getuser": searches });
    // The text block says what ops/s leaves out.
    const block = run.stdout.split("Server metrics:\n")[2]!;
    expect(block).toContain(`ops/s counts the commands clients sent; left out: ${searches} acl|getuser (the search module's ACL check`);
  }, 60_000);
});

