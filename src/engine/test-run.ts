/**
 * The state of one test inside one worker: request claiming (shared counter), pacing under
 * --rps, node balancing, latency recording (overall and per node), redirects and the per-worker
 * result. Connections call into it from their socket callbacks; the per-request path allocates
 * nothing.
 */
import type { Histogram } from "hdr-histogram-js";
import { LATENCY_HIGHEST_US, createLatencyHistogram, encodeHistogram, mergeInto } from "../metrics/histogram.ts";
import type { BenchConnection } from "./bench-connection.ts";
import type { WorkerClusterState } from "./cluster-state.ts";
import type { NodeCounters, TestSpec, WorkerResult } from "./messages.ts";
import type { RedirectRouter } from "./redirect-router.ts";
import { CLAIMED, DURATION_SEQUENCE, PROGRESS_FIELDS, STOP, STOP_CLAIMING, STOP_INTERRUPTED, type SharedState } from "./shared-state.ts";
import type { WorkerWorkload } from "./workload-api.ts";
import { IntervalRecorder, NodeStats } from "./interval-recorder.ts";
import type { WorkerInterval } from "../metrics/timeline.ts";

export interface RunParams {
  pipeline: number;
  keepalive: boolean;
  workerIndex: number;
  workers: number;
  requestTimeoutMs: number;
  /** Histogram significant digits (--precision). */
  precision: number;
  /** --balance-nodes tolerance as a fraction (0.1 = 10%); 0 = no balancing. */
  balanceTolerance: number;
}

const MAX_PROBLEMS = 5;
/** After a CLUSTERDOWN reply, connections wait this long before sending new requests. */
const CLUSTERDOWN_HOLD_MS = 100;
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

export { NodeStats };

export class TestRun {
  readonly hist: Histogram;
  issued = 0;
  completed = 0;
  errors = 0;
  private readonly errorsByType = new Map<string, number>();
  readonly redirects = new Map<string, number>();
  private readonly retried = new Map<string, number>();
  /** performance.now() until which connections send nothing new after a CLUSTERDOWN reply. */
  clusterDownUntilMs = 0;
  private latencySumUs = 0;
  readonly problems: string[] = [];
  readonly rateLimited: boolean;
  readonly keepalive: boolean;
  readonly unitsPerClaim: number;
  /** Global index of the first request of the last claim (requests are numbered 0, 1, 2...). */
  claimStart = 0;
  // --rps schedule (per worker): slot k is due at t0 + k * intervalMs.
  private slot = 0;
  private t0Ms = 0;
  private readonly intervalMs: number;
  private finished = 0;
  private connections: BenchConnection[] = [];
  private resolveDone!: () => void;
  readonly done: Promise<void>;
  startedAtMs = 0;
  lastReplyAtMs = 0;
  private sweep?: ReturnType<typeof setInterval>;
  private durationTimer?: ReturnType<typeof setTimeout>;
  private pendingRedirects = 0;
  private readonly nodeStats = new Map<string, NodeStats>();
  /** Index of each node address in spec.nodes (shared per-node counters for balancing). */
  private readonly nodeIndex = new Map<string, number>();
  private recorder?: IntervalRecorder;
  private intervals?: WorkerInterval[];

  constructor(
    readonly spec: TestSpec,
    readonly workload: WorkerWorkload,
    private readonly shared: SharedState,
    private readonly params: RunParams,
    readonly cluster: WorkerClusterState | undefined,
    readonly router: RedirectRouter | undefined,
  ) {
    this.rateLimited = spec.rpsPerWorker > 0;
    this.keepalive = params.keepalive;
    this.unitsPerClaim = params.pipeline;
    this.intervalMs = this.rateLimited ? 1000 / spec.rpsPerWorker : 0;
    this.hist = createLatencyHistogram(params.precision);
    this.done = new Promise((r) => (this.resolveDone = r));
    this.countError = this.countError.bind(this);
    spec.nodes.forEach((n, i) => this.nodeIndex.set(n.address, i));
  }

