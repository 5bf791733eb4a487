#!/usr/bin/env bun
/**
 * Entry point of the valkey-search-benchmark binary. Parses the command line, dispatches to the
 * benchmark or a subcommand, and turns user-facing errors into one line and an exit code.
 * Nothing below prints a stack trace for an error the user can fix.
 */
import { parseCli } from "./cli/parse-cli.ts";
import { UserError } from "./errors.ts";
import { ConnectionError } from "./net/errors.ts";
import { runOptimize } from "./optimize/run-optimize.ts";
import { runBenchmark, type Io } from "./run-benchmark.ts";
import { runSubcommand } from "./subcommands.ts";
import { log, LogLevels } from "./log.ts";
import { WORKLOADS } from "./workloads/index.ts";
import { exitWhenFlushed, trackStdio } from "./stdio.ts";
import { normalJitPolicy } from "./jit-tiers.ts";

trackStdio();

const io: Io = { log, stdout: process.stdout };
const out = (s: string) => void process.stdout.write(s.endsWith("\n") ? s : s + "\n");

async function main(argv: string[]): Promise<number> {
  const parsed = await parseCli(argv);
  switch (parsed.kind) {
    case "help":
    case "version":
      out(parsed.text);
      return 0;
    case "subcommand":
      // The subcommand is the work: the JIT compiles it as usual (see src/jit-tiers.ts).
      normalJitPolicy();
      return runSubcommand(parsed.name, parsed.argv);
    case "bench":
      if (parsed.config.verbose) log.level = LogLevels.debug;
      if (parsed.config.optimize) return runOptimize(parsed.config, argv, io, WORKLOADS);
      return runBenchmark(parsed.config, io, WORKLOADS);
  }
}

function report(e: unknown): number {
  if (e instanceof UserError) {
    log.error(`${e.message}`);
    return e.exitCode;
  }
  if (e instanceof ConnectionError) {
    log.error(`${e.message}`);
    return 1;
  }
  const err = e as { message?: string; name?: string; exitCode?: number };
  if (typeof err?.exitCode === "number" && err.message) {
    log.error(`${err.message}`);
    return err.exitCode;
  }
  log.error(`${err?.message ?? String(e)} (unexpected; please report it with the command line you used)`);
  if (process.env.VSB_DEBUG) console.error(e);
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => exitWhenFlushed(code),
  (e) => exitWhenFlushed(report(e)),
);
