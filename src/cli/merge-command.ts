/** `valkey-search-benchmark merge shard-*.json [-o all.json]`. */
import { checkOutputFile } from "../config/output-target.ts";
import { UserError } from "../errors.ts";
import { mergeRuns } from "../results/merge-runs.ts";
import { loadRunFile } from "../results/run-file.ts";
import { parseResultsArgs } from "./results-args.ts";

export const MERGE_USAGE = `Usage: valkey-search-benchmark merge SHARD.json SHARD.json... [-o ALL.json]

Combines the JSON reports of the shards of one run (--shard I/N) into the report one process
would have written: counts and errors summed, latency histograms added exactly, throughput over
the common window (first shard start to last shard end), per-node tables merged, recall as the
mean over all queries of all shards, timelines merged interval by interval. Files of different
configurations or tests are refused (exit 2) naming the differing field.

  -o, --output FILE   write the merged JSON here (default: standard output)
`;

export async function runMergeCommand(argv: string[]): Promise<number> {
  const args = parseResultsArgs("merge", argv, { "-o": "output", "--output": "output" });
  if (args.help) {
    process.stdout.write(MERGE_USAGE);
    return 0;
  }
  if (args.files.length < 2) throw new UserError(`merge needs at least two shard files (got ${args.files.length}); a single run needs no merge`);
  const out = args.options.get("output");
  if (out) checkOutputFile(out, "-o", args.files);
  const merged = mergeRuns(args.files.map(loadRunFile));
  const text = JSON.stringify(merged, null, 2) + "\n";
  if (out) await Bun.write(out, text);
  else process.stdout.write(text);
  return 0;
}
