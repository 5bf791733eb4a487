/**
 * Reply counters for verified tests. They wrap the allocation-free ReplyScanner (which still
 * counts replies and errors for the engine) and add, per batch:
 * - WriteAcks (set test under --verify-writes / --verify-reads): every write that got a
 *   non-error reply is recorded in the ledger as acknowledged;
 * - ReadChecks (get test under --verify-reads): every value is compared with the ledger, and a
 *   reply whose value is not what this run last wrote to the key counts as a VERIFY error.
 * The connection tells them, at patch time, which key and stamp each unit of the batch carries.
 */
import type { ReplyCounter } from "../../engine/workload-api.ts";
import { ReplyScanner } from "../../resp/reply-scanner.ts";
import type { WriteLedger } from "./ledger.ts";
import { ReplyValueReader, type ValueSink } from "./reply-values.ts";
import { CORRUPT, NOT_OURS, readStamp } from "./stamp.ts";

/** Per-batch expectations: one entry per unit (the built-in set/get tests send one command per unit). */
class BatchExpectations {
  readonly entry: Int32Array;
  readonly key: Float64Array;
  readonly stamp: Uint32Array;
  readonly ackedAtSend: Uint32Array;
  constructor(pipeline: number) {
    this.entry = new Int32Array(pipeline);
    this.key = new Float64Array(pipeline);
    this.stamp = new Uint32Array(pipeline);
    this.ackedAtSend = new Uint32Array(pipeline);
  }
}

export class WriteAcks implements ReplyCounter {
  readonly inner = new ReplyScanner();
  readonly expected: BatchExpectations;
  errorCount = 0;
  /** Replies of the current batch seen so far. */
  private seen = 0;
  private readonly failed: Uint8Array;
  private readonly markFailed: (code: string, ordinal: number) => void;

  constructor(
    private readonly ledger: WriteLedger,
    pipeline: number,
  ) {
    this.expected = new BatchExpectations(pipeline);
    this.failed = new Uint8Array(pipeline);
    this.inner.reserve(pipeline);
    this.markFailed = (_code, ordinal) => {
      this.failed[ordinal] = 1;
    };
  }

  startBatch(): void {
    this.seen = 0;
  }

  feed(buf: Uint8Array, start: number, end: number): number {
    const n = this.inner.feed(buf, start, end);
    this.errorCount = this.inner.errorCount;
    if (n === 0) return 0;
    const failed = this.failed;
    failed.fill(0, 0, n);
    // Past the scanner's ring of error details we cannot tell which failed: record none.
    if (this.errorCount > this.inner.errorDetailsKept) failed.fill(1, 0, n);
    else if (this.errorCount > 0) this.inner.forEachErrorDetail(this.markFailed);
    const e = this.expected;
    for (let i = 0; i < n; i++) {
      const u = this.seen + i;
      if (failed[i] === 0 && u < e.entry.length) this.ledger.ack(e.entry[u]!, e.stamp[u]!, e.ackedAtSend[u]!);
    }
    this.seen += n;
    return n;
  }

  /** A redirected write (index within the batch) succeeded on its resend: it counts as acknowledged. */
  settleRedirect(index: number): ((ok: boolean) => void) | undefined {
    const e = this.expected;
    if (index >= e.entry.length) return undefined;
    const entry = e.entry[index]!;
    const stamp = e.stamp[index]!;
    const ackedAtSend = e.ackedAtSend[index]!;
    return (ok) => {
      if (ok) this.ledger.ack(entry, stamp, ackedAtSend);
    };
  }

  forEachErrorDetail(cb: (code: string, ordinal: number, message: string) => void): void {
    this.inner.forEachErrorDetail(cb);
  }

  reset(): void {
    this.inner.reset();
    this.seen = 0;
  }
}

export class ReadChecks implements ReplyCounter, ValueSink {
  readonly inner = new ReplyScanner();
  private readonly reader = new ReplyValueReader();
  readonly expected: BatchExpectations;
  errorCount = 0;
  private seen = 0;
  private readonly mismatched: Uint8Array;
  private readonly mismatchOrdinals: Int32Array;
  private mismatches = 0;
  /** Values compared, and those that did not match (for the report). */
  checked = 0;
  /** Replies for keys this run never wrote (empty, or a value not of this run): not judged, not counted in `checked`. */
  neverWritten = 0;
  failedChecks = 0;
  /** Set when the reply stream had a shape the value reader does not know: checking stopped. */
  gaveUp = false;

  constructor(
    private readonly ledger: WriteLedger,
    pipeline: number,
  ) {
    this.expected = new BatchExpectations(pipeline);
    this.mismatched = new Uint8Array(pipeline);
    this.mismatchOrdinals = new Int32Array(pipeline);
  }

  startBatch(): void {
    this.seen = 0;
  }

  feed(buf: Uint8Array, start: number, end: number): number {
    const n = this.inner.feed(buf, start, end);
    this.errorCount = this.inner.errorCount;
    this.mismatches = 0;
    if (this.gaveUp) {
      this.seen += n;
      return n;
    }
    this.mismatched.fill(0);
    const read = this.reader.feed(buf, start, end, this);
    if (this.reader.lost || read !== n) {
      this.gaveUp = true;
      this.seen += n;
      return n;
    }
    for (let i = 0; i < n; i++) {
      if (this.mismatched[i] === 1) this.mismatchOrdinals[this.mismatches++] = i;
    }
    this.failedChecks += this.mismatches;
    this.errorCount += this.mismatches;
    this.seen += n;
    return n;
  }

  onValue(reply: number, field: number, nil: boolean, length: number, head: Uint8Array): void {
    const u = this.seen + reply;
    const e = this.expected;
    if (u >= e.entry.length) return;
    const entry = e.entry[u]!;
    const acked = this.ledger.acked(entry);
    let bad: boolean;
    let judged = true;
    if (nil) {
      bad = acked !== 0;
      judged = bad;
    } else {
      const stamp = readStamp(head, 0, length, this.ledger.nonce, e.key[u]!, field);
      if (stamp === CORRUPT) bad = true;
      else if (stamp === NOT_OURS) {
        bad = acked !== 0;
        judged = bad;
      } else bad = stamp <= this.ledger.floor(entry);
    }
    if (field === 0) {
      if (judged) this.checked++;
      else this.neverWritten++;
    }
    if (bad) this.mismatched[reply] = 1;
  }

  forEachErrorDetail(cb: (code: string, ordinal: number, message: string) => void): void {
    this.inner.forEachErrorDetail(cb);
    for (let k = 0; k < this.mismatches; k++) cb("VERIFY", this.mismatchOrdinals[k]!, "");
  }

  reset(): void {
    this.inner.reset();
    this.reader.reset();
    this.seen = 0;
  }
}
