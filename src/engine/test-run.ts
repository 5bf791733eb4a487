/**
 * The lifecycle of one test inside one worker: starts the connections on a schedule
 * (src/engine/run-schedule.ts) and a recorder (src/engine/run-recorder.ts), which are all the
 * connections see (src/engine/connection-contracts.ts); sweeps for timed-out batches, follows
 * redirects, ends the test when every connection has finished and every resend has settled,
 * and builds the per-worker result.
 */
import { encodeHistogram, mergeInto } from "../metrics/histogram.ts";
import type { WorkerInterval } from "../metrics/timeline.ts";
import type { BenchConnection } from "./bench-connection.ts";
import type { WorkerClusterState } from "./cluster-state.ts";
import { IntervalRecorder } from "./interval-recorder.ts";
import type { NodeCounters, TestSpec, WorkerResult } from "./messages.ts";
import type { RedirectRouter } from "./redirect-router.ts";
import { RunRecorder, type RunLifecycle } from "./run-recorder.ts";
import { RunSchedule, type ScheduleParams } from "./run-schedule.ts";
import { STOP, STOP_CLAIMING, STOP_INTERRUPTED, type SharedState } from "./shared-state.ts";
import type { RunConnection } from "./connection-contracts.ts";
import type { NodeAssignment, WorkerWorkload } from "./workload-api.ts";

export interface RunParams extends ScheduleParams {
  /** Histogram significant digits (--precision). */
  precision: number;
}

/** After --duration's deadline, in-flight requests get this long (at most --request-timeout)
 *  before they are counted as UNANSWERED and the test ends: the deadline is a hard one. */
const DEADLINE_GRACE_MS = 2000;
/** After Ctrl-C, in-flight requests get this long: the report comes at once. */
const INTERRUPT_GRACE_MS = 250;
/** Timeouts in a row on one connection (the later ones on a re-opened connection) that give its
 *  node up for the rest of the test, instead of waiting --request-timeout for every batch. */
const TIMEOUTS_TO_GIVE_UP = 2;
/** Longest gap between timeout sweeps (a late reply is caught on arrival anyway). */
const SWEEP_MAX_MS = 100;

/** After a CLUSTERDOWN reply, connections wait this long before sending new requests. */
const CLUSTERDOWN_HOLD_MS = 100;

export class TestRun implements RunLifecycle {
  readonly schedule: RunSchedule;
  readonly recorder: RunRecorder;
  private finished = 0;
  private connections: BenchConnection[] = [];
  private resolveDone!: () => void;
  readonly done: Promise<void>;
  startedAtMs = 0;
  private sweep?: ReturnType<typeof setInterval>;
  private durationTimer?: ReturnType<typeof setTimeout>;
  private pendingRedirects = 0;
  private intervalRecorder?: IntervalRecorder;
  private intervals?: WorkerInterval[];

  constructor(
    readonly spec: TestSpec,
    readonly workload: WorkerWorkload,
    private readonly shared: SharedState,
    private readonly params: RunParams,
    readonly cluster: WorkerClusterState | undefined,
    readonly router: RedirectRouter | undefined,
  ) {
    const problems = (m: string) => this.recorder.noteProblem(m);
    this.schedule = new RunSchedule(spec, shared, params, problems);
    this.recorder = new RunRecorder(shared, params.workerIndex, params.precision, params.balanceTolerance > 0 ? this.schedule : undefined, this);
    this.done = new Promise((r) => (this.resolveDone = r));
  }

