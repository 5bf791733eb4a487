// Report formats: -q, --csv and the text report in valkey-benchmark's shape (compared with the
// installed valkey-benchmark itself), JSON on stdout, and -o files.

import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { callsOf, expectExit, parseJsonReport, resetServer, runBench } from "../support/run-cli.ts";
import { startValkey, type ValkeyServer } from "../support/valkey.ts";

let server: ValkeyServer;
let outDir: string;

beforeAll(async () => {
  server = await startValkey();
  outDir = mkdtempSync(join(tmpdir(), "vsb-e2e-output-"));
});
afterAll(async () => {
  await server.stop();
  rmSync(outDir, { recursive: true, force: true });
});
beforeEach(() => resetServer(server));

const base = () => ["-p", String(server.port), "-n", "1000"];

/** Runs the installed valkey-benchmark against the test server and returns its stdout. */
async function valkeyBenchmark(...args: string[]): Promise<string> {
  const proc = Bun.spawn(["valkey-benchmark", "-p", String(server.port), ...args], { stdout: "pipe", stderr: "pipe", timeout: 20_000 });
  const [stdout, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
  if (code !== 0) throw new Error(`valkey-benchmark ${args.join(" ")} exited ${code}`);
  return stdout;
}

/**
 * A report's layout without its measurements: progress overwrites (up to the last \r) and the
 * per-percentile lines dropped, numbers replaced by N. Two runs of the same shape compare equal.
 */
function layout(report: string): string[] {
  return report
    .split("\n")
    .map((line) => line.slice(line.lastIndexOf("\r") + 1))
    .filter((line) => !/^\s*[\d.]+% <= /.test(line))
    .map((line) => line.replace(/-?\d+(\.\d+)?/g, "N"))
    // Right-aligned number columns shift with the numbers' widths: compare the words only.
    .map((line) => (/^\s+N(\s+N)+$/.test(line) ? "   N N N N N N" : line));
}

describe("console formats", () => {
  test("-q prints one valkey-benchmark line per test", async () => {
    const run = await runBench([...base(), "-t", "set,get", "-q"]);
    expectExit(run, 0);
    const lines = run.stdout.split("\n").filter((l) => l !== "");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^SET: [\d.]+ requests per second, p50=[\d.]+ msec$/);
    expect(lines[1]).toMatch(/^GET: [\d.]+ requests per second, p50=[\d.]+ msec$/);
    expect(await callsOf(server, "get")).toBe(1000);
  });

  test("--csv prints valkey-benchmark's header byte for byte, then one quoted row per test", async () => {
    const [ours, theirs] = await Promise.all([runBench([...base(), "-t", "set,get", "--csv"]), valkeyBenchmark("-n", "100", "-t", "set", "--csv")]);
    expectExit(ours, 0);
    const [header, ...rows] = ours.stdout.split("\n").filter((l) => l !== "");
    expect(header).toBe(theirs.split("\n")[0]);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^"SET","[\d.]+","[\d.]+","[\d.]+","[\d.]+","[\d.]+","[\d.]+","[\d.]+"$/);
    expect(rows[1]).toMatch(/^"GET",/);
  });

  test("the text report has valkey-benchmark's sections, line for line", async () => {
    const [ours, theirs] = await Promise.all([runBench([...base(), "-t", "set"]), valkeyBenchmark("-n", "1000", "-t", "set")]);
    expectExit(ours, 0);
    expect(layout(ours.stdout)).toEqual(layout(theirs));
    expect(ours.stdout).toContain("====== SET ======");
    expect(ours.stdout).toContain("  1000 requests completed in ");
    expect(ours.stdout).toContain("Latency by percentile distribution:");
    expect(ours.stdout).toContain("Cumulative distribution of latencies:");
    expect(ours.stdout).toContain("  latency summary (msec):");
  });

  test("no progress line is written when stdout is not a terminal", async () => {
    const run = await runBench([...base(), "-t", "set", "-q"]);
    expectExit(run, 0);
    expect(run.stdout).not.toContain("\r");
  });
});

describe("JSON", () => {
  test("--output-format json prints one document with per-test fields, and nothing else", async () => {
    const run = await runBench([...base(), "-t", "set,get", "-c", "4", "-d", "10", "--output-format", "json"]);
    expectExit(run, 0);
    const report = parseJsonReport(run.stdout);
    expect(report.tool).toBe("valkey-search-benchmark");
    expect(report.config.requests).toBe(1000);
    expect(report.tests).toHaveLength(2);
    for (const t of report.tests) {
      expect(t.requests).toEqual({ issued: 1000, completed: 1000, errors: 0 });
      expect(t.errorsByType).toEqual({});
      expect(t.clients).toBe(4);
      expect(t.dataSize).toBe(10);
      expect(t.throughput).toBeGreaterThan(0);
      expect(t.durationSec).toBeGreaterThan(0);
      const ms = t.latencyMs;
      if (!ms) throw new Error(`${t.title}: no latency`);
      expect(ms.min).toBeLessThanOrEqual(ms.p50);
      expect(ms.p50).toBeLessThanOrEqual(ms.p99);
      expect(ms.p99).toBeLessThanOrEqual(ms.max);
      expect(t.histogram.length).toBeGreaterThan(0);
    }
    expect(await callsOf(server, "set")).toBe(1000);
  });
  // Redaction of -a / URI passwords is covered with a password-protected server in auth.test.ts.
});

describe("-o files", () => {
  test("-o file.json writes the JSON report and keeps the text report on stdout", async () => {
    const file = join(outDir, "run.json");
    const run = await runBench([...base(), "-t", "incr", "-q", "-o", file]);
    expectExit(run, 0);
    expect(run.stdout).toMatch(/^INCR: /);
    expect(existsSync(file)).toBe(true);
    const report = parseJsonReport(readFileSync(file, "utf8"));
    expect(report.tests.map((t) => t.title)).toEqual(["INCR"]);
    expect(report.tests[0]?.requests.completed).toBe(1000);
    expect(await callsOf(server, "incr")).toBe(1000);
  });

  test("-o file.csv writes the CSV with the errors and issued columns appended", async () => {
    const file = join(outDir, "run.csv");
    const run = await runBench([...base(), "-t", "set,get", "-q", "-o", file]);
    expectExit(run, 0);
    const [header, ...rows] = readFileSync(file, "utf8").split("\n").filter((l) => l !== "");
    expect(header).toBe('"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms","errors","issued","errors_per_sec","status"');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^"SET",.*,"0","1000","0.00","complete"$/);
    expect(rows[1]).toMatch(/^"GET",.*,"0","1000","0.00","complete"$/);
  });
});
