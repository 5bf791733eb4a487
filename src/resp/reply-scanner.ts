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
import { RespProtocolError } from "./types.ts";
import { printableErrorType } from "./error-text.ts";

export interface ReplyScannerOptions {
  /** Largest accepted bulk string / bulk error / verbatim string (default 512 MiB). */
  maxBulkBytes?: number;
  /** Largest accepted aggregate element count; a map counts entries (default 16M, below 2^30). */
  maxAggregateLength?: number;
  /** Deepest accepted nesting of aggregates, attributes included (default 64). */
  maxDepth?: number;
}

/** How many error codes one feed() keeps for forEachError (errorCount itself stays exact). */
export const ERROR_CODE_RING_SIZE = 1024;
/** Error codes are truncated to this many bytes (real ones are a few letters). */
const MAX_ERROR_CODE_BYTES = 64;
/** Redirect errors (MOVED/ASK) keep their whole line, up to this many bytes (slot + address). */
const MAX_ERROR_LINE_BYTES = 512;

const CR = 13;
const LF = 10;
const SPACE = 32;

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

// Type byte classes (TYPE_CLASS table below).
const C_INVALID = 0;
const C_LINE = 1; // + : _ , # (
const C_ERROR = 2; // -
const C_BULK = 3; // $ =
const C_BULK_ERROR = 4; // !
const C_ARRAY = 5; // * ~
const C_MAP = 6; // %
const C_ATTRIBUTE = 7; // |
const C_PUSH = 8; // >

const TYPE_CLASS = new Uint8Array(256);
for (const c of "+:_,#(") TYPE_CLASS[c.charCodeAt(0)] = C_LINE;
TYPE_CLASS[45] = C_ERROR;
TYPE_CLASS[36] = C_BULK;
TYPE_CLASS[61] = C_BULK;
TYPE_CLASS[33] = C_BULK_ERROR;
TYPE_CLASS[42] = C_ARRAY;
TYPE_CLASS[126] = C_ARRAY;
TYPE_CLASS[37] = C_MAP;
TYPE_CLASS[124] = C_ATTRIBUTE;
TYPE_CLASS[62] = C_PUSH;

const errorCodeText = new TextDecoder();

export class ReplyScanner {
  /** Top-level error replies completed by the last feed(). */
  errorCount = 0;
  /** Top-level push messages completed by the last feed() (not counted as replies). */
  pushCount = 0;
  /**
   * Byte range [lastReplyStart, lastReplyEnd) in the last feed's `buf` of the last top-level
   * reply that feed() completed, for callers that need its content (search replies: decode it
   * with RespDecoder). lastReplyEnd is -1 when no reply completed; lastReplyStart is -1 when the
   * reply began in an earlier feed (then the caller must have kept those bytes itself).
   * A range may include attributes that precede the reply.
   */
  lastReplyStart = -1;
  lastReplyEnd = -1;

  /**
   * True when the last feed() ended inside a top-level value (a reply or a push message). A
   * caller capturing reply content keeps buf[partialValueStart, end) (or the whole fed range
   * when partialValueStart is -1: the value began in an earlier feed) until a later feed
   * completes it.
   */
  get hasPartialValue(): boolean {
    return this.replyOpen;
  }

  /** Index in the last feed's `buf` where the unfinished top-level value began, else -1. */
  get partialValueStart(): number {
    return this.replyOpen ? this.replyStart : -1;
  }

  private readonly maxBulkBytes: number;
  private readonly maxAggregateLength: number;
  private readonly maxDepth: number;

  private state = TYPE;
  /** Open aggregates; remaining[d] is how many elements level d still expects. */
  private depth = 0;
  private readonly remaining: Int32Array;
  private readonly isAttribute: Uint8Array;

  /** Length header being read: its type class and byte, value so far, digit count, leading '-'. */
  private headerClass = 0;
  private headerType = 0;
  private headerValue = 0;
  private headerDigits = 0;
  private headerNegative = false;
  private bulkLeft = 0;

  /** A top-level reply has begun (at `replyStart` in this feed, or -1) and not finished. */
  private replyOpen = false;
  private replyStart = -1;
  private topIsPush = false;
  private topIsError = false;

