/** Subcommands of the binary (`dataset ...`). */
import { UserError } from "./errors.ts";

export async function runSubcommand(name: string, argv: string[]): Promise<number> {
  if (name === "dataset") {
    const { runDatasetCommand } = await import("./cli/dataset-command.ts");
    return runDatasetCommand(argv);
  }
  throw new UserError(`unknown subcommand '${name}'; the only subcommand is 'dataset' (see --help)`);
}
