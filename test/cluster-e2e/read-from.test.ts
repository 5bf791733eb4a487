// --rfr decides which nodes serve reads, and the servers confirm it: GETs arrive on exactly the
// nodes the strategy names (replicas after READONLY), writes only ever on primaries. On a
// standalone primary with replicas, INFO replication finds the other nodes from either end.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { callDelta, killNode, replicaOf, snapshotCalls, warmUpReplication } from "../support/cluster-ops.ts";
import { collectRun, describeRun, expectExit, parseJsonReport, runBench, spawnBench, waitFor } from "../support/run-cli.ts";
import { startCluster, startReplicaSet, type ValkeyCluster, type ValkeyReplicaSet, type ValkeyServer } from "../support/valkey.ts";
import type { NodeResult } from "../../src/metrics/node-results.ts";

const REQUESTS = 1200;
const CLIENTS = 12;

let cluster: ValkeyCluster;
let primaries: ValkeyServer[];
let replicas: ValkeyServer[];
let replicaSet: ValkeyReplicaSet;

beforeAll(async () => {
  [cluster, replicaSet] = await Promise.all([startCluster({ primaries: 3, replicasPerPrimary: 1 }), startReplicaSet({ replicas: 2 })]);
  [primaries, replicas] = await Promise.all([cluster.primaries(), cluster.replicas()]);
  // Replicas of never-written primaries count as "loading" and serve no reads; real ones have data.
  await warmUpReplication(cluster);
}, 60_000);
afterAll(() => Promise.all([cluster.stop(), replicaSet.stop()]));

const address = (node: ValkeyServer) => `127.0.0.1:${node.port}`;
const sorted = (nodes: ValkeyServer[]) => nodes.map(address).sort();

/** Runs `-t test` with `extra` flags against `entry` and returns the report's only test. */
async function runOne(entry: ValkeyServer, testName: string, extra: string[]) {
  const run = await runBench([
    "-p", String(entry.port), "-t", testName, "-n", String(REQUESTS), "-c", String(CLIENTS), "-r", "1000",
    "--output-format", "json", ...extra,
  ]);
  expectExit(run, 0);
  const [t] = parseJsonReport(run.stdout).tests;
  if (!t) throw new Error(`no test in the report of ${run.args.join(" ")}`);
  expect(t.requests).toEqual({ issued: REQUESTS, completed: REQUESTS, errors: 0 });
  return { t, nodes: (t.extra.nodes ?? []) as NodeResult[] };
}

/** [--rfr value, which cluster nodes must serve GET] */
const READ_STRATEGIES: [string, "primaries" | "replicas" | "nodes"][] = [
  ["primary", "primaries"],
  ["no", "primaries"],
  ["prefer-replica", "replicas"],
  ["yes", "replicas"],
  ["round-robin", "nodes"],
  ["all", "nodes"],
];

describe("--rfr on a 3+3 cluster", () => {
  test.each(READ_STRATEGIES)("-t get --rfr %s: GETs arrive on exactly the %s", async (rfr, expected) => {
    const serving = expected === "primaries" ? primaries : expected === "replicas" ? replicas : cluster.nodes;
    const idle = cluster.nodes.filter((n) => !serving.includes(n));
    const before = await snapshotCalls(cluster.nodes);
    const { nodes } = await runOne(primaries[0]!, "get", ["--rfr", rfr]);
    const after = await snapshotCalls(cluster.nodes);

    expect(nodes.map((n) => n.address).sort()).toEqual(sorted(serving));
    for (const node of serving) {
      const gets = callDelta(before, after, address(node), "get");
      expect(gets).toBeGreaterThan(0);
      // Our per-node row is what that server executed.
      expect(nodes.find((n) => n.address === address(node))?.completed).toBe(gets);
    }
    for (const node of idle) expect(callDelta(before, after, address(node), "get")).toBe(0);
    const servingReplicas = serving.filter((n) => replicas.includes(n));
    for (const r of servingReplicas) {
      // A replica answers reads only on connections that sent READONLY.
      expect(callDelta(before, after, address(r), "readonly")).toBeGreaterThan(0);
      expect(nodes.find((n) => n.address === address(r))?.role).toBe("replica");
    }
    const totalGets = cluster.nodes.reduce((sum, n) => sum + callDelta(before, after, address(n), "get"), 0);
    expect(totalGets).toBe(REQUESTS);
  }, 30_000);

  test("-t set --rfr all: writes go to primaries only; replicas see just the replication stream", async () => {
    const before = await snapshotCalls(cluster.nodes);
    const { nodes } = await runOne(replicas[0]!, "set", ["--rfr", "all"]);
    const after = await snapshotCalls(cluster.nodes);

    expect(nodes.map((n) => n.address).sort()).toEqual(sorted(primaries));
    const perPrimary = primaries.map((p) => callDelta(before, after, address(p), "set"));
    expect(perPrimary.reduce((a, b) => a + b, 0)).toBe(REQUESTS);
    for (const r of replicas) {
      const primaryPort = Number((await r.info("replication")).master_port);
      const primaryIndex = primaries.findIndex((p) => p.port === primaryPort);
      // Replicas apply their primary's writes (counted in their commandstats too), nothing more.
      expect(callDelta(before, after, address(r), "set")).toBe(perPrimary[primaryIndex]);
      expect(callDelta(before, after, address(r), "readonly")).toBe(0);
    }
  }, 30_000);
});

