/**
 * Splits argv into flag values and the custom command, the way valkey-benchmark reads it:
 *
 * - Options come first. The first token that is not an option (does not start with `-`, or is a
 *   lone `-`) starts the custom command; it and everything after it belong to the command, even
 *   tokens that look like options (`SET k -1`, `CONFIG GET --x`). `--` also ends the options.
 * - Short flags are single tokens with their value in the next token: `-n 1000`, `-P 16`, `-3`,
 *   `-x`. No bundling (`-qx`) and no attached values (`-n1000`), as in valkey-benchmark.
 * - Long flags: `--name value` or `--name=value`; boolean ones take no value, `--name=false` and
 *   `--no-name` turn them off.
 * - The value of a flag is the next token verbatim, even if it starts with `-` (`-a -secret`).
 * - `--help` and `--version` anywhere among the options win over everything else.
 *
 * Values stay text here; src/config/schema.ts validates them.
 */
import type { FlagOccurrence } from "../config/flag-reader.ts";
import { FLAGS, type FlagName, type FlagSpec } from "../config/flags.ts";
import { didYouMean } from "../config/suggest.ts";
import { foreignFlagNote } from "./foreign-flags.ts";
import { UserError } from "../errors.ts";

export interface TokenizedArgs {
  kind: "args";
  /** Occurrences per flag, in command-line order. */
  flags: Map<FlagName, FlagOccurrence[]>;
  /** The custom command: every token from the first non-option on. Empty when none. */
  command: string[];
  /** Number of argv tokens before the command (for the subcommand rule). */
  optionTokens: number;
  /** True when `--` ended the options (the command can then not be a subcommand). */
  afterDoubleDash: boolean;
}

export type Tokenized = TokenizedArgs | { kind: "help" } | { kind: "version" };

interface Spelling {
  name: FlagName;
  flag: FlagSpec<unknown>;
}

/** Every accepted spelling (`-P`, `--pipeline`, `--tls-cert`) to its flag. */
function spellings(): Map<string, Spelling> {
  const map = new Map<string, Spelling>();
  for (const [name, flag] of Object.entries(FLAGS) as [FlagName, FlagSpec<unknown>][]) {
    map.set(`--${flag.long}`, { name, flag });
    if (flag.short !== undefined) map.set(`-${flag.short}`, { name, flag });
    for (const alias of flag.aliases ?? []) map.set(`--${alias}`, { name, flag });
  }
  return map;
}

const SPELLINGS = spellings();

/** The flag a token spells exactly (`-P`, `--pipeline`, an alias), if any. */
export function flagOfSpelling(token: string): { name: FlagName; flag: FlagSpec<unknown> } | undefined {
  return SPELLINGS.get(token);
}

export function tokenize(argv: readonly string[]): Tokenized {
  const flags = new Map<FlagName, FlagOccurrence[]>();
  const add = (name: FlagName, occurrence: FlagOccurrence) => {
    const list = flags.get(name);
    if (list === undefined) flags.set(name, [occurrence]);
    else list.push(occurrence);
  };

  let i = 0;
  for (; i < argv.length; i++) {
    const token = argv[i];
    if (token === "--") {
      return { kind: "args", flags, command: argv.slice(i + 1), optionTokens: i + 1, afterDoubleDash: true };
    }
    if (!token.startsWith("-") || token === "-") break;
    if (token === "--help") return { kind: "help" };
    if (token === "--version") return { kind: "version" };

    const exact = SPELLINGS.get(token);
    if (exact !== undefined) {
      if (exact.flag.kind === "boolean") {
        add(exact.name, { spelling: token, value: true });
        continue;
      }
      if (exact.flag.arity === 2) {
        if (i + 2 >= argv.length || argv[i + 1]!.startsWith("-") || argv[i + 2]!.startsWith("-")) throw missingValue(token, exact.flag);
        add(exact.name, { spelling: token, value: `${argv[i + 1]} ${argv[i + 2]}` });
        i += 2;
        continue;
      }
      if (i + 1 >= argv.length) throw missingValue(token, exact.flag);
      add(exact.name, { spelling: token, value: argv[++i] });
      continue;
    }

    const equals = token.indexOf("=");
    if (token.startsWith("--") && equals > 2) {
      const spelling = token.slice(0, equals);
      const known = SPELLINGS.get(spelling);
      if (known !== undefined) {
        add(known.name, { spelling, value: token.slice(equals + 1) });
        continue;
      }
    }

    if (token.startsWith("--no-")) {
      const positive = SPELLINGS.get(`--${token.slice(5)}`);
      if (positive !== undefined && positive.flag.kind === "boolean") {
        add(positive.name, { spelling: token, value: false });
        continue;
      }
    }

    const typed = equals > 2 && token.startsWith("--") ? token.slice(0, equals) : token;
    const foreign = foreignFlagNote(typed);
    throw new UserError(
      `unknown option ${typed}${foreign || didYouMean(typed, [...SPELLINGS.keys(), "--help", "--version"])} (see --help)`,
    );
  }
  return { kind: "args", flags, command: argv.slice(i), optionTokens: i, afterDoubleDash: false };
}

function missingValue(spelling: string, flag: FlagSpec<unknown>): UserError {
  if (spelling === "-h") {
    return new UserError("-h needs a host name (-h is the server host, as in valkey-benchmark; help is --help)");
  }
  return new UserError(`${spelling} needs a value: ${spelling} <${flag.valueHint ?? "value"}>`);
}
