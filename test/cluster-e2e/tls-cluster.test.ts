// A cluster reached over TLS: discovery reads the TLS ports, every primary gets its share, and
// the servers' own counts add up to -n.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { callsOf, expectExit, parseJsonReport, runBench } from "../support/run-cli.ts";
import { startCluster, type ValkeyCluster } from "../support/valkey.ts";

let cluster: ValkeyCluster;

beforeAll(async () => {
  cluster = await startCluster({ primaries: 3, replicasPerPrimary: 0, server: { tls: true } });
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

describe("TLS cluster", () => {
  test("SET over TLS reaches every primary, and their counts sum to -n", async () => {
    const seed = cluster.nodes[0]!;
    const run = await runBench(
      ["-p", String(seed.port), "--tls", "--cacert", seed.tls!.caCert, "-t", "set", "-n", "3000", "-r", "1000", "--output-format", "json"],
      { timeoutMs: 30_000 },
    );
    expectExit(run, 0);
    const calls = await Promise.all(cluster.nodes.map((n) => callsOf(n, "set")));
    expect(calls.reduce((a, b) => a + b, 0)).toBe(3000);
    for (const c of calls) expect(c).toBeGreaterThan(0);
    const report = parseJsonReport(run.stdout);
    const nodes = (report.tests[0]!.extra as { nodes: { address: string; completed: number }[] }).nodes;
    expect(nodes).toHaveLength(3);
    for (const n of cluster.nodes) expect(nodes.find((x) => x.address === `127.0.0.1:${n.port}`)?.completed).toBe(await callsOf(n, "set"));
  });
});
