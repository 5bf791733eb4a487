// Inputs that size memory are bounded before connecting (exit 2 naming the flags): a repeat
// count that expanded to 100 million commands reached 9.4 GB, -P 1000000000 ran out of memory,
// and -x read /dev/zero until the machine gave up.

import { describe, expect, test } from "bun:test";
import { parseCli } from "../../src/cli/parse-cli.ts";
import { encodedCommandBytes, MAX_SEQUENCE_COMMANDS } from "../../src/config/memory-budget.ts";
import { UserError } from "../../src/errors.ts";
import { expectExit } from "../support/run-cli.ts";

async function rejection(argv: string[], stdin?: (max: number) => Promise<string>): Promise<UserError> {
  try {
    await parseCli(argv, { stdin: stdin ?? (async () => { throw new Error("stdin must not be read"); }), cores: 2, nowMs: () => 1 });
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error(`expected ${argv.join(" ")} to be rejected`);
}

describe("memory bounds, checked before connecting", () => {
  test("a repeat count beyond the sequence limit names the count", async () => {
    const e = await rejection(["100000000", "SET", "a", "b"]);
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain("expands to 100000000 commands (repeat count 100000000 before SET)");
    expect(e.message).toContain(`more than the ${MAX_SEQUENCE_COMMANDS}`);
  });

  test("repeat counts are summed over the steps", async () => {
    const e = await rejection(["60000", "INCR", "a", ";", "60000", "GET", "a"]);
    expect(e.message).toContain("expands to 120000 commands");
  });

  test("-P 1000000000 names -c, -P and -d with the bytes needed", async () => {
    const e = await rejection(["-P", "1000000000", "-t", "get"]);
    expect(e.message).toMatch(/^-c 50 x -P 1000000000 x \d+ bytes per request needs [\d.]+ TiB of send buffers, more than the 2\.0 GiB budget: lower -c, -P or -d$/);
  });

  test("-c x -d beyond the budget", async () => {
    const e = await rejection(["-c", "50", "-d", "100000000", "-t", "set"]);
    expect(e.message).toContain("-c 50 x -P 1 x 95.4 MiB per request needs 4.7 GiB");
  });

  test("a custom command's size counts its __data__ payloads", async () => {
    expect(encodedCommandBytes(["SET", "k", "__data__"], 1000)).toBe(encodedCommandBytes(["SET", "k", "x".repeat(1000)], 0));
    const e = await rejection(["-c", "100", "-P", "100", "-d", "1000000", "SET", "k", "__data__"]);
    expect(e.message).toMatch(/^-c 100 x -P 100 x .* lower -c, -P or the command's size$/);
  });

  test("-x reads at most what fits and says the limit; the reader is told the limit", async () => {
    let asked = -1;
    const e = await rejection(["-c", "50", "-x", "SET", "a"], async (max) => {
      asked = max;
      return "z".repeat(max + 1);
    });
    expect(asked).toBeGreaterThan(1_000_000);
    expect(asked).toBeLessThan(64 * 1024 * 1024);
    expect(e.message).toMatch(/^-x: standard input is larger than [\d.]+ MiB, the most each of the 50 connections x 1 pipeline slots can hold/);
  });

  test("-x < /dev/zero ends at once with exit 2 instead of reading forever", async () => {
    const proc = Bun.spawn(["sh", "-c", `exec "${process.execPath}" src/main.ts -p 1 -n 10 -x SET a < /dev/zero`], { cwd: `${import.meta.dir}/../..`, stderr: "pipe", stdout: "pipe", timeout: 30_000, killSignal: "SIGKILL" });
    const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
    expectExit({ stdout: "", stderr, code, timedOut: proc.signalCode === "SIGKILL", args: [] }, 2);
    expect(stderr).toContain("-x: standard input is larger than");
  }, 30_000);
});

describe("vector tests: the dataset's dimension sizes the request", () => {
  test("-c 500 -P 1000 with 4096-dimensional vectors is refused before the benchmark connects", async () => {
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { runDatasetCommand } = await import("../../src/cli/dataset/index.ts");
    const { startValkey } = await import("../support/valkey.ts");
    const { runBench } = await import("../support/run-cli.ts");
    const dir = mkdtempSync(join(tmpdir(), "vsb-budget-"));
    const server = await startValkey();
    try {
      const dataset = join(dir, "d.bin");
      const log = console.log;
      console.log = () => {};
      try {
        await runDatasetCommand(["generate", "-o", dataset, "--dim", "4096", "--num-vectors", "20", "--num-queries", "2", "--k", "2"]);
      } finally {
        console.log = log;
      }
      const run = await runBench(["-p", String(server.port), "-t", "vec-load", "--dataset", dataset, "-c", "500", "-P", "1000"]);
      expectExit(run, 2);
      expect(run.stderr).toContain("-c 500 x -P 1000 x 16.5 KiB per request needs 7.9 GiB of send buffers, more than the 2.0 GiB budget: lower -c, -P or the dataset's dimension (4096)");
      expect(await server.cli("DBSIZE")).toBe("0");
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
