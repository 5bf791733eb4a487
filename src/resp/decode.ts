/**
 * Incremental RESP2/RESP3 decoder producing RespValue (mapping in ./types.ts).
 *
 * Used off the hot path: connection setup (HELLO, AUTH, CLUSTER SLOTS), INFO/FT.INFO parsing and
 * search replies. The benchmark loop counts replies with ReplyScanner instead.
 *
 * Design: bytes are appended to one growable buffer; `next()` parses one element at a time from
 * the read position. Finished elements of an open aggregate are committed to a frame stack, so
 * bytes are never parsed twice except the header of the one incomplete element. A bulk body
 * waiting for more bytes keeps its parsed length, and a line waiting for its CRLF remembers how
 * far it was searched, so a 100 MB bulk fed in 64 KB chunks costs linear time (buffer growth is
 * by doubling).
 *
 * After a RespProtocolError the stream position is lost: every later `next()` rethrows the same
 * error until `reset()`.
 */
import { RespError, RespMap, RespProtocolError, RespPush, type RespValue } from "./types.ts";

/** Returned by `next()` when the buffered bytes do not hold a complete value yet. */
export const NEED_MORE: unique symbol = Symbol("resp.needMore");

export interface RespDecoderOptions {
  /** Return `$` bulk strings as Uint8Array copies instead of UTF-8 strings. */
  binary?: boolean;
  /** Largest accepted bulk string / bulk error / verbatim string (default 512 MiB). */
  maxBulkBytes?: number;
  /** Largest accepted aggregate element count; a map counts entries (default 16M). */
  maxAggregateLength?: number;
  /** Deepest accepted nesting of aggregates, attributes included (default 64). */
  maxDepth?: number;
}

const DEFAULT_MAX_BULK_BYTES = 512 * 1024 * 1024;
const DEFAULT_MAX_AGGREGATE_LENGTH = 16 * 1024 * 1024;
const DEFAULT_MAX_DEPTH = 64;
/** A length header ("$123\r\n") longer than this is garbage, not a slow sender. */
const MAX_HEADER_LINE = 24;
const INITIAL_CAPACITY = 16 * 1024;
/** A decoder whose buffer grew past this (for a big bulk) gives it back once drained. */
const SHRINK_ABOVE = 4 * 1024 * 1024;

const CR = 13;
const LF = 10;

const enum FrameKind {
  Array,
  Push,
  Map,
  Attribute,
}

interface Frame {
  kind: FrameKind;
  /** Elements still to read; a map or attribute counts key and value separately. */
  remaining: number;
  items: RespValue[];
}

/** parseOne() opened a frame or read an empty attribute: nothing to hand upward yet. */
const CONTINUE: unique symbol = Symbol("resp.continue");

const DOUBLE_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const BIG_NUMBER_TEXT = /^[+-]?\d+$/;

export class RespDecoder {
  private readonly binary: boolean;
  private readonly maxBulkBytes: number;
  private readonly maxAggregateLength: number;
  private readonly maxDepth: number;
  private readonly text = new TextDecoder();

  private buf = new Uint8Array(INITIAL_CAPACITY);
  /** Read position: first byte of the element being parsed. */
  private start = 0;
  /** Write position: one past the last pushed byte. */
  private end = 0;
  /** Stream offset of buf[0], for error messages. */
  private bufBase = 0;
  /** How many bytes after `start` were already searched for CR without finding one. */
  private scanned = 0;
  /** Parsed header of a bulk whose body is incomplete: body length, or -1 when none pending. */
  private pendingBulkLength = -1;
  private pendingBulkHeaderBytes = 0;
  private stack: Frame[] = [];
  private failure: RespProtocolError | null = null;

  constructor(opts: RespDecoderOptions = {}) {
    this.binary = opts.binary ?? false;
    this.maxBulkBytes = opts.maxBulkBytes ?? DEFAULT_MAX_BULK_BYTES;
    this.maxAggregateLength = opts.maxAggregateLength ?? DEFAULT_MAX_AGGREGATE_LENGTH;
    this.maxDepth = opts.maxDepth ?? DEFAULT_MAX_DEPTH;
  }

