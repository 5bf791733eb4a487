/**
 * The live progress line valkey-benchmark shows while a test runs:
 *   SET: rps=123456.0 (overall: 120000.0) avg_msec=0.400 (overall: 0.410)  20000/100000 requests
 * rewritten in place with "\r" about every 250 ms (the caller's timer, PROGRESS_INTERVAL_MS), and
 * blanked by `clear()` before the test's report, which then starts on a clean line.
 *
 * Only on a terminal: valkey-benchmark 8.0.1 also writes these "\r" lines into pipes and files,
 * where they corrupt the output scripts parse; we write nothing there. With `-q` the progress
 * still shows on a terminal (as in valkey-benchmark) and the quiet line replaces it; with
 * `--csv` the caller passes `enabled: false`.
 */
import type { ProgressSnapshot } from "../metrics/types.ts";
import { formatFixed } from "./printf.ts";

export const PROGRESS_INTERVAL_MS = 250;

export type { ProgressSnapshot } from "../metrics/types.ts";

export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
  /** Terminal width; a longer line would wrap and "\r" could no longer rewrite it. */
  columns?: number;
}

export interface Progress {
  update(s: ProgressSnapshot): void;
  /** Blank the current progress line (if any) and leave the cursor at its start. */
  clear(): void;
}

export function formatProgressLine(s: ProgressSnapshot): string {
  let line =
    `${s.warmup ? "Warming up " : ""}${s.title}: rps=${formatFixed(s.intervalRate, 1)} ` +
    `(overall: ${formatFixed(s.overallRate, 1)}) avg_msec=${formatFixed(s.intervalAvgMs, 3)} ` +
    `(overall: ${formatFixed(s.overallAvgMs, 3)})`;
  if (s.durationSec !== undefined) {
    line += `  ${formatFixed(s.elapsedSec, 1)}/${s.durationSec} seconds`;
  } else if (s.total !== undefined) {
    line += `  ${s.completed}/${s.total} requests`;
  }
  return line;
}

export function createProgress(opts: { enabled: boolean; stream: ProgressStream }): Progress {
  const { stream } = opts;
  const active = opts.enabled && stream.isTTY === true;
  // Width of what is on screen now, so the next write can blank the rest of it.
  let shownWidth = 0;

  return {
    update(s: ProgressSnapshot): void {
      if (!active) return;
      let line = formatProgressLine(s);
      const columns = stream.columns ?? 0;
      if (columns > 1 && line.length > columns - 1) line = line.slice(0, columns - 1);
      const padding = " ".repeat(Math.max(0, shownWidth - line.length));
      stream.write(`\r${line}${padding}\r`);
      shownWidth = line.length;
    },
    clear(): void {
      if (!active || shownWidth === 0) return;
      stream.write(`\r${" ".repeat(shownWidth)}\r`);
      shownWidth = 0;
    },
  };
}
