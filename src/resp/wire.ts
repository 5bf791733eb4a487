/**
 * What both reply scanners share (src/resp/reply-scanner.ts counts replies for every workload,
 * src/search/search-reply-scanner.ts also reads FT.SEARCH results): the byte constants, the
 * type-byte classes, the limits and the length-header state. Each scanner keeps its own fast
 * loop; what they must agree on lives here once.
 */

export const CR = 13;
export const LF = 10;
export const SPACE = 32;

// Type byte classes (TYPE_CLASS). Aggregates are >= C_ARRAY; length-prefixed values >= C_BULK.
export const C_INVALID = 0;
export const C_LINE = 1; // + : _ , # (
export const C_ERROR = 2; // -
export const C_BULK = 3; // $ =
export const C_BULK_ERROR = 4; // !
export const C_ARRAY = 5; // * ~
export const C_MAP = 6; // %
export const C_ATTRIBUTE = 7; // |
export const C_PUSH = 8; // >

export const TYPE_CLASS = new Uint8Array(256);
for (const c of "+:_,#(") TYPE_CLASS[c.charCodeAt(0)] = C_LINE;
TYPE_CLASS[45] = C_ERROR;
TYPE_CLASS[36] = C_BULK;
TYPE_CLASS[61] = C_BULK; // verbatim string "=len\r\ntxt:..."
TYPE_CLASS[33] = C_BULK_ERROR;
TYPE_CLASS[42] = C_ARRAY;
TYPE_CLASS[126] = C_ARRAY; // set
TYPE_CLASS[37] = C_MAP;
TYPE_CLASS[124] = C_ATTRIBUTE;
TYPE_CLASS[62] = C_PUSH;

/** Error codes are truncated to this many bytes (real ones are a few letters). */
export const MAX_ERROR_CODE_BYTES = 64;
/** Redirect errors (MOVED/ASK) keep their whole line, up to this many bytes (slot + address). */
export const MAX_ERROR_LINE_BYTES = 512;

export interface ScannerLimits {
  /** Largest accepted bulk string / bulk error / verbatim string (default 512 MiB). */
  maxBulkBytes?: number;
  /** Largest accepted aggregate element count; a map counts entries (default 16M, below 2^30). */
  maxAggregateLength?: number;
  /** Deepest accepted nesting of aggregates, attributes included (default 64). */
  maxDepth?: number;
}

export function resolveLimits(opts: ScannerLimits = {}): Required<ScannerLimits> {
  const limits = {
    maxBulkBytes: opts.maxBulkBytes ?? 512 * 1024 * 1024,
    maxAggregateLength: opts.maxAggregateLength ?? 16 * 1024 * 1024,
    maxDepth: opts.maxDepth ?? 64,
  };
  // Aggregate counts are kept in Int32Arrays, 2 per map entry.
  if (limits.maxAggregateLength > 2 ** 30 - 1) throw new RangeError("maxAggregateLength must be below 2^30");
  return limits;
}

/** Reports a protocol error at a byte index of the current feed (the scanner adds the offset). */
export type FailAt = (what: string, index: number) => never;

/** A length header's value for a RESP2 null ("$-1", "*-1"). */
export const NULL_LENGTH = -1;

/**
 * The length header being read ("$123\r\n", "*10\r\n", "%2\r\n"), across chunk boundaries.
 * Both scanners read whole headers in their fast loops and fall back to this for split ones.
 */
export class LengthHeader {
  /** Type class and byte of the value the header belongs to. */
  cls = 0;
  type = 0;
  value = 0;
  digits = 0;
  negative = false;
  /** True once read() consumed the terminating CR (the LF comes next). */
  sawCr = false;

  begin(cls: number, type: number, value = 0, digits = 0): void {
    this.cls = cls;
    this.type = type;
    this.value = value;
    this.digits = digits;
    this.negative = false;
    this.sawCr = false;
  }

  /** Reads header bytes of buf[i, end) up to and including its CR; returns where it stopped. */
  read(buf: Uint8Array, i: number, end: number, fail: FailAt): number {
    let value = this.value;
    let digits = this.digits;
    while (i < end) {
      const b = buf[i]!;
      const d = b - 48;
      if (d >= 0 && d <= 9) {
        value = value * 10 + d;
        digits++;
        i++;
        continue;
      }
      if (digits > 10) break;
      if (b === CR) {
        this.sawCr = true;
        i++;
        break;
      }
      if (b === 45 /* '-' */ && digits === 0 && !this.negative) {
        this.negative = true;
        i++;
      } else if (b === 63 /* '?' */ && digits === 0) {
        fail("streamed RESP3 replies are not supported", i);
      } else fail("non-digit in length header", i);
    }
    this.value = value;
    this.digits = digits;
    if (digits > 10) fail("length header too long", i);
    return i;
  }

  /**
   * The complete header's length, checked against the limits (`pos` is just after its LF), or
   * NULL_LENGTH for a RESP2 null. Only "$-1" and "*-1" may be negative.
   */
  finish(pos: number, limits: Required<ScannerLimits>, fail: FailAt): number {
    if (this.digits === 0) fail("length header without digits", pos - 2);
    const n = this.value;
    if (this.negative) {
      if (n !== 1 || this.digits !== 1 || (this.type !== 36 && this.type !== 42)) fail("negative length", pos - 2);
      return NULL_LENGTH;
    }
    if (this.cls <= C_BULK_ERROR) {
      if (n > limits.maxBulkBytes) fail(`bulk length over maxBulkBytes (${limits.maxBulkBytes})`, pos - 2);
    } else if (n > limits.maxAggregateLength) {
      fail(`aggregate length over maxAggregateLength (${limits.maxAggregateLength})`, pos - 2);
    }
    return n;
  }
}
