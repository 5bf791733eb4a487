/**
 * A small request/response client for setup and metrics commands (INFO, CONFIG GET, CLUSTER
 * SHARDS, FT.INFO...). Not used on the benchmark hot path: it decodes full replies.
 */
import type { ConnectionConfig } from "../config/types.ts";
import { encodeCommand } from "../resp/encode.ts";
import { NEED_MORE, RespDecoder } from "../resp/decode.ts";
import { RespError, RespProtocolError, type RespValue } from "../resp/types.ts";
import { ConnectionError } from "./errors.ts";
import { handshakeCommands, checkHandshakeReply } from "./handshake.ts";
import { describeTarget, openSocket, type BenchSocket, type SocketSink, type Target } from "./transport.ts";

interface Pending {
  resolve(v: RespValue): void;
  reject(e: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

export class ControlClient implements SocketSink {
  private decoder: RespDecoder;
  private pending: Pending[] = [];
  private socket?: BenchSocket;
  private closedError?: Error;
  /** Whether the server ever sent a byte (for the --tls hint when it closes at once). */
  private answered = false;
  readonly where: string;

  private constructor(
    readonly target: Target,
    private readonly conn: ConnectionConfig,
    binary: boolean,
  ) {
    this.where = describeTarget(target);
    this.decoder = new RespDecoder({ binary });
  }

  /** Connects and runs the handshake (HELLO/AUTH/SELECT). */
  static async connect(target: Target, conn: ConnectionConfig, opts: { binary?: boolean; select?: boolean } = {}): Promise<ControlClient> {
    const client = new ControlClient(target, conn, opts.binary ?? false);
    client.socket = await openSocket(target, conn, client);
    try {
      for (const cmd of handshakeCommands(conn, { select: opts.select ?? true, tracking: false })) {
        // Setup belongs to connecting: a silent peer (wrong port, not Valkey) fails within
        // --connect-timeout rather than the longer --request-timeout.
        const reply = await client.call(cmd, conn.connectTimeoutMs, "--connect-timeout");
        checkHandshakeReply(cmd, reply, client.where, conn.passwordFromUri === true);
      }
    } catch (e) {
      client.close();
      throw e;
    }
    return client;
  }

  /** Sends one command; resolves with the reply (RespError values are returned, not thrown). */
  call(args: readonly (string | Uint8Array)[], timeoutMs = this.conn.requestTimeoutMs, timeoutFlag = "--request-timeout"): Promise<RespValue> {
    if (this.closedError || !this.socket) return Promise.reject(this.closedError ?? new ConnectionError(`${this.where}: not connected`, "CLOSED"));
    return new Promise<RespValue>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new ConnectionError(`${this.where} did not answer ${String(args[0])} within ${timeoutMs} ms; is it a Valkey or Redis server? (or raise ${timeoutFlag})`, "TIMEOUT"));
      }, timeoutMs);
      this.pending.push({ resolve, reject, timer });
      this.send(encodeCommand(args));
    });
  }

  /**
   * Sends pre-encoded bytes holding `replies` commands; resolves with their replies in order.
   * Used to resend a redirected request exactly as the benchmark connection sent it.
   */
  async callRaw(bytes: Uint8Array, replies: number, timeoutMs = this.conn.requestTimeoutMs): Promise<RespValue[]> {
    if (this.closedError || !this.socket) throw this.closedError ?? new ConnectionError(`${this.where}: not connected`, "CLOSED");
    const waits: Promise<RespValue>[] = [];
    for (let i = 0; i < replies; i++) {
      waits.push(
        new Promise<RespValue>((resolve, reject) => {
          const timer = setTimeout(() => {
            this.fail(new ConnectionError(`${this.where} did not answer within ${timeoutMs} ms`, "TIMEOUT"));
          }, timeoutMs);
          this.pending.push({ resolve, reject, timer });
        }),
      );
    }
    this.send(bytes);
    return Promise.all(waits);
  }

  get isOpen(): boolean {
    return !this.closedError;
  }

  /** Like call(), but an error reply is thrown as a ConnectionError naming the command. */
  async callOk(args: readonly (string | Uint8Array)[], timeoutMs?: number): Promise<RespValue> {
    const r = await this.call(args, timeoutMs);
    if (r instanceof RespError) throw new ConnectionError(`${this.where}: ${String(args[0])} failed: ${r.message}`, r.code);
    return r;
  }

  onData(data: Uint8Array): void {
    this.answered = true;
    try {
      this.decoder.push(data);
      for (;;) {
        const v = this.decoder.next();
        if (v === NEED_MORE) break;
        const p = this.pending.shift();
        if (!p) continue; // a push message (tracking invalidation) with nobody waiting
        clearTimeout(p.timer);
        p.resolve(v);
      }
    } catch (e) {
      const msg = e instanceof RespProtocolError ? e.message : String(e);
      this.fail(new ConnectionError(`${this.where} sent a malformed reply (${msg}); is it a Valkey or Redis server, and is --tls right for this port?`, "PROTOCOL"));
    }
  }

  /** Bytes the socket did not take yet (large commands); written from onDrain, in order. */
  private unsent: Uint8Array[] = [];

  private send(bytes: Uint8Array): void {
    if (this.unsent.length > 0) {
      this.unsent.push(bytes);
      return;
    }
    const n = this.socket!.write(bytes);
    if (n < bytes.length) this.unsent.push(bytes.subarray(Math.max(0, n)));
  }

  onDrain(): void {
    while (this.unsent.length > 0 && this.socket) {
      const b = this.unsent[0]!;
      const n = this.socket.write(b);
      if (n < b.length) {
        this.unsent[0] = b.subarray(Math.max(0, n));
        return;
      }
      this.unsent.shift();
    }
  }

  onClose(err?: Error): void {
    // Closed before a single byte came back on a plain connection: the classic sign of a TLS
    // port spoken to in plain text (the server drops the bytes it cannot parse as a handshake).
    const hint = !this.conn.tls && !this.answered ? "; if this port serves TLS, add --tls (or use a valkeys:// URI)" : "";
    this.fail(new ConnectionError(`connection to ${this.where} closed${err ? `: ${err.message}` : " by the server"}${hint}`, "CLOSED"));
  }

  private fail(err: Error): void {
    if (!this.closedError) this.closedError = err;
    const pending = this.pending;
    this.pending = [];
    for (const p of pending) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.socket?.terminate();
  }

  close(): void {
    if (!this.closedError) this.closedError = new ConnectionError(`${this.where}: connection closed`, "CLOSED");
    this.fail(this.closedError);
  }
}
