/**
 * `dataset --help` and `dataset SUBCOMMAND --help` in the layout of the main `--help`
 * (src/cli/help.ts): plain text, flags in a left column with `<value>` hints, descriptions
 * wrapped under one column, `(default: X)` at the end.
 */
import type { ArgDef, ArgsDef, CommandDef } from "citty";
import { PROGRAM_NAME } from "../command.ts";
import { entry } from "../help.ts";

const MAX_FLAG_COLUMN = 34;

function flagColumn(name: string, def: ArgDef): string {
  if (def.type === "positional") return name.toUpperCase();
  const alias = "alias" in def && def.alias ? [def.alias].flat().map((a) => `-${a}`) : [];
  const names = [...alias, `--${name}`].join(", ");
  if (def.type === "boolean") return names;
  return `${names} <${("valueHint" in def && def.valueHint) || name}>`;
}

function describe(def: ArgDef): string {
  const text = def.description ?? "";
  return "default" in def && def.default !== undefined ? `${text} (default: ${String(def.default)})` : text;
}

export function renderDatasetHelp(parent: { description: string }, subcommands: Record<string, CommandDef>, name?: string): string {
  const sub = name === undefined ? undefined : subcommands[name];
  if (!sub) {
    const column = Math.min(MAX_FLAG_COLUMN, Math.max(...Object.keys(subcommands).map((n) => n.length)));
    return [
      `${PROGRAM_NAME} dataset: ${parent.description}`,
      "",
      `Usage: ${PROGRAM_NAME} dataset SUBCOMMAND [OPTIONS]`,
      "",
      "Subcommands:",
      ...Object.entries(subcommands).flatMap(([n, c]) => entry(n, String((c.meta as { description?: string } | undefined)?.description ?? ""), column)),
      "",
      `Run \`${PROGRAM_NAME} dataset SUBCOMMAND --help\` for its options.`,
      "",
    ].join("\n");
  }
  const args = (sub.args ?? {}) as ArgsDef;
  const entries = Object.entries(args);
  const positional = entries.filter(([, d]) => d.type === "positional").map(([n, d]) => (d.required ? n.toUpperCase() : `[${n.toUpperCase()}]`));
  const column = Math.min(MAX_FLAG_COLUMN, Math.max(...entries.map(([n, d]) => flagColumn(n, d).length), "--help".length));
  return [
    `${PROGRAM_NAME} dataset ${name}: ${String((sub.meta as { description?: string } | undefined)?.description ?? "")}`,
    "",
    `Usage: ${PROGRAM_NAME} dataset ${name} [OPTIONS]${positional.length > 0 ? ` ${positional.join(" ")}` : ""}`,
    "",
    "Options:",
    ...entries.flatMap(([n, d]) => entry(flagColumn(n, d), describe(d), column)),
    ...entry("--help", "Show this help and exit", column),
    "",
  ].join("\n");
}