  /** Starts every connection and resolves when all have finished. */
  async start(connections: BenchConnection[]): Promise<void> {
    this.connections = connections;
    for (const c of connections) c.attach(this, this.workload.forConnection(c.clientIndex, c.node), this.params.pipeline);
    this.startedAtMs = performance.timeOrigin + performance.now();
    const grid = this.spec.timeline;
    if (grid) {
      this.recorder = new IntervalRecorder(grid.startMs, grid.intervalMs, this.params.precision, {
        answered: () => this,
        errorsByType: () => this.errorsByType,
        nodes: () => this.nodeStats.values(),
        recall: this.workload.recallTotals ? () => this.workload.recallTotals!() : undefined,
      });
      this.recorder.start(this.startedAtMs);
    }
    // Workers' schedules interleave instead of all sending at the same instants.
    this.t0Ms = performance.now() + (this.params.workerIndex * this.intervalMs) / this.params.workers;
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
    this.intervals = this.recorder?.finish(this.lastReplyAtMs || this.startedAtMs);
    clearInterval(this.sweep);
    if (this.durationTimer) clearTimeout(this.durationTimer);
    this.publishProgress();
  }

  statsFor(address: string): NodeStats {
    let s = this.nodeStats.get(address);
    if (!s) {
      s = new NodeStats(this.params.precision);
      this.nodeStats.set(address, s);
    }
    return s;
  }

  canClaim(): boolean {
    if (Atomics.load(this.shared.ints, STOP) !== 0) return false;
    return Atomics.load(this.shared.ints, CLAIMED) < this.spec.totalRequests;
  }

  /** Claims up to `maxUnits` units from the shared request counter; 0 = nothing left. */
  claim(maxUnits: number, repliesPerUnit: number): number {
    const ints = this.shared.ints;
    if (Atomics.load(ints, STOP) !== 0) return 0;
    const total = this.spec.totalRequests;
    if (total === Infinity) {
      // No total to claim against, but requests still get unique consecutive numbers (vector
      // workloads map them to queries and ids): one shared counter, wrapping at 2^32.
      this.claimStart = (this.spec.firstRequest + Atomics.add(ints, DURATION_SEQUENCE, maxUnits * repliesPerUnit)) >>> 0;
      return maxUnits;
    }
    const want = maxUnits * repliesPerUnit;
    if (Atomics.load(ints, CLAIMED) >= total) return 0;
    const before = Atomics.add(ints, CLAIMED, want);
    if (before >= total) return 0;
    this.claimStart = this.spec.firstRequest + before;
    const left = total - before;
    return left >= want ? maxUnits : Math.ceil(left / repliesPerUnit);
  }

  /**
   * --balance-nodes: true when `address` is ahead of the slowest node of this test by more
   * than the tolerance, so its connections should wait a moment before claiming more.
   */
  nodeTooFarAhead(address: string): boolean {
    const tol = this.params.balanceTolerance;
    if (tol <= 0 || this.spec.nodes.length < 2) return false;
    const counts = this.shared.nodeCompleted;
    const index = this.nodeIndex.get(address);
    if (index === undefined) return false;
    const mine = Atomics.load(counts, index);
    let min = Infinity;
    for (let i = 0; i < this.spec.nodes.length; i++) {
      const c = Atomics.load(counts, i);
      if (c < min) min = c;
    }
    if (mine <= min * (1 + tol) + this.unitsPerClaim) return false;
    // The slowest node stopped progressing (it died and nothing took its slots over): waiting
    // for it would stall the whole run, so balancing is suspended after --request-timeout.
    const now = performance.now();
    if (min !== this.balanceMin) {
      this.balanceMin = min;
      this.balanceMinSinceMs = now;
    } else if (now - this.balanceMinSinceMs > this.params.requestTimeoutMs) {
      this.noteProblem(`--balance-nodes: the slowest node made no progress for ${this.params.requestTimeoutMs} ms (--request-timeout); balancing suspended`);
      return false;
    }
    return true;
  }

  private balanceMin = -1;
  private balanceMinSinceMs = 0;

