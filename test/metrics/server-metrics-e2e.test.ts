// --server-metrics end to end: the CLI's per-node INFO deltas agree with what the servers
// counted, on one server and on a 3-primary cluster, in JSON and in the text report.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { ServerMetrics } from "../../src/metrics/server-diff.ts";
import { describeRun, expectExit, parseJsonReport, resetServer, runBench } from "../support/run-cli.ts";
import { startCluster, startValkey, type ValkeyCluster, type ValkeyServer } from "../support/valkey.ts";

const REQUESTS = 2000;

let server: ValkeyServer;
let cluster: ValkeyCluster;

beforeAll(async () => {
  [server, cluster] = await Promise.all([startValkey(), startCluster({ primaries: 3, replicasPerPrimary: 0 })]);
}, 60_000);
afterAll(async () => {
  await Promise.all([server?.stop(), cluster?.stop()]);
});

function metricsOf(stdout: string, title: string): ServerMetrics {
  const t = parseJsonReport(stdout).tests.find((x) => x.title === title);
  const m = t?.extra.serverMetrics as ServerMetrics | undefined;
  if (!m) throw new Error(`no extra.serverMetrics for ${title} in: ${stdout.slice(0, 500)}`);
  return m;
}

describe("one server", () => {
  test("JSON carries the server's own count of the test's commands: exactly -n SET and GET calls", async () => {
    await resetServer(server);
    const run = await runBench(["-p", String(server.port), "-t", "set,get", "-n", String(REQUESTS), "-r", "100", "--output-format", "json"]);
    expectExit(run, 0);
    const set = metricsOf(run.stdout, "SET");
    expect(set.testCommands).toEqual(["set"]);
    expect(set.nodes).toHaveLength(1);
    expect(set.nodes[0]!.commands!.set!.calls).toBe(REQUESTS);
    expect(set.nodes[0]!.commands!.set!.failedCalls).toBe(0);
    // Nothing but the test ran on the node: no INFO of our own, no other command.
    expect(Object.keys(set.nodes[0]!.commands!)).toEqual(["set"]);
    expect(set.nodes[0]!.commandsProcessed).toBe(REQUESTS);
    expect(set.nodes[0]!.usedMemoryGrowthBytes).toBeGreaterThan(0);
    expect(set.nodes[0]!.keysAfter).toBe(100);
    expect(set.total.commands!.set!.calls).toBe(REQUESTS);
    const get = metricsOf(run.stdout, "GET");
    const node = get.nodes[0]!;
    expect(node.commands!.get!.calls).toBe(REQUESTS);
    expect(node.keyspaceHits! + node.keyspaceMisses!).toBe(REQUESTS);
    expect(node.hitRatePct).toBeDefined();
    // The server agrees.
    expect((await server.commandstats()).set!.calls).toBe(REQUESTS);
  });

  test("snapshots bracket the measured run only: warmup requests are not in the deltas", async () => {
    await resetServer(server);
    const run = await runBench(["-p", String(server.port), "-t", "set", "-n", "500", "--warmup", "300r", "--output-format", "json"]);
    expectExit(run, 0);
    expect(metricsOf(run.stdout, "SET").nodes[0]!.commands!.set!.calls).toBe(500);
    expect((await server.commandstats()).set!.calls).toBe(800);
  });

  test("the text report keeps valkey-benchmark's layout unless --server-metrics is given", async () => {
    const plain = await runBench(["-p", String(server.port), "-t", "set", "-n", "200"]);
    expectExit(plain, 0);
    expect(plain.stdout).not.toContain("Server metrics:");
    const asked = await runBench(["-p", String(server.port), "-t", "set", "-n", "200", "--server-metrics"]);
    expectExit(asked, 0);
    const block = asked.stdout.slice(asked.stdout.indexOf("Server metrics:"));
    expect(asked.stdout.indexOf("Server metrics:")).toBeGreaterThan(asked.stdout.indexOf("latency summary (msec):"));
    expect(block).toMatch(new RegExp(`^Server metrics:\\n  127\\.0\\.0\\.1:${server.port}  primary  set: calls 200, [\\d.]+ usec/call, failed 0  hits 0 misses 0  used_memory [+-][\\d.]+ [KMG]?B  \\d+ ops/s\\n\\n`));
  });

  test("snapshots cost one INFO call per node before and after each test; --no-server-metrics takes none", async () => {
    const infoCalls = async (extra: string[]) => {
      await resetServer(server);
      const run = await runBench(["-p", String(server.port), "-t", "set,get", "-n", "200", "--output-format", "json", ...extra]);
      expectExit(run, 0);
      return { run, calls: (await server.commandstats()).info?.calls ?? 0 };
    };
    const off = await infoCalls(["--no-server-metrics"]);
    const on = await infoCalls([]);
    expect(parseJsonReport(off.run.stdout).tests[0]!.extra.serverMetrics).toBeUndefined();
    expect(on.calls - off.calls).toBe(2 * 2);
  });
});

describe("3-primary cluster", () => {
  const port = () => String(cluster.nodes[0]!.port);

  test("per-node SET deltas sum to -n and each matches the node's share in the per-node table", async () => {
    const run = await runBench(["-p", port(), "-t", "set", "-n", String(REQUESTS), "-r", "100", "--output-format", "json"]);
    expectExit(run, 0);
    const m = metricsOf(run.stdout, "SET");
    expect(m.nodes).toHaveLength(3);
    expect(m.nodes.every((n) => n.role === "primary")).toBe(true);
    const perNode = m.nodes.map((n) => n.commands?.set?.calls ?? 0);
    expect(perNode.reduce((a, b) => a + b, 0)).toBe(REQUESTS);
    expect(perNode.every((c) => c > 0)).toBe(true);
    expect(m.total.nodes).toHaveLength(3);
    expect(m.total.commands!.set!.calls).toBe(REQUESTS);
    const table = (parseJsonReport(run.stdout).tests[0]!.extra.nodes as { address: string; completed: number }[]) ?? [];
    for (const n of m.nodes) expect(n.commands!.set!.calls, describeRun(run)).toBe(table.find((t) => t.address === n.address)!.completed);
  });

  test("the text report prints the block after the per-node table: one line per node and a total", async () => {
    const run = await runBench(["-p", port(), "-t", "set", "-n", String(REQUESTS), "-r", "100"]);
    expectExit(run, 0);
    const out = run.stdout;
    expect(out.indexOf("Server metrics:"), describeRun(run)).toBeGreaterThan(out.indexOf("Per node:"));
    const block = out.slice(out.indexOf("Server metrics:")).split("\n\n")[0]!.split("\n");
    expect(block).toHaveLength(1 + 3 + 1);
    for (const line of block.slice(1, 4)) expect(line).toMatch(/^  127\.0\.0\.1:\d+\s+primary  set: calls \d+, [\d.]+ usec\/call, failed 0\s+hits 0 misses 0\s+used_memory \+/);
    expect(block[4]).toMatch(new RegExp(`^  total \\(3 nodes\\)\\s+set: calls ${REQUESTS}, `));
    // Aligned: the details start in the same column on every line.
    const column = new Set(block.slice(1).map((l) => l.indexOf("set:")));
    expect(column.size).toBe(1);
  });
});
