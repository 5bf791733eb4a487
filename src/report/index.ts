/** Report formats: valkey-benchmark-compatible text, `-q`, `--csv`, JSON, live progress. */
export { formatTextReport, formatErrorTypes, type TextReportOptions } from "./text.ts";
export { formatQuietLine } from "./quiet.ts";
export { formatCsv, formatCsvHeader, formatCsvRow, csvField, type CsvExtraColumns, type CsvOptions } from "./csv.ts";
export {
  buildJsonReport,
  formatJsonReport,
  JSON_SCHEMA_VERSION,
  type JsonReport,
  type JsonReportMeta,
  type JsonTestReport,
  type JsonLatencyMs,
} from "./json.ts";
export { redactConfig, redactValue, redactString, REDACTED } from "./redact.ts";
export {
  createProgress,
  formatProgressLine,
  PROGRESS_INTERVAL_MS,
  type Progress,
  type ProgressSnapshot,
  type ProgressStream,
} from "./progress.ts";
export { latencyStats, type LatencyStatsUs } from "./latency-stats.ts";
export { RUN_TRAILER } from "./run.ts";
export { consoleMode, createConsoleReporter, type ConsoleMode, type ConsoleReporter, type ConsoleReporterOptions } from "./console.ts";
export { formatOutputFile } from "./output-file.ts";