  /** Starts every connection and resolves when all have finished. */
  async start(connections: BenchConnection[]): Promise<void> {
    this.connections = connections;
    const rec = this.recorder;
    for (const c of connections) c.attach(this.schedule, rec, this.workload.forConnection(c.clientIndex, c.node), this.params.pipeline, this.spec.fallbackNode);
    const grid = this.spec.timeline;
    if (grid) {
      this.intervalRecorder = new IntervalRecorder(grid.startMs, grid.intervalMs, this.params.precision, {
        answered: () => rec,
        errorsByType: () => rec.errorsByType,
        nodes: () => rec.nodeStats.values(),
        recall: this.workload.recallTotals ? () => this.workload.recallTotals!() : undefined,
      });
    }
    // The test's time starts here, with everything above set up: only sending and answering
    // count, as in valkey-benchmark (a short run's rate would otherwise include the set-up).
    this.startedAtMs = performance.timeOrigin + performance.now();
    this.intervalRecorder?.start(this.startedAtMs);
    this.schedule.start(performance.now());
    // --duration counts from when this worker starts sending (not from when the main thread
    // asked: opening connections and loading a dataset would eat into it). The first worker to
    // reach its deadline stops them all.
    if (this.spec.durationSec !== undefined) {
      this.durationTimer = setTimeout(() => Atomics.compareExchange(this.shared.ints, STOP, 0, STOP_CLAIMING), this.spec.durationSec * 1000);
    }
    const sweepEvery = Math.max(10, Math.min(SWEEP_MAX_MS, this.params.requestTimeoutMs / 4));
    this.sweep = setInterval(() => this.sweepTimeouts(), sweepEvery);
    if (connections.length === 0) this.resolveDone();
    for (const c of connections) c.kick();
    await this.done;
    this.intervals = this.intervalRecorder?.finish(rec.lastReplyAtMs || this.startedAtMs);
    clearInterval(this.sweep);
    if (this.durationTimer) clearTimeout(this.durationTimer);
    // Not publishProgress(): the window would end now, after the wait above and the interval
    // histograms' encoding, adding milliseconds to every test (a -n 1 run read 4 ms).
    rec.publishCounts();
  }

  /**
   * A request was answered with MOVED/ASK/TRYAGAIN/CLUSTERDOWN: it is neither completed nor an
   * error yet. Resend it (to the node the redirect names) and account for it when that answers;
   * `settle`, from the workload (ConnectionWorkload.onRedirect), hears how the resend ended.
   */
  followRedirect(from: NodeAssignment, code: string, message: string, command: Uint8Array, startMs: number, settle?: (ok: boolean) => void): void {
    const rec = this.recorder;
    // The cluster cannot serve: every connection holds back new requests for a moment.
    if (code === "CLUSTERDOWN") this.schedule.holdAfterClusterDown(performance.now(), CLUSTERDOWN_HOLD_MS);
    if (code === "MOVED") void this.cluster?.refresh();
    const router = this.router;
    if (!router) {
      rec.addErrors(code, 1, rec.statsFor(from.address));
      settle?.(false);
      return;
    }
    this.pendingRedirects++;
    void router
      .resend(command, code, message, from)
      .catch((e: unknown) => ({ ok: false as const, code: "REDIRECT", problem: `following ${code} failed: ${(e as Error).message}` }))
      .then((outcome) => {
        this.pendingRedirects--;
        settle?.(outcome.ok);
        if (outcome.ok) {
          if (outcome.retried) rec.retriedOk(outcome.retried);
          const stats = rec.statsFor(outcome.address);
          rec.record(performance.now() - startMs, 1, stats);
          rec.account(1, 0, stats, outcome.address);
        } else {
          if (outcome.problem) rec.noteProblem(outcome.problem);
          rec.addErrors(outcome.code, 1, rec.statsFor(from.address));
        }
        rec.publishProgress();
        this.maybeDone();
      });
  }

  connectionFinished(): void {
    this.finished++;
    this.maybeDone();
  }

  private maybeDone(): void {
    if (this.finished >= this.connections.length && this.pendingRedirects === 0) this.resolveDone();
  }

  private sweepTimeouts(): void {
    const now = performance.now();
    this.abandonAfterStop(now);
    for (const c of this.connections) {
      if (c.timedOut(now, this.params.requestTimeoutMs)) this.requestTimedOut(c);
    }
  }

  /** performance.now() when this worker first saw STOP; 0 = not yet. */
  private stopSeenAtMs = 0;

