/**
 * Allocation-free reply counter: the benchmark hot path.
 *
 * The engine only needs to know how many replies arrived (to time and retire requests) and
 * which were errors, so this scanner walks the bytes with a small state machine and never builds
 * values. Nothing is allocated per reply; a string is built only for each error's first word
 * (errors are rare, and the caller classifies them by it: ERR, MOVED, WRONGTYPE...).
 *
 * Counting rules:
 * - A top-level value is one reply, whatever it nests. Errors are counted only at top level
 *   (`-` and `!` replies; an error inside an EXEC array is part of a successful reply).
 * - Top-level push messages (`>`, RESP3 client-tracking invalidations) are not replies: they are
 *   counted in `pushCount` instead.
 * - Attributes (`|`) precede a value and are skipped; they are not elements of their parent.
 *
 * Validation is structural (type bytes, length digits, CRLF placement, limits); the text of
 * simple lines (`:12x`, `#q`) is not checked here, only by RespDecoder.
 *
 * State survives chunk boundaries anywhere (inside a header, a body, its CRLF, nested
 * aggregates). After a RespProtocolError the stream position is lost: call reset() or drop the
 * connection.
 */
import { ErrorRing } from "./error-ring.ts";
import { RespProtocolError } from "./types.ts";
import { printableErrorType } from "./error-text.ts";
import {
  C_ATTRIBUTE,
  C_BULK,
  C_BULK_ERROR,
  C_ERROR,
  C_LINE,
  C_MAP,
  C_PUSH,
  CR,
  LF,
  LengthHeader,
  MAX_ERROR_CODE_BYTES,
  MAX_ERROR_LINE_BYTES,
  NULL_LENGTH,
  resolveLimits,
  SPACE,
  TYPE_CLASS,
  type ScannerLimits,
} from "./wire.ts";

export type ReplyScannerOptions = ScannerLimits;

// Scanner states between bytes.
const TYPE = 0; // expecting a type byte
const LINE = 1; // inside a simple line, looking for CR
const LINE_LF = 2; // simple line: CR seen, expecting LF
const LENGTH = 3; // inside a length header, reading digits
const LENGTH_LF = 4; // length header: CR seen, expecting LF
const BULK = 5; // skipping `bulkLeft` body bytes
const BULK_CR = 6; // bulk body done, expecting CR
const BULK_LF = 7; // expecting LF after the bulk body
const ERROR_LINE = 8; // top-level simple error: capturing its first word
const ERROR_BULK = 9; // top-level bulk error body: capturing its first word

const errorCodeText = new TextDecoder();

export class ReplyScanner {
  /** Top-level error replies completed by the last feed(). */
  errorCount = 0;
  /** Top-level push messages completed by the last feed() (not counted as replies). */
  pushCount = 0;
  private readonly limits: Required<ScannerLimits>;

  private state = TYPE;
  /** Open aggregates; remaining[d] is how many elements level d still expects. */
  private depth = 0;
  private readonly remaining: Int32Array;
  private readonly isAttribute: Uint8Array;

  /** The length header being read (split across chunks). */
  private readonly header = new LengthHeader();
  private bulkLeft = 0;

  private topIsPush = false;
  private topIsError = false;

  private readonly errorWord = new Uint8Array(MAX_ERROR_CODE_BYTES);
  private errorWordLength = 0;
  private capturingErrorWord = false;
  private readonly cachedWord = new Uint8Array(MAX_ERROR_CODE_BYTES);
  private cachedWordLength = -1;
  private cachedCode = "";
  /** This feed's errors: code, position among its replies, whole line for MOVED/ASK. */
  private readonly errors = new ErrorRing();
  private readonly errorLine = new Uint8Array(MAX_ERROR_LINE_BYTES);
  private errorLineLength = 0;
  private errorWordDone = false;
  /** Replies completed so far by the current feed(). */
  private feedReplies = 0;

  /** Stream offset of the `start` of the current feed, for error messages. */
  private streamOffset = 0;
  private feedStart = 0;

  private readonly failAt = (what: string, index: number): never => this.fail(what, index);

  constructor(opts: ReplyScannerOptions = {}) {
    this.limits = resolveLimits(opts);
    this.remaining = new Int32Array(this.limits.maxDepth);
    this.isAttribute = new Uint8Array(this.limits.maxDepth);
  }

  /** Keeps the details of up to `replies` errors per feed (the most a connection has in flight). */
  reserve(replies: number): void {
    this.errors.reserve(replies);
  }

  /** Errors per feed whose details forEachError / forEachErrorDetail can report. */
  get errorDetailsKept(): number {
    return this.errors.size;
  }

