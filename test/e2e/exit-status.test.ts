// Rates count successful replies (errors get their own rate), and the exit code follows the
// README's rule: 1 when requests got no reply (lost with their connection, timed out), unless
// --max-errors allows that many.

import { tmpdir } from "node:os";
import { afterAll, beforeAll, beforeEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { callsOf, collectRun, expectExit, parseJsonReport, resetServer, runBench, spawnBench, waitFor } from "../support/run-cli.ts";
import { startFakeServer, type FakeServer } from "../support/fake-server.ts";
import type { JsonTestReport } from "../../src/report/json.ts";
import { startValkey, type ValkeyServer } from "../support/valkey.ts";

setDefaultTimeout(60_000);

let server: ValkeyServer;
let closing: FakeServer;

beforeAll(async () => {
  server = await startValkey();
  // Closes each connection instead of answering its 101st command.
  closing = startFakeServer({ reply: (_cmd, conn) => (conn.answered >= 100 ? "close" : "+OK\r\n") });
});
afterAll(async () => {
  closing.stop();
  await server.stop();
});
beforeEach(() => resetServer(server));

function onlyTest(stdout: string): JsonTestReport {
  const tests = parseJsonReport(stdout).tests;
  expect(tests).toHaveLength(1);
  return tests[0]!;
}

function expectRatesOf(t: JsonTestReport): void {
  expect(t.requests.issued).toBe(t.requests.completed + t.requests.errors);
  expect(t.throughput).toBeCloseTo(t.requests.completed / t.durationSec, 0);
  expect(t.errorRate).toBeCloseTo(t.requests.errors / t.durationSec, 0);
}

describe("rates count successful replies", () => {
  test("maxclients 5 with -c 50: throughput is completed / duration, errors have their own rate, exit 1", async () => {
    const small = await startValkey({ args: ["--maxclients", "5"] });
    try {
      const run = await runBench(["-p", String(small.port), "-c", "50", "-n", "3000", "-t", "set", "--output-format", "json"], { timeoutMs: 45_000 });
      expectExit(run, 1);
      const t = onlyTest(run.stdout);
      expect(t.requests.errors).toBeGreaterThan(0);
      expectRatesOf(t);
      expect(t.throughput).toBeLessThan((t.requests.completed + t.requests.errors) / t.durationSec);
    } finally {
      await small.stop();
    }
  });

  test("text, -q and the CSV file show the error rate next to the successful throughput", async () => {
    await server.cli("SET", "s", "not-a-number");
    const args = ["-p", String(server.port), "-c", "2", "-n", "400", "SET", "a", "1", ";", "INCR", "s"];
    const text = await runBench(args);
    expectExit(text, 0);
    expect(text.stdout).toMatch(/\n {2}error rate: [\d.]+ errors per second \(the throughput above counts successful replies only\)\n/);
    const quiet = await runBench([...args.slice(0, -6), "-q", ...args.slice(-6)]);
    expectExit(quiet, 0);
    expect(quiet.stdout).toMatch(/^SET a 1 ; INCR s: [\d.]+ requests per second, p50=[\d.]+ msec\n {2}errors: 200 of 400 requests, [\d.]+ errors per second \(ERR: 200\)\n+$/);
    const fs = await import("node:fs/promises");
    const dir = await fs.mkdtemp(`${tmpdir()}/vsb-rates-`);
    try {
      const csv = await runBench([...args.slice(0, -6), "-o", `${dir}/r.csv`, ...args.slice(-6)]);
      expectExit(csv, 0);
      const [header, row] = (await Bun.file(`${dir}/r.csv`).text()).split("\n");
      expect(header).toEndWith(',"errors","issued","errors_per_sec","status"');
      expect(row).toMatch(/,"200","400","[\d.]+","complete"$/);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  test("a paced run's achieved rate counts the schedule: --rps 0.5 -n 2 achieves 0.5 per second", async () => {
    const run = await runBench(["-p", String(server.port), "-c", "1", "-n", "2", "--rps", "0.5", "-t", "ping_mbulk", "--output-format", "json"]);
    expectExit(run, 0);
    const t = onlyTest(run.stdout);
    expect(t.rate?.targetRps).toBe(0.5);
    expect(t.rate!.achievedRps).toBeGreaterThan(0.45);
    expect(t.rate!.achievedRps).toBeLessThanOrEqual(0.5);
    expect(t.rate!.achievedRps).toBe(t.throughput);
  });
});

describe("exit code after lost requests", () => {
  test("a server closing every connection after 100 replies: exit 1 naming the lost requests; --max-errors 100% accepts it", async () => {
    const args = ["-p", String(closing.port), "-c", "2", "-n", "1000", "-t", "set", "--output-format", "json"];
    const run = await runBench(args);
    expectExit(run, 1);
    const t = onlyTest(run.stdout);
    expect(t.errorsByType.CONNECTION ?? 0).toBeGreaterThan(0);
    expectRatesOf(t);
    expect(run.stderr).toMatch(/error: SET: \d+ requests got no reply \(CONNECTION: \d+\); to accept a bounded number \(failover tests\), use --max-errors/);

    const allowed = await runBench([...args, "--max-errors", "100%"]);
    expectExit(allowed, 0);
    const strict = await runBench([...args, "--max-errors", "1"]);
    expectExit(strict, 1);
    expect(strict.stderr).toMatch(/more than --max-errors allows \(1\)/);
  });

  test("CLIENT KILL mid-run exits 1; --max-errors 5% accepts the few requests it cost", async () => {
    const args = ["-p", String(server.port), "-c", "5", "--duration", "3", "-t", "set", "--output-format", "json"];
    for (const extra of [[], ["--max-errors", "5%"]]) {
      await resetServer(server);
      const proc = spawnBench([...args, ...extra], { timeoutMs: 45_000 });
      await waitFor("SET calls", async () => (await callsOf(server, "set")) > 100, 20_000);
      await server.cli("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
      const run = await collectRun(proc, args);
      const t = onlyTest(run.stdout);
      expect(t.errorsByType.CONNECTION ?? 0).toBeGreaterThan(0);
      expectExit(run, extra.length === 0 ? 1 : 0);
    }
  });

  test("a test where no request succeeded exits 1 even under --max-errors 100%, as --help, the README and docs/results.md say", async () => {
    await server.cli("SET", "s", "not-a-number");
    const run = await runBench(["-p", String(server.port), "-n", "200", "--max-errors", "100%", "INCR", "s"]);
    expectExit(run, 1);
    expect(run.stderr).toMatch(/every request of INCR s failed/);
    const help = (await runBench(["--help"])).stdout;
    const entry = help.slice(help.indexOf("--max-errors")).split(/\n {2}-/)[0]!.replace(/\s+/g, " ");
    expect(entry).toContain("A test where no request succeeded exits 1 whatever it allows");
    const root = `${import.meta.dir}/../..`;
    expect((await Bun.file(`${root}/README.md`).text()).replace(/\s+/g, " ")).toContain("A test where no request succeeded still exits 1, whatever `--max-errors` allows");
    expect((await Bun.file(`${root}/docs/results.md`).text()).replace(/\s+/g, " ")).toContain("test where no request succeeded exits 1 whatever `--max-errors` allows");
  });

  test("--max-errors takes a count or a percentage; anything else is refused before connecting", async () => {
    for (const bad of ["x", "-1", "5.5", "101%", "%"]) {
      const run = await runBench(["-p", "1", "--max-errors", bad, "-t", "get"]);
      expectExit(run, 2);
      expect(run.stderr).toMatch(/^error: --max-errors must be/);
    }
  });
});

test("--precision's help says what it does: histogram significant digits", async () => {
  const run = await runBench(["--help"]);
  expect(run.stdout).toMatch(/--precision[^\n]*Significant digits of the latency histograms/);
  expect(run.stdout).not.toMatch(/--precision[^\n]*Decimal places/);
});
