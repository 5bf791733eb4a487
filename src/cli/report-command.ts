/** `valkey-search-benchmark report RUN.json [RUN.json ...] -o report.html`. */
import { readFileSync } from "node:fs";
import { checkOutputFile } from "../config/output-target.ts";
import { UserError } from "../errors.ts";
import { renderHtmlReport } from "../report/html/html-page.ts";
import { buildReportModel, type RunInput } from "../report/html/report-model.ts";
import { loadRunFile } from "../results/run-file.ts";
import { parseResultsArgs } from "./results-args.ts";

export const REPORT_USAGE = `Usage: valkey-search-benchmark report RUN.json [RUN.json ...] -o REPORT.html [--title TEXT]

Writes one self-contained HTML file (no network needed to view it): throughput and p50/p99 over
time, the latency percentile spectrum on HdrHistogram's log axis (runs overlaid), per-node
throughput and p99 with the imbalance marked, server metrics over time when sampled, recall
distribution and recall-vs-QPS (with the Pareto front of optimizer and sweep files), and the
configuration of every run side by side with the differences highlighted.

  -o, --output FILE   the HTML file to write (required)
  --title TEXT        the page title (default: valkey-search-benchmark report)
`;

/** An ordinary report, merged shards, or an optimizer / sweep document. */
function loadInput(path: string): RunInput {
  let doc: { tool?: string; kind?: string } | undefined;
  try {
    doc = JSON.parse(readFileSync(path, "utf8")) as { tool?: string; kind?: string };
  } catch {
    doc = undefined; // loadRunFile gives the precise message
  }
  if (doc?.tool === "valkey-search-benchmark" && doc.kind === "optimize") return { path, report: doc as RunInput["report"] };
  return loadRunFile(path);
}

export async function runReportCommand(argv: string[]): Promise<number> {
  const args = parseResultsArgs("report", argv, { "-o": "output", "--output": "output", "--title": "title" });
  if (args.help) {
    process.stdout.write(REPORT_USAGE);
    return 0;
  }
  if (args.files.length === 0) throw new UserError("report needs at least one JSON report: report RUN.json [RUN.json ...] -o REPORT.html");
  const out = args.options.get("output");
  if (!out) throw new UserError("report needs -o FILE.html (the report is one HTML file)");
  checkOutputFile(out, "-o", args.files);
  const model = buildReportModel(args.files.map(loadInput));
  await Bun.write(out, renderHtmlReport(model, args.options.get("title")));
  return 0;
}
