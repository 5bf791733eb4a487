/**
 * `-o FILE`: the report is rewritten after every test, so a run stopped by SIGTERM (timeout,
 * docker stop, CI cancellation), Ctrl-C or a failure keeps every test that finished. Each write
 * goes to a temporary file next to the target, is flushed to disk, then renamed over it: a reader
 * sees the previous complete document or the new one, never half of one.
 *
 * Each test is rendered as it ends (its histogram may be freed by the next `--loop` round), and
 * the document records how far the run got:
 * - JSON: `status` ("running" | "complete" | "interrupted" | "failed"), `interrupted: true` on a
 *   test cut short, `round` on each test under `--loop`;
 * - CSV: a last `status` column per row ("complete" | "interrupted");
 * - text: a last line when the run did not complete.
 * Under `--loop` only the newest MAX_KEPT_TESTS tests are kept, so memory and file stay bounded.
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { writtenPath } from "../config/output-target.ts";
import type { BenchConfig, OutputFormat } from "../config/types.ts";
import type { ServerConfigInfo, TestResult } from "../metrics/types.ts";
import { formatCsvHeader, formatCsvRow, type CsvExtraColumns } from "./csv.ts";
import type { SnapshotComparison } from "../metrics/snapshot-file.ts";
import { buildJsonReport, formatJsonReport, jsonTestReport, type JsonReport, type JsonReportMeta, type JsonTestReport } from "./json.ts";
import { configSecrets, redactValue } from "./redact.ts";
import { RUN_TRAILER } from "./run.ts";
import { formatTextReport } from "./text.ts";
import { renderHtmlReport } from "./html/html-page.ts";
import { buildReportModel } from "./html/report-model.ts";

export type RunStatus = "running" | "complete" | "interrupted" | "failed";

/** Tests kept under --loop (oldest dropped first). */
export const MAX_KEPT_TESTS = 1000;

export interface ReportFileOptions {
  format: OutputFormat;
  config: BenchConfig;
  meta: Omit<JsonReportMeta, "finishedAt">;
  cluster?: boolean;
  sections?: (r: TestResult) => string[];
  csvExtraColumns?: CsvExtraColumns;
  /** Fields workloads add at the top level of a test's JSON entry (vector search: recall...). */
  testFields?: (r: TestResult) => Record<string, unknown>;
}

/** The JSON document with the run's state. */
export type JsonRunReport = JsonReport & { status: RunStatus; statusReason?: string; droppedTests?: number; tests: (JsonTestReport & { interrupted?: true; round?: number })[] };

interface Entry {
  title: string;
  round: number;
  interrupted: boolean;
  /** The rendered test: a text block, a CSV row without its status cell, or a JSON entry. */
  text?: string;
  json?: JsonTestReport;
}

export class ReportDocument {
  private readonly entries: Entry[] = [];
  private dropped = 0;
  private round = 1;
  private titlesThisRound = new Set<string>();
  private servers: ServerConfigInfo[];
  private snapshotComparison?: SnapshotComparison;

  constructor(private readonly o: ReportFileOptions) {
    this.servers = o.meta.servers;
  }

  /** Renders a finished test (call before its histogram is freed). */
  add(r: TestResult, interrupted: boolean): void {
    // A title seen again starts the next --loop round (titles are unique within a round).
    if (this.titlesThisRound.has(r.title)) {
      this.round++;
      this.titlesThisRound.clear();
    }
    this.titlesThisRound.add(r.title);
    const entry: Entry = { title: r.title, round: this.round, interrupted };
    const o = this.o;
    if (o.format === "json" || o.format === "html") entry.json = jsonTestReport(r, o.testFields);
    else if (o.format === "csv") entry.text = formatCsvRow(r, { extended: true, extraColumns: o.csvExtraColumns });
    else entry.text = formatTextReport(r, { servers: this.servers, cluster: o.cluster, sections: o.sections });
    this.entries.push(entry);
    if (this.entries.length > MAX_KEPT_TESTS) {
      this.entries.shift();
      this.dropped++;
    }
  }