  /** Bytes pushed but not yet consumed (the incomplete tail, once `next()` returned NEED_MORE). */
  get bufferedBytes(): number {
    return this.end - this.start;
  }

  /** Appends a chunk (copied: the caller may reuse it). */
  push(chunk: Uint8Array): void {
    const n = chunk.byteLength;
    if (n === 0) return;
    if (this.start === this.end && this.start > 0) {
      // Everything was consumed: restart at the front, and give back a buffer a big bulk grew.
      this.bufBase += this.start;
      this.start = 0;
      this.end = 0;
      if (this.buf.byteLength > SHRINK_ABOVE) this.buf = new Uint8Array(INITIAL_CAPACITY);
    }
    if (this.end + n > this.buf.byteLength) this.makeRoom(n);
    this.buf.set(chunk, this.end);
    this.end += n;
  }

  /** The next complete top-level value, or NEED_MORE. Throws RespProtocolError on bad bytes. */
  next(): RespValue | typeof NEED_MORE {
    if (this.failure) throw this.failure;
    try {
      return this.step();
    } catch (err) {
      if (err instanceof RespProtocolError) this.failure = err;
      throw err;
    }
  }

  /** Drops buffered bytes, partial values and any failure: ready for a fresh stream. */
  reset(): void {
    if (this.buf.byteLength > SHRINK_ABOVE) this.buf = new Uint8Array(INITIAL_CAPACITY);
    this.start = 0;
    this.end = 0;
    this.bufBase = 0;
    this.scanned = 0;
    this.pendingBulkLength = -1;
    this.pendingBulkHeaderBytes = 0;
    this.stack = [];
    this.failure = null;
  }

