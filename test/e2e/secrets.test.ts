// Passwords in a custom command never reach a report: the text title, -q, --csv and the -o
// text, CSV and JSON files all show "***" for AUTH / CONFIG SET requirepass arguments, and a
// -x value is titled by its size (a 100 KB stdin does not become a 100 KB -q line).

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expectExit, runBench } from "../support/run-cli.ts";
import { startValkey, type ValkeyServer } from "../support/valkey.ts";

const PASSWORD = "Hunter2Secret";
let server: ValkeyServer;
let outDir: string;

beforeAll(async () => {
  server = await startValkey({ requirepass: PASSWORD });
  outDir = mkdtempSync(join(tmpdir(), "vsb-e2e-secrets-"));
});
afterAll(async () => {
  await server.stop();
  rmSync(outDir, { recursive: true, force: true });
});

const base = () => ["-p", String(server.port), "-a", PASSWORD, "-n", "50", "-c", "2"];

describe("a password inside a custom command", () => {
  for (const [mode, flags] of [["text", []], ["-q", ["-q"]], ["--csv", ["--csv"]]] as const) {
    test(`AUTH <password> is titled "AUTH ***" in ${mode} output`, async () => {
      const run = await runBench([...base(), ...flags, "AUTH", PASSWORD]);
      expectExit(run, 0);
      expect(run.stdout).toContain("AUTH ***");
      expect(run.stdout + run.stderr).not.toContain(PASSWORD);
    });
  }

  for (const ext of ["txt", "csv", "json"]) {
    test(`-o x.${ext} written for CONFIG SET requirepass does not contain the password`, async () => {
      const file = join(outDir, `run.${ext}`);
      const run = await runBench([...base(), "-q", "-o", file, "CONFIG", "SET", "requirepass", PASSWORD]);
      expectExit(run, 0);
      const written = readFileSync(file, "utf8");
      expect(written).toContain("requirepass ***");
      expect(written + run.stdout + run.stderr).not.toContain(PASSWORD);
    });
  }
});

describe("-x", () => {
  test("the standard input value is titled by its size, never printed", async () => {
    const token = "tok-" + "z".repeat(100_000);
    const run = await runBench([...base(), "-q", "-o", join(outDir, "x.json"), "-x", "SET", "apitoken"], { stdin: token });
    expectExit(run, 0);
    expect(run.stdout).toStartWith("SET apitoken <stdin: 100004 bytes>: ");
    expect(run.stdout.length).toBeLessThan(300);
    expect(readFileSync(join(outDir, "x.json"), "utf8")).not.toContain("zzzzzzzz");
    expect(await server.cli("STRLEN", "apitoken")).toBe("100004");
  });
});
