// A primary without a replica dies, so the cluster (full coverage required) answers CLUSTERDOWN:
// each request is retried a bounded number of times (the first try and 3 retries reach the
// servers), then counted as a CLUSTERDOWN error; it is never reported as a redirect, and no
// message says something untrue (no "keeps moving this slot").

import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { errorCounts, killNode } from "../support/cluster-ops.ts";
import { parseInfo } from "../support/info.ts";
import { describeRun, parseJsonReport, type RunResult, spawnBench, waitFor } from "../support/run-cli.ts";
import { startCluster, type ValkeyCluster, type ValkeyServer } from "../support/valkey.ts";

setDefaultTimeout(90_000);

let cluster: ValkeyCluster;
beforeAll(async () => {
  cluster = await startCluster({ primaries: 3, replicasPerPrimary: 0 });
}, 60_000);
afterAll(() => cluster.stop());

const setCalls = async (node: ValkeyServer) => (await node.commandstats()).set?.calls ?? 0;

test("CLUSTERDOWN: at most 3 retries per request, counted as CLUSTERDOWN errors, never as redirects", async () => {
  const [entry, , victim] = cluster.nodes as [ValkeyServer, ValkeyServer, ValkeyServer];
  const survivors = cluster.nodes.filter((n) => n !== victim);
  const before = await Promise.all(survivors.map(errorCounts));
  const args = ["-p", String(entry.port), "-t", "set", "--duration", "12", "-c", "6", "-r", "100000", "--output-format", "json"];
  const proc = spawnBench(args, { timeoutMs: 60_000 });
  const stdout = new Response(proc.stdout).text();
  const stderr = new Response(proc.stderr).text();
  await waitFor("the run to write to the victim", async () => (await setCalls(victim)) >= 500, 15_000);
  killNode(victim);
  await waitFor("the survivors to declare the cluster down", async () => parseInfo(await entry.cli("CLUSTER", "INFO")).cluster_state === "fail", 20_000);
  const wentDownMidRun = proc.exitCode === null;
  const code = await proc.exited;
  const run: RunResult = { stdout: await stdout, stderr: await stderr, code, timedOut: proc.signalCode === "SIGKILL", args };
  if (run.timedOut || !wentDownMidRun) throw new Error(`the run hung, or ended before the cluster went down\n${describeRun(run)}`);

  const t = parseJsonReport(run.stdout).tests[0]!;
  expect(t.requests.issued).toBe(t.requests.completed + t.requests.errors);
  const clusterDownErrors = t.errorsByType.CLUSTERDOWN ?? 0;
  expect(clusterDownErrors).toBeGreaterThan(0);
  // Server side: every CLUSTERDOWN the survivors sent belongs to a request that failed with it
  // (the cluster never comes back), each tried at most 1 + 3 times.
  const after = await Promise.all(survivors.map(errorCounts));
  const rejected = after.reduce((sum, c, i) => sum + (c.CLUSTERDOWN ?? 0) - (before[i]!.CLUSTERDOWN ?? 0), 0);
  expect(rejected).toBeGreaterThanOrEqual(clusterDownErrors);
  expect(rejected).toBeLessThanOrEqual(4 * clusterDownErrors);
  const redirects = (t.extra.redirects ?? {}) as Record<string, number>;
  expect(redirects.CLUSTERDOWN).toBeUndefined();
  expect(run.stderr).toMatch(/answered CLUSTERDOWN after 3 retries over \d+ ms; those requests were counted as CLUSTERDOWN errors/);
  expect(run.stderr).not.toContain("keeps moving this slot");
  expect(run.code).toBe(1);
});
