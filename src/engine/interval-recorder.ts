/**
 * Per-interval results of one worker (--interval), recorded off the hot path.
 *
 * The hot path records each reply's latency into its node's `NodeStats.hist` and bumps running
 * counters, exactly as without a timeline. At each interval boundary a timer on the worker's
 * own event loop (never inside a socket callback) swaps every node's histogram with an empty
 * spare, a pointer swap, then merges the swapped-out one into the node's total and into the
 * interval's histogram, encodes the interval and resets the spare. Counters (answered, errors
 * by type, recall) are running totals, differenced at each boundary. Nothing is copied per
 * request, and a reply is never lost between two intervals: JavaScript runs the swap and the
 * socket callbacks on one thread, one after the other.
 *
 * Boundaries lie on the grid the main thread chose (TestSpec.timeline), so the workers'
 * intervals of the same index cover the same wall-clock span and the main thread merges them
 * by index (src/metrics/timeline-merge.ts).
 */
import type { Histogram } from "hdr-histogram-js";
import { createLatencyHistogram, encodeHistogram, mergeInto } from "../metrics/histogram.ts";
import type { RecallTotals, WorkerInterval } from "../metrics/timeline.ts";
import { intervalLatency } from "../metrics/timeline-merge.ts";

/** Per-node numbers kept by the worker; `hist` is the one the hot path writes. */
export class NodeStats {
  completed = 0;
  errors = 0;
  redirects = 0;
  /** Written on the hot path; swapped for `spare` at each interval boundary. */
  hist: Histogram;
  private spare: Histogram;
  /** Everything recorded so far except what is still in `hist` (see drain). */
  readonly total: Histogram;

  constructor(precision: number) {
    this.hist = createLatencyHistogram(precision);
    this.spare = createLatencyHistogram(precision);
    this.total = createLatencyHistogram(precision);
  }

  /** Moves what `hist` holds into the total (and into `interval`), leaving `hist` empty. */
  drain(interval?: Histogram): void {
    const full = this.hist;
    if (full.totalCount === 0) return;
    this.hist = this.spare;
    this.spare = full;
    mergeInto(this.total, full);
    if (interval) mergeInto(interval, full);
    full.reset();
  }

  destroy(): void {
    this.hist.destroy();
    this.spare.destroy();
    this.total.destroy();
  }
}

/** What the recorder reads at each boundary: the test's running totals. */
export interface IntervalSources {
  answered(): { completed: number; errors: number };
  errorsByType(): ReadonlyMap<string, number>;
  nodes(): Iterable<NodeStats>;
  recall?(): RecallTotals | undefined;
}

export class IntervalRecorder {
  private readonly intervals: WorkerInterval[] = [];
  private readonly hist: Histogram;
  private timer?: ReturnType<typeof setTimeout>;
  private index = 0;
  private intervalStartMs = 0;
  private last = { completed: 0, errors: 0, recallQueries: 0, recallSum: 0 };
  private lastErrors = new Map<string, number>();

  constructor(
    /** Grid origin, epoch ms, and interval length. */
    private readonly gridStartMs: number,
    private readonly intervalMs: number,
    precision: number,
    private readonly sources: IntervalSources,
  ) {
    this.hist = createLatencyHistogram(precision);
  }

  /** Starts the first interval now (epoch ms) and schedules the boundaries. */
  start(nowMs: number): void {
    this.intervalStartMs = nowMs;
    this.index = Math.max(0, Math.floor((nowMs - this.gridStartMs) / this.intervalMs));
    this.schedule(nowMs);
  }

  private schedule(nowMs: number): void {
    const boundary = this.gridStartMs + (this.index + 1) * this.intervalMs;
    this.timer = setTimeout(() => this.boundary(), Math.max(0, boundary - nowMs));
  }

  private boundary(): void {
    const now = epochNow();
    this.close(now);
    // A timer that fired late (a busy event loop) skips to the interval it fired in.
    this.index = Math.max(this.index + 1, Math.floor((now - this.gridStartMs) / this.intervalMs));
    this.intervalStartMs = now;
    this.schedule(now);
  }

  /** Ends the current interval at `endMs`: drains the nodes and records the differences. */
  private close(endMs: number, dropIfEmpty = false): void {
    for (const s of this.sources.nodes()) s.drain(this.hist);
    const { completed, errors } = this.sources.answered();
    const errorsByType: Record<string, number> = {};
    for (const [code, n] of this.sources.errorsByType()) {
      const d = n - (this.lastErrors.get(code) ?? 0);
      if (d > 0) errorsByType[code] = d;
      this.lastErrors.set(code, n);
    }
    const interval: WorkerInterval = {
      index: this.index,
      startMs: this.intervalStartMs,
      endMs,
      completed: completed - this.last.completed,
      errors: errors - this.last.errors,
      errorsByType,
      histogram: "",
      latencyMs: null,
    };
    // The timer may fire after the last reply: an empty tail interval says nothing.
    if (dropIfEmpty && interval.completed + interval.errors === 0 && this.intervals.length > 0) return;
    interval.histogram = encodeHistogram(this.hist);
    interval.latencyMs = intervalLatency(this.hist);
    this.hist.reset();
    this.last.completed = completed;
    this.last.errors = errors;
    const recall = this.sources.recall?.();
    if (recall) {
      interval.recall = { k: recall.k, queries: recall.queries - this.last.recallQueries, recallSum: recall.recallSum - this.last.recallSum };
      this.last.recallQueries = recall.queries;
      this.last.recallSum = recall.recallSum;
    }
    this.intervals.push(interval);
  }

  /** Ends the last interval at `endMs` (the worker's last reply) and returns them all. */
  finish(endMs: number): WorkerInterval[] {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.close(Math.max(endMs, this.intervalStartMs), true);
    this.hist.destroy();
    return this.intervals;
  }

  /** Stops without recording (the test could not start). */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.hist.destroy();
  }
}

function epochNow(): number {
  return performance.timeOrigin + performance.now();
}
