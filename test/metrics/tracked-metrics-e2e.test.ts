// Server metrics you can steer, end to end on real servers: --track-metric on a 3-primary
// cluster and a primary with replicas, --metrics-interval flagging a node slowed with DEBUG
// SLEEP mid-run, --compare-snapshot across two runs, --runtime-config restored after SIGINT.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MetricResult } from "../../src/metrics/metric-eval.ts";
import type { ServerMetrics } from "../../src/metrics/server-diff.ts";
import { collectRun, describeRun, expectExit, parseJsonReport, runBench, spawnBench, waitFor } from "../support/run-cli.ts";
import { startCluster, startReplicaSet, type ValkeyCluster, type ValkeyReplicaSet, type ValkeyServer } from "../support/valkey.ts";

let cluster: ValkeyCluster;
let replicaSet: ValkeyReplicaSet;
const dir = mkdtempSync(join(tmpdir(), "vsb-tracked-"));

beforeAll(async () => {
  [cluster, replicaSet] = await Promise.all([startCluster({ primaries: 3, replicasPerPrimary: 0 }), startReplicaSet({ replicas: 2 })]);
}, 90_000);
afterAll(async () => {
  await Promise.all([cluster?.stop(), replicaSet?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

interface TestJson {
  title: string;
  durationSec: number;
  extra: { serverMetrics?: ServerMetrics; nodes?: { address: string; completed: number }[] };
  timeline?: { points: { nodes?: Record<string, Record<string, number | null>> }[] };
}

function testOf(stdout: string, title: string): TestJson {
  const t = parseJsonReport(stdout).tests.find((x) => x.title === title) as unknown as TestJson | undefined;
  if (!t?.extra.serverMetrics) throw new Error(`no serverMetrics for ${title} in: ${stdout.slice(0, 800)}`);
  return t;
}

function tracked(t: TestJson, spec: string): MetricResult {
  const m = t.extra.serverMetrics!.tracked!.find((x) => x.spec === spec);
  if (!m) throw new Error(`no tracked metric ${spec}`);
  return m;
}

async function configGet(node: ValkeyServer, name: string): Promise<string> {
  return (await node.cli("CONFIG", "GET", name)).split("\n")[1]!.trim();
}

const RATE = "stats:total_commands_processed:sum:rate@primaries";

describe("3-primary cluster", () => {
  const port = () => String(cluster.nodes[0]!.port);

  test("a tracked total_commands_processed rate is the run's requests over its duration; tracked commandstats deltas equal the per-node counts", async () => {
    const n = 30_000;
    const run = await runBench(["-p", port(), "-t", "set", "-n", String(n), "-r", "100000", "-c", "30", "--track-metric", RATE, "--track-metric", "commandstats:cmdstat_set:calls:sum:delta", "--track-metric", "stats:no_such_field", "--track-metric", "stats:total_commands_processed@replicas", "--output-format", "json"], { timeoutMs: 60_000 });
    expectExit(run, 0);
    // A field no node reports: one warning naming it, the run goes on.
    expect(run.stderr.split("\n").filter((l) => l.includes("stats:no_such_field"))).toEqual(["warning: --track-metric stats:no_such_field: no node reports this field (check the section and field names in INFO stats)"]);
    // A real field on a cluster without replicas: the node filter is what matched nothing, not the field.
    expect(run.stderr.split("\n").filter((l) => l.includes("@replicas"))).toEqual([
      "warning: --track-metric stats:total_commands_processed@replicas: its node filter @replicas matches no node (this deployment has 3 primaries and no replica): nothing to report",
    ]);
    const t = testOf(run.stdout, "SET");
    const rate = tracked(t, RATE).series[0]!;
    expect(rate.nodes).toHaveLength(3);
    // Readings bracket the measured run and our own INFO calls are taken out: no sampling noise.
    expect(Math.abs((rate.aggregate! * t.durationSec) / n - 1), describeRun(run)).toBeLessThan(0.01);
    const calls = tracked(t, "commandstats:cmdstat_set:calls:sum:delta").series[0]!;
    expect(calls.aggregate).toBe(n);
    for (const node of t.extra.nodes!) expect(calls.nodes.find((v) => v.address === node.address)!.value).toBe(node.completed);
  });

  test("--metrics-interval: a node slowed with DEBUG SLEEP mid-run is flagged in the timeline", async () => {
    const slow = cluster.nodes[1]!;
    const proc = spawnBench(["-p", port(), "-t", "set", "--duration", "7", "-r", "100000", "-c", "30", "--metrics-interval", "1", "--output-format", "json"], { timeoutMs: 60_000 });
    // Mid-run: once the node has been serving the test for a while (start-up time varies with load).
    const setsBefore = (await slow.commandstats()).set?.calls ?? 0;
    await waitFor("the test to reach the node", async () => ((await slow.commandstats()).set?.calls ?? 0) > setsBefore + 1000, 20_000);
    await Bun.sleep(1500);
    await slow.cli("DEBUG", "SLEEP", "2");
    const run = await collectRun(proc, ["(DEBUG SLEEP run)"]);
    expectExit(run, 0);
    const t = testOf(run.stdout, "SET");
    const timeline = t.extra.serverMetrics!.timeline!;
    const address = `127.0.0.1:${slow.port}`;
    // The node answered nothing for 2 s: in the interval holding the sleep it ran far below the
    // other primaries. (Other nodes may be flagged too on a loaded machine: not asserted.)
    const flags = timeline.flags.filter((f) => f.address === address && f.metric === "ops_per_sec" && f.deviationPct < -50);
    expect(flags.length, JSON.stringify(timeline, null, 1)).toBeGreaterThan(0);
    const ops = timeline.ranges.find((r) => r.metric === "ops_per_sec")!;
    expect(ops.nodes).toHaveLength(3);
    // Every node's samples are in the test's one timeline (or, without one, next to the summary).
    const samples = t.timeline ? t.timeline.points.flatMap((p) => Object.keys(p.nodes ?? {})) : (timeline.samples ?? []).map((s) => s.address);
    expect(new Set(samples).size).toBe(3);
  }, 60_000);
});

describe("bad definitions", () => {
  test("a definition that does not parse is one line naming it, exit 2, before connecting", async () => {
    const run = await runBench(["-p", "1", "--track-metric", "stats:total_commands_processed:sum:speed"]);
    expectExit(run, 2);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toContain("--track-metric is not a metric definition: 'stats:total_commands_processed:sum:speed': unknown diff 'speed'");
  });
});

describe("primary with two replicas", () => {
  const port = () => String(replicaSet.primary.port);

  test("tracked rate over the primary equals the SET count; replicas replay every SET; round-robin GETs match the per-node counts", async () => {
    const n = 20_000;
    const replayed = "commandstats:cmdstat_set:calls:sum:delta@replicas";
    const gets = "commandstats:cmdstat_get:calls:sum:delta";
    const run = await runBench(["-p", port(), "-t", "set,get", "-n", String(n), "-r", "1000", "--rfr", "round-robin", "--track-metric", RATE, "--track-metric", replayed, "--track-metric", gets, "--output-format", "json"], { timeoutMs: 60_000 });
    expectExit(run, 0);
    const set = testOf(run.stdout, "SET");
    const rate = tracked(set, RATE).series[0]!;
    expect(rate.nodes.map((v) => v.role)).toEqual(["primary"]);
    expect(Math.abs((rate.aggregate! * set.durationSec) / n - 1), describeRun(run)).toBeLessThan(0.01);
    const replicas = tracked(set, replayed).series[0]!;
    expect(replicas.nodes).toHaveLength(2);
    // Replication may lag the after-test reading by a few commands.
    for (const v of replicas.nodes) expect(v.value).toBeGreaterThan(n * 0.95);
    const get = testOf(run.stdout, "GET");
    const served = get.extra.nodes!;
    expect(served).toHaveLength(3);
    const getCalls = tracked(get, gets).series[0]!;
    for (const node of served) expect(getCalls.nodes.find((v) => v.address === node.address)!.value).toBe(node.completed);
    expect(getCalls.aggregate).toBe(n);
  });

  test("--compare-snapshot of two runs with different -d shows the memory difference", async () => {
    const first = join(dir, "d10.json");
    await replicaSet.primary.cli("FLUSHALL");
    expectExit(await runBench(["-p", port(), "-t", "set", "-n", "5000", "-r", "5000", "-d", "10", "-q", "--metrics-snapshot", first]), 0);
    await replicaSet.primary.cli("FLUSHALL");
    const run = await runBench(["-p", port(), "-t", "set", "-n", "5000", "-r", "5000", "-d", "1000", "--compare-snapshot", first, "--output-format", "json"]);
    expectExit(run, 0);
    const cmp = (parseJsonReport(run.stdout) as unknown as { snapshotComparison: { metrics: { metric: string; nodes: { address: string; change?: number }[] }[]; appeared: string[]; vanished: string[] } }).snapshotComparison;
    const mem = cmp.metrics.find((m) => m.metric === "memory:used_memory")!;
    const primary = mem.nodes.find((c) => c.address === `127.0.0.1:${replicaSet.primary.port}`)!;
    // About 5000 keys x 990 more bytes each (the keys were written once with -r 5000 -n 5000:
    // not all 5000 distinct, so allow for the random repeats).
    expect(primary.change!, describeRun(run)).toBeGreaterThan(2_000_000);
    expect(mem.nodes).toHaveLength(3);
    expect([cmp.appeared, cmp.vanished]).toEqual([[], []]);
    const text = await runBench(["-p", port(), "-t", "ping_inline", "-n", "100", "--compare-snapshot", first]);
    expectExit(text, 0);
    expect(text.stdout).toContain(`Compared with ${first}`);
    expect(text.stdout).toMatch(/memory:used_memory\s+127\.0\.0\.1:\d+\s+[\d.]+ [KM]?B\s+[\d.]+ MB\s+\+[\d.]+ MB\s+\+[\d.]+%/);
  });

  test("--runtime-config is applied to every node, verified, and restored after a run killed with SIGINT", async () => {
    const nodes = [replicaSet.primary, ...replicaSet.replicas];
    const before = await Promise.all(nodes.map((node) => Promise.all([configGet(node, "hz"), configGet(node, "maxmemory-policy")])));
    const file = join(dir, "rc.yaml");
    writeFileSync(file, "hz: 77\nmaxmemory-policy: allkeys-lru\n");
    const proc = spawnBench(["-p", port(), "-t", "get", "--duration", "30", "--runtime-config", file], { timeoutMs: 60_000 });
    await waitFor("the runtime config on every node", async () => (await Promise.all(nodes.map((node) => configGet(node, "hz")))).every((hz) => hz === "77"), 15_000);
    expect(await Promise.all(nodes.map((node) => configGet(node, "maxmemory-policy")))).toEqual(nodes.map(() => "allkeys-lru"));
    await Bun.sleep(300);
    proc.kill("SIGINT");
    const run = await collectRun(proc, ["(runtime-config SIGINT run)"]);
    expectExit(run, 130);
    const after = await Promise.all(nodes.map((node) => Promise.all([configGet(node, "hz"), configGet(node, "maxmemory-policy")])));
    expect(after).toEqual(before);
  }, 60_000);

  test("--runtime-config: SIGTERM restores too; a value a node refuses is one line and nothing is left changed", async () => {
    const nodes = [replicaSet.primary, ...replicaSet.replicas];
    const before = await Promise.all(nodes.map((node) => configGet(node, "hz")));
    const good = join(dir, "rc.conf");
    writeFileSync(good, "hz 55\n");
    const proc = spawnBench(["-p", port(), "-t", "get", "--duration", "30", "--runtime-config", good], { timeoutMs: 60_000 });
    await waitFor("hz 55 on every node", async () => (await Promise.all(nodes.map((node) => configGet(node, "hz")))).every((hz) => hz === "55"), 15_000);
    proc.kill("SIGTERM");
    const run = await collectRun(proc, ["(runtime-config SIGTERM run)"]);
    expect(run.code, describeRun(run)).toBe(143);
    expect(await Promise.all(nodes.map((node) => configGet(node, "hz")))).toEqual(before);

    // Two signals in a row: the second quits at once, but only after the same restore.
    const twice = spawnBench(["-p", port(), "-t", "get", "--duration", "30", "--runtime-config", good], { timeoutMs: 60_000 });
    await waitFor("hz 55 again", async () => (await Promise.all(nodes.map((node) => configGet(node, "hz")))).every((hz) => hz === "55"), 15_000);
    twice.kill("SIGINT");
    await Bun.sleep(20);
    twice.kill("SIGINT");
    const twiceRun = await collectRun(twice, ["(runtime-config double SIGINT run)"]);
    expect(twiceRun.code, describeRun(twiceRun)).toBe(130);
    expect(await Promise.all(nodes.map((node) => configGet(node, "hz")))).toEqual(before);

    const bad = join(dir, "rc-bad.conf");
    writeFileSync(bad, "hz 66\nmaxmemory-policy sometimes\n");
    const refused = await runBench(["-p", port(), "-t", "get", "-n", "100", "--runtime-config", bad]);
    expectExit(refused, 2);
    expect(refused.stderr).toMatch(/--runtime-config: 127\.0\.0\.1:\d+ refused CONFIG SET maxmemory-policy sometimes: .*; every change was undone/);
    expect(await Promise.all(nodes.map((node) => configGet(node, "hz")))).toEqual(before);
    const unknown = join(dir, "rc-unknown.conf");
    writeFileSync(unknown, "hz 66\nno-such-parameter 1\n");
    const unknownRun = await runBench(["-p", port(), "-t", "get", "-n", "100", "--runtime-config", unknown]);
    expectExit(unknownRun, 2);
    expect(unknownRun.stderr).toContain("has no configuration parameter 'no-such-parameter'; nothing was changed");
  }, 60_000);
});
