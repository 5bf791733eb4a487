/**
 * `-o FILE` with `--output-format text|json|csv`: the whole run as one document.
 * text is exactly what the console prints in text mode; csv is the extended CSV (valkey-
 * benchmark's columns plus "errors","issued","errors_per_sec"); json is buildJsonReport's document.
 */
import type { BenchConfig, OutputFormat } from "../config/types.ts";
import type { TestResult } from "../metrics/types.ts";
import { formatCsv, type CsvExtraColumns } from "./csv.ts";
import { buildJsonReport, formatJsonReport, type JsonReportMeta } from "./json.ts";
import { RUN_TRAILER } from "./run.ts";
import { formatTextReport } from "./text.ts";
import { renderHtmlReport } from "./html/html-page.ts";
import { buildReportModel } from "./html/report-model.ts";

export function formatOutputFile(
  format: OutputFormat,
  config: BenchConfig,
  results: TestResult[],
  meta: JsonReportMeta & { cluster?: boolean; sections?: (r: TestResult) => string[]; csvExtraColumns?: CsvExtraColumns },
): string {
  switch (format) {
    case "json":
      return formatJsonReport(buildJsonReport(config, results, meta));
    case "html":
      return renderHtmlReport(buildReportModel([{ path: config.outputFile ?? "run", report: buildJsonReport(config, results, meta) }]));
    case "csv":
      return formatCsv(results, { extended: true, extraColumns: meta.csvExtraColumns });
    case "text":
      return results.map((r) => formatTextReport(r, { servers: meta.servers, cluster: meta.cluster, sections: meta.sections })).join("") + RUN_TRAILER;
  }
}
