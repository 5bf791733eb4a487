/**
 * The command line that reproduces a chosen trial as an ordinary run: the user's own arguments
 * without the optimizer's flags and the output file, with the trial's parameters, -t (the
 * measured test), -n and --warmup set as the trial ran them. The password never appears.
 */
import { flagOfSpelling } from "../cli/tokenize.ts";
import { PROGRAM_NAME } from "../cli/command.ts";
import type { FlagName } from "../config/flags.ts";
import type { BenchConfig } from "../config/types.ts";
import { configSecrets, REDACTED, redactString } from "../report/redact.ts";

/** Flags replaced by the trial's values or meaningless for one run. */
const DROPPED: ReadonlySet<FlagName> = new Set<FlagName>([
  "optimize",
  "sweep",
  "objective",
  "constraint",
  "tune",
  "tuneRebuild",
  "maxOptimizeIterations",
  "tolerance",
  "output",
  "outputFormat",
  "tests",
  "requests",
  "warmup",
  "clients",
  "pipeline",
  "threads",
  "efSearch",
  "hnswM",
  "efConstruction",
  "dropIndex",
  "recreateIndex",
  "reload",
]);

const SAFE = /^[A-Za-z0-9_./:=,@%+-]+$/;

export function shellQuote(token: string): string {
  return SAFE.test(token) ? token : `'${token.replace(/'/g, `'\\''`)}'`;
}

/** The argv's option tokens, each with the flag it belongs to, and the custom command after them. */
function splitArgv(argv: readonly string[]): { options: { name?: FlagName; tokens: string[] }[]; command: string[] } {
  const options: { name?: FlagName; tokens: string[] }[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === "--") return { options, command: argv.slice(i) };
    if (!token.startsWith("-") || token === "-") break;
    const exact = flagOfSpelling(token);
    if (exact) {
      if (exact.flag.kind === "boolean" || i + 1 >= argv.length) options.push({ name: exact.name, tokens: [token] });
      else options.push({ name: exact.name, tokens: [token, argv[++i]!] });
      continue;
    }
    const eq = token.indexOf("=");
    const named = eq > 2 ? flagOfSpelling(token.slice(0, eq)) : token.startsWith("--no-") ? flagOfSpelling(`--${token.slice(5)}`) : undefined;
    options.push(named ? { name: named.name, tokens: [token] } : { tokens: [token] });
  }
  return { options, command: argv.slice(i) };
}

function redactOption(name: FlagName | undefined, tokens: string[], secrets: string[]): string[] {
  if (name === "password") return tokens.length === 2 ? [tokens[0]!, REDACTED] : [tokens[0]!.replace(/=.*$/, `=${REDACTED}`)];
  return tokens.map((t) => redactString(t, secrets));
}

/**
 * `trial` is the configuration the chosen trial ran with (src/optimize/trial-config.ts);
 * `tuned` names the flags the optimizer set. `rebuilt`: the index was re-created for the trial.
 */
export function reproduceCommand(argv: readonly string[], trial: BenchConfig, tuned: ReadonlySet<string>, rebuilt: boolean): string {
  // The password and a custom command's secrets (AUTH arguments, a -x value...).
  const secrets = configSecrets(trial);
  const { options, command } = splitArgv(argv);
  const out: string[] = [PROGRAM_NAME];
  for (const o of options) {
    if (o.name !== undefined && DROPPED.has(o.name)) continue;
    out.push(...redactOption(o.name, o.tokens, secrets));
  }
  if (command.length === 0 && trial.tests.length > 0) out.push("-t", trial.tests.join(","));
  out.push("-c", String(trial.clients));
  if (trial.pipeline !== 1 || tuned.has("pipeline")) out.push("-P", String(trial.pipeline));
  if (trial.threads !== 1 || tuned.has("threads")) out.push("--threads", String(trial.threads));
  const s = trial.search;
  if (s.efSearch !== undefined) out.push("--ef-search", String(s.efSearch));
  if (s.hnswM !== undefined) out.push("--hnsw-m", String(s.hnswM));
  if (s.efConstruction !== undefined) out.push("--ef-construction", String(s.efConstruction));
  if (rebuilt) out.push("--recreate-index");
  if (trial.durationSec === undefined) out.push("-n", String(trial.requests));
  if (trial.warmup) out.push("--warmup", trial.warmup.kind === "seconds" ? `${trial.warmup.seconds}s` : `${trial.warmup.requests}r`);
  out.push(...command.map((t) => redactString(t, secrets)));
  return out.map(shellQuote).join(" ");
}
