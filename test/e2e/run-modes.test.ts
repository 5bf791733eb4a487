// --duration, --warmup and --rps: what the server receives and what the report claims.

import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { callsOf, expectExit, parseJsonReport, resetServer, runBench, spawnBench, waitFor } from "../support/run-cli.ts";
import { startValkey, type ValkeyServer } from "../support/valkey.ts";

let server: ValkeyServer;

beforeAll(async () => {
  server = await startValkey();
});
afterAll(() => server.stop());
beforeEach(() => resetServer(server));

const base = () => ["-p", String(server.port), "-c", "5", "--output-format", "json"];

describe("--duration", () => {
  test("--duration 1 runs for about a second and reports what the server received", async () => {
    const run = await runBench([...base(), "--duration", "1", "-t", "set", "-r", "1000"], { timeoutMs: 15_000 });
    expectExit(run, 0);
    const [t] = parseJsonReport(run.stdout).tests;
    if (!t) throw new Error("no test in the report");
    // Loose bounds: only that the window is the second asked for, not a -n run or a hang.
    expect(t.durationSec).toBeGreaterThan(0.5);
    expect(t.durationSec).toBeLessThan(5);
    expect(t.requests.issued).toBeGreaterThan(0);
    expect(t.requests.completed).toBe(t.requests.issued);
    expect(await callsOf(server, "set")).toBe(t.requests.issued);
  });
});

describe("--warmup", () => {
  test("--warmup 500r sends 500 extra requests the report leaves out", async () => {
    const run = await runBench([...base(), "-n", "1000", "--warmup", "500r", "-t", "set"]);
    expectExit(run, 0);
    expect(await callsOf(server, "set")).toBe(1500);
    const [t] = parseJsonReport(run.stdout).tests;
    expect(t?.requests).toEqual({ issued: 1000, completed: 1000, errors: 0 });
  });

  test("warmup applies to each test of the run", async () => {
    const run = await runBench([...base(), "-n", "300", "--warmup", "200r", "-t", "set,get"]);
    expectExit(run, 0);
    expect(await callsOf(server, "set")).toBe(500);
    expect(await callsOf(server, "get")).toBe(500);
    for (const t of parseJsonReport(run.stdout).tests) expect(t.requests.issued).toBe(300);
  });

  test("a warmup in seconds is followed by the -n measured requests", async () => {
    const run = await runBench([...base(), "-n", "1000", "--warmup", "0.3s", "-t", "set"], { timeoutMs: 15_000 });
    expectExit(run, 0);
    const [t] = parseJsonReport(run.stdout).tests;
    expect(t?.requests.issued).toBe(1000);
    expect(await callsOf(server, "set")).toBeGreaterThan(1000);
  });
});

describe("-l", () => {
  test("-l repeats the tests until the process is stopped", async () => {
    const proc = spawnBench(["-p", String(server.port), "-l", "-n", "200", "-c", "2", "-t", "set", "-q"], { timeoutMs: 15_000 });
    try {
      // Three full rounds prove it loops; still running proves it does not stop by itself.
      await waitFor("3 rounds of 200 SETs", async () => (await callsOf(server, "set")) >= 600, 10_000);
      expect(proc.exitCode).toBeNull();
    } finally {
      proc.kill("SIGKILL");
      await proc.exited;
    }
  });
});

describe("--rps", () => {
  test("--rps 2000 -n 1000 reports the rate section with the target", async () => {
    const run = await runBench([...base(), "-n", "1000", "--rps", "2000", "-t", "set"]);
    expectExit(run, 0);
    const [t] = parseJsonReport(run.stdout).tests;
    expect(t?.rate?.targetRps).toBe(2000);
    expect(t?.rate?.achievedRps).toBeGreaterThan(0);
    expect(t?.requests.issued).toBe(1000);
    expect(await callsOf(server, "set")).toBe(1000);
  });

  test("the text report shows target and achieved rate after the summary", async () => {
    const run = await runBench(["-p", String(server.port), "-n", "500", "--rps", "2000", "--threads", "2", "-c", "4", "-t", "get"]);
    expectExit(run, 0);
    expect(run.stdout).toMatch(/rate: target 2000\.00 requests per second, achieved [\d.]+ requests per second/);
    expect(await callsOf(server, "get")).toBe(500);
  });

  test("without --rps the JSON rate is null", async () => {
    const run = await runBench([...base(), "-n", "200", "-t", "set"]);
    expectExit(run, 0);
    expect(parseJsonReport(run.stdout).tests[0]?.rate).toBeNull();
  });
});