describe("--rfr on a standalone primary with two replicas", () => {
  const all = () => [replicaSet.primary, ...replicaSet.replicas];

  test("-t get --rfr prefer-replica pointed at the primary reads from both replicas only", async () => {
    const before = await snapshotCalls(all());
    const { nodes } = await runOne(replicaSet.primary, "get", ["--rfr", "prefer-replica"]);
    const after = await snapshotCalls(all());

    expect(callDelta(before, after, address(replicaSet.primary), "get")).toBe(0);
    const perReplica = replicaSet.replicas.map((r) => callDelta(before, after, address(r), "get"));
    expect(perReplica.reduce((a, b) => a + b, 0)).toBe(REQUESTS);
    for (const gets of perReplica) expect(gets).toBeGreaterThan(0);
    expect(nodes.map((n) => n.address).sort()).toEqual(sorted(replicaSet.replicas));
    expect(replicaSet.replicas.map((r) => nodes.find((n) => n.address === address(r))?.completed)).toEqual(perReplica);
  }, 30_000);

  test("pointed at a replica, discovery finds the primary: SETs are executed by the primary", async () => {
    const before = await snapshotCalls(all());
    await runOne(replicaSet.replicas[0]!, "set", ["--rfr", "prefer-replica"]);
    const after = await snapshotCalls(all());

    expect(callDelta(before, after, address(replicaSet.primary), "set")).toBe(REQUESTS);
    // A write sent to a replica would fail with READONLY: every one of them was executed, so
    // the replicas' counts are exactly the replication stream.
    for (const r of replicaSet.replicas) {
      expect(callDelta(before, after, address(r), "set")).toBe(REQUESTS);
      expect((await r.commandstats()).set?.failed ?? 0).toBe(0);
    }
  }, 30_000);

  test("pointed at a replica, -t get --rfr prefer-replica reads from both replicas, never the primary", async () => {
    const before = await snapshotCalls(all());
    const { nodes } = await runOne(replicaSet.replicas[1]!, "get", ["--rfr", "prefer-replica"]);
    const after = await snapshotCalls(all());

    expect(callDelta(before, after, address(replicaSet.primary), "get")).toBe(0);
    for (const r of replicaSet.replicas) expect(callDelta(before, after, address(r), "get")).toBeGreaterThan(0);
    expect(nodes.map((n) => n.address).sort()).toEqual(sorted(replicaSet.replicas));
  }, 30_000);
});

// Last: it breaks a replica's link for a while (a wrong masterauth makes every re-sync fail).
test("--rfr prefer-replica on a cluster skips a replica whose link to its primary is down; its shard reads from the primary", async () => {
  const primary = primaries[0]!;
  const replica = await replicaOf(cluster, primary);
  await replica.cli("CONFIG", "SET", "masterauth", "not-the-password");
  try {
    await replica.cli("CLIENT", "KILL", "TYPE", "master");
    await waitFor("the replica's link to go down", async () => (await replica.info("replication")).master_link_status === "down", 10_000);
    const before = await snapshotCalls(cluster.nodes);
    const { nodes } = await runOne(primaries[1]!, "get", ["--rfr", "prefer-replica"]);
    const after = await snapshotCalls(cluster.nodes);
    expect(callDelta(before, after, address(replica), "get")).toBe(0);
    expect(callDelta(before, after, address(primary), "get")).toBeGreaterThan(0);
    expect(nodes.map((n) => n.address)).not.toContain(address(replica));
  } finally {
    await replica.cli("CONFIG", "SET", "masterauth", "");
    await replica.cli("CLIENT", "KILL", "TYPE", "master");
    await waitFor("the replica's link to come back", async () => (await replica.info("replication")).master_link_status === "up", 20_000);
  }
});

// Very last: it kills a replica.
test("--rfr prefer-replica on a cluster: when a replica dies mid-run, its connections read from its primary and every request is sent", async () => {
  const primary = primaries[2]!;
  const replica = await replicaOf(cluster, primary);
  const getsOn = async (node: ValkeyServer) => (await node.commandstats()).get?.calls ?? 0;
  const primaryBefore = await getsOn(primary);
  const args = ["-p", String(primaries[0]!.port), "-t", "get", "-n", "300000", "-c", String(CLIENTS), "-r", "1000", "--rfr", "prefer-replica", "--max-errors", "5%", "--output-format", "json"];
  const proc = spawnBench(args, { timeoutMs: 90_000 });
  await waitFor("GETs on the replica", async () => (await getsOn(replica)) > 500, 20_000);
  killNode(replica);
  const run = await collectRun(proc, args);
  if (run.timedOut) throw new Error(`the run hung after the replica died\n${describeRun(run)}`);
  expect(run.stderr).not.toContain("never sent");
  expectExit(run, 0);
  const t = parseJsonReport(run.stdout).tests[0]!;
  expect(t.requests.issued).toBe(300_000);
  expect(await getsOn(primary)).toBeGreaterThan(primaryBefore);
}, 120_000);