  private readonly errorWord = new Uint8Array(MAX_ERROR_CODE_BYTES);
  private errorWordLength = 0;
  private capturingErrorWord = false;
  private readonly cachedWord = new Uint8Array(MAX_ERROR_CODE_BYTES);
  private cachedWordLength = -1;
  private cachedCode = "";
  private readonly errorCodes: string[] = new Array<string>(ERROR_CODE_RING_SIZE).fill("");
  /** Parallel to errorCodes: the reply's position among the replies this feed completed. */
  private readonly errorOrdinals = new Int32Array(ERROR_CODE_RING_SIZE);
  /** Parallel to errorCodes: the whole error line for MOVED/ASK (built only for those), else "". */
  private readonly errorMessages: string[] = new Array<string>(ERROR_CODE_RING_SIZE).fill("");
  private readonly errorLine = new Uint8Array(MAX_ERROR_LINE_BYTES);
  private errorLineLength = 0;
  private errorWordDone = false;
  /** Replies completed so far by the current feed(). */
  private feedReplies = 0;

  /** Stream offset of the `start` of the current feed, for error messages. */
  private streamOffset = 0;
  private feedStart = 0;

  constructor(opts: ReplyScannerOptions = {}) {
    this.maxBulkBytes = opts.maxBulkBytes ?? 512 * 1024 * 1024;
    this.maxAggregateLength = opts.maxAggregateLength ?? 16 * 1024 * 1024;
    this.maxDepth = opts.maxDepth ?? 64;
    // remaining[] holds 2 counts per map entry in an Int32Array.
    if (this.maxAggregateLength > 2 ** 30 - 1) throw new RangeError("maxAggregateLength must be below 2^30");
    this.remaining = new Int32Array(this.maxDepth);
    this.isAttribute = new Uint8Array(this.maxDepth);
  }

