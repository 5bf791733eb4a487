// Server-side RESP for the search stand-in: a request decoder (RESP arrays of bulk strings, plus
// inline commands so `nc` works) and a reply writer. Deliberately independent of src/resp so a bug
// there cannot hide behind the same bug here.

const CR = 13;
const LF = 10;
const EMPTY = Buffer.alloc(0);

export class ProtocolError extends Error {}

/** Incremental decoder: feed socket chunks, get back every complete command (args as bytes). */
export class RequestDecoder {
  /** Unconsumed bytes, kept as chunks until `needed` bytes are there (large values arrive in
   *  many chunks; concatenating on every chunk would be quadratic). */
  private chunks: Buffer[] = [];
  private buffered = 0;
  private needed = 0;

  push(chunk: Uint8Array): Buffer[][] {
    this.chunks.push(Buffer.from(chunk));
    this.buffered += chunk.length;
    if (this.buffered < this.needed) return [];
    const buf = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    const commands: Buffer[][] = [];
    let pos = 0;
    this.needed = 0;
    while (pos < buf.length) {
      const parsed = buf[pos] === 0x2a /* '*' */ ? parseMultibulk(buf, pos) : parseInline(buf, pos);
      if (typeof parsed === "number") {
        this.needed = parsed;
        break;
      }
      pos = parsed.next;
      if (parsed.args.length > 0) commands.push(parsed.args);
    }
    // Keep only the unconsumed tail; copy so the big buffer can be collected.
    const rest = pos >= buf.length ? EMPTY : Buffer.from(buf.subarray(pos));
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return commands;
  }
}

/** A complete command, or (when incomplete) the number of bytes from its start needed to retry. */
type Parsed = { args: Buffer[]; next: number } | number;

function findCrlf(buf: Buffer, from: number): number {
  const i = buf.indexOf(CR, from);
  if (i < 0 || i + 1 >= buf.length) return -1;
  if (buf[i + 1] !== LF) throw new ProtocolError("Protocol error: expected '\\r\\n'");
  return i;
}

function parseMultibulk(buf: Buffer, start: number): Parsed {
  const end = findCrlf(buf, start);
  if (end < 0) return 0;
  const count = Number(buf.toString("latin1", start + 1, end));
  if (!Number.isInteger(count)) throw new ProtocolError("Protocol error: invalid multibulk length");
  let pos = end + 2;
  const args: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    if (pos >= buf.length) return 0;
    if (buf[pos] !== 0x24 /* '$' */) {
      throw new ProtocolError(`Protocol error: expected '$', got '${String.fromCharCode(buf[pos])}'`);
    }
    const lineEnd = findCrlf(buf, pos);
    if (lineEnd < 0) return 0;
    const len = Number(buf.toString("latin1", pos + 1, lineEnd));
    if (!Number.isInteger(len) || len < 0) throw new ProtocolError("Protocol error: invalid bulk length");
    const dataStart = lineEnd + 2;
    if (dataStart + len + 2 > buf.length) return dataStart + len + 2 - start;
    args.push(buf.subarray(dataStart, dataStart + len));
    pos = dataStart + len + 2;
  }
  return { args, next: pos };
}

function parseInline(buf: Buffer, start: number): Parsed {
  const nl = buf.indexOf(LF, start);
  if (nl < 0) return 0;
  const lineEnd = nl > start && buf[nl - 1] === CR ? nl - 1 : nl;
  const words = buf.toString("latin1", start, lineEnd).split(/\s+/).filter((w) => w.length > 0);
  return { args: words.map((w) => Buffer.from(w, "latin1")), next: nl + 1 };
}

/**
 * Accumulates reply bytes. `resp3` selects the RESP3 spellings for maps, nulls and verbatim text;
 * everything else is identical in both protocols.
 */
export class ReplyWriter {
  private parts: Buffer[] = [];
  constructor(public resp3: boolean) {}

  get empty(): boolean {
    return this.parts.length === 0;
  }
  private ascii(s: string): void {
    this.parts.push(Buffer.from(s, "latin1"));
  }
  simple(s: string): void {
    this.ascii(`+${s}\r\n`);
  }
  ok(): void {
    this.simple("OK");
  }
  /** `message` is the full error line without the leading '-', e.g. "ERR syntax error". */
  error(message: string): void {
    this.ascii(`-${message.replace(/[\r\n]+/g, " ")}\r\n`);
  }
  int(n: number): void {
    this.ascii(`:${n}\r\n`);
  }
  bulk(value: Buffer | string): void {
    const bytes = typeof value === "string" ? Buffer.from(value, "latin1") : value;
    this.ascii(`$${bytes.length}\r\n`);
    this.parts.push(bytes);
    this.ascii("\r\n");
  }
  nullBulk(): void {
    this.ascii(this.resp3 ? "_\r\n" : "$-1\r\n");
  }
  array(count: number): void {
    this.ascii(`*${count}\r\n`);
  }
  /** A map of `count` pairs: `%count` in RESP3, a flat `*2count` array in RESP2. */
  map(count: number): void {
    this.ascii(this.resp3 ? `%${count}\r\n` : `*${count * 2}\r\n`);
  }
  /** Text such as INFO output: verbatim `=` with a `txt:` prefix in RESP3, a bulk string in RESP2. */
  verbatim(text: string): void {
    if (!this.resp3) return this.bulk(text);
    const bytes = Buffer.from(`txt:${text}`, "latin1");
    this.ascii(`=${bytes.length}\r\n`);
    this.parts.push(bytes);
    this.ascii("\r\n");
  }
  bulkArray(values: readonly (Buffer | string)[]): void {
    this.array(values.length);
    for (const v of values) this.bulk(v);
  }
  /** Position to roll back to if the reply being written must be abandoned. */
  mark(): number {
    return this.parts.length;
  }
  rollback(mark: number): void {
    this.parts.length = mark;
  }
  take(): Buffer {
    const out = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
    this.parts = [];
    return out;
  }
}
