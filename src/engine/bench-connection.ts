/**
 * One benchmark client connection: the hot path.
 *
 * Per batch it claims up to `pipeline` units, lets the workload patch them in the pre-encoded
 * pipeline buffer, and sends them with ONE socket write (Bun does not coalesce writes; a write
 * per command was measured 7x slower). Replies are counted by an allocation-free scanner, with
 * one timestamp per data event. Nothing here allocates per request.
 *
 * It sees the test through two interfaces only (src/engine/connection-contracts.ts): a
 * ClaimSchedule for what to send next and a ReplyRecorder for what happened.
 *
 * In cluster mode a connection is pinned to one node; MOVED/ASK/TRYAGAIN/CLUSTERDOWN replies are
 * handed to the recorder, whose run resends those requests, and a connection whose node stops
 * serving (failover, resharding) moves to the node that took its slots over.
 */
import type { ConnectionConfig } from "../config/types.ts";
import { ConnectionError } from "../net/errors.ts";
import { openReadySocket } from "../net/handshake-socket.ts";
import { targetOf, type ByteSocket, type SocketSink, type Target } from "../net/transport.ts";
import { RespProtocolError } from "../resp/types.ts";
import type { WorkerClusterState } from "./cluster-state.ts";
import type { ClaimSchedule, ReplyRecorder, RunConnection } from "./connection-contracts.ts";
import type { NodeStats } from "./interval-recorder.ts";
import type { ConnectionWorkload, NodeAssignment } from "./workload-api.ts";

/** Opens a socket that has completed the handshake (HELLO/AUTH/SELECT, plus `extra` commands). */
export type SocketOpener = (target: Target, conn: ConnectionConfig, extra: readonly string[][]) => Promise<ByteSocket>;

const NOOP_SINK: SocketSink = { onData() {}, onDrain() {}, onClose() {} };
const RETRYABLE = new Set(["MOVED", "ASK", "TRYAGAIN", "CLUSTERDOWN"]);
/** A standalone server's lost connection is re-opened with backoff (50 ms doubling to 1 s) for
 *  up to this long (at most --request-timeout): a restart does not end the test. */
export const RECONNECT_BUDGET_MS = 5_000;
/** A replica with a fallback (--rfr, standalone) is replaced by the primary sooner. */
const REPLICA_FALLBACK_AFTER_MS = 1000;
const RECONNECT_FIRST_BACKOFF_MS = 50;
const RECONNECT_MAX_BACKOFF_MS = 1000;
/** Longest single sleep while pacing (--rps) or balancing: stop requests are checked this often. */
const MAX_WAIT_MS = 50;

export class BenchConnection implements SocketSink, RunConnection {
  private socket?: ByteSocket;
  private schedule?: ClaimSchedule;
  private rec?: ReplyRecorder;
  private work?: ConnectionWorkload;
  private stats?: NodeStats;
  /** P copies of the unit, patched in place before each send. */
  private buffer: Uint8Array = new Uint8Array(0);
  private unitLen = 0;
  private repliesPerUnit = 1;
  private writeOffset = 0;
  private writeEnd = 0;
  /** Replies still expected for the batch in flight. */
  outstanding = 0;
  /** Replies of the current batch already received. */
  private received = 0;
  /** performance.now() when the batch was written. */
  sentAtMs = 0;
  /** Intended send time of each unit in the batch (only with --rps). */
  private intendedMs = new Float64Array(0);
  /** --rps: 1 for each reply of the batch that was a redirect (its latency counts on the resend). */
  private redirectedAt = new Uint8Array(0);
  private waitTimer: ReturnType<typeof setTimeout> | undefined;
  dead = false;
  /** Request timeouts since this connection's last reply (TestRun.requestTimedOut). */
  timeoutsInARow = 0;
  private idle = true;
  /** A slot our node served when we last saw it serve any: survives the shared list being emptied. */
  private homeSlot: number | undefined;
  /** True when cluster mode may move this connection to another node. */
  private readonly movable: boolean;
  private readonly onErrorDetail: (code: string, ordinal: number, message: string) => void;
  /** Standalone with --rfr: the primary this test's replica connections fall back to. */
  private fallbackNode: NodeAssignment | undefined;

  constructor(
    public node: NodeAssignment,
    private readonly conn: ConnectionConfig,
    readonly clientIndex: number,
    /** Cluster mode: the worker's topology (redirects are followed, connections move). */
    private readonly cluster: WorkerClusterState | undefined,
    private readonly open: SocketOpener = openReadySocket,
  ) {
    this.movable = cluster !== undefined;
    this.onErrorDetail = (code, ordinal, message) => this.handleError(code, ordinal, message);
  }

  get address(): string {
    return this.node.address;
  }

