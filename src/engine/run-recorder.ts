/**
 * What one worker records during a test: requests sent, replies completed and failed (in total
 * and per node), latencies into the nodes' HDR histograms, errors by type, redirects followed
 * and problems worth reporting. The per-reply methods allocate nothing.
 */
import type { Histogram } from "hdr-histogram-js";
import { createLatencyHistogram } from "../metrics/histogram.ts";
import type { ReplyRecorder, RunConnection } from "./connection-contracts.ts";
import { NodeStats } from "./interval-recorder.ts";
import type { RunSchedule } from "./run-schedule.ts";
import { PROGRESS_FIELDS, type SharedState } from "./shared-state.ts";
import type { NodeAssignment } from "./workload-api.ts";

const MAX_PROBLEMS = 5;

/** The two events a recorder passes on to the test's lifecycle (src/engine/test-run.ts). */
export interface RunLifecycle {
  followRedirect(from: NodeAssignment, code: string, message: string, command: Uint8Array, startMs: number, settle?: (ok: boolean) => void): void;
  requestTimedOut(connection: RunConnection): void;
  connectionFinished(): void;
}

export class RunRecorder implements ReplyRecorder {
  readonly hist: Histogram;
  issued = 0;
  completed = 0;
  errors = 0;
  readonly errorsByType = new Map<string, number>();
  readonly redirects = new Map<string, number>();
  /** TRYAGAIN / CLUSTERDOWN retries that were answered in the end, by code. */
  readonly retried = new Map<string, number>();
  readonly problems: string[] = [];
  readonly nodeStats = new Map<string, NodeStats>();
  private latencySumUs = 0;
  /** Epoch ms of the last reply (or of the last progress publication). */
  lastReplyAtMs = 0;

  constructor(
    private readonly shared: SharedState,
    private readonly workerIndex: number,
    private readonly precision: number,
    /** Set with --balance-nodes: answered replies also count on the node's shared counter. */
    private readonly balancing: RunSchedule | undefined,
    private readonly lifecycle: RunLifecycle,
  ) {
    this.hist = createLatencyHistogram(precision);
  }

  statsFor(address: string): NodeStats {
    let s = this.nodeStats.get(address);
    if (!s) {
      s = new NodeStats(this.precision);
      this.nodeStats.set(address, s);
    }
    return s;
  }

  sent(requests: number): void {
    this.issued += requests;
  }

  /**
   * Records `count` replies from node `stats` that took `ms` milliseconds. Only the node's
   * histogram is written on the hot path; the test's histogram is their merge (TestRun.result).
   * The histograms resize themselves, so a stall of minutes is recorded as it was.
   */
  record(ms: number, count: number, stats: NodeStats): void {
    let us = Math.round(ms * 1000);
    if (us < 1) us = 1;
    stats.hist.recordValueWithCount(us, count);
    this.latencySumUs += us * count;
  }

  account(completed: number, errors: number, stats: NodeStats, address: string): void {
    this.completed += completed;
    this.errors += errors;
    stats.completed += completed;
    stats.errors += errors;
    this.balancing?.countForBalance(address, completed + errors);
  }

  countError(code: string): void {
    this.errorsByType.set(code, (this.errorsByType.get(code) ?? 0) + 1);
  }

  countErrorN(code: string, n: number): void {
    this.errorsByType.set(code, (this.errorsByType.get(code) ?? 0) + n);
  }

  addErrors(code: string, n: number, stats?: NodeStats): void {
    this.errors += n;
    if (stats) stats.errors += n;
    this.errorsByType.set(code, (this.errorsByType.get(code) ?? 0) + n);
    this.publishProgress();
  }

  noteProblem(message: string): void {
    if (this.problems.length < MAX_PROBLEMS && !this.problems.includes(message)) this.problems.push(message);
  }

  /** Publishes the counters (the main thread's progress line) and moves the window's end to nowMs. */
  publishProgress(nowMs = performance.now()): void {
    this.publishCounts();
    this.lastReplyAtMs = performance.timeOrigin + nowMs;
  }

  /** Publishes the counters only: the test's measured window still ends at the last reply. */
  publishCounts(): void {
    const row = this.workerIndex * PROGRESS_FIELDS;
    const p = this.shared.progress;
    p[row] = this.completed;
    p[row + 1] = this.errors;
    p[row + 2] = this.latencySumUs;
  }

  /**
   * A redirect reply, followed by the lifecycle (which owns the resends). MOVED / ASK are
   * redirects; TRYAGAIN / CLUSTERDOWN are retries, counted only when one is answered (a request
   * that keeps failing is an error of that type, not a redirect).
   */
  redirect(from: NodeAssignment, code: string, message: string, command: Uint8Array, startMs: number, settle?: (ok: boolean) => void): void {
    if (code === "MOVED" || code === "ASK") {
      this.redirects.set(code, (this.redirects.get(code) ?? 0) + 1);
      this.statsFor(from.address).redirects++;
    }
    this.lifecycle.followRedirect(from, code, message, command, startMs, settle);
  }

  /** A TRYAGAIN / CLUSTERDOWN retry was answered. */
  retriedOk(code: string): void {
    this.retried.set(code, (this.retried.get(code) ?? 0) + 1);
  }

  requestTimedOut(connection: RunConnection): void {
    this.lifecycle.requestTimedOut(connection);
  }

  connectionFinished(): void {
    this.lifecycle.connectionFinished();
  }
}
