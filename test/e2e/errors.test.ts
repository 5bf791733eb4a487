// Failures during a run: error replies are counted by type (and agree with the server's own
// error counters), lost connections and timeouts end the run instead of hanging it, and
// issued = completed + errors always holds.

import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { callsOf, collectRun, describeRun, expectExit, parseJsonReport, resetServer, runBench, spawnBench, waitFor } from "../support/run-cli.ts";
import type { JsonTestReport } from "../../src/report/json.ts";
import { startValkey, type ValkeyServer } from "../support/valkey.ts";

let server: ValkeyServer;

beforeAll(async () => {
  server = await startValkey();
});
afterAll(() => server.stop());
beforeEach(() => resetServer(server));

const base = () => ["-p", String(server.port), "-c", "5"];

function onlyTest(stdout: string): JsonTestReport {
  const tests = parseJsonReport(stdout).tests;
  expect(tests).toHaveLength(1);
  return tests[0]!;
}

function expectAccounted(t: JsonTestReport): void {
  expect(t.requests.issued).toBe(t.requests.completed + t.requests.errors);
  const byType = Object.values(t.errorsByType).reduce((a, b) => a + b, 0);
  expect(byType).toBe(t.requests.errors);
}

/**
 * Starts the CLI in the background; `finish()` collects it. Resolves once the server has counted
 * some `command` calls, so whatever the test does next happens mid-run.
 */
async function startRunning(args: string[], command: string, target: ValkeyServer = server) {
  const proc = spawnBench(args, { timeoutMs: 15_000 });
  await waitFor(`${command} calls on the server`, async () => (await callsOf(target, command)) > 0);
  return { finish: () => collectRun(proc, args) };
}

describe("error replies", () => {
  test("a command that always fails is counted by type, in the report and in JSON, and exits 1", async () => {
    await server.cli("SET", "s", "not-a-number");
    const text = await runBench([...base(), "-n", "1000", "INCR", "s"]);
    expectExit(text, 1);
    expect(text.stdout).toContain("errors: 1000 (ERR: 1000)");
    expect(text.stdout).toContain("issued = completed + errors: 1000 = 0 + 1000");
    expect(text.stderr).toMatch(/every request of INCR s failed/);
    const stats = (await server.commandstats()).incr;
    expect(stats?.calls).toBe(1000);
    expect(stats?.failed).toBe(1000);

    const json = await runBench([...base(), "-n", "700", "--output-format", "json", "INCR", "s"]);
    expectExit(json, 1);
    const t = onlyTest(json.stdout);
    expect(t.requests).toEqual({ issued: 700, completed: 0, errors: 700 });
    expect(t.errorsByType).toEqual({ ERR: 700 });
  });

  test("an unknown command's errors match the server's errorstats", async () => {
    const run = await runBench([...base(), "-n", "600", "--output-format", "json", "NOSUCHCMD", "x"]);
    expectExit(run, 1);
    expect(onlyTest(run.stdout).errorsByType).toEqual({ ERR: 600 });
    expect((await server.info("errorstats")).errorstat_ERR).toBe("count=600");
  });

  test("WRONGTYPE errors are reported under their own type", async () => {
    await server.cli("SET", "str", "x");
    const run = await runBench([...base(), "-n", "300", "--output-format", "json", "LPUSH", "str", "v"]);
    expectExit(run, 1);
    expect(onlyTest(run.stdout).errorsByType).toEqual({ WRONGTYPE: 300 });
  });

  test("a partial failure exits 0 and reports exactly the failed share", async () => {
    await server.cli("SET", "s", "not-a-number");
    const run = await runBench([...base(), "-n", "1000", "-P", "4", "--output-format", "json", "SET", "a", "1", ";", "INCR", "s"]);
    expectExit(run, 0);
    const t = onlyTest(run.stdout);
    expect(t.requests).toEqual({ issued: 1000, completed: 500, errors: 500 });
    expect(t.errorsByType).toEqual({ ERR: 500 });
    expect((await server.commandstats()).incr?.failed).toBe(500);
    expect(await callsOf(server, "set")).toBe(500 + 1);
  });

  test("the text report of a partial failure shows the error counts", async () => {
    await server.cli("SET", "s", "not-a-number");
    const run = await runBench([...base(), "-n", "400", "SET", "a", "1", ";", "INCR", "s"]);
    expectExit(run, 0);
    expect(run.stdout).toContain("errors: 200 (ERR: 200)");
    expect(run.stdout).toContain("issued = completed + errors: 400 = 200 + 200");
    expect(run.stderr).toContain("200 of 400 requests failed (ERR: 200)");
  });
});