  async connect(): Promise<void> {
    const extra = this.node.role === "replica" && this.movable ? [["READONLY"]] : [];
    this.socket = await this.open(targetOf(this.node), this.conn, extra);
    this.socket.data.sink = this;
  }

  /** Prepares the pipeline buffer for a test. Called before kick(). */
  attach(schedule: ClaimSchedule, recorder: ReplyRecorder, work: ConnectionWorkload, pipeline: number, fallbackNode?: NodeAssignment): void {
    this.schedule = schedule;
    this.fallbackNode = fallbackNode;
    this.rec = recorder;
    this.work = work;
    this.stats = recorder.statsFor(this.node.address);
    if (this.node.slots.length > 0) this.homeSlot = this.node.slots[0];
    const unit = work.unit;
    this.unitLen = unit.bytes.length;
    this.repliesPerUnit = unit.replies;
    if (work.allocate) {
      this.buffer = work.allocate(pipeline);
    } else {
      this.buffer = new Uint8Array(this.unitLen * pipeline);
      for (let i = 0; i < pipeline; i++) this.buffer.set(unit.bytes, i * this.unitLen);
    }
    this.intendedMs = new Float64Array(pipeline);
    this.redirectedAt = new Uint8Array(pipeline * unit.replies);
    work.scanner.reserve?.(pipeline * unit.replies);
    work.scanner.reset();
    this.dead = false;
    this.idle = true;
  }

  /** Starts sending. */
  kick(): void {
    if (!this.idle || this.dead || !this.schedule) return;
    this.idle = false;
    if (!this.socket) {
      void this.reconnectThenSend();
      return;
    }
    this.sendNext();
  }

  private sendNext(): void {
    const run = this.schedule!;
    let units: number;
    this.clearWait();
    if (this.outstanding > 0) return; // a batch is in flight: its last reply sends the next
    if (!this.socket) {
      // Lost between batches: reconnect once the current call stack (maybe a reconnect) is done.
      setTimeout(() => void this.reconnectThenSend(), 0);
      return;
    }
    if (this.cluster && this.node.slots.length === 0) {
      // Our node gave all its slots away (resharding, failover): follow them.
      void this.relocate();
      return;
    }
    const holdMs = run.clusterDownHoldMs(performance.now());
    if (holdMs > 0) {
      // A node answered CLUSTERDOWN a moment ago: flooding a cluster that cannot serve helps no one.
      if (!run.canClaim()) return this.finish();
      this.wait(Math.min(holdMs, MAX_WAIT_MS));
      return;
    }
    if (run.nodeTooFarAhead(this.node.address)) {
      // --balance-nodes: let the slower nodes catch up.
      if (!run.canClaim()) return this.finish();
      this.wait(1);
      return;
    }
    if (run.rateLimited) {
      const now = performance.now();
      const first = run.peekSlotMs();
      if (first > now) {
        // Not due yet: wait for the schedule (latency counts from the intended time), in
        // steps of at most MAX_WAIT_MS so the end of a test or Ctrl-C is noticed promptly.
        if (!run.canClaim()) return this.finish();
        this.wait(Math.min(first - now, MAX_WAIT_MS));
        return;
      }
      units = run.claimDueUnits(this.intendedMs, now, this.repliesPerUnit);
    } else {
      units = run.claim(run.unitsPerClaim, this.repliesPerUnit);
    }
    if (units === 0) return this.finish();
    const bytes = this.work!.patch(this.buffer, units, run.claimStart);
    this.outstanding = units * this.repliesPerUnit;
    this.received = 0;
    this.writeOffset = 0;
    this.writeEnd = bytes;
    this.rec!.sent(this.outstanding);
    this.sentAtMs = performance.now();
    this.flush();
  }

  private wait(ms: number): void {
    this.waitTimer = setTimeout(() => {
      this.waitTimer = undefined;
      this.sendNext();
    }, ms);
  }

  private clearWait(): void {
    if (this.waitTimer) clearTimeout(this.waitTimer);
    this.waitTimer = undefined;
  }

  private flush(): void {
    const s = this.socket;
    if (!s) return;
    const n = s.write(this.buffer, this.writeOffset, this.writeEnd - this.writeOffset);
    if (n > 0) this.writeOffset += n;
    // The rest goes out from onDrain().
  }

  onDrain(): void {
    if (this.writeOffset < this.writeEnd) this.flush();
  }

