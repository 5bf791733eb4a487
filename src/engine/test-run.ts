/**
 * The state of one test inside one worker: request claiming (shared counter), pacing under
 * --rps, key patching, latency recording and the per-worker result. Connections call into it
 * from their socket callbacks; everything here is allocation-free on the per-request path.
 */
import type { Histogram } from "hdr-histogram-js";
import { LATENCY_HIGHEST_US, createLatencyHistogram, encodeHistogram } from "../metrics/histogram.ts";
import { describeTarget, type Target } from "../net/transport.ts";
import type { CompiledUnit } from "../workload/template.ts";
import { RAND_WIDTH } from "../workload/template.ts";
import type { BenchConnection } from "./bench-connection.ts";
import type { TestSpec, WorkerResult } from "./messages.ts";
import { Rng } from "./rng.ts";
import { CLAIMED, PROGRESS_FIELDS, STOP, type SharedState } from "./shared-state.ts";

export interface RunParams {
  pipeline: number;
  keepalive: boolean;
  keyspaceLen: number;
  sequential: boolean;
  seed: number;
  totalClients: number;
  firstClient: number;
  workerIndex: number;
  requestTimeoutMs: number;
  /** Histogram significant digits (--precision). */
  precision: number;
}

const MAX_PROBLEMS = 5;
const DATA_ALPHABET = new TextEncoder().encode("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");

export class TestRun {
  readonly hist: Histogram;
  issued = 0;
  completed = 0;
  errors = 0;
  private errorsByType = new Map<string, number>();
  private latencySumUs = 0;
  readonly problems: string[] = [];
  readonly rateLimited: boolean;
  readonly keepalive: boolean;
  private readonly unitsPerClaim: number;
  private readonly repliesPerUnit: number;
  private readonly rngs: Rng[] = [];
  private seqCounters: Float64Array;
  private readonly nthValues = new Float64Array(10);
  private readonly nthStamp = new Int32Array(10);
  private stamp = 0;
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

  constructor(
    readonly spec: TestSpec,
    readonly unit: CompiledUnit,
    private readonly shared: SharedState,
    private readonly params: RunParams,
  ) {
    this.rateLimited = spec.rpsPerWorker > 0;
    this.keepalive = params.keepalive;
    this.unitsPerClaim = params.pipeline;
    this.repliesPerUnit = unit.replies;
    this.intervalMs = this.rateLimited ? 1000 / spec.rpsPerWorker : 0;
    this.seqCounters = new Float64Array(0);
    this.hist = createLatencyHistogram(params.precision);
    this.done = new Promise((r) => (this.resolveDone = r));
    this.countError = this.countError.bind(this);
  }

  /** Starts every connection and resolves when all have finished. */
  async start(connections: BenchConnection[]): Promise<void> {
    this.connections = connections;
    const seq = new Float64Array(connections.length);
    for (let i = 0; i < connections.length; i++) {
      const c = connections[i]!;
      this.rngs[i] = new Rng(this.params.seed, c.clientIndex);
      seq[i] = c.clientIndex;
      c.attach(this, this.unit, this.params.pipeline);
    }
    this.seqCounters = seq;
    this.startedAtMs = performance.timeOrigin + performance.now();
    this.t0Ms = performance.now();
    const sweepEvery = Math.max(10, Math.min(1000, this.params.requestTimeoutMs / 4));
    this.sweep = setInterval(() => this.sweepTimeouts(), sweepEvery);
    if (connections.length === 0) this.resolveDone();
    for (const c of connections) c.kick();
    await this.done;
    clearInterval(this.sweep);
    this.publishProgress();
  }

  where(t: Target): string {
    return describeTarget(t);
  }

  canClaim(): boolean {
    if (Atomics.load(this.shared.ints, STOP) !== 0) return false;
    return Atomics.load(this.shared.ints, CLAIMED) < this.spec.totalRequests;
  }

  /** Claims up to `pipeline` units from the shared request counter. 0 = nothing left. */
  claimUnits(): number {
    return this.claim(this.unitsPerClaim);
  }

  private claim(maxUnits: number): number {
    const ints = this.shared.ints;
    if (Atomics.load(ints, STOP) !== 0) return 0;
    const total = this.spec.totalRequests;
    if (total === Infinity) return maxUnits;
    const want = maxUnits * this.repliesPerUnit;
    if (Atomics.load(ints, CLAIMED) >= total) return 0;
    const before = Atomics.add(ints, CLAIMED, want);
    if (before >= total) return 0;
    const left = total - before;
    return left >= want ? maxUnits : Math.ceil(left / this.repliesPerUnit);
  }

  /** Intended time of the next schedule slot (--rps). */
  peekSlotMs(): number {
    return this.t0Ms + this.slot * this.intervalMs;
  }

  /** Claims every due slot (at least one, at most `pipeline`) and writes their intended times. */
  claimDueUnits(intended: Float64Array, nowMs: number): number {
    let due = Math.floor((nowMs - this.t0Ms) / this.intervalMs) - this.slot + 1;
    if (due < 1) due = 1;
    if (due > this.unitsPerClaim) due = this.unitsPerClaim;
    const units = this.claim(due);
    for (let i = 0; i < units; i++) intended[i] = this.t0Ms + (this.slot + i) * this.intervalMs;
    this.slot += units;
    return units;
  }

