// A primary dies (SIGKILL) in the middle of a run: its replica is promoted, the run goes on and
// ends by itself, the requests lost with the node are reported as errors (issued = completed +
// errors, exactly), and the clients of the dead node move to the promoted replica.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { killNode, replicaOf, waitForPromotion, warmUpReplication } from "../support/cluster-ops.ts";
import { describeRun, parseJsonReport, type RunResult, spawnBench, waitFor } from "../support/run-cli.ts";
import type { JsonTestReport } from "../../src/report/json.ts";
import { startCluster, type ValkeyCluster, type ValkeyServer } from "../support/valkey.ts";
import type { NodeResult } from "../../src/metrics/node-results.ts";

let cluster: ValkeyCluster;
let primaries: ValkeyServer[];

beforeAll(async () => {
  cluster = await startCluster({ primaries: 3, replicasPerPrimary: 1 });
  primaries = await cluster.primaries();
  // A replica that never received data is not eligible for promotion soon enough on a busy box.
  await warmUpReplication(cluster);
}, 60_000);
afterAll(() => cluster.stop());

const address = (node: ValkeyServer) => `127.0.0.1:${node.port}`;
const setCalls = async (node: ValkeyServer) => (await node.commandstats()).set?.calls ?? 0;

interface FailoverRun {
  run: RunResult;
  victim: ValkeyServer;
  heir: ValkeyServer;
  /** SETs the heir executed between its promotion and the end of the run. */
  heirSetsAfterPromotion: number;
  promotedMidRun: boolean;
}

/** Runs SET for 9 s, SIGKILLs a primary once it is taking writes, and waits for its replica. */
async function runThroughFailover(): Promise<FailoverRun> {
  const [entry, victim] = [primaries[0]!, primaries[1]!];
  const heir = await replicaOf(cluster, victim);
  const victimCallsBefore = await setCalls(victim);
  const args = [
    "-p", String(entry.port), "-t", "set", "--duration", "9", "-c", "12", "-r", "100000",
    "--request-timeout", "15000", "--output-format", "json",
  ];
  // --duration long enough to outlive the failover (cluster-node-timeout is 2 s); the
  // subprocess deadline turns a hang into a failure with the output so far.
  const proc = spawnBench(args, { timeoutMs: 45_000 });
  const stdout = new Response(proc.stdout).text();
  const stderr = new Response(proc.stderr).text();

  await waitFor("the run to write to the victim", async () => (await setCalls(victim)) - victimCallsBefore >= 2000, 10_000);
  killNode(victim);
  await waitForPromotion(heir, 20_000);
  // The promoted node has no replica: from here its SET count is only what clients send it.
  const heirCallsAtPromotion = await setCalls(heir);
  const promotedMidRun = proc.exitCode === null;

  const code = await proc.exited;
  const timedOut = proc.signalCode === "SIGKILL";
  const run: RunResult = { stdout: await stdout, stderr: await stderr, code: proc.signalCode ? null : code, timedOut, args };
  return { run, victim, heir, heirSetsAfterPromotion: (await setCalls(heir)) - heirCallsAtPromotion, promotedMidRun };
}

describe("a primary killed during a run", () => {
  let f: FailoverRun;
  let t: JsonTestReport;
  let nodes: NodeResult[];

  beforeAll(async () => {
    f = await runThroughFailover();
    if (f.run.timedOut || (f.run.code !== 0 && f.run.code !== 1)) throw new Error(`expected the run to exit 0 or 1\n${describeRun(f.run)}`);
    const [first] = parseJsonReport(f.run.stdout).tests;
    if (!first) throw new Error(`no test in the report\n${describeRun(f.run)}`);
    t = first;
    nodes = (t.extra.nodes ?? []) as NodeResult[];
  }, 60_000);

  test("the run ends by itself (no hang) with exit 0 or 1, after the replica was promoted mid-run", () => {
    expect(f.run.timedOut).toBe(false);
    expect([0, 1]).toContain(f.run.code ?? -1);
    expect(f.promotedMidRun).toBe(true);
  });

  test("every request is accounted for: issued = completed + errors, per node too", () => {
    expect(t.requests.issued).toBe(t.requests.completed + t.requests.errors);
    expect(nodes.reduce((n, r) => n + r.completed, 0)).toBe(t.requests.completed);
    expect(nodes.reduce((n, r) => n + r.errors, 0)).toBe(t.requests.errors);
  });

  test("requests lost with the node are reported as errors of a named kind, and the node is named", () => {
    // Requests in flight on the killed node cannot be confirmed: they are errors, not successes.
    expect(t.requests.errors).toBeGreaterThan(0);
    expect(Object.values(t.errorsByType).reduce((a, b) => a + b, 0)).toBe(t.requests.errors);
    expect(nodes.find((n) => n.address === address(f.victim))?.errors ?? 0).toBeGreaterThan(0);
    expect(f.run.stderr).toContain(address(f.victim));
  });

  test("the dead node's clients move to the promoted replica: it executes SETs from the run", () => {
    expect(f.heirSetsAfterPromotion).toBeGreaterThan(0);
    expect(nodes.find((n) => n.address === address(f.heir))?.completed ?? 0).toBeGreaterThan(0);
  });

  test("the per-node table shows the promoted replica as a primary (it served writes)", () => {
    const row = nodes.find((n) => n.address === address(f.heir));
    expect(row).toBeDefined();
    expect(row?.role).toBe("primary");
  });
});