  onData(data: Uint8Array): void {
    const rec = this.rec;
    // Between tests nothing is expected. While paced (--rps) or balancing, no batch is in flight
    // but the stream goes on (a RESP3 push may arrive, in pieces): the scanner must see it all.
    if (!rec || this.idle) return;
    const now = performance.now();
    if (this.outstanding > 0 && now - this.sentAtMs > this.conn.requestTimeoutMs) {
      // Arrived after --request-timeout (before the sweep noticed): a timeout, not a success.
      rec.requestTimedOut(this);
      return;
    }
    const scanner = this.work!.scanner;
    let n: number;
    try {
      n = scanner.feed(data, 0, data.length);
    } catch (e) {
      const msg = e instanceof RespProtocolError ? e.message : String(e);
      rec.noteProblem(`malformed reply from ${this.node.address}: ${msg}`);
      this.failBatch("PROTOCOL");
      return;
    }
    if (n === 0) return;
    this.timeoutsInARow = 0;
    if (n > this.outstanding) {
      rec.noteProblem(`${this.node.address} sent more replies than requests (${n} > ${this.outstanding}); is something else writing to this connection?`);
      n = this.outstanding;
      if (n === 0) return;
    }
    const stats = this.stats!;
    let errors = scanner.errorCount;
    this.redirected = 0;
    if (errors > 0) {
      this.detailed = 0;
      scanner.forEachErrorDetail(this.onErrorDetail);
      // Details are kept for as many errors as replies in flight (ReplyCounter.reserve); any
      // the scanner could not keep still count.
      if (this.detailed < errors) rec.countErrorN("UNKNOWN", errors - this.detailed);
      errors -= this.redirected;
    }
    const answered = n - this.redirected;
    const work = this.work!;
    if (this.schedule!.rateLimited) {
      // Each reply's latency counts from its own unit's intended send time; a redirected one is
      // recorded when its resend answers (from the same intended time), not here.
      const perUnit = this.repliesPerUnit;
      const redirectedAt = this.redirectedAt;
      for (let i = 0; i < n; i++) {
        const index = this.received + i;
        const latencyMs = now - this.intendedMs[(index / perUnit) | 0]!;
        if (redirectedAt[index] === 1) redirectedAt[index] = 0;
        else rec.record(latencyMs, 1, stats);
        work.onReplies?.(index, 1, latencyMs);
      }
    } else {
      if (answered > 0) rec.record(now - this.sentAtMs, answered, stats);
      work.onReplies?.(this.received, n, now - this.sentAtMs);
    }
    rec.account(answered - errors, errors, stats, this.node.address);
    this.received += n;
    this.outstanding -= n;
    if (this.outstanding === 0) {
      rec.publishProgress(now);
      if (!this.schedule!.keepalive) void this.reconnectThenSend();
      else this.sendNext();
    }
  }

  /** Redirects counted in the current onData (they are neither completed nor errors). */
  private redirected = 0;

  /** Errors whose details the scanner reported in the current onData. */
  private detailed = 0;

  private handleError(code: string, ordinal: number, message: string): void {
    const rec = this.rec!;
    this.detailed++;
    const index = this.received + ordinal;
    if (!RETRYABLE.has(code) || !this.cluster) {
      rec.countError(code);
      return;
    }
    // Copy the one command out of the buffer before the next batch overwrites it.
    let start: number;
    let end: number;
    if (this.work!.commandRange) {
      [start, end] = this.work!.commandRange(index);
    } else {
      const unitBase = ((index / this.repliesPerUnit) | 0) * this.unitLen;
      const offsets = this.work!.unit.commandOffsets;
      const c = index % this.repliesPerUnit;
      start = unitBase + offsets[c]!;
      end = c + 1 < offsets.length ? unitBase + offsets[c + 1]! : unitBase + this.unitLen;
    }
    this.redirected++;
    const settle = this.work!.onRedirect?.(index);
    let startMs = this.sentAtMs;
    if (this.schedule!.rateLimited) {
      startMs = this.intendedMs[(index / this.repliesPerUnit) | 0]!;
      this.redirectedAt[index] = 1;
    }
    rec.redirect(this.node, code, message, this.buffer.slice(start, end), startMs, settle);
  }

  onClose(err?: Error): void {
    this.socket = undefined;
    if (!this.rec || this.idle || this.dead) return;
    this.rec.noteProblem(`connection to ${this.node.address} lost${err ? `: ${err.message}` : ""}`);
    this.failBatch("CONNECTION");
  }

  /** Counts the unanswered requests of the batch as errors, then reconnects and carries on. */
  failBatch(code: string): void {
    this.clearWait();
    if (this.outstanding > 0) {
      this.rec!.addErrors(code, this.outstanding, this.stats);
      this.outstanding = 0;
    }
    this.redirectedAt.fill(0);
    this.work?.abandonBatch();
    this.dropSocket();
    void this.reconnectThenSend();
  }

  /** The node is given up for this test: counts the batch as `code` errors and stops. */
  giveUp(code: string): void {
    this.clearWait();
    if (this.outstanding > 0) {
      this.rec!.addErrors(code, this.outstanding, this.stats);
      this.outstanding = 0;
    }
    this.redirectedAt.fill(0);
    this.work?.abandonBatch();
    this.dropSocket();
    this.dead = true;
    this.finish();
  }

