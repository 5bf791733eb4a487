// A server that stops answering must not stretch a run: its node is given up after a timeout on
// a re-opened connection, --duration is a hard deadline, Ctrl-C reports at once, and a reply
// that arrives after --request-timeout is a TIMEOUT, not a success. A fake server stalls on
// demand (it answers the setup commands, then never answers SET).

import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { collectRun, describeRun, expectExit, parseJsonReport, runBench, spawnBench, waitFor } from "../support/run-cli.ts";
import { startFakeServer, type FakeServer } from "../support/fake-server.ts";
import type { JsonTestReport } from "../../src/report/json.ts";

setDefaultTimeout(60_000);

let stalled: FakeServer;
let late: FakeServer;

beforeAll(() => {
  stalled = startFakeServer({ reply: (cmd) => (cmd[0] === "SET" ? null : "+OK\r\n") });
  // The first reply after 500 ms, the next 100 ms after --request-timeout 4000: the second batch
  // goes out between two timeout sweeps, so only a check on arrival can catch it.
  late = startFakeServer({ reply: (_cmd, conn) => ({ delayMs: conn.answered === 0 ? 500 : 4100, reply: "+OK\r\n" }) });
});
afterAll(() => {
  stalled.stop();
  late.stop();
});

function onlyTest(stdout: string): JsonTestReport {
  const tests = parseJsonReport(stdout).tests;
  expect(tests).toHaveLength(1);
  return tests[0]!;
}

function expectAccounted(t: JsonTestReport): void {
  expect(t.requests.issued).toBe(t.requests.completed + t.requests.errors);
  expect(Object.values(t.errorsByType).reduce((a, b) => a + b, 0)).toBe(t.requests.errors);
}

describe("a stalled server", () => {
  test("with -n, its node is given up after a timeout on a re-opened connection, with one line naming it", async () => {
    const started = performance.now();
    const run = await runBench(["-p", String(stalled.port), "-c", "5", "-n", "100000", "-t", "set", "--request-timeout", "500", "--output-format", "json"], { timeoutMs: 30_000 });
    if (run.timedOut) throw new Error(`the run did not give the stalled node up\n${describeRun(run)}`);
    expect(performance.now() - started).toBeLessThan(20_000);
    expectExit(run, 1);
    const t = onlyTest(run.stdout);
    expectAccounted(t);
    expect(t.requests.completed).toBe(0);
    expect(t.errorsByType).toEqual({ TIMEOUT: t.requests.errors });
    const lines = run.stderr.split("\n").filter((l) => /stopped answering/.test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`127.0.0.1:${stalled.port} stopped answering`);
  });

  test("--duration is a hard deadline: requests still unanswered shortly after it are UNANSWERED", async () => {
    const started = performance.now();
    const run = await runBench(["-p", String(stalled.port), "-c", "2", "--duration", "2", "-t", "set", "--output-format", "json"], { timeoutMs: 25_000 });
    if (run.timedOut) throw new Error(`--duration 2 overran\n${describeRun(run)}`);
    // 2 s of test, at most 2 s of grace, plus start-up on a loaded machine; --request-timeout is 30 s.
    expect(performance.now() - started).toBeLessThan(15_000);
    const t = onlyTest(run.stdout);
    expectAccounted(t);
    expect(t.errorsByType.UNANSWERED ?? 0).toBeGreaterThan(0);
    expectExit(run, 1);
  });

  test("Ctrl-C reports at once instead of waiting for --request-timeout", async () => {
    const args = ["-p", String(stalled.port), "-c", "2", "-n", "1000", "-t", "set", "--output-format", "json"];
    const before = stalled.calls.SET ?? 0;
    const proc = spawnBench(args, { timeoutMs: 25_000 });
    await waitFor("SET calls on the fake server", () => (stalled.calls.SET ?? 0) > before, 15_000);
    const signalled = performance.now();
    proc.kill("SIGINT");
    const run = await collectRun(proc, args);
    if (run.timedOut) throw new Error(`Ctrl-C did not end the run\n${describeRun(run)}`);
    expect(performance.now() - signalled).toBeLessThan(5_000);
    expectExit(run, 130);
    const t = onlyTest(run.stdout);
    expectAccounted(t);
    expect(t.errorsByType.UNANSWERED ?? 0).toBeGreaterThan(0);
  });
});

test("a reply that arrives after --request-timeout is a TIMEOUT, not a completed request", async () => {
  const run = await runBench(["-p", String(late.port), "-c", "1", "-n", "2", "-t", "set", "--request-timeout", "4000", "--output-format", "json"]);
  const t = onlyTest(run.stdout);
  expectAccounted(t);
  expect(t.requests.completed).toBe(1);
  expect(t.errorsByType).toEqual({ TIMEOUT: 1 });
  expectExit(run, 1);
});
