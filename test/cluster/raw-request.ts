// Test-only: send commands to a server over a plain socket and decode the replies, so topology
// parsers are tested against the exact bytes a real server produces (RESP2 and, after HELLO 3,
// RESP3).

import type { Socket } from "bun";
import { NEED_MORE, RespDecoder } from "../../src/resp/decode.ts";
import { type CommandArg, encodeCommand } from "../../src/resp/encode.ts";
import type { RespValue } from "../../src/resp/types.ts";

const REQUEST_TIMEOUT_MS = 5000;

/** Sends `commands` in one write on one connection and resolves with one reply per command. */
export async function request(port: number, ...commands: (readonly CommandArg[])[]): Promise<RespValue[]> {
  const decoder = new RespDecoder();
  const replies: RespValue[] = [];
  let socket: Socket<undefined> | undefined;
  const done = new Promise<RespValue[]>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`127.0.0.1:${port} sent ${replies.length} of ${commands.length} replies within ${REQUEST_TIMEOUT_MS} ms`)),
      REQUEST_TIMEOUT_MS,
    );
    Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        open(s) {
          socket = s;
          const parts = commands.map((c) => encodeCommand(c));
          const total = parts.reduce((n, p) => n + p.byteLength, 0);
          const buf = new Uint8Array(total);
          let at = 0;
          for (const p of parts) {
            buf.set(p, at);
            at += p.byteLength;
          }
          s.write(buf);
        },
        data(_s, chunk) {
          decoder.push(chunk);
          for (let value = decoder.next(); value !== NEED_MORE; value = decoder.next()) replies.push(value);
          if (replies.length >= commands.length) {
            clearTimeout(timer);
            resolve(replies);
          }
        },
        close() {
          clearTimeout(timer);
          if (replies.length < commands.length) reject(new Error(`127.0.0.1:${port} closed the connection early`));
        },
        connectError(_s, error) {
          clearTimeout(timer);
          reject(error);
        },
      },
    }).catch((error: unknown) => {
      clearTimeout(timer);
      reject(error instanceof Error ? error : new Error(String(error)));
    });
  });
  try {
    return await done;
  } finally {
    socket?.end();
  }
}
