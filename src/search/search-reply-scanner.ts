/**
 * Allocation-free scanner for FT.SEARCH replies: counts replies for the engine (ReplyCounter)
 * and hands each reply's result ids, in rank order, to a sink that scores recall.
 *
 * Layouts understood (docs/external-facts.md, valkey-search (h), RESP2 and RESP3):
 * - Array form (valkey-search, both protocols): `*L :total` followed by result keys (bulk or
 *   simple strings), each optionally followed by an aggregate of fields. NOCONTENT / RETURN 0
 *   send only keys, the default and RETURN send key + `*2M [field value ...]`, LIMIT 0 0 sends
 *   `*1 :total`. The rule "element 0 is the total, a string is a key, an aggregate is skipped"
 *   covers all of them without knowing which options the query used.
 * - Map form (RediSearch / Redis 7+ under HELLO 3): `%N {total_results: :T, results: [ %{id: key,
 *   extra_attributes: ..., values: ...}, ... ], ...}`. Only the "total_results" and "results"
 *   entries, and the "id" entry of each result, are read. Any top-level map is read this way
 *   (one without those entries reaches the sink with count 0 and total 0).
 *
 * Other top-level replies (not an array or map, e.g. `+OK` or `*-1`) are counted and reach the
 * sink with count 0 and total -1, so a caller can keep one sink call per request. Top-level
 * errors (`-`, `!`) are errors with ReplyScanner's semantics and do not reach the sink. Top-level
 * push messages (`>`) and attributes (`|`) are skipped.
 *
 * A reply with more than maxResults keys keeps the first maxResults in the sink's ids and counts
 * the rest in `droppedResults` (the sink's count is then maxResults).
 *
 * State survives chunk boundaries anywhere. Keys are decoded straight from the caller's buffer
 * when they lie within one chunk; a key split across chunks is copied into a fixed scratch
 * buffer (allocated once) and decoded when complete. Keys longer than that buffer cannot be ours
 * and decode to -1. After a RespProtocolError the stream position is lost: call reset().
 *
 * Speed: runs of keys inside a top-level array take a dedicated loop (scanKeys) that skips the
 * per-value role dispatch; measured by scripts/bench-search-parse.ts (about 1.3M NOCONTENT k=10
 * replies/s parsed and scored on one core, vs 930k/s through the general path alone).
 */
import type { ReplyCounter } from "../engine/workload-api.ts";
import { ErrorRing } from "../resp/error-ring.ts";
import { printableErrorType } from "../resp/error-text.ts";
import { RespProtocolError } from "../resp/types.ts";
import {
  C_ARRAY,
  C_ATTRIBUTE,
  C_BULK,
  C_BULK_ERROR,
  C_ERROR,
  C_INVALID,
  C_LINE,
  C_MAP,
  C_PUSH,
  CR,
  LF,
  LengthHeader,
  MAX_ERROR_CODE_BYTES,
  NULL_LENGTH,
  resolveLimits,
  SPACE,
  TYPE_CLASS,
  type ScannerLimits,
} from "../resp/wire.ts";
import type { KeyIdDecoder } from "./key-id.ts";
import { keepOutOfFtl } from "../jit-tiers.ts";

/** Receives each completed FT.SEARCH reply; called synchronously from feed(). */
export interface SearchReplySink {
  /**
   * ids[0, count) are the result ids in rank order (-1 for keys that did not decode); `total`
   * is the reply's leading integer (0 if absent), or -1 when the reply was not an array or map.
   * `ids` is reused: read it before returning. With the scoreField option, `scores[i]` is the
   * number the server returned in that field for result i (NaN when it sent none).
   */
  onSearchReply(ids: Float64Array, count: number, total: number, scores?: Float64Array): void;
}

export interface SearchReplyScannerOptions extends ScannerLimits {
  /** Result ids kept per reply (default 10000); extras are counted in droppedResults. */
  maxResults?: number;
  /**
   * A returned field whose value is read as each result's score (`__embedding_score` with
   * --with-scores), from the field list that follows a key in the array form.
   */
  scoreField?: string;
}

/** Bytes kept of a key, map key or error split across chunks. */
const SCRATCH_BYTES = 1024;

