/**
 * The citty definition of the command: name, version, description, the flags (generated from
 * src/config/flags.ts) and the subcommands. parse-cli.ts parses argv with its own tokenizer
 * (see tokenize.ts for why) but takes every name, description and subcommand from here.
 *
 * Subcommands are metadata only: parseCli returns `{ kind: "subcommand" }` and the entry point
 * runs the subcommand's own module, so this file does not depend on them.
 */
import { defineCommand, type ArgsDef, type CommandMeta, type Resolvable, type SubCommandsDef } from "citty";
import pkg from "../../package.json" with { type: "json" };
import { FLAGS, type FlagSpec } from "../config/flags.ts";

export const PROGRAM_NAME = "valkey-search-benchmark";
export const VERSION: string = pkg.version;

function cittyArgs(): ArgsDef {
  const args: ArgsDef = {};
  for (const flag of Object.values(FLAGS) as FlagSpec<unknown>[]) {
    const alias = [...(flag.short === undefined ? [] : [flag.short]), ...(flag.aliases ?? [])];
    // No citty `default`: defaults are typed values resolved by src/config (the seed's is the
    // clock), and citty would treat a default as given text.
    args[flag.long] =
      flag.kind === "boolean"
        ? { type: "boolean", alias, description: flag.help }
        : { type: "string", alias, description: flag.help, valueHint: flag.valueHint };
  }
  args.customCommand = { type: "positional", required: false, description: "Custom command and its arguments" };
  return args;
}

export const benchCommand = defineCommand({
  meta: {
    name: PROGRAM_NAME,
    version: VERSION,
    description: pkg.description,
  },
  args: cittyArgs(),
  subCommands: {
    dataset: defineCommand({
      meta: { name: "dataset", description: "Prepare and inspect vector datasets (see: dataset --help)" },
    }),
    report: defineCommand({
      meta: { name: "report", description: "Self-contained HTML report of one or more JSON reports: report RUN.json... -o REPORT.html (see: report --help)" },
    }),
    merge: defineCommand({
      meta: { name: "merge", description: "Combine the JSON reports of --shard I/N processes into one (see: merge --help)" },
    }),
    compare: defineCommand({
      meta: { name: "compare", description: "Regression gate: compare BASE.json NEW.json per test, exit 1 past --max-regression (see: compare --help)" },
    }),
  },
});

export async function resolveMeta(meta: Resolvable<CommandMeta> | undefined): Promise<CommandMeta> {
  const value = typeof meta === "function" ? await meta() : await meta;
  return value ?? {};
}

export interface SubcommandInfo {
  name: string;
  description: string;
  hidden: boolean;
}

/** Subcommand names and descriptions, in definition order (hidden ones included). */
export async function subcommands(): Promise<SubcommandInfo[]> {
  const defs: SubCommandsDef =
    (typeof benchCommand.subCommands === "function"
      ? await benchCommand.subCommands()
      : await benchCommand.subCommands) ?? {};
  const list: SubcommandInfo[] = [];
  for (const [name, def] of Object.entries(defs)) {
    const resolved = typeof def === "function" ? await def() : await def;
    const meta = await resolveMeta(resolved.meta);
    list.push({ name, description: meta.description ?? "", hidden: meta.hidden === true });
  }
  return list;
}
