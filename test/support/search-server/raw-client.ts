// A byte-level RESP client for tests of the stand-in: sends hand-encoded commands and hands back
// each reply's exact bytes, so tests can compare them with the captures in anchors (h).

import type { Socket } from "bun";

export type Arg = string | Uint8Array;

export function encodeCommand(args: readonly Arg[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = typeof arg === "string" ? Buffer.from(arg, "latin1") : Buffer.from(arg);
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from("\r\n"));
  }
  return Buffer.concat(parts);
}

/** Offset just past the RESP2/RESP3 value starting at `pos`, or -1 if it is not complete yet. */
export function replyEnd(buf: Buffer, pos: number): number {
  if (pos >= buf.length) return -1;
  const lineEnd = buf.indexOf("\r\n", pos);
  if (lineEnd < 0) return -1;
  const type = String.fromCharCode(buf[pos]);
  const header = buf.toString("latin1", pos + 1, lineEnd);
  const after = lineEnd + 2;
  switch (type) {
    case "+":
    case "-":
    case ":":
    case "_":
    case ",":
    case "#":
    case "(":
      return after;
    case "$":
    case "=":
    case "!": {
      const len = Number(header);
      if (len < 0) return after;
      return after + len + 2 <= buf.length ? after + len + 2 : -1;
    }
    case "*":
    case "~":
    case ">":
    case "%":
    case "|": {
      const n = Number(header);
      const items = type === "%" || type === "|" ? n * 2 : Math.max(n, 0);
      let p = after;
      for (let i = 0; i < items; i++) {
        p = replyEnd(buf, p);
        if (p < 0) return -1;
      }
      return p;
    }
    default:
      throw new Error(`raw-client: unexpected RESP type byte '${type}'`);
  }
}

export class RawClient {
  private buffer = Buffer.alloc(0);
  private unsent: Buffer | undefined;
  private waiters: ((reply: Buffer) => void)[] = [];
  private closedResolve: (() => void) | undefined;
  /** Settles when the server closes the connection. */
  readonly closed: Promise<void>;
  private constructor(private socket: Socket<undefined> | undefined) {
    this.closed = new Promise((resolve) => (this.closedResolve = resolve));
  }

  static async connect(port: number): Promise<RawClient> {
    let client: RawClient | undefined;
    const holder = new RawClient(undefined);
    client = holder;
    const socket = await Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        data: (_s, chunk) => client?.onData(chunk),
        drain: () => client?.flush(),
        close: () => client?.closedResolve?.(),
        error: () => client?.closedResolve?.(),
        connectError: () => undefined,
      },
    });
    holder.socket = socket;
    return holder;
  }

  private onData(chunk: Uint8Array): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (this.waiters.length === 0) return;
      const end = replyEnd(this.buffer, 0);
      if (end < 0) return;
      const reply = Buffer.from(this.buffer.subarray(0, end));
      this.buffer = this.buffer.subarray(end);
      this.waiters.shift()?.(reply);
    }
  }

  /** Sends every command in one write and resolves with each reply's bytes, in order. */
  pipeline(commands: readonly (readonly Arg[])[]): Promise<Buffer[]> {
    const replies = commands.map(() => new Promise<Buffer>((resolve) => this.waiters.push(resolve)));
    this.write(Buffer.concat(commands.map(encodeCommand)));
    return Promise.all(replies);
  }

  /** Queues bytes; what the socket does not take now goes out on the next drain event. */
  private write(bytes: Buffer): void {
    this.unsent = this.unsent === undefined ? bytes : Buffer.concat([this.unsent, bytes]);
    this.flush();
  }

  private flush(): void {
    if (this.unsent === undefined || this.socket === undefined) return;
    const written = this.socket.write(this.unsent);
    this.unsent = written >= this.unsent.length ? undefined : this.unsent.subarray(Math.max(0, written));
  }

  async send(...args: Arg[]): Promise<Buffer> {
    const [reply] = await this.pipeline([args]);
    return reply;
  }

  /** Sends raw bytes (for inline commands or deliberately split frames). */
  writeRaw(bytes: Uint8Array | string): void {
    this.write(typeof bytes === "string" ? Buffer.from(bytes, "latin1") : Buffer.from(bytes));
  }

  next(): Promise<Buffer> {
    const reply = new Promise<Buffer>((resolve) => this.waiters.push(resolve));
    this.onData(new Uint8Array(0));
    return reply;
  }

  close(): void {
    this.socket?.end();
  }
}

/** Little-endian FLOAT32 blob, the vector format valkey-search expects. */
export function f32(...values: number[]): Buffer {
  return Buffer.from(new Float32Array(values).buffer);
}