  /** Writes fresh random/sequential values into the first `units` copies of the unit. */
  patchUnits(buffer: Uint8Array, unit: CompiledUnit, units: number, clientIndex: number): void {
    const offsets = unit.randOffsets;
    const n = offsets.length;
    if (n === 0) return;
    const local = clientIndex - this.params.firstClient;
    const rng = this.rngs[local]!;
    const keyspace = this.params.keyspaceLen;
    const unitLen = unit.bytes.length;
    for (let u = 0; u < units; u++) {
      this.stamp++;
      const base = u * unitLen;
      for (let i = 0; i < n; i++) {
        const kind = unit.randKinds[i]!;
        let v: number;
        if (kind === 0) {
          v = this.nextValue(local, rng, keyspace);
        } else if (this.nthStamp[kind] === this.stamp) {
          v = this.nthValues[kind]!;
        } else {
          v = this.nextValue(local, rng, keyspace);
          this.nthValues[kind] = v;
          this.nthStamp[kind] = this.stamp;
        }
        writeDigits(buffer, base + offsets[i]!, v);
      }
    }
  }

  private nextValue(local: number, rng: Rng, keyspace: number): number {
    if (this.params.sequential) {
      const v = this.seqCounters[local]! % keyspace;
      this.seqCounters[local] = this.seqCounters[local]! + this.params.totalClients;
      return v;
    }
    return rng.below(keyspace);
  }

  /** Random alphanumeric payload for `__data__` regions, different in every pipeline slot. */
  fillDataRegions(buffer: Uint8Array, unit: CompiledUnit, pipeline: number, clientIndex: number): void {
    const regions = unit.dataRegions;
    if (regions.length === 0) return;
    const rng = new Rng(this.params.seed ^ 0x5eed, clientIndex);
    const unitLen = unit.bytes.length;
    for (let u = 0; u < pipeline; u++) {
      for (let r = 0; r < regions.length; r += 2) {
        const start = u * unitLen + regions[r]!;
        const end = start + regions[r + 1]!;
        for (let i = start; i < end; i++) buffer[i] = DATA_ALPHABET[rng.nextU32() % DATA_ALPHABET.length]!;
      }
    }
  }

  /** Records `count` replies that took `ms` milliseconds. */
  record(ms: number, count: number): void {
    let us = Math.round(ms * 1000);
    if (us < 1) us = 1;
    if (us > LATENCY_HIGHEST_US) us = LATENCY_HIGHEST_US;
    this.hist.recordValueWithCount(us, count);
    this.latencySumUs += us * count;
  }

  countError(code: string): void {
    this.errorsByType.set(code, (this.errorsByType.get(code) ?? 0) + 1);
  }

  addErrors(code: string, n: number): void {
    this.errors += n;
    this.errorsByType.set(code, (this.errorsByType.get(code) ?? 0) + n);
    this.publishProgress();
  }

  noteProblem(msg: string): void {
    if (this.problems.length < MAX_PROBLEMS && !this.problems.includes(msg)) this.problems.push(msg);
  }

  publishProgress(): void {
    const row = this.params.workerIndex * PROGRESS_FIELDS;
    const p = this.shared.progress;
    p[row] = this.completed;
    p[row + 1] = this.errors;
    p[row + 2] = this.latencySumUs;
    this.lastReplyAtMs = performance.timeOrigin + performance.now();
  }

  connectionFinished(_c: BenchConnection): void {
    this.finished++;
    if (this.finished >= this.connections.length) this.resolveDone();
  }

  private sweepTimeouts(): void {
    const now = performance.now();
    for (const c of this.connections) {
      if (c.timedOut(now, this.params.requestTimeoutMs)) {
        this.noteProblem(`${describeTarget(c.target)} did not answer within ${this.params.requestTimeoutMs} ms (--request-timeout); the batch was counted as errors and the connection re-opened`);
        c.failBatch("TIMEOUT");
      }
    }
  }

  result(): WorkerResult {
    const errorsByType: Record<string, number> = {};
    for (const [k, v] of this.errorsByType) errorsByType[k] = v;
    return {
      issued: this.issued,
      completed: this.completed,
      errors: this.errors,
      errorsByType,
      histogram: encodeHistogram(this.hist),
      startedAtMs: this.startedAtMs,
      finishedAtMs: this.lastReplyAtMs || this.startedAtMs,
      deadConnections: this.connections.filter((c) => c.dead).length,
      problems: this.problems,
    };
  }
}

/** Writes `v` as RAND_WIDTH zero-padded decimal digits (valkey-benchmark's %012d). */
function writeDigits(buf: Uint8Array, offset: number, v: number): void {
  for (let i = offset + RAND_WIDTH - 1; i >= offset; i--) {
    const q = Math.floor(v / 10);
    buf[i] = 48 + (v - q * 10);
    v = q;
  }
}