// Scanner states between bytes.
const TYPE = 0; // expecting a type byte
const LINE = 1; // inside a simple line, looking for CR
const LINE_LF = 2; // simple line: CR seen, expecting LF
const LENGTH = 3; // inside a length header
const LENGTH_LF = 4; // length header: CR seen, expecting LF
const BULK = 5; // inside a bulk body, `bulkLeft` bytes to go
const BULK_CR = 6; // bulk body done, expecting CR
const BULK_LF = 7; // expecting LF after the bulk body

// What a scalar value is read for.
const R_SKIP = 0;
const R_TOTAL = 1; // the reply's total (an integer)
const R_KEY = 2; // a result key
const R_MAP_KEY = 3; // a map key whose name selects what the next value is
const R_ERROR = 4; // a top-level error
const R_FIELD_NAME = 5; // a name in a result's field list
const R_SCORE = 6; // the value of the score field

// What an aggregate's elements are read for.
const F_SKIP = 0; // nothing (fields, push messages, attributes, unknown entries)
const F_SEARCH_ARRAY = 1; // top-level array form
const F_SEARCH_MAP = 2; // top-level RESP3 map form
const F_RESULT_LIST = 3; // the map form's "results" array
const F_RESULT_MAP = 4; // one entry of "results"
const F_FIELDS = 5; // the field list after a key (array form), when a score field is read

// Map keys we act on (stored per open map).
const K_OTHER = 0;
const K_TOTAL_RESULTS = 1;
const K_RESULTS = 2;
const K_ID = 3;
const K_SCORE = 4;
const NAME_TOTAL_RESULTS = new TextEncoder().encode("total_results");
const NAME_RESULTS = new TextEncoder().encode("results");
const NAME_ID = new TextEncoder().encode("id");

const errorText = new TextDecoder();

export class SearchReplyScanner implements ReplyCounter {
  /** Error replies among those the last feed completed. */
  errorCount = 0;
  /** Top-level push messages the last feed skipped. */
  pushCount = 0;
  /** Result keys beyond maxResults, dropped since construction (or reset). */
  droppedResults = 0;

  private readonly maxResults: number;
  private readonly ids: Float64Array;
  /** Per result: the score field's value (NaN when absent); only with a score field. */
  private readonly scores: Float64Array | undefined;
  private readonly scoreName: Uint8Array | undefined;
  private resultCount = 0;
  private total = 0;

  private state = TYPE;
  private depth = 0;
  /** Per open aggregate: elements still expected (a map counts 2 per entry). */
  private readonly remaining: Int32Array;
  /** Per open aggregate: elements it had in all, so its element index is length - remaining. */
  private readonly length: Int32Array;
  private readonly frameKind: Uint8Array;
  private readonly isAttribute: Uint8Array;
  /** Per open map: the K_* name of the entry whose value comes next. */
  private readonly entryKey: Uint8Array;
  private readonly limits: Required<ScannerLimits>;

  // The value being read.
  private role = R_SKIP; // scalars: R_*; aggregates: F_*
  private valueType = 0;
  /** The length header being read (split across chunks). */
  private readonly header = new LengthHeader();
  private bulkLeft = 0;
  private readonly scratch = new Uint8Array(SCRATCH_BYTES);
  private scratchLength = 0;
  private scratchOverflow = false;

  // The top-level reply being read.
  private topKind = 0; // 0 plain, 1 error, 2 push, 3 search (array or map)
  /** droppedResults when the current reply began (a score after a dropped key is dropped too). */
  private droppedAtReplyStart = 0;

  /** This feed's errors: code, position among its replies, whole line for MOVED/ASK. */
  private readonly errors = new ErrorRing();
  private readonly failAt = (what: string, index: number): never => this.fail(what, index);
  private feedReplies = 0;
  private streamOffset = 0;
  private feedStart = 0;

  constructor(
    private readonly decoder: KeyIdDecoder,
    private readonly sink: SearchReplySink,
    opts: SearchReplyScannerOptions = {},
  ) {
    this.maxResults = opts.maxResults ?? 10000;
    if (!Number.isInteger(this.maxResults) || this.maxResults < 1) throw new RangeError("maxResults must be a positive integer");
    this.ids = new Float64Array(this.maxResults);
    this.limits = resolveLimits(opts);
    const depth = this.limits.maxDepth;
    this.remaining = new Int32Array(depth);
    this.length = new Int32Array(depth);
    this.frameKind = new Uint8Array(depth);
    this.isAttribute = new Uint8Array(depth);
    this.entryKey = new Uint8Array(depth);
    if (opts.scoreField !== undefined) {
      // Replies carry each result's score in a field list: no whole-reply fast path.
      this.wholeReplies = false;
      this.scoreName = new TextEncoder().encode(opts.scoreField);
      this.scores = new Float64Array(this.maxResults);
    }
  }