  /** Detaches and closes the socket without triggering our own onClose. */
  private dropSocket(): void {
    const s = this.socket;
    this.socket = undefined;
    if (s) {
      s.data.sink = NOOP_SINK;
      s.terminate();
    }
  }

  private async reconnectThenSend(): Promise<void> {
    this.clearWait();
    if (this.reconnecting) return;
    this.reconnecting = true;
    try {
      await this.reconnectLoop(this.schedule!, this.rec!);
    } finally {
      this.reconnecting = false;
    }
  }

  private reconnecting = false;

  private async reconnectLoop(run: ClaimSchedule, rec: ReplyRecorder): Promise<void> {
    this.dropSocket();
    this.work?.scanner.reset();
    if (!run.canClaim()) return this.finish();
    // A cluster node may be gone for good (failover): keep trying, following the topology,
    // for as long as a request may take. A standalone server may be restarting: retry with
    // backoff within RECONNECT_BUDGET_MS, then a replica's connections fall back to the primary.
    const fallback = this.cluster ? undefined : this.fallbackNode;
    let budgetMs = this.cluster ? this.conn.requestTimeoutMs : Math.min(RECONNECT_BUDGET_MS, this.conn.requestTimeoutMs);
    if (fallback && this.node.address !== fallback.address) budgetMs = Math.min(budgetMs, REPLICA_FALLBACK_AFTER_MS);
    let deadline = performance.now() + budgetMs;
    let backoffMs = RECONNECT_FIRST_BACKOFF_MS;
    for (;;) {
      try {
        await this.connect();
        if (this.dead) return this.dropSocket(); // its node was given up meanwhile
        this.sendNext();
        return;
      } catch (e) {
        if (performance.now() > deadline) {
          if (fallback && this.node.address !== fallback.address) {
            rec.noteProblem(`replica ${this.node.address} could not be reached for ${budgetMs} ms; its connections read from the primary ${fallback.address} instead`);
            this.moveTo(fallback);
            budgetMs = Math.min(RECONNECT_BUDGET_MS, this.conn.requestTimeoutMs);
            deadline = performance.now() + budgetMs;
            backoffMs = RECONNECT_FIRST_BACKOFF_MS;
            continue;
          }
          rec.noteProblem(e instanceof ConnectionError ? e.message : String(e));
          break;
        }
        if (this.cluster) await this.followTopology();
        else {
          await Bun.sleep(backoffMs);
          backoffMs = Math.min(backoffMs * 2, RECONNECT_MAX_BACKOFF_MS);
        }
        if (!run.canClaim() || this.dead) return this.finish();
      }
    }
    this.dead = true;
    this.finish();
  }

  /** Our node serves no slots any more: find who does, within --request-timeout, or give up. */
  private async relocate(): Promise<void> {
    const run = this.schedule!;
    const deadline = performance.now() + this.conn.requestTimeoutMs;
    while (this.node.slots.length === 0 && performance.now() < deadline && run.canClaim()) await this.followTopology();
    if (this.node.slots.length === 0) {
      if (run.canClaim()) this.rec!.noteProblem(`${this.node.address} serves no slots and no other node took them over`);
      this.dead = run.canClaim();
      return this.finish();
    }
    void this.reconnectThenSend();
  }

  /** After losing our node in cluster mode: refresh the topology and move to whoever serves now. */
  private async followTopology(): Promise<void> {
    const rec = this.rec!;
    const formerSlot = this.node.slots.length > 0 ? this.node.slots[0] : this.homeSlot;
    await this.cluster!.refresh();
    const next = this.cluster!.replacementFor(this.node, formerSlot);
    if (next) {
      rec.noteProblem(`${this.node.address} stopped serving; connections moved to ${next.address}`);
      this.moveTo(next);
    } else {
      await Bun.sleep(200);
    }
  }

  /** Points this connection at another node (its socket, if any, is closed). */
  private moveTo(next: NodeAssignment): void {
    this.schedule!.nodeMoved(this.node.address, next.address);
    this.node = next;
    if (next.slots.length > 0) this.homeSlot = next.slots[0];
    this.stats = this.rec!.statsFor(next.address);
    this.work?.retarget?.(next);
    this.dropSocket();
  }

  private finish(): void {
    if (this.idle) return;
    this.idle = true;
    this.rec?.connectionFinished();
  }

  /** Called by the timeout sweep. */
  timedOut(nowMs: number, timeoutMs: number): boolean {
    return this.outstanding > 0 && nowMs - this.sentAtMs > timeoutMs;
  }

  stop(): void {
    this.clearWait();
  }

  close(): void {
    this.stop();
    this.idle = true;
    this.dead = true;
    this.dropSocket();
  }

  get connected(): boolean {
    return this.socket !== undefined;
  }
}