describe("lost connections and timeouts", () => {
  test("CLIENT KILL during a --duration run: the run ends and every request is accounted for", async () => {
    const running = await startRunning([...base(), "--duration", "2", "-t", "set", "--output-format", "json"], "set");
    await server.cli("CLIENT", "KILL", "TYPE", "normal");
    const run = await running.finish();
    if (run.timedOut) throw new Error(`the run hung after CLIENT KILL\n${describeRun(run)}`);
    const t = onlyTest(run.stdout);
    expectAccounted(t);
    expect(t.requests.errors).toBeGreaterThan(0);
    expect(Object.keys(t.errorsByType)).toContain("CONNECTION");
  });

  test("the server stopping during a -n run ends it with exit 1 and the count of unsent requests", async () => {
    const doomed = await startValkey();
    const running = await startRunning(["-p", String(doomed.port), "-c", "5", "-n", "5000000", "-t", "set", "--output-format", "json"], "set", doomed);
    await doomed.stop();
    const run = await running.finish();
    if (run.timedOut) throw new Error(`the run hung after the server stopped\n${describeRun(run)}`);
    expectExit(run, 1);
    expect(run.stderr).toMatch(/\d+ requests were never sent because connections were lost/);
    expectAccounted(onlyTest(run.stdout));
  });

  test("the server stopping during a --duration run ends it early with exit 1 and says so", async () => {
    const doomed = await startValkey();
    const running = await startRunning(["-p", String(doomed.port), "-c", "5", "--duration", "5", "-t", "set", "--output-format", "json"], "set", doomed);
    await doomed.stop();
    const run = await running.finish();
    if (run.timedOut) throw new Error(`the run hung after the server stopped\n${describeRun(run)}`);
    expectAccounted(onlyTest(run.stdout));
    // A run cut short because every connection is gone must not look like a clean 5 s run.
    expect(run.stderr).toMatch(/connection|lost/i);
    expect(run.code).toBe(1);
  });

  test("a --duration test after the server stopped names the unreachable server, not 'give it more time'", async () => {
    const doomed = await startValkey();
    const running = await startRunning(["-p", String(doomed.port), "-c", "5", "--duration", "2", "-t", "set,get", "-q"], "set", doomed);
    await doomed.stop();
    const run = await running.finish();
    if (run.timedOut) throw new Error(`the run hung after the server stopped\n${describeRun(run)}`);
    expectExit(run, 1);
    // GET's connections were still re-trying the server when its 2 s ran out: nothing was sent.
    expect(run.stderr).toContain(`error: GET sent no request within --duration: cannot connect to 127.0.0.1:${doomed.port}: connection refused`);
    expect(run.stderr).not.toContain("give it more time");
  });

  test("a server stalled by DEBUG SLEEP produces TIMEOUT errors with --request-timeout, not a hang", async () => {
    const running = await startRunning(["-p", String(server.port), "-c", "2", "--duration", "2", "--request-timeout", "500", "-t", "set", "--output-format", "json"], "set");
    await server.cli("DEBUG", "SLEEP", "2");
    const run = await running.finish();
    if (run.timedOut) throw new Error(`the run hung on a stalled server\n${describeRun(run)}`);
    const t = onlyTest(run.stdout);
    expectAccounted(t);
    expect(t.errorsByType.TIMEOUT ?? 0).toBeGreaterThan(0);
  });
});

describe("accounting holds under deep pipelines and paced runs", () => {
  test("every error of a 100-deep pipeline is counted by type, not only the last few of a read", async () => {
    await server.cli("SET", "notanumber", "abc");
    const run = await runBench([...base(), "-c", "2", "-P", "100", "-n", "10000", "--output-format", "json", "INCR", "notanumber"]);
    expectExit(run, 1);
    const t = onlyTest(run.stdout);
    expect(t.requests.errors).toBe(10000);
    expect(t.errorsByType).toEqual({ ERR: 10000 });
  });

  test("a paced (--rps) run whose connection is killed keeps issued = completed + errors and sends no batch twice", async () => {
    // --max-errors: the kill may cost the one request in flight, which alone would exit 1.
    const args = [...base(), "-c", "1", "-t", "get", "--rps", "2000", "--duration", "2", "--max-errors", "1%", "--output-format", "json"];
    const running = await startRunning(args, "get");
    await server.cli("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
    const run = await running.finish();
    expectExit(run, 0);
    const t = onlyTest(run.stdout);
    expectAccounted(t);
    expect(run.stderr).not.toContain("more replies than requests");
    // Every request the report counts as completed was executed by the server.
    expect(await callsOf(server, "get")).toBeGreaterThanOrEqual(t.requests.completed);
  });
});