  /**
   * Where the reply just handed to the sink began and ended in the buffer being fed, when it was
   * read whole from that buffer with no result dropped; replyStart is -1 otherwise.
   */
  replyStart = -1;
  replyEnd = -1;

  /** True between replies: no reply is partly read. */
  atReplyBoundary(): boolean {
    return this.state === TYPE && this.depth === 0;
  }

  /**
   * Accounts for `bytes` whole replies the caller read itself (reply-memo.ts), as a feed of them
   * that completed nothing here: no errors, and byte offsets in later messages stay right.
   */
  skip(bytes: number): void {
    this.errorCount = 0;
    this.pushCount = 0;
    this.feedReplies = 0;
    this.streamOffset += bytes;
  }

  /** Keeps the details of up to `replies` errors per feed (the most a connection has in flight). */
  reserve(replies: number): void {
    this.errors.reserve(replies);
  }

  /** Consumes buf[start, end); returns how many replies it completed (pushes excluded). */
  feed(buf: Uint8Array, start: number, end: number): number {
    let i = start;
    let state = this.state;
    this.errorCount = 0;
    this.pushCount = 0;
    this.feedReplies = 0;
    this.feedStart = start;

    while (i < end) {
      if (state === TYPE) {
        if (this.depth === 0 && buf[i] === 42 /* '*' */ && this.wholeReplies) {
          const next = this.scanWholeReply(buf, i, end);
          if (next > 0) {
            i = next;
            continue;
          }
        }
        if (this.depth === 1 && this.frameKind[0] === F_SEARCH_ARRAY && this.remaining[0]! > 1) {
          i = this.scanKeys(buf, i, end);
          if (i === end) break;
        }
        const type = buf[i]!;
        const cls = TYPE_CLASS[type]!;
        if (cls === C_INVALID) this.fail(`unknown type byte 0x${type.toString(16).padStart(2, "0")}`, i);
        this.valueType = type;
        this.role = this.roleOf(cls);
        i++;
        if (cls === C_LINE || cls === C_ERROR) {
          // Fast path: the whole line is in this chunk; read it in place.
          let j = i;
          while (j < end && buf[j] !== CR) j++;
          if (j + 1 < end) {
            if (buf[j + 1] !== LF) this.fail("CR not followed by LF", j + 1);
            this.scalarDone(buf, i, j, j + 2);
            i = j + 2;
          } else {
            this.scratchLength = 0;
            this.scratchOverflow = false;
            if (this.role !== R_SKIP) this.capture(buf, i, j);
            i = j;
            if (j < end) {
              i++;
              state = LINE_LF;
            } else state = LINE;
          }
          continue;
        }
        // Length header; fast path when it and (for a bulk) its body are in this chunk.
        let j = i;
        let n = 0;
        while (j < end) {
          const d = buf[j]! - 48;
          if (d < 0 || d > 9) break;
          n = n * 10 + d;
          j++;
        }
        if (j + 1 < end && buf[j] === CR && j > i && j - i <= 10) {
          if (buf[j + 1] !== LF) this.fail("CR not followed by LF", j + 1);
          j += 2;
          if (cls === C_BULK && n <= this.limits.maxBulkBytes && j + n + 1 < end) {
            if (buf[j + n] !== CR || buf[j + n + 1] !== LF) this.fail("missing CRLF after bulk string", j + n);
            this.scalarDone(buf, j, j + n, j + n + 2);
            i = j + n + 2;
            continue;
          }
          this.header.begin(cls, type, n, j - 2 - i);
          i = j;
          state = this.headerDone(i);
          continue;
        }
        this.header.begin(cls, type);
        state = LENGTH;
      } else if (state === LENGTH) {
        // Digits of "$123\r\n" / "*10\r\n", split across chunks.
        i = this.header.read(buf, i, end, this.failAt);
        if (this.header.sawCr) state = LENGTH_LF;
      } else if (state === LENGTH_LF) {
        if (buf[i] !== LF) this.fail("CR not followed by LF", i);
        i++;
        state = this.headerDone(i);
      } else if (state === BULK) {
        const take = Math.min(this.bulkLeft, end - i);
        if (this.role !== R_SKIP) this.capture(buf, i, i + take);
        i += take;
        this.bulkLeft -= take;
        if (this.bulkLeft === 0) state = BULK_CR;
      } else if (state === BULK_CR) {
        if (buf[i] !== CR) this.fail("missing CRLF after bulk string", i);
        i++;
        state = BULK_LF;
      } else if (state === BULK_LF || state === LINE_LF) {
        if (buf[i] !== LF) this.fail(state === LINE_LF ? "CR not followed by LF" : "missing CRLF after bulk string", i);
        i++;
        state = TYPE;
        this.scalarDone(this.scratch, 0, this.scratchLength, i);
      } else {
        // LINE: the line continues from an earlier chunk.
        let j = i;
        while (j < end && buf[j] !== CR) j++;
        if (this.role !== R_SKIP) this.capture(buf, i, j);
        i = j;
        if (i < end) {
          i++;
          state = LINE_LF;
        }
      }
    }

    this.state = state;
    this.streamOffset += end - start;
    return this.feedReplies;
  }

