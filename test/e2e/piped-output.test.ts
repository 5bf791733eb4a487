// A report piped into a slow reader arrives whole: the process waits until stdout has drained
// before it exits (the compiled binary cut a JSON report at exactly 64 or 128 KiB before), and a
// reader that goes away early (`| head -c 5`) ends the run without a stack trace.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireBinary } from "../support/run-cli.ts";
import { startValkey, type ValkeyServer } from "../support/valkey.ts";

let server: ValkeyServer;
let outDir: string;

beforeAll(async () => {
  server = await startValkey();
  outDir = mkdtempSync(join(tmpdir(), "vsb-e2e-piped-"));
});
afterAll(async () => {
  await server.stop();
  rmSync(outDir, { recursive: true, force: true });
});

/** Runs `sh -c script` with the binary as $BIN; resolves with its exit code and stderr. */
async function shell(script: string): Promise<{ code: number; stderr: string }> {
  const proc = Bun.spawn(["sh", "-c", script], { env: { ...process.env, BIN: requireBinary(), NO_COLOR: "1" }, stdout: "ignore", stderr: "pipe", timeout: 60_000 });
  const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
  return { code, stderr };
}

describe("stdout into a pipe", () => {
  test("a JSON report over 128 KiB read by a slow reader is complete and parses", async () => {
    const file = join(outDir, "report.json");
    // A 100 KB argument makes the report large (the config keeps it, in the command and its steps).
    const big = "x".repeat(100_000);
    const run = await shell(`"$BIN" -p ${server.port} -n 200 -c 2 --output-format json SET a ${big} | (sleep 2; cat) > ${file}; exit $(( $? ))`);
    expect(run.code).toBe(0);
    const text = readFileSync(file, "utf8");
    expect(text.length).toBeGreaterThan(200_000);
    const report = JSON.parse(text) as { tests: { requests: { completed: number } }[] };
    expect(report.tests[0]?.requests.completed).toBe(200);
  }, 60_000);

  test("a reader that closes early ends the run quietly (no EPIPE trace)", async () => {
    const run = await shell(`"$BIN" -p ${server.port} -n 2000 -c 2 -t set,get,incr | head -c 5 > /dev/null`);
    expect(run.code).toBe(0);
    expect(run.stderr).not.toMatch(/EPIPE|at .*:\d+:\d+/);
  }, 60_000);
});
