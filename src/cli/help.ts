/**
 * The `--help` page, generated from the flag table (src/config/flags.ts) and the citty command
 * metadata, grouped like the table. Plain text: no colours, so it can be piped and diffed.
 * citty's renderUsage is not used for the page itself: it decides colours from environment
 * variables rather than the terminal, has no option groups and cannot note valkey-benchmark's
 * conventions; name, version, description and subcommands come from the citty command.
 */
import { FLAG_GROUPS, FLAGS, type FlagSpec } from "../config/flags.ts";
import { benchCommand, PROGRAM_NAME, resolveMeta, subcommands } from "./command.ts";

const WIDTH = 100;
const MAX_FLAG_COLUMN = 34;

function flagColumn(flag: FlagSpec<unknown>): string {
  const names = [
    ...(flag.short === undefined ? [] : [`-${flag.short}`]),
    `--${flag.long}`,
    ...(flag.aliases ?? []).map((alias) => `--${alias}`),
  ].join(", ");
  return flag.kind === "boolean" ? names : `${names} <${flag.valueHint ?? "value"}>`;
}

export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}

/** `  -c, --clients <clients>   Parallel ... (default: 50)`, wrapped under the description column. */
export function entry(left: string, description: string, column: number): string[] {
  const indent = " ".repeat(column + 4);
  const body = wrap(description, WIDTH - indent.length);
  const first = `  ${left}`;
  if (first.length + 2 > indent.length) {
    return [first, ...body.map((line) => indent + line)];
  }
  return body.map((line, i) => (i === 0 ? first.padEnd(indent.length) : indent) + line);
}

export async function renderHelp(): Promise<string> {
  const meta = await resolveMeta(benchCommand.meta);
  // Flags accepted only to be refused with their reason are not offered (flags.ts `refused`).
  const flags = (Object.values(FLAGS) as FlagSpec<unknown>[]).filter((flag) => flag.refused === undefined);
  const column = Math.min(MAX_FLAG_COLUMN, Math.max(...flags.map((flag) => flagColumn(flag).length)));
  const visibleSubcommands = (await subcommands()).filter((sub) => !sub.hidden);

  const out: string[] = [
    `${PROGRAM_NAME} ${meta.version ?? ""}: ${meta.description ?? ""}`,
    "",
    `Usage: ${PROGRAM_NAME} [OPTIONS] [COMMAND ARGS...]`,
    ...visibleSubcommands.map((sub) => `       ${PROGRAM_NAME} ${sub.name} ...`),
    "",
    "Options work as in valkey-benchmark: -h is the host (help is --help only), values follow their",
    "flag (-n 1000, --rps=500), and the first argument that is not an option starts the custom command.",
  ];
  for (const group of FLAG_GROUPS) {
    out.push("", `${group}:`);
    for (const flag of flags.filter((candidate) => candidate.group === group)) {
      out.push(...entry(flagColumn(flag), `${flag.help} (default: ${flag.defaultText})`, column));
    }
  }
  out.push(
    "",
    "Other:",
    ...entry("--help", "Show this help and exit", column),
    ...entry("--version", "Print the version and exit", column),
  );
  if (visibleSubcommands.length > 0) {
    out.push("", "Commands:");
    for (const sub of visibleSubcommands) out.push(...entry(sub.name, sub.description, column));
  }
  out.push(
    "",
    "Custom command:",
    "  Everything after the options (or after --) is one command, sent as given; -t is then ignored.",
    "  __rand_int__ becomes a 12-digit number below -r, __rand_1st__ .. __rand_9th__ too (same value",
    "  within one command), __data__ a random -d byte value. ';' arguments separate commands and a",
    "  leading number repeats one: 3 SET a __data__ ';' GET a. Quote ';' from the shell.",
    "",
    "Examples:",
    `  ${PROGRAM_NAME} -h 192.168.1.1 -p 6379 -n 100000 -c 20`,
    `  ${PROGRAM_NAME} -t set,get -n 1000000 -r 100000000 -P 16 --threads 2`,
    `  ${PROGRAM_NAME} -u valkeys://default:secret@cache.example:6380/0 --cacert ca.pem -t get`,
    `  ${PROGRAM_NAME} --duration 30 --warmup 5s --rps 20000 -o run.json -t set`,
    `  ${PROGRAM_NAME} -r 10000 -n 10000 lpush mylist __rand_int__`,
    `  ${PROGRAM_NAME} -t get --duration 30 --interval 1 -o run.json --hdr-log run.hlog`,
    `  ${PROGRAM_NAME} report base.json run.json -o report.html`,
    `  ${PROGRAM_NAME} compare base.json run.json --max-regression throughput=5%,p99=10%`,
    `  ${PROGRAM_NAME} -t get -n 3000000 --shard 0/3 --barrier run7 3 -o s0.json   (1/3, 2/3 elsewhere; then merge s*.json -o all.json)`,
  );
  return `${out.join("\n")}\n`;
}
