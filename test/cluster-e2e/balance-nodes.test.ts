// --balance-nodes against a cluster with one slow primary (kept busy by DEBUG SLEEP from a
// background valkey-cli): the fast primaries are held back so every node executes about the
// same number of requests, within --balance-tolerance; without the flag the slow node falls far
// behind. Counts are the servers' own (commandstats), checked against our per-node report.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { callDelta, type SlowDown, slowDown, snapshotCalls } from "../support/cluster-ops.ts";
import { expectExit, parseJsonReport, runBench } from "../support/run-cli.ts";
import { startCluster, type ValkeyCluster, type ValkeyServer } from "../support/valkey.ts";
import type { Imbalance, NodeResult } from "../../src/metrics/node-results.ts";

const REQUESTS = 30_000;
const CLIENTS = 12;
const TOLERANCE_PCT = 10;

let cluster: ValkeyCluster;
let primaries: ValkeyServer[];
let slow: SlowDown;

beforeAll(async () => {
  cluster = await startCluster({ primaries: 3, replicasPerPrimary: 1 });
  primaries = await cluster.primaries();
  // Blocked 20 ms of every ~30 ms: a third of the others' speed, yet never down.
  slow = slowDown(primaries[2]!, { sleepSec: 0.02, intervalSec: 0.01 });
}, 60_000);
afterAll(async () => {
  await slow?.stop();
  await cluster.stop();
});

const address = (node: ValkeyServer) => `127.0.0.1:${node.port}`;

/** Runs SET with `extra` flags; returns the SETs each primary executed and the report's view. */
async function setRun(extra: string[]) {
  const before = await snapshotCalls(primaries);
  const run = await runBench([
    "-p", String(primaries[0]!.port), "-t", "set", "-n", String(REQUESTS), "-c", String(CLIENTS), "-r", "100000",
    "--output-format", "json", ...extra,
  ], { timeoutMs: 40_000 });
  expectExit(run, 0);
  const after = await snapshotCalls(primaries);
  const [t] = parseJsonReport(run.stdout).tests;
  if (!t) throw new Error("no test in the report");
  expect(t.requests).toEqual({ issued: REQUESTS, completed: REQUESTS, errors: 0 });
  const executed = primaries.map((p) => callDelta(before, after, address(p), "set"));
  const nodes = (t.extra.nodes ?? []) as NodeResult[];
  // The report's per-node counts are what the servers executed.
  expect(primaries.map((p) => nodes.find((n) => n.address === address(p))?.completed)).toEqual(executed);
  return { executed, imbalance: t.extra.imbalance as Imbalance };
}

describe("--balance-nodes with one slow primary", () => {
  let balanced: Awaited<ReturnType<typeof setRun>>;
  let unbalanced: Awaited<ReturnType<typeof setRun>>;

  beforeAll(async () => {
    unbalanced = await setRun([]);
    balanced = await setRun(["--balance-nodes", "--balance-tolerance", String(TOLERANCE_PCT)]);
  }, 90_000);

  test(`with --balance-tolerance ${TOLERANCE_PCT}, every primary executes within the tolerance of the slowest`, () => {
    const min = Math.min(...balanced.executed);
    const max = Math.max(...balanced.executed);
    // The tolerance, plus one request per client already claimed when the check ran.
    expect(max).toBeLessThanOrEqual(min * (1 + TOLERANCE_PCT / 100) + CLIENTS);
    expect(balanced.imbalance.warning).toBe(false);
  });

  test("without --balance-nodes the slow primary falls further behind than the tolerance allows", () => {
    const min = Math.min(...unbalanced.executed);
    const max = Math.max(...unbalanced.executed);
    expect(max).toBeGreaterThan(min * (1 + TOLERANCE_PCT / 100) + CLIENTS);
    // The slow node is the one behind.
    expect(unbalanced.executed[2]).toBe(min);
  });

  test("balancing lowers the max/min ratio the report shows", () => {
    expect(balanced.imbalance.maxMinRatio).toBeLessThan(unbalanced.imbalance.maxMinRatio);
  });
});
