/**
 * `valkey-search-benchmark dataset ...`: prepare and inspect vector datasets. One file per
 * subcommand (generate, info, ground-truth, verify, convert), each a thin layer over
 * src/dataset/tools/; their shared flag readers are in args.ts, the help layout in help.ts. Bad
 * input throws UserError (one-line message, exit code 2); the entry point prints it.
 */
import { type ArgDef, type ArgsDef, type CommandDef, defineCommand, runCommand } from "citty";
import { removePendingFiles } from "../../dataset/pending-files.ts";
import { UserError } from "../../dataset/errors.ts";
import { log } from "../../log.ts";
import { exitWhenFlushed } from "../../stdio.ts";
import { exitCodeFor, onStopSignals } from "../../stop-signals.ts";
import { convert } from "./convert.ts";
import { generate } from "./generate.ts";
import { groundTruth } from "./ground-truth.ts";
import { renderDatasetHelp } from "./help.ts";
import { info } from "./info.ts";
import { verify } from "./verify.ts";

const DATASET = { description: "Prepare and inspect vector datasets" };

export const datasetCommand = defineCommand({
  meta: { name: "dataset", description: DATASET.description },
  subCommands: { generate, info, "ground-truth": groundTruth, verify, convert },
});

const SUBCOMMANDS: Record<string, CommandDef> = { generate, info, "ground-truth": groundTruth, verify, convert } as Record<string, CommandDef>;

/**
 * Refuses an option the subcommand does not define (citty ignores it, so a typo like
 * `--num-vector 500` silently ran with the default), as the main parser does.
 */
function checkKnownOptions(name: string, sub: CommandDef, args: string[]): void {
  const defs = (sub.args ?? {}) as ArgsDef;
  const byName = new Map<string, ArgDef>();
  for (const [n, d] of Object.entries(defs)) {
    if (d.type === "positional") continue;
    byName.set(`--${n}`, d);
    if ("alias" in d && d.alias) for (const a of [d.alias].flat()) byName.set(a.length === 1 ? `-${a}` : `--${a}`, d);
  }
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") break;
    if (!arg.startsWith("-") || /^-\d/.test(arg)) continue;
    const eq = arg.indexOf("=");
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    const def = byName.get(flag) ?? (flag.startsWith("--no-") && byName.get(`--${flag.slice(5)}`)?.type === "boolean" ? byName.get(`--${flag.slice(5)}`) : undefined);
    if (!def) throw new UserError(`unknown option ${flag} for dataset ${name} (see dataset ${name} --help)`);
    if (def.type !== "boolean" && eq < 0) i++; // its value
  }
}

/**
 * Runs `dataset ARGV...`: prints usage for --help/-h or no subcommand, and turns citty's parse
 * errors (unknown subcommand, bad flag) into UserError. Returns the exit code.
 */
export async function runDatasetCommand(argv: string[]): Promise<number> {
  const name = argv[0];
  const sub = name === undefined || name.startsWith("-") ? undefined : SUBCOMMANDS[name];
  if (name !== undefined && !name.startsWith("-") && !sub) {
    throw new UserError(`unknown dataset subcommand '${name}'; expected one of ${Object.keys(SUBCOMMANDS).join(", ")}`);
  }
  if (!sub || argv.includes("--help") || argv.includes("-h")) {
    console.log(renderDatasetHelp(DATASET, SUBCOMMANDS, sub ? name : undefined).trimEnd());
    return 0;
  }
  checkKnownOptions(name!, sub, argv.slice(1));
  // SIGINT/SIGTERM: remove the files still being written (x.partial, a dataset without its
  // ground truth yet), then exit 130/143.
  const stopHandlers = onStopSignals(
    (signal) => {
      const removed = removePendingFiles();
      log.warn(`interrupted by ${signal}${removed.length > 0 ? `; removed the unfinished ${removed.join(", ")}` : ""}`);
      void exitWhenFlushed(exitCodeFor(signal));
    },
    (signal) => void exitWhenFlushed(exitCodeFor(signal)),
  );
  try {
    await runCommand(datasetCommand, { rawArgs: argv });
  } catch (e) {
    if (e instanceof Error && e.name === "CLIError") throw new UserError(`dataset ${name}: ${e.message}`);
    throw e;
  } finally {
    stopHandlers();
  }
  return 0;
}