  /**
   * The hot loop: consecutive result keys of a top-level search array (a NOCONTENT reply is
   * nothing else), each wholly in this chunk, read without the general state machine. Stops
   * before anything else (a field array, a split key, the reply's last element, which must
   * complete the reply through valueDone) and returns where it stopped.
   */
  private scanKeys(buf: Uint8Array, i: number, end: number): number {
    const ids = this.ids;
    const decoder = this.decoder;
    const maxResults = this.maxResults;
    const scores = this.scores;
    // Element 0 is the total; the last element completes the reply through the general path.
    const length = this.length[0]!;
    let left = this.remaining[0]!;
    let count = this.resultCount;
    let dropped = 0;
    while (i < end && buf[i] === 36 /* '$' */ && left > 1 && left < length) {
      let j = i + 1;
      let n = 0;
      while (j < end) {
        const d = buf[j]! - 48;
        if (d < 0 || d > 9) break;
        n = n * 10 + d;
        j++;
      }
      const bodyStart = j + 2;
      const bodyEnd = bodyStart + n;
      // Anything unusual (split, no digits, bad CRLF, huge) goes to the general path.
      if (j === i + 1 || j - i > 11 || bodyEnd + 1 >= end || buf[j] !== CR || buf[j + 1] !== LF) break;
      if (buf[bodyEnd] !== CR || buf[bodyEnd + 1] !== LF) break;
      const id = decoder.decode(buf, bodyStart, bodyEnd);
      if (count < maxResults) {
        if (scores !== undefined) scores[count] = NaN;
        ids[count++] = id;
      } else dropped++;
      left--;
      i = bodyEnd + 2;
    }
    this.remaining[0] = left;
    this.resultCount = count;
    this.droppedResults += dropped;
    return i;
  }

  /**
   * The hottest path: a whole NOCONTENT reply (`*N`, `:total`, then N-1 bulk keys) that sits in
   * this chunk, read in one pass. Returns where the reply ended, or -1 (nothing changed) for
   * anything else: a split reply, another shape, an oversized or malformed element. Those go
   * through the general state machine, which also reports malformed input. A reply with fields
   * (no NOCONTENT) turns this path off for the scanner's life, so such replies are not read twice.
   */
  private scanWholeReply(buf: Uint8Array, start: number, end: number): number {
    let i = start + 1;
    let n = 0;
    while (i < end) {
      const d = buf[i]! - 48;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
      i++;
    }
    if (i === start + 1 || i - start > 10 || n < 1 || n > this.limits.maxAggregateLength || i + 1 >= end || buf[i] !== CR || buf[i + 1] !== LF) return -1;
    i += 2;
    // The total: ":digits\r\n".
    if (i >= end || buf[i] !== 58 /* ':' */) return -1;
    i++;
    const totalStart = i;
    let total = 0;
    while (i < end) {
      const d = buf[i]! - 48;
      if (d < 0 || d > 9) break;
      total = total * 10 + d;
      i++;
    }
    if (i === totalStart || i - totalStart > 18 || i + 1 >= end || buf[i] !== CR || buf[i + 1] !== LF) return -1;
    i += 2;
    const ids = this.ids;
    const decoder = this.decoder;
    const maxResults = this.maxResults;
    const maxBulk = this.limits.maxBulkBytes;
    let count = 0;
    let dropped = 0;
    for (let e = 1; e < n; e++) {
      if (i >= end) return -1;
      if (buf[i] !== 36 /* '$' */) {
        // Not a key: a field list (no NOCONTENT), or something else. The general path reads it.
        if (buf[i] === 42 || buf[i] === 37) this.wholeReplies = false;
        return -1;
      }
      let j = i + 1;
      let len = 0;
      while (j < end) {
        const d = buf[j]! - 48;
        if (d < 0 || d > 9) break;
        len = len * 10 + d;
        j++;
      }
      const bodyStart = j + 2;
      const bodyEnd = bodyStart + len;
      if (j === i + 1 || j - i > 11 || len > maxBulk || bodyEnd + 1 >= end || buf[j] !== CR || buf[j + 1] !== LF) return -1;
      if (buf[bodyEnd] !== CR || buf[bodyEnd + 1] !== LF) return -1;
      const id = decoder.decode(buf, bodyStart, bodyEnd);
      if (count < maxResults) ids[count++] = id;
      else dropped++;
      i = bodyEnd + 2;
    }
    this.resultCount = count;
    this.total = total;
    this.droppedResults += dropped;
    this.replyStart = dropped === 0 ? start : -1;
    this.replyEnd = i;
    this.sink.onSearchReply(ids, count, total, undefined);
    this.feedReplies++;
    return i;
  }