  /** --compare-snapshot's result, known after the last test. */
  setSnapshotComparison(c: SnapshotComparison): void {
    this.snapshotComparison = c;
  }

  /** Marks the last test as cut short (the stop signal came while it ran). */
  markLastInterrupted(): void {
    const last = this.entries[this.entries.length - 1];
    if (last) last.interrupted = true;
  }

  render(status: RunStatus, reason?: string): string {
    const o = this.o;
    if (o.format === "json") return formatJsonReport(this.json(status, reason));
    // The HTML report of this run alone (`report` combines several JSON files).
    if (o.format === "html") return renderHtmlReport(buildReportModel([{ path: o.config.outputFile ?? "run", report: this.json(status, reason) }]));
    if (o.format === "csv") {
      const names = [...(o.csvExtraColumns?.names ?? []), "status"];
      const header = formatCsvHeader({ extended: true, extraColumns: { names, cells: () => [] } });
      return header + this.entries.map((e) => `${e.text!.slice(0, -1)},"${e.interrupted ? "interrupted" : "complete"}"\n`).join("");
    }
    const body = this.entries.map((e) => e.text!).join("") + RUN_TRAILER;
    const kept = this.dropped > 0 ? `(the first ${this.dropped} tests of this --loop run were dropped to bound the file)\n` : "";
    if (status === "complete") return kept + body;
    const what = status === "running" ? "run in progress" : status === "failed" ? "run failed" : "run interrupted";
    const cut = this.entries.find((e) => e.interrupted);
    return `${kept}${body}(${what}${reason ? `: ${reason}` : ""}; ${this.entries.length - (cut ? 1 : 0)} tests complete${cut ? `, ${cut.title} cut short` : ""})\n`;
  }

  /** `reason`: why a run failed or stopped (`statusReason`, as the text file's last line says). */
  json(status: RunStatus, reason?: string): JsonRunReport {
    const comparison = this.snapshotComparison ? { snapshotComparison: this.snapshotComparison } : {};
    const doc = buildJsonReport(this.o.config, [], { ...this.o.meta, ...comparison, servers: this.servers, finishedAt: new Date() });
    const tests = this.entries.map((e) => ({ ...e.json!, ...(e.interrupted ? { interrupted: true as const } : {}), ...(this.o.config.loop ? { round: e.round } : {}) }));
    // buildJsonReport redacted everything but the tests, which jsonTestReport built from results:
    // redact those with the same secrets.
    const why = reason !== undefined && status !== "complete" && status !== "running" ? { statusReason: redactValue(reason, configSecrets(this.o.config)) } : {};
    return { ...doc, status, ...why, ...(this.dropped > 0 ? { droppedTests: this.dropped } : {}), tests: redactTests(this.o.config, tests) };
  }
}

function redactTests<T>(config: BenchConfig, tests: T): T {
  return redactValue(tests, configSecrets(config));
}

/** A ReportDocument written to `path` after every change, atomically. */
export class ReportFile {
  readonly document: ReportDocument;
  private readonly target: string;

  constructor(path: string, options: ReportFileOptions) {
    this.document = new ReportDocument(options);
    this.target = writtenPath(path);
  }

  write(status: RunStatus, reason?: string): void {
    writeAtomically(this.target, this.document.render(status, reason));
  }
}

/** Writes `text` to a temporary file next to `target`, syncs it, and renames it over `target`. */
export function writeAtomically(target: string, text: string): void {
  const temporary = join(dirname(target), `.${basename(target)}.tmp-${process.pid}`);
  const fd = openSync(temporary, "w", 0o644);
  try {
    const bytes = Buffer.from(text);
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    try {
      unlinkSync(temporary);
    } catch {}
    throw error;
  }
  closeSync(fd);
  renameSync(temporary, target);
}
