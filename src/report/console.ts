/**
 * What a run prints on stdout, in valkey-benchmark's order: with `--csv` the header first and
 * one row per test; otherwise each test's report (or `-q` line) replacing the progress line,
 * and one empty line after the last test. `--csv` wins over `-q`, as in valkey-benchmark.
 */
import type { BenchConfig } from "../config/types.ts";
import type { ServerConfigInfo, TestResult } from "../metrics/types.ts";
import { formatCsvHeader, formatCsvRow, type CsvExtraColumns } from "./csv.ts";
import { createProgress, type Progress, type ProgressStream } from "./progress.ts";
import { formatQuietLine } from "./quiet.ts";
import { RUN_TRAILER } from "./run.ts";
import { formatTextReport } from "./text.ts";

export type ConsoleMode = "text" | "quiet" | "csv";

export function consoleMode(c: Pick<BenchConfig, "csv" | "quiet">): ConsoleMode {
  if (c.csv) return "csv";
  return c.quiet ? "quiet" : "text";
}

export interface ConsoleReporterOptions {
  mode: ConsoleMode;
  stream: ProgressStream;
  /** Printed in text headers; may be filled in later (see `setServers`). */
  servers?: ServerConfigInfo[];
  cluster?: boolean;
  /** Lines added after a test's Summary block (vector search). */
  sections?: (r: TestResult) => string[];
  /** Columns appended to the CSV (vector search: recall). */
  csvExtraColumns?: CsvExtraColumns;
}

export interface ConsoleReporter {
  /** Live progress for the running test (silent off a terminal and in CSV mode). */
  readonly progress: Progress;
  setServers(servers: ServerConfigInfo[]): void;
  /** Call once before the first test (and again for each `--loop` round). */
  runStarted(): void;
  testFinished(r: TestResult): void;
  /** Call after the last test of a round. */
  runFinished(): void;
}

export function createConsoleReporter(opts: ConsoleReporterOptions): ConsoleReporter {
  const { mode, stream } = opts;
  let servers = opts.servers ?? [];
  const progress = createProgress({ enabled: mode !== "csv", stream });
  return {
    progress,
    setServers(next) {
      servers = next;
    },
    runStarted() {
      if (mode === "csv") stream.write(formatCsvHeader({ extraColumns: opts.csvExtraColumns }));
    },
    testFinished(r) {
      progress.clear();
      if (mode === "csv") stream.write(formatCsvRow(r, { extraColumns: opts.csvExtraColumns }));
      else if (mode === "quiet") stream.write(formatQuietLine(r));
      else stream.write(formatTextReport(r, { servers, cluster: opts.cluster, sections: opts.sections }));
    },
    runFinished() {
      progress.clear();
      if (mode !== "csv") stream.write(RUN_TRAILER);
    },
  };
}
