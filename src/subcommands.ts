/** Subcommands of the binary (`dataset ...`, `compare`, `merge`, `report`). */
import { UserError } from "./errors.ts";

export async function runSubcommand(name: string, argv: string[]): Promise<number> {
  if (name === "dataset") {
    const { runDatasetCommand } = await import("./cli/dataset/index.ts");
    return runDatasetCommand(argv);
  }
  if (name === "compare") {
    const { runCompareCommand } = await import("./cli/compare-command.ts");
    return runCompareCommand(argv);
  }
  if (name === "report") {
    const { runReportCommand } = await import("./cli/report-command.ts");
    return runReportCommand(argv);
  }
  if (name === "merge") {
    const { runMergeCommand } = await import("./cli/merge-command.ts");
    return runMergeCommand(argv);
  }
  throw new UserError(`unknown subcommand '${name}' (see --help for the subcommands)`);
}