  /**
   * A connection moved from `from` to `to` (failover, resharding): `to` now serves that shard,
   * so --balance-nodes keeps counting its requests on the shard's counter.
   */
  nodeMoved(from: string, to: string): void {
    const index = this.nodeIndex.get(from);
    if (index !== undefined && !this.nodeIndex.has(to)) this.nodeIndex.set(to, index);
  }

  /** Intended time of the next schedule slot (--rps). */
  peekSlotMs(): number {
    return this.t0Ms + this.slot * this.intervalMs;
  }

  /** Claims every due slot (at least one, at most `pipeline`) and writes their intended times. */
  claimDueUnits(intended: Float64Array, nowMs: number, repliesPerUnit: number): number {
    let due = Math.floor((nowMs - this.t0Ms) / this.intervalMs) - this.slot + 1;
    if (due < 1) due = 1;
    if (due > this.unitsPerClaim) due = this.unitsPerClaim;
    const units = this.claim(due, repliesPerUnit);
    for (let i = 0; i < units; i++) intended[i] = this.t0Ms + (this.slot + i) * this.intervalMs;
    this.slot += units;
    return units;
  }

  /**
   * Records `count` replies from node `stats` that took `ms` milliseconds. Only the node's
   * histogram is written on the hot path; the test's histogram is their merge (see result()).
   */
  record(ms: number, count: number, stats: NodeStats): void {
    let us = Math.round(ms * 1000);
    if (us < 1) us = 1;
    if (us > LATENCY_HIGHEST_US) us = LATENCY_HIGHEST_US;
    stats.hist.recordValueWithCount(us, count);
    this.latencySumUs += us * count;
  }

  /** Completed and failed replies from one node, for the totals and --balance-nodes. */
  account(completed: number, errors: number, stats: NodeStats, address: string): void {
    this.completed += completed;
    this.errors += errors;
    stats.completed += completed;
    stats.errors += errors;
    if (this.params.balanceTolerance > 0) {
      const index = this.nodeIndex.get(address);
      if (index !== undefined) Atomics.add(this.shared.nodeCompleted, index, completed + errors);
    }
  }

  countError(code: string): void {
    this.errorsByType.set(code, (this.errorsByType.get(code) ?? 0) + 1);
  }

  /** Counts `n` errors of one type (the totals are counted by the caller). */
  countErrorN(code: string, n: number): void {
    this.errorsByType.set(code, (this.errorsByType.get(code) ?? 0) + n);
  }

  addErrors(code: string, n: number, stats?: NodeStats): void {
    this.errors += n;
    if (stats) stats.errors += n;
    this.errorsByType.set(code, (this.errorsByType.get(code) ?? 0) + n);
    this.publishProgress();
  }

  noteProblem(msg: string): void {
    if (this.problems.length < MAX_PROBLEMS && !this.problems.includes(msg)) this.problems.push(msg);
  }

  /** Publishes the counters for the progress line; `nowMs` is performance.now() if known. */
  publishProgress(nowMs = performance.now()): void {
    const row = this.params.workerIndex * PROGRESS_FIELDS;
    const p = this.shared.progress;
    p[row] = this.completed;
    p[row + 1] = this.errors;
    p[row + 2] = this.latencySumUs;
    this.lastReplyAtMs = performance.timeOrigin + nowMs;
  }

