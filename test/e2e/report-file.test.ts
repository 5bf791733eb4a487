// -o is rewritten (atomically) after every test and records how far the run got, so SIGTERM
// (timeout, docker stop, CI), Ctrl-C or --loop never lose a finished test; SIGTERM is handled like
// SIGINT and exits 143. Unwritable targets and targets that are inputs are refused before
// connecting (exit 2).

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { collectRun, expectExit, parseJsonReport, runBench, spawnBench, waitFor } from "../support/run-cli.ts";
import { startValkey, type ValkeyServer } from "../support/valkey.ts";
import { jsonReportProblems } from "../../src/report/json-schema.ts";

let server: ValkeyServer;
let outDir: string;

beforeAll(async () => {
  server = await startValkey();
  outDir = mkdtempSync(join(tmpdir(), "vsb-e2e-report-file-"));
});
afterAll(async () => {
  await server.stop();
  rmSync(outDir, { recursive: true, force: true });
});

interface Doc {
  status: string;
  statusReason?: string;
  tests: { title: string; interrupted?: boolean; round?: number; requests: { completed: number } }[];
}

const readDoc = (file: string): Doc | undefined => {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Doc;
  } catch {
    return undefined;
  }
};

/** Starts a run writing `file`, waits until `testsDone` tests are in it, sends `signal`, collects the run. */
async function stopAfter(args: string[], file: string, testsDone: number, signal: "SIGTERM" | "SIGINT") {
  const proc = spawnBench(args, { timeoutMs: 60_000 });
  await waitFor(`${testsDone} tests in ${file}`, () => (readDoc(file)?.tests.length ?? 0) >= testsDone, 40_000);
  // Into the next test (3 s long), so that it has answered requests when the signal comes.
  if (args.includes("--duration")) await Bun.sleep(500);
  proc.kill(signal);
  return collectRun(proc, args);
}

describe("-o during a run", () => {
  for (const [signal, code] of [["SIGTERM", 143], ["SIGINT", 130]] as const) {
    test(`${signal} during the second test: exit ${code}, the first test complete, the second marked interrupted`, async () => {
      const file = join(outDir, `${signal}.json`);
      const args = ["-p", String(server.port), "-c", "2", "-t", "ping_mbulk,set", "--duration", "3", "-o", file];
      const run = await stopAfter(args, file, 1, signal);
      expectExit(run, code);
      const doc = readDoc(file)!;
      expect(doc.status).toBe("interrupted");
      expect(doc.statusReason).toBe(`stopped by ${signal}`);
      expect(doc.tests.map((t) => t.title)).toEqual(["PING_MBULK", "SET"]);
      expect(doc.tests[0]!.interrupted).toBeUndefined();
      expect(doc.tests[1]!.interrupted).toBe(true);
      expect(doc.tests[1]!.requests.completed).toBeGreaterThan(0);
      expect(run.stderr).toContain(`interrupted by ${signal}`);
      expect(jsonReportProblems(doc)).toEqual([]);
    }, 60_000);
  }

  test("text and CSV files say the run was interrupted and which test was cut short", async () => {
    const json = join(outDir, "cut.json");
    const text = join(outDir, "cut.txt");
    const csv = join(outDir, "cut.csv");
    for (const [file, format] of [[text, "text"], [csv, "csv"]] as const) {
      const proc = spawnBench(["-p", String(server.port), "-c", "2", "-t", "ping_mbulk,set", "--duration", "3", "-o", file, "--output-format", format], { timeoutMs: 60_000 });
      await waitFor(`the first test in ${file}`, () => existsSync(file) && readFileSync(file, "utf8").includes("PING_MBULK"), 40_000);
      await Bun.sleep(500);
      proc.kill("SIGTERM");
      expectExit(await collectRun(proc, []), 143);
    }
    expect(readFileSync(text, "utf8")).toMatch(/\(run interrupted: stopped by SIGTERM; 1 tests complete, SET cut short\)\n$/);
    const rows = readFileSync(csv, "utf8").trim().split("\n");
    expect(rows[0]).toEndWith(',"status"');
    expect(rows[1]).toStartWith('"PING_MBULK"');
    expect(rows[1]).toEndWith(',"complete"');
    expect(rows[2]).toEndWith(',"interrupted"');
    expect(existsSync(json)).toBe(false);
  }, 90_000);

  test("-l keeps every round in the file (not only the last, interrupted one)", async () => {
    const file = join(outDir, "loop.json");
    const args = ["-p", String(server.port), "-c", "2", "-t", "ping_mbulk", "-n", "200", "-l", "-o", file];
    const run = await stopAfter(args, file, 3, "SIGINT");
    expectExit(run, 130);
    const doc = readDoc(file)!;
    expect(doc.status).toBe("interrupted");
    expect(doc.tests.length).toBeGreaterThanOrEqual(3);
    expect(doc.tests.slice(0, 3).map((t) => t.round)).toEqual([1, 2, 3]);
  }, 60_000);

  test("a complete run says so", async () => {
    const file = join(outDir, "complete.json");
    const run = await runBench(["-p", String(server.port), "-c", "2", "-t", "set,get", "-n", "200", "-o", file]);
    expectExit(run, 0);
    const doc = readDoc(file)!;
    expect(doc.status).toBe("complete");
    expect(doc.tests.map((t) => [t.title, t.requests.completed])).toEqual([["SET", 200], ["GET", 200]]);
    // Only the target is left behind: no temporary or probe files.
    expect(readdirSync(outDir).filter((f) => f.startsWith(".")).length).toBe(0);
  });
});

