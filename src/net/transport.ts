/**
 * Opens TCP, TLS and unix-socket connections with Bun's sockets. Events are forwarded to a
 * swappable `SocketSink`, so one socket can first run the handshake (request/response) and
 * then switch to the allocation-free benchmark handler without reconnecting.
 *
 * Bun traps handled here (docs/external-facts.md, Bun notes): connect errors are always handled
 * (an unhandled rejection spins the process), and TLS has no handshake timeout of its own, so
 * the whole connect + handshake is bounded by connectTimeoutMs.
 */
import type { Socket } from "bun";
import type { ConnectionConfig, TlsConfig } from "../config/types.ts";
import { readCaDirectory } from "../config/tls-files.ts";
import { ConnectionError, describeSocketError } from "./errors.ts";

export interface SocketSink {
  onData(data: Uint8Array): void;
  onDrain(): void;
  onClose(err?: Error): void;
}

export type Target = { kind: "tcp"; host: string; port: number } | { kind: "unix"; path: string };

/** Holder stored in socket.data: lets the owner replace the sink after the handshake. */
export interface SinkHolder {
  sink: SocketSink;
}

export type BenchSocket = Socket<SinkHolder>;

/** What a benchmark connection uses of its socket (a fake one in unit tests). */
export interface ByteSocket {
  data: SinkHolder;
  /** Writes buf[offset, offset + length); returns the bytes the kernel took (the rest waits for onDrain). */
  write(buf: Uint8Array, offset: number, length: number): number;
  terminate(): void;
}

/** A node's address as discovery reports it: unix sockets have port 0 and "unix:" addresses. */
export function targetOf(node: { address: string; host: string; port: number }): Target {
  return node.port === 0 && node.address.startsWith("unix:") ? { kind: "unix", path: node.host } : { kind: "tcp", host: node.host, port: node.port };
}

export function describeTarget(t: Target): string {
  if (t.kind === "unix") return `unix:${t.path}`;
  return t.host.includes(":") ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}`;
}

interface TlsOptions {
  ca?: string[];
  ciphers?: string;
  cert?: string;
  key?: string;
  serverName?: string;
  rejectUnauthorized: boolean;
}

const tlsCache = new Map<string, Promise<TlsOptions>>();

async function readPem(path: string, flag: string): Promise<string> {
  try {
    return await Bun.file(path).text();
  } catch {
    throw new ConnectionError(`cannot read ${flag} file ${path}; check the path and its permissions`, "TLS");
  }
}

/** `--cacert` and `--cacertdir` together; undefined (the system's CAs) when neither is given. */
async function trustedCas(tls: TlsConfig): Promise<string[] | undefined> {
  const pems: string[] = [];
  if (tls.caFile) pems.push(await readPem(tls.caFile, "--cacert"));
  if (tls.caDir) {
    try {
      pems.push(...readCaDirectory(tls.caDir));
    } catch {
      throw new ConnectionError(`cannot read --cacertdir ${tls.caDir}; check the path and its permissions`, "TLS");
    }
  }
  return pems.length > 0 ? pems : undefined;
}

function tlsOptionsFor(tls: TlsConfig, host: string): Promise<TlsOptions> {
  const key = JSON.stringify([tls, host]);
  let p = tlsCache.get(key);
  if (!p) {
    p = (async () => ({
      ca: await trustedCas(tls),
      ...(tls.ciphers !== undefined ? { ciphers: tls.ciphers } : {}),
      cert: tls.certFile ? await readPem(tls.certFile, "--cert") : undefined,
      key: tls.keyFile ? await readPem(tls.keyFile, "--key") : undefined,
      serverName: tls.sni ?? host,
      rejectUnauthorized: !tls.insecure,
    }))();
    tlsCache.set(key, p);
  }
  return p;
}

const handlers = {
  open() {},
  data(socket: BenchSocket, data: Uint8Array) {
    socket.data.sink.onData(data);
  },
  drain(socket: BenchSocket) {
    socket.data.sink.onDrain();
  },
  close(socket: BenchSocket, err?: Error) {
    socket.data.sink.onClose(err);
  },
  error(socket: BenchSocket, err: Error) {
    socket.data.sink.onClose(err);
  },
  end(socket: BenchSocket) {
    socket.end();
  },
};

/**
 * Connects and resolves once the socket is usable (after the TLS handshake, if any). Rejects with
 * a ConnectionError naming the endpoint and the cause; never leaves a dangling promise.
 */
export async function openSocket(target: Target, conn: ConnectionConfig, sink: SocketSink): Promise<BenchSocket> {
  const where = describeTarget(target);
  const tls = conn.tls && target.kind === "tcp" ? await tlsOptionsFor(conn.tls, target.host) : undefined;
  return new Promise<BenchSocket>((resolve, reject) => {
    let settled = false;
    let socket: BenchSocket | undefined;
    const holder: SinkHolder = {
      sink: {
        onData() {},
        onDrain() {},
        onClose(err) {
          fail(err ?? new Error("connection closed by the server during connect"));
        },
      },
    };
    const timer = setTimeout(() => {
      fail(
        new ConnectionError(
          `cannot connect to ${where}: no answer within ${conn.connectTimeoutMs} ms` +
            (tls ? " (TLS handshake did not complete: is this a TLS port?)" : "; is the address reachable?"),
          "TIMEOUT",
        ),
      );
      socket?.terminate();
    }, conn.connectTimeoutMs);
    function fail(err: unknown) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(err instanceof ConnectionError ? err : describeSocketError(where, err));
    }
    const ready = (s: BenchSocket) => {
      if (settled) {
        s.terminate();
        return;
      }
      settled = true;
      clearTimeout(timer);
      s.data.sink = sink;
      resolve(s);
    };
    const socketHandlers = {
      ...handlers,
      // Plain sockets are usable on open. TLS sockets only after the handshake (writes made in
      // open are lost when a handshake handler exists), and only if the certificate checked out:
      // without this handler Bun reports a failed verification as a bare close.
      open(s: BenchSocket) {
        if (!tls) ready(s);
      },
      handshake(s: BenchSocket, success: boolean, authorizationError: Error | null) {
        if (tls && tls.rejectUnauthorized && (!success || authorizationError)) {
          const reason = (authorizationError as { code?: string } | null)?.code ?? authorizationError?.message ?? "certificate not trusted";
          fail(
            new ConnectionError(
              `TLS certificate of ${where} was rejected (${reason}); pass the CA with --cacert, fix --sni, or use --insecure to skip verification`,
              "TLS",
            ),
          );
          s.terminate();
          return;
        }
        ready(s);
      },
      connectError(_s: BenchSocket, err: Error) {
        fail(err);
      },
    };
    const opts =
      target.kind === "unix"
        ? { unix: target.path, data: holder, socket: socketHandlers }
        : { hostname: target.host, port: target.port, tls, data: holder, socket: socketHandlers };
    Bun.connect(opts as Parameters<typeof Bun.connect<SinkHolder>>[0]).then(
      (s) => {
        socket = s as BenchSocket;
        if (settled && s.data.sink !== sink) s.terminate();
      },
      (err) => fail(err),
    );
  });
}
