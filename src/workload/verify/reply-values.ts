/**
 * Reads the values out of GET / HGET / HMGET replies as they stream in, next to the reply
 * scanner (which still counts replies and errors): for each value it reports whether it is
 * null, its length and its first STAMP_BYTES bytes. Knows only the shapes those commands return
 * (bulk strings, nulls, errors, one level of array); anything else marks the stream `lost` and
 * the caller stops checking. Allocation-free; state survives chunk boundaries.
 */
import { STAMP_BYTES } from "./stamp.ts";

export interface ValueSink {
  /** Value `field` of the `reply`-th reply completed by the current feed. */
  onValue(reply: number, field: number, nil: boolean, length: number, head: Uint8Array): void;
}

const TYPE = 0;
const HEADER = 1; // digits of $n / *n / !n
const BODY = 2;
const BODY_CR = 3;
const BODY_LF = 4;
const LINE = 5; // skip to LF: null, error, integer, simple string

const K_BULK = 0;
const K_ARRAY = 1;
const K_BULK_ERROR = 2;
const L_NULL = 0;
const L_ERROR = 1;
const L_OTHER = 2;

export class ReplyValueReader {
  lost = false;
  private state = TYPE;
  private kind = 0;
  private lineKind = 0;
  private number = 0;
  private negative = false;
  private bodyLeft = 0;
  private length = 0;
  private inArray = false;
  private arrayLeft = 0;
  private field = 0;
  private replies = 0;
  private readonly head = new Uint8Array(STAMP_BYTES);
  private headLength = 0;

  reset(): void {
    this.state = TYPE;
    this.inArray = false;
    this.lost = false;
  }

  /** Consumes buf[start, end); returns the replies it completed. */
  feed(buf: Uint8Array, start: number, end: number, sink: ValueSink): number {
    this.replies = 0;
    let i = start;
    while (i < end && !this.lost) {
      const b = buf[i]!;
      switch (this.state) {
        case TYPE:
          i++;
          if (b === 36 /* $ */) this.header(K_BULK);
          else if ((b === 42 /* * */ || b === 126) /* ~ */ && !this.inArray) this.header(K_ARRAY);
          else if (b === 33 /* ! */) this.header(K_BULK_ERROR);
          else if (b === 95 /* _ */) this.line(L_NULL);
          else if (b === 45 /* - */) this.line(L_ERROR);
          else if (b === 43 /* + */ || b === 58 /* : */) this.line(L_OTHER);
          else this.lost = true;
          break;
        case HEADER:
          i++;
          if (b >= 48 && b <= 57) this.number = this.number * 10 + (b - 48);
          else if (b === 45) this.negative = true;
          else if (b === 10) this.headerDone(sink);
          else if (b !== 13) this.lost = true;
          break;
        case BODY: {
          const take = Math.min(this.bodyLeft, end - i);
          const want = Math.min(take, STAMP_BYTES - this.headLength);
          for (let k = 0; k < want; k++) this.head[this.headLength + k] = buf[i + k]!;
          this.headLength += want;
          this.bodyLeft -= take;
          i += take;
          if (this.bodyLeft === 0) this.state = BODY_CR;
          break;
        }
        case BODY_CR:
          i++;
          this.state = BODY_LF;
          break;
        case BODY_LF:
          i++;
          this.state = TYPE;
          if (this.kind === K_BULK_ERROR) this.replyDone();
          else this.valueDone(sink, false, this.length);
          break;
        default:
          // LINE
          i++;
          if (b === 10) {
            this.state = TYPE;
            if (this.lineKind === L_ERROR && !this.inArray) this.replyDone();
            else this.valueDone(sink, this.lineKind === L_NULL, 0);
          }
      }
    }
    return this.replies;
  }

  private header(kind: number): void {
    this.kind = kind;
    this.number = 0;
    this.negative = false;
    this.state = HEADER;
  }

  private line(kind: number): void {
    this.lineKind = kind;
    this.state = LINE;
  }

  private headerDone(sink: ValueSink): void {
    const n = this.number;
    if (this.kind === K_ARRAY) {
      this.state = TYPE;
      if (this.negative || n === 0) this.replyDone();
      else {
        this.inArray = true;
        this.arrayLeft = n;
        this.field = 0;
      }
      return;
    }
    if (this.negative) {
      this.state = TYPE;
      this.valueDone(sink, true, 0);
      return;
    }
    this.bodyLeft = n;
    this.length = n;
    this.headLength = 0;
    this.state = n === 0 ? BODY_CR : BODY;
  }

  private valueDone(sink: ValueSink, nil: boolean, length: number): void {
    sink.onValue(this.replies, this.inArray ? this.field : 0, nil, length, this.head);
    if (this.inArray) {
      this.field++;
      if (--this.arrayLeft > 0) return;
      this.inArray = false;
    }
    this.replyDone();
  }

  private replyDone(): void {
    this.replies++;
  }
}
