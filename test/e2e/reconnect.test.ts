// A standalone server restarted mid-run does not end the test: lost connections are re-opened
// with backoff within a budget. With --rfr prefer-replica, the connections of a replica that
// dies fall back to the primary instead of leaving requests unsent.

import { expect, setDefaultTimeout, test } from "bun:test";
import { callsOf, collectRun, describeRun, expectExit, parseJsonReport, spawnBench, waitFor } from "../support/run-cli.ts";
import { startFakeServer } from "../support/fake-server.ts";
import { startReplicaSet } from "../support/valkey.ts";

setDefaultTimeout(90_000);

test("a standalone server back within 0.3 s: the run reconnects and sends every request", async () => {
  const fake = startFakeServer({ reply: () => "+OK\r\n" });
  try {
    const args = ["-p", String(fake.port), "-c", "4", "-n", "100000", "-t", "set", "--max-errors", "1%", "--output-format", "json"];
    const proc = spawnBench(args, { timeoutMs: 60_000 });
    await waitFor("SETs on the fake server", () => (fake.calls.SET ?? 0) > 200, 20_000);
    await fake.restart(300);
    const setsAtRestart = fake.calls.SET ?? 0;
    const run = await collectRun(proc, args);
    if (run.timedOut) throw new Error(`the run hung after the restart\n${describeRun(run)}`);
    expect(run.stderr).not.toContain("never sent");
    expectExit(run, 0);
    const t = parseJsonReport(run.stdout).tests[0]!;
    expect(t.requests.issued).toBe(100_000);
    expect(t.requests.issued).toBe(t.requests.completed + t.requests.errors);
    expect((fake.calls.SET ?? 0) - setsAtRestart).toBeGreaterThan(0);
  } finally {
    fake.stop();
  }
});

test("--rfr prefer-replica: when the replica dies, its connections read from the primary", async () => {
  const set = await startReplicaSet({ replicas: 1 });
  try {
    const [primary, replica] = [set.primary, set.replicas[0]!];
    const args = ["-p", String(primary.port), "-c", "4", "-n", "300000", "-t", "get", "--rfr", "prefer-replica", "--max-errors", "5%", "--output-format", "json"];
    const proc = spawnBench(args, { timeoutMs: 75_000 });
    await waitFor("GETs on the replica", async () => (await callsOf(replica, "get")) > 500, 20_000);
    const primaryGetsBefore = await callsOf(primary, "get");
    await replica.stop();
    const run = await collectRun(proc, args);
    if (run.timedOut) throw new Error(`the run hung after the replica died\n${describeRun(run)}`);
    expect(run.stderr).not.toContain("never sent");
    expect(run.stderr).toMatch(new RegExp(`replica 127\\.0\\.0\\.1:${replica.port} could not be reached for \\d+ ms; its connections read from the primary 127\\.0\\.0\\.1:${primary.port} instead`));
    expectExit(run, 0);
    const t = parseJsonReport(run.stdout).tests[0]!;
    expect(t.requests.issued).toBe(300_000);
    expect(await callsOf(primary, "get")).toBeGreaterThan(primaryGetsBefore);
  } finally {
    await set.stop();
  }
});
