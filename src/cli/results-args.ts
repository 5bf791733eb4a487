/**
 * The small argument parser of the results subcommands (`compare`, `merge`, `report`):
 * positional file names plus a few `--name value` / `-o value` options. An unknown option or a
 * missing value is a one-line UserError naming it.
 */
import { UserError } from "../errors.ts";

export interface ResultsArgs {
  files: string[];
  options: Map<string, string>;
  help: boolean;
}

/** `known` maps every accepted spelling (`-o`, `--output`) to the option's name. */
export function parseResultsArgs(command: string, argv: string[], known: Record<string, string>): ResultsArgs {
  const files: string[] = [];
  const options = new Map<string, string>();
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--help" || arg === "-h") {
      help = true;
      continue;
    }
    if (arg === "--") {
      files.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith("-") && arg !== "-") {
      const eq = arg.indexOf("=");
      const spelling = eq > 0 ? arg.slice(0, eq) : arg;
      const name = known[spelling];
      if (!name) throw new UserError(`${command}: unknown option ${spelling} (see ${command} --help)`);
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || value === "") throw new UserError(`${command}: ${spelling} needs a value`);
      options.set(name, value);
      continue;
    }
    files.push(arg);
  }
  return { files, options, help };
}
