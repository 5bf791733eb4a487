/**
 * Opens a socket and runs the handshake on it with a temporary decoding sink, returning the
 * ready socket. Benchmark connections then install their allocation-free sink.
 */
import type { ConnectionConfig } from "../config/types.ts";
import { encodeCommand } from "../resp/encode.ts";
import { NEED_MORE, RespDecoder } from "../resp/decode.ts";
import type { RespValue } from "../resp/types.ts";
import { ConnectionError } from "./errors.ts";
import { checkHandshakeReply, handshakeCommands } from "./handshake.ts";
import { describeTarget, openSocket, type BenchSocket, type SocketSink, type Target } from "./transport.ts";

export async function openReadySocket(
  target: Target,
  conn: ConnectionConfig,
  extraCommands: readonly string[][] = [],
): Promise<BenchSocket> {
  const where = describeTarget(target);
  const cmds = [...handshakeCommands(conn, { select: true, tracking: true }), ...extraCommands];
  let resolveReplies!: (v: RespValue[]) => void;
  let rejectReplies!: (e: Error) => void;
  const done = new Promise<RespValue[]>((res, rej) => {
    resolveReplies = res;
    rejectReplies = rej;
  });
  const decoder = new RespDecoder();
  const replies: RespValue[] = [];
  const sink: SocketSink = {
    onData(data) {
      try {
        decoder.push(data);
        for (;;) {
          const v = decoder.next();
          if (v === NEED_MORE) break;
          replies.push(v);
        }
        if (replies.length >= cmds.length) resolveReplies(replies);
      } catch (e) {
        rejectReplies(new ConnectionError(`${where} sent a malformed reply during the handshake: ${(e as Error).message}`, "PROTOCOL"));
      }
    },
    onDrain() {},
    onClose(err) {
      rejectReplies(new ConnectionError(`connection to ${where} closed during the handshake${err ? `: ${err.message}` : ""}; check credentials and server limits (maxclients)`, "CLOSED"));
    },
  };
  const socket = await openSocket(target, conn, sink);
  if (cmds.length === 0) return socket;
  const timer = setTimeout(() => {
    rejectReplies(new ConnectionError(`${where} did not answer the handshake within ${conn.requestTimeoutMs} ms`, "TIMEOUT"));
  }, conn.requestTimeoutMs);
  try {
    const parts = cmds.map((c) => encodeCommand(c));
    socket.write(Buffer.concat(parts));
    const got = await done;
    for (let i = 0; i < cmds.length; i++) checkHandshakeReply(cmds[i]!, got[i]!, where, conn.passwordFromUri === true);
    return socket;
  } catch (e) {
    socket.terminate();
    throw e;
  } finally {
    clearTimeout(timer);
  }
}
