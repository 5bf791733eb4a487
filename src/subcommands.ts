/** Subcommands of the binary (`dataset ...`), run with citty. */
import { runCommand } from "citty";
import { datasetCommand } from "./cli/dataset-command.ts";
import { UserError } from "./errors.ts";

export async function runSubcommand(name: string, argv: string[]): Promise<number> {
  if (name === "dataset") {
    await runCommand(datasetCommand, { rawArgs: argv });
    return 0;
  }
  throw new UserError(`unknown subcommand '${name}'; the only subcommand is 'dataset' (see --help)`);
}
