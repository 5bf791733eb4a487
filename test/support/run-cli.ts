// Runs valkey-search-benchmark as a subprocess, the way a user does, for end-to-end tests.
//
//   const run = await runBench(["-p", String(server.port), "-t", "set", "-n", "1000", "-q"]);
//   expect(run.code).toBe(0);
//
// Every run has a deadline after which the process is SIGKILLed, so a hang fails the test with
// the output so far instead of stalling the suite.

import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { JsonReport } from "../../src/report/json.ts";
import { jsonReportProblems } from "../../src/report/json-schema.ts";
import type { ValkeyServer } from "./valkey.ts";

/** The repository root: runs use it as their working directory. */
export const REPO_ROOT = resolve(import.meta.dir, "../..");
/** The compiled binary `npm run build` produces. */
export const BINARY_PATH = resolve(REPO_ROOT, "dist/valkey-search-benchmark");

const DEFAULT_TIMEOUT_MS = 20_000;

export interface RunOptions {
  /** Text or bytes written to the process's stdin (then closed); stdin is empty otherwise. */
  stdin?: string | Uint8Array;
  /** Kill the process (SIGKILL) after this long; default 20 s. */
  timeoutMs?: number;
  /** Run this executable instead of `bun src/main.ts` (e.g. the compiled binary). */
  executable?: string;
  /** Working directory (default: the repository root). */
  cwd?: string;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  /** Exit code, or null when the process was killed by a signal. */
  code: number | null;
  /** True when the deadline killed the process. */
  timedOut: boolean;
  /** The arguments, for failure messages. */
  args: string[];
}

/** The argv that starts the CLI from source with the Bun running the tests. */
function commandLine(args: string[], executable?: string): string[] {
  return executable ? [executable, ...args] : [process.execPath, "src/main.ts", ...args];
}

/** Starts the CLI and returns the process, for tests that must act while it runs. */
export function spawnBench(args: string[], opts: RunOptions = {}) {
  return Bun.spawn(commandLine(args, opts.executable), {
    cwd: opts.cwd ?? REPO_ROOT,
    stdin: opts.stdin === undefined ? "ignore" : new Blob([opts.stdin]),
    stdout: "pipe",
    stderr: "pipe",
    timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    killSignal: "SIGKILL",
    // NO_COLOR keeps consola from decorating the one-line errors the tests read.
    env: { ...process.env, NO_COLOR: "1" },
  });
}

/** Runs the CLI to completion (or to its deadline) and collects its output and exit code. */
export function runBench(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return collectRun(spawnBench(args, opts), args);
}

/** Waits for a process from spawnBench to end (or be killed at its deadline) and collects it. */
export async function collectRun(proc: ReturnType<typeof spawnBench>, args: string[]): Promise<RunResult> {
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  const timedOut = proc.signalCode === "SIGKILL";
  return { stdout, stderr, code: proc.signalCode ? null : code, timedOut, args };
}

/** A one-paragraph description of a run for assertion messages. */
export function describeRun(run: RunResult): string {
  return `args: ${run.args.join(" ")}\nexit: ${run.code}${run.timedOut ? " (killed at deadline)" : ""}\nstdout: ${run.stdout.slice(0, 2000)}\nstderr: ${run.stderr.slice(0, 2000)}`;
}

/** Throws with the run's output unless it exited with `code`. */
export function expectExit(run: RunResult, code: number): void {
  if (run.code !== code) throw new Error(`expected exit ${code}\n${describeRun(run)}`);
}

/** Parses a run's stdout as the JSON report (`--output-format json`); throws unless it follows the published schema. */
export function parseJsonReport(text: string): JsonReport {
  const doc = JSON.parse(text) as unknown;
  const problems = jsonReportProblems(doc);
  if (problems.length > 0) throw new Error(`the JSON report does not follow docs/json-schema.md:\n${problems.slice(0, 10).join("\n")}`);
  return doc as JsonReport;
}

/** The compiled binary's path, or a clear error when `npm run build` has not produced it. */
export function requireBinary(): string {
  if (!existsSync(BINARY_PATH)) {
    throw new Error(`${BINARY_PATH} is missing: run \`npm run build\` first (scripts/test.sh builds it before bun test)`);
  }
  return BINARY_PATH;
}

/** Polls `check` every 25 ms until it returns true or `timeoutMs` passes (then throws `what`). */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await Bun.sleep(25);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Empties every database and zeroes INFO stats/commandstats, so a test sees only its own run. */
export async function resetServer(server: ValkeyServer): Promise<void> {
  await server.cli("FLUSHALL");
  await server.cli("CONFIG", "RESETSTAT");
}

/** Calls of one command the server counted since the last reset ("set", "client|tracking"). */
export async function callsOf(server: ValkeyServer, command: string): Promise<number> {
  return (await server.commandstats())[command]?.calls ?? 0;
}