describe("targets refused before connecting (exit 2, nothing written)", () => {
  // No server listens on port 1: reaching the connection would exit 1, not 2.
  const refused = async (args: string[], message: RegExp) => {
    const run = await runBench(["-p", "1", "-t", "set", "-n", "10", ...args]);
    expectExit(run, 2);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(message);
  };

  test("a directory", () => refused(["-o", outDir], /is a directory; give a file name inside it/));
  test("/dev/full (not a regular file)", () => refused(["-o", "/dev/full"], /-o \/dev\/full is not a regular file/));
  test("a directory that does not exist", () => refused(["-o", join(outDir, "missing", "x.json")], /cannot use directory .*missing: no such file or directory/));
  // A path under /proc cannot be created even by root (access() would say yes: the probe file does not).
  test("a directory nobody can create files in", () => refused(["-o", "/proc/self/x.json"], /cannot create files in/));
  test("the dataset the run reads (the same file under another name)", async () => {
    const dataset = join(outDir, "c5.bin");
    writeFileSync(dataset, "not really a dataset");
    await refused(["-t", "vec-query", "--dataset", dataset, "-o", join(outDir, ".", "..", "vsb-x", "..", outDir.split("/").pop()!, "c5.bin")], /is the same file as --dataset/);
    expect(readFileSync(dataset, "utf8")).toBe("not really a dataset");
  });
  test("--hdr-log and -o naming one file", () => refused(["-o", join(outDir, "same.log"), "--hdr-log", join(outDir, "same.log")], /-o .*same\.log is the same file as --hdr-log/));
  test("the --runtime-config or --compare-snapshot file the run reads (-o overwrote a runtime config)", async () => {
    const rc = join(outDir, "rc.conf");
    writeFileSync(rc, "maxmemory-policy noeviction\n");
    await refused(["--runtime-config", rc, "-o", rc], /^error: -o .*rc\.conf is the same file as --runtime-config .*rc\.conf; writing it would destroy it/);
    await refused(["--runtime-config", rc, "--hdr-log", rc], /--hdr-log .*rc\.conf is the same file as --runtime-config/);
    expect(readFileSync(rc, "utf8")).toBe("maxmemory-policy noeviction\n");
  });
});

describe("--compare-snapshot and --metrics-snapshot naming one file: a rolling baseline", () => {
  test("the run compares with the earlier snapshot, then writes its own there", async () => {
    const snap = join(outDir, "rolling.json");
    await server.cli("FLUSHALL");
    expectExit(await runBench(["-p", String(server.port), "-t", "set", "-n", "3000", "-r", "3000", "-d", "10", "-q", "--metrics-snapshot", snap]), 0);
    const earlier = readFileSync(snap, "utf8");
    await server.cli("FLUSHALL");
    const run = await runBench(["-p", String(server.port), "-t", "set", "-n", "3000", "-r", "3000", "-d", "1000", "--compare-snapshot", snap, "--metrics-snapshot", snap, "--output-format", "json"]);
    expectExit(run, 0);
    const cmp = (parseJsonReport(run.stdout) as unknown as { snapshotComparison: { metrics: { metric: string; nodes: { change?: number }[] }[] } }).snapshotComparison;
    // Compared with the -d 10 run (before, the new snapshot was written first and compared with itself: no change).
    expect(cmp.metrics.find((m) => m.metric === "memory:used_memory")!.nodes[0]!.change!).toBeGreaterThan(1_000_000);
    expect(readFileSync(snap, "utf8")).not.toBe(earlier);
  });
});

describe("--metrics-snapshot is checked like -o", () => {
  test("a device is refused before connecting", async () => {
    const run = await runBench(["-p", "1", "-t", "set", "-n", "10", "--metrics-snapshot", "/dev/full"]);
    expectExit(run, 2);
    expect(run.stderr).toMatch(/--metrics-snapshot \/dev\/full is not a regular file/);
  });
});