  /**
   * Ensures room for `n` more bytes. Compacting moves only the unconsumed tail and happens only
   * when that tail is at most half the buffer, so each byte is copied O(1) times amortized.
   */
  private makeRoom(n: number): void {
    const live = this.end - this.start;
    const capacity = this.buf.byteLength;
    if (live + n <= capacity / 2) {
      this.buf.copyWithin(0, this.start, this.end);
      this.bufBase += this.start;
    } else {
      let size = capacity * 2;
      while (size < live + n) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.buf.subarray(this.start, this.end));
      this.buf = grown;
      this.bufBase += this.start;
    }
    this.end = live;
    this.start = 0;
  }

  private fail(what: string, index: number): never {
    throw new RespProtocolError(`invalid RESP: ${what} at byte offset ${this.bufBase + index}`);
  }

  private step(): RespValue | typeof NEED_MORE {
    for (;;) {
      const parsed = this.parseOne();
      if (parsed === NEED_MORE) return NEED_MORE;
      if (parsed === CONTINUE) continue;
      let value: RespValue = parsed;
      // Hand the value up through every aggregate it completes.
      for (;;) {
        const top = this.stack[this.stack.length - 1];
        if (top === undefined) return value;
        top.items.push(value);
        if (--top.remaining > 0) break;
        this.stack.pop();
        if (top.kind === FrameKind.Attribute) break; // metadata about the next value: dropped
        value = buildAggregate(top);
      }
    }
  }

  /** Parses the element at `start`: a value, CONTINUE (frame opened) or NEED_MORE. */
  private parseOne(): RespValue | typeof NEED_MORE | typeof CONTINUE {
    const s = this.start;
    if (s >= this.end) return NEED_MORE;
    const type = this.buf[s];
    switch (type) {
      case 43: // '+' simple string
      case 45: // '-' simple error
      case 58: // ':' integer
      case 95: // '_' null
      case 44: // ',' double
      case 35: // '#' boolean
      case 40: {
        // '(' big number
        const cr = this.findLineEnd(s + 1, this.maxBulkBytes);
        if (cr < 0) return NEED_MORE;
        const value = this.simpleValue(type, s + 1, cr);
        this.consume(cr + 2);
        return value;
      }
      case 36: // '$' bulk string
      case 33: // '!' bulk error
      case 61: // '=' verbatim string
        return this.bulkValue(type, s);
      case 42: // '*' array
      case 126: // '~' set
      case 62: // '>' push
      case 37: // '%' map
      case 124: // '|' attribute
        return this.aggregateHeader(type, s);
      default:
        return this.fail(`unknown type byte 0x${type.toString(16).padStart(2, "0")}`, s);
    }
  }

  private consume(next: number): void {
    this.start = next;
    this.scanned = 0;
  }

  /**
   * Index of the CR ending the line that starts at `from`, or -1 when the CRLF has not arrived.
   * Resumes the search where the previous call stopped (no rescans of a long partial line).
   */
  private findLineEnd(from: number, maxLine: number): number {
    const buf = this.buf;
    const end = this.end;
    let cr = Math.max(from, this.start + this.scanned);
    while (cr < end && buf[cr] !== CR) cr++;
    if (cr + 1 >= end) {
      const stop = cr;
      this.scanned = stop - this.start;
      if (stop - from > maxLine) this.fail(`line longer than ${maxLine} bytes`, from);
      return -1;
    }
    if (cr - from > maxLine) this.fail(`line longer than ${maxLine} bytes`, from);
    if (buf[cr + 1] !== LF) this.fail("CR not followed by LF", cr + 1);
    return cr;
  }

  private simpleValue(type: number, from: number, to: number): RespValue {
    switch (type) {
      case 43:
        return this.utf8(from, to);
      case 45:
        return new RespError(this.utf8(from, to));
      case 58:
        return this.integer(from, to);
      case 95:
        if (to !== from) this.fail("null '_' with a payload", from);
        return null;
      case 44:
        return this.double(from, to);
      case 35: {
        const c = this.buf[from];
        if (to - from !== 1 || (c !== 116 && c !== 102)) this.fail("boolean other than #t or #f", from);
        return c === 116;
      }
      default: {
        const text = this.latin1(from, to);
        if (!BIG_NUMBER_TEXT.test(text)) this.fail("malformed big number", from);
        return BigInt(text);
      }
    }
  }

  private integer(from: number, to: number): number | bigint {
    const buf = this.buf;
    let i = from;
    const negative = buf[i] === 45;
    if (negative || buf[i] === 43) i++;
    if (i === to) this.fail("integer without digits", from);
    if (to - i > 15) {
      // Past 15 digits a double may round: go through BigInt and narrow when safe.
      const text = this.latin1(from, to);
      if (!BIG_NUMBER_TEXT.test(text)) this.fail("non-digit in integer", from);
      const big = BigInt(text);
      return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
    }
    let n = 0;
    for (; i < to; i++) {
      const d = buf[i] - 48;
      if (d < 0 || d > 9) this.fail("non-digit in integer", i);
      n = n * 10 + d;
    }
    return negative ? -n : n;
  }

  private double(from: number, to: number): number {
    const text = this.latin1(from, to);
    if (text === "inf" || text === "+inf") return Number.POSITIVE_INFINITY;
    if (text === "-inf") return Number.NEGATIVE_INFINITY;
    if (text === "nan" || text === "-nan") return Number.NaN;
    if (!DOUBLE_TEXT.test(text)) this.fail("malformed double", from);
    return Number(text);
  }

  /** UTF-8 text of buf[from, to); short ASCII strings (most replies) skip TextDecoder's overhead. */
  private utf8(from: number, to: number): string {
    if (to - from <= 32) {
      const buf = this.buf;
      let text = "";
      let i = from;
      for (; i < to; i++) {
        const b = buf[i];
        if (b >= 0x80) break;
        text += String.fromCharCode(b);
      }
      if (i === to) return text;
    }
    return this.text.decode(this.buf.subarray(from, to));
  }

  private latin1(from: number, to: number): string {
    let text = "";
    for (let i = from; i < to; i++) text += String.fromCharCode(this.buf[i]);
    return text;
  }

  /**
   * Parses a length header "<type><digits>\r\n" at `s`. Returns the length (-1 for the RESP2
   * nulls "$-1" / "*-1"), or -2 when the line is incomplete; `headerBytes` gets the header size.
   */
  private lengthHeader(type: number, s: number): number {
    const cr = this.findLineEnd(s + 1, MAX_HEADER_LINE);
    if (cr < 0) return -2;
    const buf = this.buf;
    // Error texts are built only on failure: this runs once per bulk and aggregate.
    this.headerBytes = cr + 2 - s;
    if (cr === s + 1) this.fail(`empty length in '${String.fromCharCode(type)}' header`, s + 1);
    if (buf[s + 1] === 63 /* '?' */) {
      throw new RespProtocolError(
        `streamed RESP3 replies are not supported ('${String.fromCharCode(type)}?' at byte offset ${this.bufBase + s})`,
      );
    }
    if (buf[s + 1] === 45 /* '-' */) {
      if (cr === s + 3 && buf[s + 2] === 49 && (type === 36 || type === 42)) return -1;
      this.fail(`negative length in '${String.fromCharCode(type)}' header`, s + 1);
    }
    const isBulk = type === 36 || type === 33 || type === 61;
    const limit = isBulk ? this.maxBulkBytes : this.maxAggregateLength;
    let n = 0;
    for (let i = s + 1; i < cr; i++) {
      const d = buf[i] - 48;
      if (d < 0 || d > 9) this.fail(`non-digit in '${String.fromCharCode(type)}' length`, i);
      n = n * 10 + d;
      if (n > limit) {
        const name = isBulk ? `maxBulkBytes (${limit})` : `maxAggregateLength (${limit})`;
        this.fail(`'${String.fromCharCode(type)}' length over ${name}`, s + 1);
      }
    }
    return n;
  }

  /** Set by lengthHeader(): size of the header line including CRLF. */
  private headerBytes = 0;

  private bulkValue(type: number, s: number): RespValue | typeof NEED_MORE {
    let len = this.pendingBulkLength;
    let headerBytes = this.pendingBulkHeaderBytes;
    if (len < 0) {
      len = this.lengthHeader(type, s);
      if (len === -2) return NEED_MORE;
      headerBytes = this.headerBytes;
      if (len === -1) {
        this.consume(s + headerBytes);
        return null;
      }
    }
    const body = s + headerBytes;
    if (this.end < body + len + 2) {
      // Remember the header so the next call goes straight to the length check.
      this.pendingBulkLength = len;
      this.pendingBulkHeaderBytes = headerBytes;
      return NEED_MORE;
    }
    this.pendingBulkLength = -1;
    const buf = this.buf;
    if (buf[body + len] !== CR || buf[body + len + 1] !== LF) this.fail("missing CRLF after bulk string", body + len);
    this.consume(body + len + 2);
    if (type === 36) return this.binary ? buf.slice(body, body + len) : this.utf8(body, body + len);
    if (type === 33) return new RespError(this.utf8(body, body + len));
    if (len < 4 || buf[body + 3] !== 58 /* ':' */) this.fail("verbatim string without a 'xxx:' format prefix", body);
    return this.utf8(body + 4, body + len);
  }

  private aggregateHeader(type: number, s: number): RespValue | typeof NEED_MORE | typeof CONTINUE {
    const len = this.lengthHeader(type, s);
    if (len === -2) return NEED_MORE;
    this.consume(s + this.headerBytes);
    if (len === -1) return null;
    const kind =
      type === 37 ? FrameKind.Map : type === 124 ? FrameKind.Attribute : type === 62 ? FrameKind.Push : FrameKind.Array;
    const frame: Frame = { kind, remaining: kind === FrameKind.Map || kind === FrameKind.Attribute ? len * 2 : len, items: [] };
    if (len === 0) return kind === FrameKind.Attribute ? CONTINUE : buildAggregate(frame);
    if (this.stack.length >= this.maxDepth) this.fail(`nesting deeper than maxDepth (${this.maxDepth})`, s);
    this.stack.push(frame);
    return CONTINUE;
  }
}

function buildAggregate(frame: Frame): RespValue {
  if (frame.kind === FrameKind.Push) return new RespPush(frame.items);
  if (frame.kind !== FrameKind.Map) return frame.items;
  const map = new RespMap();
  const items = frame.items;
  for (let i = 0; i < items.length; i += 2) map.set(items[i], items[i + 1]);
  return map;
}