  /**
   * A request was answered with MOVED/ASK/TRYAGAIN/CLUSTERDOWN: it is neither completed nor an
   * error yet. Resend it (to the node the redirect names) and account for it when that answers.
   */
  /** `settle`, from the workload (ConnectionWorkload.onRedirect), hears how the resend ended. */
  followRedirect(from: BenchConnection, code: string, message: string, command: Uint8Array, sentAtMs: number, settle?: (ok: boolean) => void): void {
    // MOVED / ASK are redirects; TRYAGAIN / CLUSTERDOWN are retries, counted only when one is
    // answered (a request that keeps failing is an error of that type, not a redirect).
    if (code === "MOVED" || code === "ASK") {
      this.redirects.set(code, (this.redirects.get(code) ?? 0) + 1);
      this.statsFor(from.node.address).redirects++;
    } else if (code === "CLUSTERDOWN") {
      // The cluster cannot serve: every connection holds back new requests for a moment.
      this.clusterDownUntilMs = performance.now() + CLUSTERDOWN_HOLD_MS;
    }
    if (code === "MOVED") void this.cluster?.refresh();
    const router = this.router;
    if (!router) {
      this.addErrors(code, 1, this.statsFor(from.node.address));
      settle?.(false);
      return;
    }
    this.pendingRedirects++;
    void router.resend(command, code, message, from.node).catch((e: unknown) => ({ ok: false as const, code: "REDIRECT", problem: `following ${code} failed: ${(e as Error).message}` })).then((outcome) => {
      this.pendingRedirects--;
      settle?.(outcome.ok);
      if (outcome.ok) {
        if (outcome.retried) this.retried.set(outcome.retried, (this.retried.get(outcome.retried) ?? 0) + 1);
        const stats = this.statsFor(outcome.address);
        this.record(performance.now() - sentAtMs, 1, stats);
        this.account(1, 0, stats, outcome.address);
      } else {
        if (outcome.problem) this.noteProblem(outcome.problem);
        this.addErrors(outcome.code, 1, this.statsFor(from.node.address));
      }
      this.publishProgress();
      this.maybeDone();
    });
  }

  connectionFinished(_c: BenchConnection): void {
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
      this.noteProblem(
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
  requestTimedOut(c: BenchConnection): void {
    const timeoutMs = this.params.requestTimeoutMs;
    if (++c.timeoutsInARow >= TIMEOUTS_TO_GIVE_UP) {
      const address = c.node.address;
      this.noteProblem(
        `${address} stopped answering: requests timed out (--request-timeout ${timeoutMs} ms) again on a re-opened connection; gave the node up for this test`,
      );
      for (const other of this.connections) if (other.node.address === address) other.giveUp("TIMEOUT");
      return;
    }
    this.noteProblem(`${c.node.address} did not answer within ${timeoutMs} ms (--request-timeout); the unanswered requests were counted as errors and the connection re-opened`);
    c.failBatch("TIMEOUT");
  }

  /**
   * End of this worker's measured window: its last reply, and under --rps at least the end of
   * its last schedule slot (n requests paced at r per second occupy n / r seconds, so
   * `--rps 0.5 -n 2` achieves 0.5 per second, not 2 requests over the 2 s between them).
   */
  private windowEndMs(): number {
    const lastReply = this.lastReplyAtMs || this.startedAtMs;
    if (!this.rateLimited || this.slot === 0) return lastReply;
    return Math.max(lastReply, this.startedAtMs + this.slot * this.intervalMs);
  }

  result(): WorkerResult {
    const errorsByType: Record<string, number> = {};
    for (const [k, v] of this.errorsByType) errorsByType[k] = v;
    const redirects: Record<string, number> = {};
    for (const [k, v] of this.redirects) redirects[k] = v;
    const retried: Record<string, number> = {};
    for (const [k, v] of this.retried) retried[k] = v;
    const perNode: Record<string, NodeCounters> = {};
    for (const [address, s] of this.nodeStats) {
      s.drain();
      perNode[address] = {
        role: this.cluster?.roleOf(address),
        completed: s.completed,
        errors: s.errors,
        redirects: s.redirects,
        histogram: encodeHistogram(s.total),
      };
      mergeInto(this.hist, s.total);
      s.destroy(); // WebAssembly memory is not garbage-collected
    }
    const histogram = encodeHistogram(this.hist);
    this.hist.destroy();
    return {
      issued: this.issued,
      completed: this.completed,
      errors: this.errors,
      errorsByType,
      histogram,
      startedAtMs: this.startedAtMs,
      finishedAtMs: this.windowEndMs(),
      deadConnections: this.connections.filter((c) => c.dead).length,
      problems: this.problems,
      extra: this.workload.extra?.(),
      perNode,
      redirects,
      retried,
      ...(this.intervals ? { intervals: this.intervals } : {}),
    };
  }
}
