/**
 * Where one worker's requests come from during a test: claims against the shared counter (so
 * every request number is used once across workers), the --rps schedule and --balance-nodes.
 */
import type { ClaimSchedule } from "./connection-contracts.ts";
import type { TestSpec } from "./messages.ts";
import { CLAIMED, DURATION_SEQUENCE, STOP, type SharedState } from "./shared-state.ts";

export interface ScheduleParams {
  pipeline: number;
  keepalive: boolean;
  workerIndex: number;
  workers: number;
  requestTimeoutMs: number;
  /** --balance-nodes tolerance as a fraction (0.1 = 10%); 0 = no balancing. */
  balanceTolerance: number;
}

export class RunSchedule implements ClaimSchedule {
  readonly rateLimited: boolean;
  readonly keepalive: boolean;
  readonly unitsPerClaim: number;
  claimStart = 0;
  // --rps schedule (per worker): slot k is due at t0 + k * intervalMs.
  /** Slots claimed so far. */
  slot = 0;
  private t0Ms = 0;
  readonly intervalMs: number;
  /** Index of each node address in spec.nodes (shared per-node counters for balancing). */
  private readonly nodeIndex = new Map<string, number>();
  /** performance.now() until which connections send nothing new after a CLUSTERDOWN reply. */
  private clusterDownUntilMs = 0;
  private balanceMin = -1;
  private balanceMinSinceMs = 0;

  constructor(
    private readonly spec: TestSpec,
    private readonly shared: SharedState,
    private readonly params: ScheduleParams,
    /** Told when balancing is suspended (a problem for the report). */
    private readonly noteProblem: (message: string) => void,
  ) {
    this.rateLimited = spec.rpsPerWorker > 0;
    this.keepalive = params.keepalive;
    this.unitsPerClaim = params.pipeline;
    this.intervalMs = this.rateLimited ? 1000 / spec.rpsPerWorker : 0;
    spec.nodes.forEach((n, i) => this.nodeIndex.set(n.address, i));
  }

  /** The schedule starts now; workers' slots interleave instead of all falling on the same instants. */
  start(nowMs: number): void {
    this.t0Ms = nowMs + (this.params.workerIndex * this.intervalMs) / this.params.workers;
  }

  canClaim(): boolean {
    if (Atomics.load(this.shared.ints, STOP) !== 0) return false;
    return Atomics.load(this.shared.ints, CLAIMED) < this.spec.totalRequests;
  }

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

  /** The cluster answered CLUSTERDOWN: every connection holds back new requests for `holdMs`. */
  holdAfterClusterDown(nowMs: number, holdMs: number): void {
    this.clusterDownUntilMs = nowMs + holdMs;
  }

  clusterDownHoldMs(nowMs: number): number {
    if (this.clusterDownUntilMs === 0) return 0;
    const hold = this.clusterDownUntilMs - nowMs;
    if (hold > 0) return hold;
    this.clusterDownUntilMs = 0;
    return 0;
  }

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

  /** Counts `answered` replies of node `address` on its shard's shared counter (--balance-nodes). */
  countForBalance(address: string, answered: number): void {
    const index = this.nodeIndex.get(address);
    if (index !== undefined) Atomics.add(this.shared.nodeCompleted, index, answered);
  }

  /**
   * A connection moved from `from` to `to` (failover, resharding): `to` now serves that shard,
   * so --balance-nodes keeps counting its requests on the shard's counter.
   */
  nodeMoved(from: string, to: string): void {
    const index = this.nodeIndex.get(from);
    if (index !== undefined && !this.nodeIndex.has(to)) this.nodeIndex.set(to, index);
  }

  peekSlotMs(): number {
    return this.t0Ms + this.slot * this.intervalMs;
  }

  claimDueUnits(intended: Float64Array, nowMs: number, repliesPerUnit: number): number {
    let due = Math.floor((nowMs - this.t0Ms) / this.intervalMs) - this.slot + 1;
    if (due < 1) due = 1;
    if (due > this.unitsPerClaim) due = this.unitsPerClaim;
    const units = this.claim(due, repliesPerUnit);
    for (let i = 0; i < units; i++) intended[i] = this.t0Ms + (this.slot + i) * this.intervalMs;
    this.slot += units;
    return units;
  }
}