  /** False once a reply showed fields: scanWholeReply would only read such replies twice. */
  private wholeReplies = true;

  /** Calls `cb` with the code, position among the last feed's replies and (MOVED/ASK) line. */
  forEachErrorDetail(cb: (code: string, ordinal: number, message: string) => void): void {
    this.errors.forEach(this.errorCount, cb);
  }

  /** Forgets all state: ready for a fresh stream (e.g. after a reconnect). */
  reset(): void {
    this.state = TYPE;
    this.depth = 0;
    this.bulkLeft = 0;
    this.topKind = 0;
    this.resultCount = 0;
    this.total = 0;
    this.errorCount = 0;
    this.pushCount = 0;
    this.droppedResults = 0;
    this.streamOffset = 0;
  }

  /** What the value starting now is read for, from where it sits in the reply. */
  private roleOf(cls: number): number {
    const depth = this.depth;
    const aggregate = cls >= C_ARRAY;
    if (cls === C_ATTRIBUTE) return F_SKIP;
    if (depth === 0) {
      // A new top-level reply (attributes returned above: they only precede one).
      this.resultCount = 0;
      this.droppedAtReplyStart = this.droppedResults;
      this.total = 0;
      if (cls === C_ERROR || cls === C_BULK_ERROR) {
        this.topKind = 1;
        return R_ERROR;
      }
      if (cls === C_PUSH) {
        this.topKind = 2;
        return F_SKIP;
      }
      if (cls === C_ARRAY) {
        this.topKind = 3;
        return F_SEARCH_ARRAY;
      }
      if (cls === C_MAP) {
        this.topKind = 3;
        return F_SEARCH_MAP;
      }
      this.topKind = 0;
      return R_SKIP;
    }
    const top = depth - 1;
    const kind = this.frameKind[top]!;
    if (kind === F_SKIP) return F_SKIP;
    const index = this.length[top]! - this.remaining[top]!;
    const isString = cls === C_BULK || (cls === C_LINE && this.valueType === 43 /* '+' */);
    if (kind === F_SEARCH_ARRAY) {
      if (index === 0) return this.valueType === 58 /* ':' */ ? R_TOTAL : R_SKIP;
      if (isString) return R_KEY;
      return aggregate && this.scoreName !== undefined && this.resultCount > 0 ? F_FIELDS : F_SKIP;
    }
    if (kind === F_FIELDS) {
      if ((index & 1) === 0) return isString ? R_FIELD_NAME : aggregate ? F_SKIP : R_SKIP;
      return this.entryKey[top] === K_SCORE && !aggregate ? R_SCORE : aggregate ? F_SKIP : R_SKIP;
    }
    if (kind === F_RESULT_LIST) return cls === C_MAP ? F_RESULT_MAP : F_SKIP;
    // F_SEARCH_MAP or F_RESULT_MAP: even elements are entry names, odd ones their values.
    if ((index & 1) === 0) return isString ? R_MAP_KEY : F_SKIP;
    const key = this.entryKey[top]!;
    if (kind === F_SEARCH_MAP) {
      if (key === K_TOTAL_RESULTS) return this.valueType === 58 ? R_TOTAL : R_SKIP;
      if (key === K_RESULTS && cls === C_ARRAY) return F_RESULT_LIST;
      return F_SKIP;
    }
    if (key === K_ID && isString) return R_KEY;
    return aggregate ? F_SKIP : R_SKIP;
  }