  /**
   * Once the test must stop (--duration over, Ctrl-C), requests still in flight after a short
   * grace are counted as UNANSWERED and their connections closed, so a stalled server cannot
   * stretch the test by --request-timeout.
   */
  private abandonAfterStop(now: number): void {
    const stop = Atomics.load(this.shared.ints, STOP);
    if (stop === 0) return;
    if (this.stopSeenAtMs === 0) this.stopSeenAtMs = now;
    const grace = stop === STOP_INTERRUPTED ? INTERRUPT_GRACE_MS : Math.min(this.params.requestTimeoutMs, DEADLINE_GRACE_MS);
    if (now - this.stopSeenAtMs < grace) return;
    for (const c of this.connections) {
      if (c.outstanding === 0) continue;
      this.recorder.noteProblem(
        stop === STOP_INTERRUPTED
          ? `interrupted: requests still in flight ${grace} ms after Ctrl-C were counted as UNANSWERED`
          : `requests still unanswered ${grace} ms after the end of --duration were counted as UNANSWERED (the deadline is kept)`,
      );
      c.failBatch("UNANSWERED");
    }
  }

  /**
   * A batch got no reply within --request-timeout: its requests are TIMEOUT errors and the
   * connection is re-opened. When the re-opened connection times out too, the node is given up
   * for the rest of the test (one line naming it), so a stalled server costs two timeouts, not
   * one per batch.
   */
  requestTimedOut(c: RunConnection): void {
    const timeoutMs = this.params.requestTimeoutMs;
    if (++c.timeoutsInARow >= TIMEOUTS_TO_GIVE_UP) {
      const address = c.node.address;
      this.recorder.noteProblem(
        `${address} stopped answering: requests timed out (--request-timeout ${timeoutMs} ms) again on a re-opened connection; gave the node up for this test`,
      );
      for (const other of this.connections) if (other.node.address === address) other.giveUp("TIMEOUT");
      return;
    }
    this.recorder.noteProblem(`${c.node.address} did not answer within ${timeoutMs} ms (--request-timeout); the unanswered requests were counted as errors and the connection re-opened`);
    c.failBatch("TIMEOUT");
  }

  /**
   * End of this worker's measured window: its last reply, and under --rps at least the end of
   * its last schedule slot (n requests paced at r per second occupy n / r seconds, so
   * `--rps 0.5 -n 2` achieves 0.5 per second, not 2 requests over the 2 s between them).
   */
  private windowEndMs(): number {
    const lastReply = this.recorder.lastReplyAtMs || this.startedAtMs;
    const s = this.schedule;
    if (!s.rateLimited || s.slot === 0) return lastReply;
    return Math.max(lastReply, this.startedAtMs + s.slot * s.intervalMs);
  }

  result(): WorkerResult {
    const rec = this.recorder;
    const errorsByType: Record<string, number> = {};
    for (const [k, v] of rec.errorsByType) errorsByType[k] = v;
    const redirects: Record<string, number> = {};
    for (const [k, v] of rec.redirects) redirects[k] = v;
    const retried: Record<string, number> = {};
    for (const [k, v] of rec.retried) retried[k] = v;
    const perNode: Record<string, NodeCounters> = {};
    for (const [address, s] of rec.nodeStats) {
      s.drain();
      perNode[address] = {
        role: this.cluster?.roleOf(address),
        completed: s.completed,
        errors: s.errors,
        redirects: s.redirects,
        histogram: encodeHistogram(s.total),
      };
      mergeInto(rec.hist, s.total);
      s.destroy(); // WebAssembly memory is not garbage-collected
    }
    const histogram = encodeHistogram(rec.hist);
    rec.hist.destroy();
    return {
      issued: rec.issued,
      completed: rec.completed,
      errors: rec.errors,
      errorsByType,
      histogram,
      startedAtMs: this.startedAtMs,
      finishedAtMs: this.windowEndMs(),
      deadConnections: this.connections.filter((c) => c.dead).length,
      problems: rec.problems,
      extra: this.workload.extra?.(),
      perNode,
      redirects,
      retried,
      ...(this.intervals ? { intervals: this.intervals } : {}),
    };
  }
}
