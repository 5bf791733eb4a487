/**
 * One benchmark client connection: the hot path.
 *
 * Per batch it claims up to `pipeline` units, patches their random regions in the pre-encoded
 * pipeline buffer, and sends them with ONE socket write (Bun does not coalesce writes; a write
 * per command was measured 7x slower). Replies are counted by an allocation-free scanner, with
 * one timestamp per data event. Nothing here allocates per request.
 */
import type { ConnectionConfig } from "../config/types.ts";
import { ConnectionError } from "../net/errors.ts";
import { openReadySocket } from "../net/handshake-socket.ts";
import type { BenchSocket, SocketSink, Target } from "../net/transport.ts";
import { ReplyScanner } from "../resp/reply-scanner.ts";
import { RespProtocolError } from "../resp/types.ts";
import type { CompiledUnit } from "../workload/template.ts";
import type { TestRun } from "./test-run.ts";

const NOOP_SINK: SocketSink = { onData() {}, onDrain() {}, onClose() {} };

export class BenchConnection implements SocketSink {
  private socket?: BenchSocket;
  private scanner = new ReplyScanner();
  private run?: TestRun;
  /** P copies of the unit, patched in place before each send. */
  private buffer = new Uint8Array(0);
  private unit?: CompiledUnit;
  private writeOffset = 0;
  private writeEnd = 0;
  /** Replies still expected for the batch in flight. */
  outstanding = 0;
  /** Replies of the current batch already received (maps replies to units under --rps). */
  private received = 0;
  /** performance.now() when the batch was written. */
  sentAtMs = 0;
  /** Intended send time of each unit in the batch (only with --rps). */
  private intendedMs = new Float64Array(0);
  private waitTimer: ReturnType<typeof setTimeout> | undefined;
  dead = false;
  private idle = true;

  constructor(
    readonly target: Target,
    private readonly conn: ConnectionConfig,
    readonly clientIndex: number,
    private readonly extraHandshake: readonly string[][] = [],
  ) {}

  async connect(): Promise<void> {
    this.socket = await openReadySocket(this.target, this.conn, this.extraHandshake);
    this.scanner = new ReplyScanner();
    this.socket.data.sink = this;
  }

  /** Prepares the pipeline buffer for a test. Called before start(). */
  attach(run: TestRun, unit: CompiledUnit, pipeline: number): void {
    this.run = run;
    this.unit = unit;
    const len = unit.bytes.length;
    this.buffer = new Uint8Array(len * pipeline);
    for (let i = 0; i < pipeline; i++) this.buffer.set(unit.bytes, i * len);
    run.fillDataRegions(this.buffer, unit, pipeline, this.clientIndex);
    this.intendedMs = new Float64Array(pipeline);
    this.dead = false;
    this.idle = true;
  }

  /** Starts (or resumes) sending. */
  kick(): void {
    if (!this.idle || this.dead || !this.run) return;
    if (!this.socket) {
      this.idle = false;
      void this.reconnectThenSend();
      return;
    }
    this.sendNext();
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

  private sendNext(): void {
    const run = this.run!;
    const unit = this.unit!;
    this.idle = false;
    let units: number;
    if (run.rateLimited) {
      const now = performance.now();
      const first = run.peekSlotMs();
      if (first > now) {
        // Not due yet: wait for the schedule. Latency will count from the intended time.
        if (!run.canClaim()) return this.finish();
        this.waitTimer = setTimeout(() => {
          this.waitTimer = undefined;
          this.sendNext();
        }, first - now);
        return;
      }
      units = run.claimDueUnits(this.intendedMs, now);
    } else {
      units = run.claimUnits();
    }
    if (units === 0) return this.finish();
    run.patchUnits(this.buffer, unit, units, this.clientIndex);
    this.outstanding = units * unit.replies;
    this.received = 0;
    this.writeOffset = 0;
    this.writeEnd = units * unit.bytes.length;
    run.issued += this.outstanding;
    this.sentAtMs = performance.now();
    this.flush();
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
    const run = this.run;
    if (!run || this.outstanding === 0) return; // stray bytes after a failed batch
    let n: number;
    try {
      n = this.scanner.feed(data, 0, data.length);
    } catch (e) {
      const msg = e instanceof RespProtocolError ? e.message : String(e);
      run.noteProblem(`malformed reply from ${run.where(this.target)}: ${msg}`);
      this.failBatch("PROTOCOL");
      return;
    }
    if (n === 0) return;
    if (n > this.outstanding) {
      run.noteProblem(`${run.where(this.target)} sent more replies than requests (${n} > ${this.outstanding}); is something else writing to this connection?`);
      n = this.outstanding;
    }
    const errors = this.scanner.errorCount;
    if (errors > 0) this.scanner.forEachError(run.countError);
    const now = performance.now();
    if (run.rateLimited) {
      const perUnit = this.unit!.replies;
      for (let i = 0; i < n; i++) {
        const u = ((this.received + i) / perUnit) | 0;
        run.record(now - this.intendedMs[u]!, 1);
      }
    } else {
      run.record(now - this.sentAtMs, n);
    }
    run.completed += n - errors;
    run.errors += errors;
    this.received += n;
    this.outstanding -= n;
    if (this.outstanding === 0) {
      run.publishProgress();
      if (!run.keepalive) {
        void this.reconnectThenSend();
      } else {
        this.sendNext();
      }
    }
  }

  onClose(err?: Error): void {
    this.socket = undefined;
    if (!this.run || this.idle || this.dead) return;
    this.run.noteProblem(`connection to ${this.run.where(this.target)} lost${err ? `: ${err.message}` : ""}`);
    this.failBatch("CONNECTION");
  }

  /** Counts the unanswered requests of the batch as errors, then reconnects and carries on. */
  failBatch(code: string): void {
    const run = this.run!;
    if (this.outstanding > 0) {
      run.addErrors(code, this.outstanding);
      this.outstanding = 0;
    }
    this.dropSocket();
    void this.reconnectThenSend();
  }

  private async reconnectThenSend(): Promise<void> {
    const run = this.run!;
    this.dropSocket();
    if (!run.canClaim()) return this.finish();
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.connect();
        this.sendNext();
        return;
      } catch (e) {
        if (attempt === 2) run.noteProblem(e instanceof ConnectionError ? e.message : String(e));
        await Bun.sleep(50 * (attempt + 1));
        if (!run.canClaim()) return this.finish();
      }
    }
    this.dead = true;
    this.finish();
  }

  private finish(): void {
    if (this.idle) return;
    this.idle = true;
    this.run?.connectionFinished(this);
  }

  /** Called by the timeout sweep. */
  timedOut(nowMs: number, timeoutMs: number): boolean {
    return this.outstanding > 0 && nowMs - this.sentAtMs > timeoutMs;
  }

  stop(): void {
    if (this.waitTimer) clearTimeout(this.waitTimer);
    this.waitTimer = undefined;
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