  /**
   * Consumes buf[start, end) and returns how many top-level replies it completed. errorCount,
   * pushCount, forEachError and lastReply* then describe this call only.
   */
  feed(buf: Uint8Array, start: number, end: number): number {
    let i = start;
    let replies = 0;
    let state = this.state;
    const remaining = this.remaining;
    this.errorCount = 0;
    this.feedReplies = 0;
    this.pushCount = 0;
    this.lastReplyStart = -1;
    this.lastReplyEnd = -1;
    this.replyStart = -1;
    this.feedStart = start;

    while (i < end) {
      if (state === TYPE) {
        const type = buf[i];
        if (this.depth === 0 && !this.replyOpen) {
          this.replyOpen = true;
          this.replyStart = i;
        }
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
            else replies += this.completeValue(i);
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
            if (cls === C_BULK && n <= this.maxBulkBytes && j + n + 1 < end) {
              if (buf[j + n] !== CR || buf[j + n + 1] !== LF) this.fail("missing CRLF after bulk string", j + n);
              i = j + n + 2;
              const depth = this.depth;
              if (depth > 0 && remaining[depth - 1] > 1) remaining[depth - 1]--;
              else replies += this.completeValue(i);
              continue;
            }
            this.headerClass = cls;
            this.headerType = type;
            this.headerValue = n;
            this.headerDigits = j - 2 - i;
            this.headerNegative = false;
            i = j;
            state = this.headerDone(i);
            if (state === TYPE && this.completedByHeader) {
              this.completedByHeader = false;
              replies += this.completeValue(i);
            }
            continue;
          }
          this.headerClass = cls;
          this.headerType = type;
          this.headerValue = 0;
          this.headerDigits = 0;
          this.headerNegative = false;
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
        let value = this.headerValue;
        let digits = this.headerDigits;
        let b = 0;
        while (i < end) {
          b = buf[i];
          const d = b - 48;
          if (d < 0 || d > 9) break;
          value = value * 10 + d;
          digits++;
          i++;
        }
        this.headerValue = value;
        this.headerDigits = digits;
        if (digits > 10) this.fail("length header too long", i);
        if (i === end) break;
        if (b === CR) {
          i++;
          state = LENGTH_LF;
        } else if (b === 45 /* '-' */ && digits === 0 && !this.headerNegative) {
          this.headerNegative = true;
          i++;
        } else if (b === 63 /* '?' */ && digits === 0) {
          this.fail("streamed RESP3 replies are not supported", i);
        } else this.fail("non-digit in length header", i);
      } else if (state === LENGTH_LF) {
        if (buf[i] !== LF) this.fail("CR not followed by LF", i);
        i++;
        state = this.headerDone(i);
        if (state === TYPE && this.completedByHeader) {
          this.completedByHeader = false;
          replies += this.completeValue(i);
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
        replies += this.completeValue(i);
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
        replies += this.completeValue(i);
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
    const kept = Math.min(this.errorCount, ERROR_CODE_RING_SIZE);
    for (let k = this.errorCount - kept; k < this.errorCount; k++) cb(this.errorCodes[k % ERROR_CODE_RING_SIZE]);
  }

  /**
   * Like forEachError, with each error's position among the replies the last feed completed
   * (0 = its first reply) and, for MOVED/ASK only, the whole error line ("MOVED 3999 host:port").
   */
  forEachErrorDetail(cb: (code: string, ordinal: number, message: string) => void): void {
    const kept = Math.min(this.errorCount, ERROR_CODE_RING_SIZE);
    for (let k = this.errorCount - kept; k < this.errorCount; k++) {
      const slot = k % ERROR_CODE_RING_SIZE;
      cb(this.errorCodes[slot]!, this.errorOrdinals[slot]!, this.errorMessages[slot]!);
    }
  }

  /** Forgets all state: ready for a fresh stream (e.g. after a reconnect). */
  reset(): void {
    this.state = TYPE;
    this.depth = 0;
    this.bulkLeft = 0;
    this.replyOpen = false;
    this.replyStart = -1;
    this.topIsPush = false;
    this.topIsError = false;
    this.completedByHeader = false;
    this.errorCount = 0;
    this.pushCount = 0;
    this.lastReplyStart = -1;
    this.lastReplyEnd = -1;
    this.streamOffset = 0;
  }

  /** headerDone() finished a value (null, empty aggregate) that completeValue() must count. */
  private completedByHeader = false;

  /** Acts on a complete length header; returns the next state. */
  private headerDone(pos: number): number {
    const cls = this.headerClass;
    const n = this.headerValue;
    if (this.headerDigits === 0) this.fail("length header without digits", pos - 2);
    if (this.headerNegative) {
      // Only the RESP2 nulls "$-1" and "*-1" may be negative.
      if (n !== 1 || this.headerDigits !== 1 || (this.headerType !== 36 && this.headerType !== 42)) {
        this.fail("negative length", pos - 2);
      }
      this.completedByHeader = true;
      return TYPE;
    }
    if (cls <= C_BULK_ERROR) {
      if (n > this.maxBulkBytes) this.fail(`bulk length over maxBulkBytes (${this.maxBulkBytes})`, pos - 2);
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
    if (n > this.maxAggregateLength) {
      this.fail(`aggregate length over maxAggregateLength (${this.maxAggregateLength})`, pos - 2);
    }
    if (cls === C_PUSH && this.depth === 0) this.topIsPush = true;
    if (n === 0) {
      // An empty attribute is nothing; any other empty aggregate is a complete value.
      this.completedByHeader = cls !== C_ATTRIBUTE;
      return TYPE;
    }
    if (this.depth >= this.maxDepth) this.fail(`nesting deeper than maxDepth (${this.maxDepth})`, pos - 2);
    this.remaining[this.depth] = cls === C_MAP || cls === C_ATTRIBUTE ? n * 2 : n;
    this.isAttribute[this.depth] = cls === C_ATTRIBUTE ? 1 : 0;
    this.depth++;
    return TYPE;
  }

  /**
   * A value ending at `pos` is complete: pops every aggregate it completes. Returns 1 when that
   * finishes a top-level reply, else 0.
   */
  private completeValue(pos: number): number {
    let depth = this.depth;
    while (depth > 0) {
      const top = depth - 1;
      if (--this.remaining[top] > 0) return 0;
      depth = top;
      this.depth = depth;
      if (this.isAttribute[top] === 1) return 0; // attributes are not elements of their parent
    }
    this.replyOpen = false;
    if (this.topIsPush) {
      this.topIsPush = false;
      this.pushCount++;
      return 0;
    }
    if (this.topIsError) {
      this.topIsError = false;
      const slot = this.errorCount % ERROR_CODE_RING_SIZE;
      const code = this.errorCode();
      this.errorCodes[slot] = code;
      this.errorOrdinals[slot] = this.feedReplies;
      this.errorMessages[slot] = code === "MOVED" || code === "ASK" ? errorCodeText.decode(this.errorLine.subarray(0, this.errorLineLength)) : "";
      this.errorCount++;
    }
    this.feedReplies++;
    this.lastReplyStart = this.replyStart;
    this.lastReplyEnd = pos;
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
