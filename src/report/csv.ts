/**
 * `--csv`: valkey-benchmark 8.0.1's CSV on stdout, byte for byte: a header, then one row per
 * test with every field quoted, rps with 2 decimals and latencies in ms with 3 (its
 * `--precision` does not change them). The one difference: a `"` inside a title (custom
 * commands) is doubled as RFC 4180 requires; valkey-benchmark writes it raw, breaking the row.
 *
 * The extended form (`--output-format csv -o FILE`) is the same file with two more columns,
 * `"errors","issued","errors_per_sec"`, appended at the end so readers that pick columns by name or by position
 * from the left still work. Runs with vector tests append their columns (recall...) after those,
 * empty in rows they do not apply to.
 */
import type { TestResult } from "../metrics/types.ts";
import { latencyStats, usToMs } from "./latency-stats.ts";
import { formatFixed } from "./printf.ts";

export interface CsvOptions {
  /** Append the "errors", "issued" and "errors_per_sec" columns (file output); false for `--csv` on stdout. */
  extended?: boolean;
  /** Columns appended last (vector search: recall); cells() gives one value per name ("" = n/a). */
  extraColumns?: CsvExtraColumns;
}

export interface CsvExtraColumns {
  names: readonly string[];
  cells(r: TestResult): string[];
}

const BASE_COLUMNS = [
  "test",
  "rps",
  "avg_latency_ms",
  "min_latency_ms",
  "p50_latency_ms",
  "p95_latency_ms",
  "p99_latency_ms",
  "max_latency_ms",
];
const EXTENDED_COLUMNS = ["errors", "issued", "errors_per_sec"];

/** One CSV field, always quoted. */
export function csvField(value: string): string {
  return `"${value.replaceAll('"', '""')}"`;
}

export function formatCsvHeader(opts: CsvOptions = {}): string {
  const columns = [...BASE_COLUMNS, ...(opts.extended ? EXTENDED_COLUMNS : []), ...(opts.extraColumns?.names ?? [])];
  return columns.map(csvField).join(",") + "\n";
}

export function formatCsvRow(r: TestResult, opts: CsvOptions = {}): string {
  const s = latencyStats(r.latencyUs);
  const ms = (us: number): string => formatFixed(s.count === 0 ? 0 : usToMs(us), 3);
  const fields = [r.title, formatFixed(r.throughput, 2), ms(s.mean), ms(s.min), ms(s.p50), ms(s.p95), ms(s.p99), ms(s.max)];
  if (opts.extended) fields.push(String(r.errors), String(r.issued), formatFixed(r.errorRate, 2));
  if (opts.extraColumns) fields.push(...opts.extraColumns.cells(r));
  return fields.map(csvField).join(",") + "\n";
}

/** A whole CSV document: header and one row per test. */
export function formatCsv(results: TestResult[], opts: CsvOptions = {}): string {
  return formatCsvHeader(opts) + results.map((r) => formatCsvRow(r, opts)).join("");
}
