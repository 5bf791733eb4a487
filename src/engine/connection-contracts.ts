/**
 * The two narrow interfaces a benchmark connection (src/engine/bench-connection.ts) sees of the
 * test it runs: where its next requests come from (ClaimSchedule) and where what happened to
 * them goes (ReplyRecorder). Calls go one way, from the connection; the run never reaches into
 * a connection except through the lifecycle (src/engine/test-run.ts: kick, timeout sweep).
 */
import type { NodeStats } from "./interval-recorder.ts";
import type { NodeAssignment } from "./workload-api.ts";

/** What the lifecycle may do to a connection when its requests time out. */
export interface RunConnection {
  readonly node: NodeAssignment;
  /** Request timeouts since this connection's last reply. */
  timeoutsInARow: number;
  /** Counts the batch in flight as `code` errors, re-opens the connection and carries on. */
  failBatch(code: string): void;
  /** Counts the batch in flight as `code` errors and stops for the rest of the test. */
  giveUp(code: string): void;
}

/** Claims, pacing (--rps) and node balancing (--balance-nodes): src/engine/run-schedule.ts. */
export interface ClaimSchedule {
  readonly rateLimited: boolean;
  /** False for --keepalive 0: reconnect after every batch. */
  readonly keepalive: boolean;
  /** Units per claim (-P). */
  readonly unitsPerClaim: number;
  /** Global number of the first request of the last claim (requests are numbered 0, 1, 2...). */
  readonly claimStart: number;
  /** False once the test is over (total claimed, --duration reached, Ctrl-C). */
  canClaim(): boolean;
  /** Claims up to `maxUnits` units; 0 = nothing left. */
  claim(maxUnits: number, repliesPerUnit: number): number;
  /** Intended time (performance.now()) of the next --rps slot. */
  peekSlotMs(): number;
  /** Claims the due --rps slots (at least one) and writes their intended times. */
  claimDueUnits(intended: Float64Array, nowMs: number, repliesPerUnit: number): number;
  /** How long connections still hold back new requests after a CLUSTERDOWN reply (0 = none). */
  clusterDownHoldMs(nowMs: number): number;
  /** --balance-nodes: this node is ahead of the slowest by more than the tolerance. */
  nodeTooFarAhead(address: string): boolean;
  /** The connection moved between nodes (failover, resharding): balancing follows it. */
  nodeMoved(from: string, to: string): void;
}

/** Counters, latencies, errors and problems: src/engine/run-recorder.ts. */
export interface ReplyRecorder {
  /** Per-node counters and the latency histogram the hot path writes. */
  statsFor(address: string): NodeStats;
  /** `requests` were written to the socket. */
  sent(requests: number): void;
  /** `count` replies from one node took `ms` each. */
  record(ms: number, count: number, stats: NodeStats): void;
  /** Completed and failed replies from one node. */
  account(completed: number, errors: number, stats: NodeStats, address: string): void;
  /** One error reply's type (the totals come through account()). */
  countError(code: string): void;
  countErrorN(code: string, n: number): void;
  /** `n` requests failed without a reply (timeout, lost connection): totals and type. */
  addErrors(code: string, n: number, stats?: NodeStats): void;
  /** A problem worth telling the user (kept once, a few at most). */
  noteProblem(message: string): void;
  /** Publishes the counters for the progress line (`nowMs` = performance.now() if known). */
  publishProgress(nowMs?: number): void;
  /**
   * A request was answered MOVED/ASK/TRYAGAIN/CLUSTERDOWN: it is resent (a copy of its bytes in
   * `command`) and accounted when that answers; its latency counts from `startMs` (the batch's
   * write, or under --rps the request's intended time). `settle` hears how the resend ended.
   */
  redirect(from: NodeAssignment, code: string, message: string, command: Uint8Array, startMs: number, settle?: (ok: boolean) => void): void;
  /** A reply came after --request-timeout (before the sweep noticed): a timeout. */
  requestTimedOut(connection: RunConnection): void;
  /** The connection sends nothing more in this test. */
  connectionFinished(): void;
}
