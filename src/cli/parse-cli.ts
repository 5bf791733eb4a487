/**
 * The command line to a validated BenchConfig, help text, version text, or a subcommand hand-off.
 * Invalid input throws UserError (exit code 2); the entry point prints `error: <message>`.
 */
import type { BenchConfig } from "../config/types.ts";
import { FlagReader } from "../config/flag-reader.ts";
import { buildConfig } from "../config/schema.ts";
import { UserError } from "../errors.ts";
import { PROGRAM_NAME, subcommands, VERSION } from "./command.ts";
import { renderHelp } from "./help.ts";
import { readStdinUpTo } from "./read-stdin.ts";
import { tokenize } from "./tokenize.ts";

export type ParsedCli =
  | { kind: "bench"; config: BenchConfig }
  | { kind: "help"; text: string }
  | { kind: "version"; text: string }
  /** `dataset ...`: `argv` is everything after the subcommand name. */
  | { kind: "subcommand"; name: string; argv: string[] };

export interface CliIo {
  /** Reads standard input (for `-x`), at most a little over `maxBytes`; defaults to Bun's stdin. */
  stdin?: (maxBytes: number) => Promise<string>;
  /** Cores for `--threads auto`; defaults to navigator.hardwareConcurrency. */
  cores?: number;
  /** Clock for the default seed; defaults to Date.now. */
  nowMs?: () => number;
}

/** `argv` is the arguments after the program name (process.argv.slice(2) / Bun.argv.slice(2)). */
export async function parseCli(argv: readonly string[], io: CliIo = {}): Promise<ParsedCli> {
  const tokens = tokenize(argv);
  if (tokens.kind === "help") return { kind: "help", text: await renderHelp() };
  if (tokens.kind === "version") return { kind: "version", text: `${PROGRAM_NAME} ${VERSION}` };

  const first = tokens.command[0];
  if (first !== undefined && !tokens.afterDoubleDash) {
    const sub = (await subcommands()).find((candidate) => candidate.name === first);
    if (sub !== undefined) {
      if (tokens.optionTokens > 0) {
        throw new UserError(
          `options before '${sub.name}' are not used by it; put them after: ${PROGRAM_NAME} ${sub.name} [OPTIONS]`,
        );
      }
      return { kind: "subcommand", name: sub.name, argv: tokens.command.slice(1) };
    }
  }

  const config = await buildConfig(new FlagReader(tokens.flags), {
    command: tokens.command,
    readStdin: io.stdin ?? readStdinUpTo,
    cores: io.cores ?? navigator.hardwareConcurrency,
    nowMs: io.nowMs ?? Date.now,
  });
  return { kind: "bench", config };
}
