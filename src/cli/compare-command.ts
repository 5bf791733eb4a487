/** `valkey-search-benchmark compare base.json new.json [--max-regression ...]`. */
import { UserError } from "../errors.ts";
import { compareRuns, DEFAULT_MAX_REGRESSION, formatComparison, parseLimits } from "../results/compare.ts";
import { loadRunFile } from "../results/run-file.ts";
import { parseResultsArgs } from "./results-args.ts";

export const COMPARE_USAGE = `Usage: valkey-search-benchmark compare BASE.json NEW.json [--max-regression LIMITS] [--output-format text|json]

Compares two JSON reports test by test (matched by title): throughput, p50/p99/p99.9 latency
from the full HdrHistograms, and recall for vector queries. Titles that differ only in ef=
(--ef-search) are the same workload and are paired when each run has one such test; the
configuration differences show the ef of each. Exit 0 when no limit is crossed, 1 when one
is, 2 when the files cannot be compared (different tests or datasets).

  --max-regression LIMITS  METRIC=LIMIT,... (default: ${DEFAULT_MAX_REGRESSION})
                           METRIC: throughput, p50, p90, p95, p99, p99.9, p99.99, max, mean, recall
                           LIMIT: relative (5%) or absolute in the metric's unit (2ms, 500req/s, 0.005)
  --output-format FORMAT   text (default) or json
`;

export async function runCompareCommand(argv: string[]): Promise<number> {
  const args = parseResultsArgs("compare", argv, { "--max-regression": "max", "--output-format": "format" });
  if (args.help) {
    process.stdout.write(COMPARE_USAGE);
    return 0;
  }
  if (args.files.length !== 2) throw new UserError(`compare needs exactly two JSON reports (base and new), got ${args.files.length}; see compare --help`);
  const format = args.options.get("format") ?? "text";
  if (format !== "text" && format !== "json") throw new UserError(`compare: --output-format must be text or json (got ${format})`);
  const limits = parseLimits(args.options.get("max") ?? DEFAULT_MAX_REGRESSION);
  const comparison = compareRuns(loadRunFile(args.files[0]!), loadRunFile(args.files[1]!), limits);
  process.stdout.write(format === "json" ? JSON.stringify(comparison, null, 2) + "\n" : formatComparison(comparison));
  return comparison.regressions > 0 ? 1 : 0;
}