  /** Appends buf[from, to) to the scratch buffer, remembering if it did not fit. */
  private capture(buf: Uint8Array, from: number, to: number): void {
    const room = SCRATCH_BYTES - this.scratchLength;
    const n = to - from;
    if (n > room) {
      this.scratchOverflow = true;
      if (room > 0) this.scratch.set(buf.subarray(from, from + room), this.scratchLength);
      this.scratchLength = SCRATCH_BYTES;
      return;
    }
    // Short copies by hand: subarray() would allocate a view per split key.
    const scratch = this.scratch;
    let k = this.scratchLength;
    for (let p = from; p < to; p++) scratch[k++] = buf[p]!;
    this.scratchLength = k;
  }

  /** Acts on a complete length header ending at `pos`; returns the next state. */
  private headerDone(pos: number): number {
    const cls = this.header.cls;
    const n = this.header.finish(pos, this.limits, this.failAt);
    if (n === NULL_LENGTH) {
      // A null is never a key, and "*-1" is no search reply.
      if (this.depth === 0) this.topKind = 0;
      this.role = R_SKIP;
      this.valueDone();
      return TYPE;
    }
    if (cls === C_BULK || cls === C_BULK_ERROR) {
      this.bulkLeft = n;
      this.scratchLength = 0;
      this.scratchOverflow = false;
      return n === 0 ? BULK_CR : BULK;
    }
    if (n === 0) {
      // An empty attribute is nothing; any other empty aggregate is a complete value.
      if (cls !== C_ATTRIBUTE) {
        this.role = R_SKIP;
        this.valueDone();
      }
      return TYPE;
    }
    const depth = this.depth;
    if (depth >= this.limits.maxDepth) this.fail(`nesting deeper than maxDepth (${this.limits.maxDepth})`, pos - 2);
    const elements = cls === C_MAP || cls === C_ATTRIBUTE ? n * 2 : n;
    this.remaining[depth] = elements;
    this.length[depth] = elements;
    this.frameKind[depth] = this.role;
    this.isAttribute[depth] = cls === C_ATTRIBUTE ? 1 : 0;
    this.entryKey[depth] = K_OTHER;
    this.depth = depth + 1;
    return TYPE;
  }

  /** A scalar whose content is src[from, to) ended at stream position `pos` (for errors). */
  private scalarDone(src: Uint8Array, from: number, to: number, pos: number): void {
    const role = this.role;
    if (role === R_KEY) {
      let id = -1;
      if (!(src === this.scratch && this.scratchOverflow)) {
        // A verbatim string's body starts with a 3-letter format and ':' ("txt:vec:42").
        if (this.valueType === 61 /* '=' */) from = Math.min(from + 4, to);
        id = this.decoder.decode(src, from, to);
      }
      if (this.resultCount < this.maxResults) {
        if (this.scores !== undefined) this.scores[this.resultCount] = NaN;
        this.ids[this.resultCount++] = id;
      } else this.droppedResults++;
    } else if (role === R_FIELD_NAME) {
      const overflow = src === this.scratch && this.scratchOverflow;
      this.entryKey[this.depth - 1] = !overflow && equalBytes(src, from, to, this.scoreName!) ? K_SCORE : K_OTHER;
    } else if (role === R_SCORE) {
      // The field list follows its key: the score belongs to the last result kept (a result
      // beyond maxResults was dropped, and so is its score).
      if (this.droppedResults === this.droppedAtReplyStart && !(src === this.scratch && this.scratchOverflow)) {
        this.scores![this.resultCount - 1] = parseDecimal(src, from, to);
      }
    } else if (role === R_TOTAL) {
      this.total = this.parseInteger(src, from, to, pos);
    } else if (role === R_MAP_KEY) {
      const overflow = src === this.scratch && this.scratchOverflow;
      const name = overflow
        ? K_OTHER
        : equalBytes(src, from, to, NAME_ID)
          ? K_ID
          : equalBytes(src, from, to, NAME_RESULTS)
            ? K_RESULTS
            : equalBytes(src, from, to, NAME_TOTAL_RESULTS)
              ? K_TOTAL_RESULTS
              : K_OTHER;
      this.entryKey[this.depth - 1] = name;
    } else if (role === R_ERROR) {
      this.recordError(src, from, to);
    }
    this.valueDone();
  }