  /**
   * Consumes buf[start, end) and returns how many top-level replies it completed. errorCount,
   * pushCount and forEachError then describe this call only.
   */
  feed(buf: Uint8Array, start: number, end: number): number {
    let i = start;
    let replies = 0;
    let state = this.state;
    const remaining = this.remaining;
    this.errorCount = 0;
    this.feedReplies = 0;
    this.pushCount = 0;
    this.feedStart = start;

    while (i < end) {
      if (state === TYPE) {
        const type = buf[i];
        const cls = TYPE_CLASS[type];
        i++;
        if (cls === C_LINE) {
          // Fast path: the whole line is usually in this chunk.
          while (i < end && buf[i] !== CR) i++;
          if (i + 1 < end) {
            if (buf[i + 1] !== LF) this.fail("CR not followed by LF", i + 1);
            i += 2;
            // Inline the common case of completeValue(): an element that does not close its
            // aggregate (saves a call per element of an array reply).
            const depth = this.depth;
            if (depth > 0 && remaining[depth - 1] > 1) remaining[depth - 1]--;
            else replies += this.completeValue();
          } else if (i < end) {
            i++;
            state = LINE_LF;
          } else state = LINE;
        } else if (cls >= C_BULK) {
          // Fast path: a non-negative header, and for a bulk its body, wholly in this chunk.
          let j = i;
          let n = 0;
          while (j < end) {
            const d = buf[j] - 48;
            if (d < 0 || d > 9) break;
            n = n * 10 + d;
            j++;
          }
          if (j + 1 < end && buf[j] === CR && j > i && j - i <= 10) {
            if (buf[j + 1] !== LF) this.fail("CR not followed by LF", j + 1);
            j += 2;
            if (cls === C_BULK && n <= this.limits.maxBulkBytes && j + n + 1 < end) {
              if (buf[j + n] !== CR || buf[j + n + 1] !== LF) this.fail("missing CRLF after bulk string", j + n);
              i = j + n + 2;
              const depth = this.depth;
              if (depth > 0 && remaining[depth - 1] > 1) remaining[depth - 1]--;
              else replies += this.completeValue();
              continue;
            }
            this.header.begin(cls, type, n, j - 2 - i);
            i = j;
            state = this.headerDone(i);
            if (state === TYPE && this.completedByHeader) {
              this.completedByHeader = false;
              replies += this.completeValue();
            }
            continue;
          }
          this.header.begin(cls, type);
          state = LENGTH;
        } else if (cls === C_ERROR) {
          if (this.depth === 0) {
            this.topIsError = true;
            this.errorWordLength = 0;
            this.errorLineLength = 0;
            this.errorWordDone = false;
            this.capturingErrorWord = true;
            state = ERROR_LINE;
          } else state = LINE;
        } else this.fail(`unknown type byte 0x${type.toString(16).padStart(2, "0")}`, i - 1);
      } else if (state === LENGTH) {
        // Digits of "$123\r\n" / "*10\r\n"; may be split anywhere across chunks.
        i = this.header.read(buf, i, end, this.failAt);
        if (this.header.sawCr) state = LENGTH_LF;
      } else if (state === LENGTH_LF) {
        if (buf[i] !== LF) this.fail("CR not followed by LF", i);
        i++;
        state = this.headerDone(i);
        if (state === TYPE && this.completedByHeader) {
          this.completedByHeader = false;
          replies += this.completeValue();
        }
      } else if (state === BULK) {
        const take = Math.min(this.bulkLeft, end - i);
        i += take;
        this.bulkLeft -= take;
        if (this.bulkLeft === 0) state = BULK_CR;
      } else if (state === BULK_CR) {
        if (buf[i] !== CR) this.fail("missing CRLF after bulk string", i);
        i++;
        state = BULK_LF;
      } else if (state === BULK_LF) {
        if (buf[i] !== LF) this.fail("missing CRLF after bulk string", i);
        i++;
        state = TYPE;
        replies += this.completeValue();
      } else if (state === LINE) {
        while (i < end && buf[i] !== CR) i++;
        if (i < end) {
          i++;
          state = LINE_LF;
        }
      } else if (state === LINE_LF) {
        if (buf[i] !== LF) this.fail("CR not followed by LF", i);
        i++;
        state = TYPE;
        replies += this.completeValue();
      } else if (state === ERROR_LINE) {
        if (this.capturingErrorWord) i = this.captureErrorWord(buf, i, end, true);
        while (i < end && buf[i] !== CR) i++;
        if (i < end) {
          i++;
          state = LINE_LF;
        }
      } else {
        // ERROR_BULK
        const stop = i + Math.min(this.bulkLeft, end - i);
        this.bulkLeft -= stop - i;
        if (this.capturingErrorWord) this.captureErrorWord(buf, i, stop, false);
        i = stop;
        if (this.bulkLeft === 0) state = BULK_CR;
      }
    }

    this.state = state;
    this.streamOffset += end - start;
    return replies;
  }

  /** Calls `cb` with the code (first word) of each error reply of the last feed, in order. */
  forEachError(cb: (code: string) => void): void {
    this.errors.forEachCode(this.errorCount, cb);
  }

  /**
   * Like forEachError, with each error's position among the replies the last feed completed
   * (0 = its first reply) and, for MOVED/ASK only, the whole error line ("MOVED 3999 host:port").
   */
  forEachErrorDetail(cb: (code: string, ordinal: number, message: string) => void): void {
    this.errors.forEach(this.errorCount, cb);
  }

