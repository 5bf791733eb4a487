/**
 * Real-server check: the raw bytes valkey-server sends for ordinary commands decode to the
 * expected values and are counted by ReplyScanner, in one chunk, in the socket's own chunks and
 * in 1-byte chunks. RESP2 and RESP3 connections both.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Subprocess } from "bun";
import { NEED_MORE, RespDecoder } from "../../src/resp/decode.ts";
import { encodeCommand } from "../../src/resp/encode.ts";
import { ReplyScanner } from "../../src/resp/reply-scanner.ts";
import { RespError, RespMap, RespPush, type RespValue } from "../../src/resp/types.ts";

const PORT = 21017;
const HOST = "127.0.0.1";
let server: Subprocess | undefined;

/** Connects, or resolves undefined on failure (never leaves a rejected promise behind). */
async function tryConnect(onData: (chunk: Uint8Array) => void): Promise<Bun.Socket | undefined> {
  try {
    return await Bun.connect({
      hostname: HOST,
      port: PORT,
      socket: {
        data(_socket, chunk) {
          onData(Uint8Array.from(chunk));
        },
        connectError() {},
        error() {},
      },
    });
  } catch {
    return undefined;
  }
}

beforeAll(async () => {
  server = Bun.spawn(["valkey-server", "--port", String(PORT), "--bind", HOST, "--save", "", "--appendonly", "no"], {
    stdout: "ignore",
    stderr: "ignore",
  });
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const socket = await tryConnect(() => {});
    if (socket) {
      socket.end();
      return;
    }
    await Bun.sleep(50);
  }
  throw new Error(`valkey-server did not start on ${HOST}:${PORT}`);
});

afterAll(async () => {
  server?.kill();
  await server?.exited;
});

interface Capture {
  chunks: Uint8Array[];
  bytes: Uint8Array;
}

/**
 * Sends the commands in one write and captures the raw reply bytes until ReplyScanner has
 * counted `replies` replies and `pushes` push messages (5 s deadline).
 */
async function capture(commands: string[][], replies: number, pushes = 0): Promise<Capture> {
  const chunks: Uint8Array[] = [];
  const scanner = new ReplyScanner();
  let counted = 0;
  let pushed = 0;
  let wake: () => void = () => {};
  const socket = await tryConnect((chunk) => {
    chunks.push(chunk);
    counted += scanner.feed(chunk, 0, chunk.byteLength);
    pushed += scanner.pushCount;
    wake();
  });
  if (!socket) throw new Error("cannot connect to the test valkey-server");
  const payload = Buffer.concat(commands.map((c) => encodeCommand(c)));
  socket.write(payload);
  const deadline = Date.now() + 5_000;
  while ((counted < replies || pushed < pushes) && Date.now() < deadline) {
    await new Promise<void>((resolve) => {
      wake = resolve;
      setTimeout(resolve, 100);
    });
  }
  socket.end();
  expect({ counted, pushed }).toEqual({ counted: replies, pushed: pushes });
  return { chunks, bytes: Uint8Array.from(Buffer.concat(chunks)) };
}

function decodeChunks(chunks: Uint8Array[]): RespValue[] {
  const decoder = new RespDecoder();
  const values: RespValue[] = [];
  for (const chunk of chunks) {
    decoder.push(chunk);
    for (let v = decoder.next(); v !== NEED_MORE; v = decoder.next()) values.push(v);
  }
  expect(decoder.bufferedBytes).toBe(0);
  return values;
}

/** Values decoded from the bytes fed whole, in socket chunks and 1 byte at a time must agree. */
function decodeEveryWay(c: Capture): RespValue[] {
  const whole = decodeChunks([c.bytes]);
  expect(decodeChunks(c.chunks)).toEqual(whole);
  const single = Array.from({ length: c.bytes.byteLength }, (_, i) => c.bytes.subarray(i, i + 1));
  expect(decodeChunks(single)).toEqual(whole);
  return whole;
}

function scanBytewise(bytes: Uint8Array): { replies: number; errors: number; pushes: number; codes: string[] } {
  const scanner = new ReplyScanner();
  const totals = { replies: 0, errors: 0, pushes: 0, codes: [] as string[] };
  for (let i = 0; i < bytes.byteLength; i++) {
    totals.replies += scanner.feed(bytes, i, i + 1);
    totals.errors += scanner.errorCount;
    totals.pushes += scanner.pushCount;
    scanner.forEachError((code) => totals.codes.push(code));
  }
  return totals;
}

const listItems = Array.from({ length: 100 }, (_, i) => `item-${i}`);

describe("replies from a real valkey-server", () => {
  test("RESP2: PING, SET, GET, LRANGE of 100 elements, a missing key and errors", async () => {
    const commands = [
      ["PING"],
      ["SET", "resp:k", "välue"],
      ["GET", "resp:k"],
      ["DEL", "resp:list"],
      ["RPUSH", "resp:list", ...listItems],
      ["LRANGE", "resp:list", "0", "-1"],
      ["GET", "resp:missing"],
      ["NOSUCHCOMMAND"],
      ["LPUSH", "resp:k", "x"],
    ];
    const c = await capture(commands, commands.length);
    const values = decodeEveryWay(c);
    expect(values.slice(0, 7)).toEqual(["PONG", "OK", "välue", expect.any(Number), 100, listItems, null]);
    const [unknown, wrongType] = values.slice(7) as RespError[];
    expect(unknown).toBeInstanceOf(RespError);
    expect(unknown.code).toBe("ERR");
    expect(wrongType.code).toBe("WRONGTYPE");
    expect(scanBytewise(c.bytes)).toEqual({ replies: 9, errors: 2, pushes: 0, codes: ["ERR", "WRONGTYPE"] });
  });

  test("RESP3: HELLO 3 map, HGETALL map, doubles, nulls and a client-tracking push", async () => {
    const commands = [
      ["HELLO", "3"],
      ["DEL", "resp:h", "resp:z", "resp:t"],
      ["HSET", "resp:h", "field", "1"],
      ["HGETALL", "resp:h"],
      ["ZADD", "resp:z", "1.5", "m"],
      ["ZSCORE", "resp:z", "m"],
      ["GET", "resp:missing"],
      ["CLIENT", "TRACKING", "on"],
      ["GET", "resp:t"],
      ["SET", "resp:t", "1"],
    ];
    // SET on a tracked key invalidates it: the server sends a push on this same connection.
    const c = await capture(commands, commands.length, 1);
    const values = decodeEveryWay(c);
    const hello = values[0] as RespMap;
    expect(hello).toBeInstanceOf(RespMap);
    expect(hello.get("server")).toBe("valkey");
    expect(hello.get("proto")).toBe(3);
    expect(Array.isArray(hello.get("modules"))).toBe(true);
    const push = values.find((v): v is RespPush => v instanceof RespPush);
    expect(push?.items).toEqual(["invalidate", ["resp:t"]]);
    const replies = values.filter((v) => !(v instanceof RespPush));
    const hgetall = replies[3] as RespMap;
    expect(hgetall).toBeInstanceOf(RespMap);
    expect([...hgetall]).toEqual([["field", "1"]]);
    expect(replies.slice(4)).toEqual([1, 1.5, null, "OK", null, "OK"]);
    expect(scanBytewise(c.bytes)).toEqual({ replies: 10, errors: 0, pushes: 1, codes: [] });
  });
});