  /** A value ended: pops every aggregate it completes, then finishes the reply. */
  private valueDone(): void {
    let depth = this.depth;
    const remaining = this.remaining;
    while (depth > 0) {
      const top = depth - 1;
      if (--remaining[top] > 0) return;
      depth = top;
      this.depth = depth;
      // Attributes are not elements of their parent; at top level the reply is still to come.
      if (this.isAttribute[top] === 1) return;
    }
    const kind = this.topKind;
    this.topKind = 0;
    if (kind === 2) {
      this.pushCount++;
      return;
    }
    if (kind !== 1) {
      this.replyStart = -1;
      this.sink.onSearchReply(this.ids, this.resultCount, kind === 3 ? this.total : -1, this.scores);
    }
    this.feedReplies++;
  }

  private recordError(src: Uint8Array, from: number, to: number): void {
    let wordEnd = from;
    while (wordEnd < to && src[wordEnd] !== SPACE && wordEnd - from < MAX_ERROR_CODE_BYTES) wordEnd++;
    // Printable, as ReplyScanner makes its codes (src/resp/error-text.ts): they end up in reports.
    const code = printableErrorType(errorText.decode(src.subarray(from, wordEnd)));
    this.errors.put(this.errorCount, code, this.feedReplies, code === "MOVED" || code === "ASK" ? errorText.decode(src.subarray(from, to)) : "");
    this.errorCount++;
  }

  private parseInteger(src: Uint8Array, from: number, to: number, pos: number): number {
    let i = from;
    const negative = src[i] === 45;
    if (negative) i++;
    if (i === to || to - i > 19) this.fail("invalid integer", pos); // RESP integers are 64-bit
    let value = 0;
    for (; i < to; i++) {
      const d = src[i]! - 48;
      if (d < 0 || d > 9) this.fail("invalid integer", pos);
      value = value * 10 + d;
    }
    return negative ? -value : value;
  }

  private fail(what: string, index: number): never {
    const offset = this.streamOffset + (index - this.feedStart);
    throw new RespProtocolError(`invalid RESP: ${what} at byte offset ${offset}`);
  }
}

/**
 * A decimal number ("0.25", "-1.5e-3", "3") from bytes, without building a string; NaN when the
 * text is not one (inf/nan words included). Exact to a few ulps, enough to order scores.
 */
function parseDecimal(src: Uint8Array, from: number, to: number): number {
  let i = from;
  let negative = false;
  if (i < to && (src[i] === 45 || src[i] === 43)) negative = src[i++] === 45;
  let mantissa = 0;
  let exponent = 0;
  let digits = 0;
  for (; i < to; i++) {
    const d = src[i]! - 48;
    if (d < 0 || d > 9) break;
    mantissa = mantissa * 10 + d;
    digits++;
  }
  if (i < to && src[i] === 46 /* '.' */) {
    for (i++; i < to; i++) {
      const d = src[i]! - 48;
      if (d < 0 || d > 9) break;
      mantissa = mantissa * 10 + d;
      exponent--;
      digits++;
    }
  }
  if (digits === 0) return NaN;
  if (i < to && (src[i] === 101 || src[i] === 69) /* e E */) {
    i++;
    let expNegative = false;
    if (i < to && (src[i] === 45 || src[i] === 43)) expNegative = src[i++] === 45;
    let e = 0;
    let expDigits = 0;
    for (; i < to; i++) {
      const d = src[i]! - 48;
      if (d < 0 || d > 9) break;
      e = e * 10 + d;
      expDigits++;
    }
    if (expDigits === 0) return NaN;
    exponent += expNegative ? -e : e;
  }
  if (i !== to) return NaN;
  const value = exponent >= 0 ? mantissa * 10 ** exponent : mantissa / 10 ** -exponent;
  return negative ? -value : value;
}

function equalBytes(src: Uint8Array, from: number, to: number, name: Uint8Array): boolean {
  if (to - from !== name.length) return false;
  for (let k = 0; k < name.length; k++) if (src[from + k] !== name[k]) return false;
  return true;
}

keepOutOfFtl(SearchReplyScanner, parseDecimal, equalBytes);