  /** Forgets all state: ready for a fresh stream (e.g. after a reconnect). */
  reset(): void {
    this.state = TYPE;
    this.depth = 0;
    this.bulkLeft = 0;
    this.topIsPush = false;
    this.topIsError = false;
    this.completedByHeader = false;
    this.errorCount = 0;
    this.pushCount = 0;
    this.streamOffset = 0;
  }

  /** headerDone() finished a value (null, empty aggregate) that completeValue() must count. */
  private completedByHeader = false;

  /** Acts on a complete length header; returns the next state. */
  private headerDone(pos: number): number {
    const cls = this.header.cls;
    const n = this.header.finish(pos, this.limits, this.failAt);
    if (n === NULL_LENGTH) {
      this.completedByHeader = true;
      return TYPE;
    }
    if (cls <= C_BULK_ERROR) {
      this.bulkLeft = n;
      if (cls === C_BULK_ERROR && this.depth === 0) {
        this.topIsError = true;
        this.errorWordLength = 0;
        this.errorLineLength = 0;
        this.errorWordDone = false;
        this.capturingErrorWord = true;
        return n === 0 ? BULK_CR : ERROR_BULK;
      }
      return n === 0 ? BULK_CR : BULK;
    }
    if (cls === C_PUSH && this.depth === 0) this.topIsPush = true;
    if (n === 0) {
      // An empty attribute is nothing; any other empty aggregate is a complete value.
      this.completedByHeader = cls !== C_ATTRIBUTE;
      return TYPE;
    }
    if (this.depth >= this.limits.maxDepth) this.fail(`nesting deeper than maxDepth (${this.limits.maxDepth})`, pos - 2);
    this.remaining[this.depth] = cls === C_MAP || cls === C_ATTRIBUTE ? n * 2 : n;
    this.isAttribute[this.depth] = cls === C_ATTRIBUTE ? 1 : 0;
    this.depth++;
    return TYPE;
  }

  /**
   * A value ending at `pos` is complete: pops every aggregate it completes. Returns 1 when that
   * finishes a top-level reply, else 0.
   */
  private completeValue(): number {
    let depth = this.depth;
    while (depth > 0) {
      const top = depth - 1;
      if (--this.remaining[top] > 0) return 0;
      depth = top;
      this.depth = depth;
      if (this.isAttribute[top] === 1) return 0; // attributes are not elements of their parent
    }
    if (this.topIsPush) {
      this.topIsPush = false;
      this.pushCount++;
      return 0;
    }
    if (this.topIsError) {
      this.topIsError = false;
      const code = this.errorCode();
      const line = code === "MOVED" || code === "ASK" ? errorCodeText.decode(this.errorLine.subarray(0, this.errorLineLength)) : "";
      this.errors.put(this.errorCount, code, this.feedReplies, line);
      this.errorCount++;
    }
    this.feedReplies++;
    return 1;
  }

  /**
   * Copies the error's first word from buf[i, end) into errorWord; it ends at a space (or at CR
   * for a simple error). Returns where it stopped, with the terminator not consumed.
   */
  private captureErrorWord(buf: Uint8Array, i: number, end: number, stopAtCr: boolean): number {
    const word = this.errorWord;
    const line = this.errorLine;
    let len = this.errorWordLength;
    let lineLen = this.errorLineLength;
    let wordDone = this.errorWordDone;
    for (; i < end; i++) {
      const b = buf[i];
      if (b === CR && stopAtCr) {
        this.capturingErrorWord = false;
        break;
      }
      if (b === SPACE) wordDone = true;
      if (!wordDone && len < MAX_ERROR_CODE_BYTES) word[len++] = b;
      if (lineLen < MAX_ERROR_LINE_BYTES) line[lineLen++] = b;
    }
    this.errorWordLength = len;
    this.errorLineLength = lineLen;
    this.errorWordDone = wordDone;
    return i;
  }

  /**
   * The captured code as a string. Errors tend to repeat (MOVED during a resharding, one
   * WRONGTYPE per request), so the last code's string is reused when the bytes match.
   */
  private errorCode(): string {
    const len = this.errorWordLength;
    const word = this.errorWord;
    const cached = this.cachedWord;
    if (len === this.cachedWordLength) {
      let k = 0;
      while (k < len && word[k] === cached[k]) k++;
      if (k === len) return this.cachedCode;
    }
    // A new word only (repeats come from the cache): made printable once, off the hot path.
    const code = printableErrorType(errorCodeText.decode(word.subarray(0, len)));
    cached.set(word.subarray(0, len));
    this.cachedWordLength = len;
    this.cachedCode = code;
    return code;
  }

  private fail(what: string, index: number): never {
    const offset = this.streamOffset + (index - this.feedStart);
    throw new RespProtocolError(`invalid RESP: ${what} at byte offset ${offset}`);
  }
}
