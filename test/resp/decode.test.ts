import { describe, expect, test } from "bun:test";
import { NEED_MORE, RespDecoder, type RespDecoderOptions } from "../../src/resp/decode.ts";
import { RespError, RespMap, RespProtocolError, RespPush, type RespValue } from "../../src/resp/types.ts";

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Decodes every complete value of `text`, fed in one chunk. */
function decodeAll(text: string | Uint8Array, opts?: RespDecoderOptions): RespValue[] {
  const decoder = new RespDecoder(opts);
  decoder.push(typeof text === "string" ? bytes(text) : text);
  const values: RespValue[] = [];
  for (let v = decoder.next(); v !== NEED_MORE; v = decoder.next()) values.push(v);
  expect(decoder.bufferedBytes).toBe(0);
  return values;
}

function decodeOne(text: string, opts?: RespDecoderOptions): RespValue {
  const values = decodeAll(text, opts);
  expect(values).toHaveLength(1);
  return values[0];
}

/** The error thrown while decoding `text`, asserting it is a RespProtocolError. */
function protocolError(text: string, opts?: RespDecoderOptions): string {
  const decoder = new RespDecoder(opts);
  decoder.push(bytes(text));
  try {
    while (decoder.next() !== NEED_MORE);
  } catch (err) {
    expect(err).toBeInstanceOf(RespProtocolError);
    return (err as RespProtocolError).message;
  }
  throw new Error(`no RespProtocolError for ${JSON.stringify(text)}`);
}

describe("RespDecoder maps each RESP type to its RespValue", () => {
  test("simple strings, bulk strings and verbatim strings decode to UTF-8 strings", () => {
    expect(decodeOne("+OK\r\n")).toBe("OK");
    expect(decodeOne("$5\r\nhé\r\n\r\n")).toBe("hé\r\n");
    expect(decodeOne("$0\r\n\r\n")).toBe("");
    expect(decodeOne("=15\r\ntxt:Some string\r\n")).toBe("Some string");
    expect(decodeOne("+日本語\r\n")).toBe("日本語");
  });

  test("binary mode returns bulk strings as byte copies", () => {
    const value = decodeOne("$3\r\n\x00\x01\x02\r\n", { binary: true });
    expect(value).toBeInstanceOf(Uint8Array);
    expect([...(value as Uint8Array)]).toEqual([0, 1, 2]);
    expect(decodeOne("+OK\r\n", { binary: true })).toBe("OK");
  });

  test("errors decode to RespError with the first word as code", () => {
    const simple = decodeOne("-WRONGTYPE Operation against a key\r\n") as RespError;
    expect(simple).toBeInstanceOf(RespError);
    expect(simple.code).toBe("WRONGTYPE");
    const blob = decodeOne("!21\r\nSYNTAX invalid syntax\r\n") as RespError;
    expect(blob).toBeInstanceOf(RespError);
    expect(blob.message).toBe("SYNTAX invalid syntax");
    expect(blob.code).toBe("SYNTAX");
  });

  test("integers are numbers, or bigints outside the safe range", () => {
    expect(decodeOne(":0\r\n")).toBe(0);
    expect(decodeOne(":-123\r\n")).toBe(-123);
    expect(decodeOne(":+7\r\n")).toBe(7);
    expect(decodeOne(":9007199254740991\r\n")).toBe(Number.MAX_SAFE_INTEGER);
    expect(decodeOne(":-9007199254740991\r\n")).toBe(Number.MIN_SAFE_INTEGER);
    expect(decodeOne(":9223372036854775807\r\n")).toBe(9223372036854775807n);
    expect(decodeOne("(3492890328409238509324850943850943825024385\r\n")).toBe(3492890328409238509324850943850943825024385n);
    expect(decodeOne("(5\r\n")).toBe(5n);
  });

  test("doubles, including inf, -inf and nan", () => {
    expect(decodeOne(",1.23\r\n")).toBe(1.23);
    expect(decodeOne(",10\r\n")).toBe(10);
    expect(decodeOne(",1e+21\r\n")).toBe(1e21);
    expect(decodeOne(",inf\r\n")).toBe(Number.POSITIVE_INFINITY);
    expect(decodeOne(",-inf\r\n")).toBe(Number.NEGATIVE_INFINITY);
    expect(decodeOne(",nan\r\n")).toBeNaN();
  });

  test("nulls in all three spellings, and booleans", () => {
    expect(decodeAll("_\r\n$-1\r\n*-1\r\n")).toEqual([null, null, null]);
    expect(decodeAll("#t\r\n#f\r\n")).toEqual([true, false]);
  });

  test("arrays and sets decode to arrays, nested and empty", () => {
    expect(decodeOne("*3\r\n:1\r\n*2\r\n+a\r\n$1\r\nb\r\n*0\r\n")).toEqual([1, ["a", "b"], []]);
    expect(decodeOne("~2\r\n+x\r\n+y\r\n")).toEqual(["x", "y"]);
    expect(decodeOne("*2\r\n$-1\r\n_\r\n")).toEqual([null, null]);
  });

  test("maps decode to RespMap in wire order", () => {
    const map = decodeOne("%2\r\n+first\r\n:1\r\n+second\r\n*1\r\n#t\r\n") as RespMap;
    expect(map).toBeInstanceOf(RespMap);
    expect([...map.entries()]).toEqual([
      ["first", 1],
      ["second", [true]],
    ]);
    expect(decodeOne("%0\r\n")).toBeInstanceOf(RespMap);
  });

  test("push messages decode to RespPush", () => {
    const push = decodeOne(">2\r\n$10\r\ninvalidate\r\n*1\r\n$3\r\nkey\r\n") as RespPush;
    expect(push).toBeInstanceOf(RespPush);
    expect(push.items).toEqual(["invalidate", ["key"]]);
  });

  test("attributes are parsed and dropped, at top level and inside aggregates", () => {
    expect(decodeAll("|1\r\n+ttl\r\n:3600\r\n+value\r\n:2\r\n")).toEqual(["value", 2]);
    expect(decodeOne("*2\r\n|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n:1\r\n:2\r\n")).toEqual([1, 2]);
    expect(decodeAll("|0\r\n:5\r\n")).toEqual([5]);
  });
});

describe("RespDecoder is incremental", () => {
  const stream =
    "*3\r\n$5\r\nhello\r\n%1\r\n+k\r\n,2.5\r\n>1\r\n:-42\r\n-ERR oops\r\n=8\r\ntxt:abcd\r\n(123456789012345678901\r\n";

  test("every split of the stream into two chunks decodes the same values", () => {
    const whole = decodeAll(stream);
    const data = bytes(stream);
    for (let cut = 0; cut <= data.byteLength; cut++) {
      const decoder = new RespDecoder();
      const values: RespValue[] = [];
      for (const part of [data.subarray(0, cut), data.subarray(cut)]) {
        decoder.push(part);
        for (let v = decoder.next(); v !== NEED_MORE; v = decoder.next()) values.push(v);
      }
      expect(values).toEqual(whole);
    }
  });

  test("1-byte chunks decode the same values, NEED_MORE until each value is complete", () => {
    const data = bytes("$5\r\nhello\r\n");
    const decoder = new RespDecoder();
    for (let i = 0; i < data.byteLength - 1; i++) {
      decoder.push(data.subarray(i, i + 1));
      expect(decoder.next()).toBe(NEED_MORE);
    }
    decoder.push(data.subarray(data.byteLength - 1));
    expect(decoder.next()).toBe("hello");
    expect(decoder.next()).toBe(NEED_MORE);
  });

  test("bufferedBytes counts pushed bytes not yet consumed", () => {
    const decoder = new RespDecoder();
    decoder.push(bytes("+OK\r\n$10\r\nabc"));
    expect(decoder.bufferedBytes).toBe(13);
    expect(decoder.next()).toBe("OK");
    expect(decoder.next()).toBe(NEED_MORE);
    expect(decoder.bufferedBytes).toBe(8);
  });

  test("a pushed chunk is copied: reusing the caller's buffer does not change results", () => {
    const decoder = new RespDecoder();
    const chunk = bytes("$3\r\nab");
    decoder.push(chunk);
    chunk.fill(0);
    decoder.push(bytes("c\r\n"));
    expect(decoder.next()).toBe("abc");
  });

  test("a 100 MB bulk fed in 64 KiB chunks decodes intact", () => {
    const size = 100 * 1024 * 1024;
    const decoder = new RespDecoder({ binary: true });
    decoder.push(bytes(`$${size}\r\n`));
    const chunk = new Uint8Array(64 * 1024).fill(120);
    let sent = 0;
    while (sent < size) {
      const n = Math.min(chunk.byteLength, size - sent);
      decoder.push(chunk.subarray(0, n));
      sent += n;
      expect(decoder.next()).toBe(NEED_MORE);
    }
    decoder.push(bytes("\r\n+after\r\n"));
    const value = decoder.next() as Uint8Array;
    expect(value.byteLength).toBe(size);
    expect(value[0]).toBe(120);
    expect(value[size - 1]).toBe(120);
    expect(decoder.next()).toBe("after");
  });

  test("reset() drops partial input and a previous failure", () => {
    const decoder = new RespDecoder();
    decoder.push(bytes("?bad\r\n"));
    expect(() => decoder.next()).toThrow(RespProtocolError);
    expect(() => decoder.next()).toThrow(RespProtocolError);
    decoder.reset();
    decoder.push(bytes("+fine\r\n"));
    expect(decoder.next()).toBe("fine");
  });
});

describe("RespDecoder rejects malformed bytes with RespProtocolError naming the problem and offset", () => {
  test("unknown type byte", () => {
    expect(protocolError("+OK\r\n?x\r\n")).toBe("invalid RESP: unknown type byte 0x3f at byte offset 5");
  });

  test("offsets count from the start of the stream across pushes", () => {
    const decoder = new RespDecoder();
    decoder.push(bytes("+OK\r\n"));
    expect(decoder.next()).toBe("OK");
    decoder.push(bytes("$3\r\nabc\r\n@"));
    expect(decoder.next()).toBe("abc");
    expect(() => decoder.next()).toThrow("invalid RESP: unknown type byte 0x40 at byte offset 14");
  });

  test("non-digit in a length", () => {
    expect(protocolError("$1x\r\nab\r\n")).toContain("non-digit in '$' length at byte offset 2");
    expect(protocolError("*\r\n")).toContain("empty length");
  });

  test("missing CRLF after a bulk body", () => {
    expect(protocolError("$3\r\nabcd\r\n")).toContain("missing CRLF after bulk string at byte offset 7");
  });

  test("CR not followed by LF", () => {
    expect(protocolError("+OK\rX")).toContain("CR not followed by LF at byte offset 4");
  });

  test("negative lengths other than $-1 and *-1", () => {
    expect(protocolError("$-2\r\n")).toContain("negative length");
    expect(protocolError("%-1\r\n")).toContain("negative length");
    expect(protocolError("=-1\r\n")).toContain("negative length");
  });

  test("malformed scalars", () => {
    expect(protocolError(":12a\r\n")).toContain("non-digit in integer");
    expect(protocolError(":\r\n")).toContain("integer without digits");
    expect(protocolError("#x\r\n")).toContain("boolean");
    expect(protocolError(",1.2.3\r\n")).toContain("malformed double");
    expect(protocolError("(12x\r\n")).toContain("malformed big number");
    expect(protocolError("_x\r\n")).toContain("null");
    expect(protocolError("=3\r\nabc\r\n")).toContain("verbatim");
  });

  test("nesting deeper than maxDepth", () => {
    expect(decodeOne(`${"*1\r\n".repeat(3)}:1\r\n`, { maxDepth: 3 })).toEqual([[[1]]]);
    expect(protocolError(`${"*1\r\n".repeat(4)}:1\r\n`, { maxDepth: 3 })).toBe(
      "invalid RESP: nesting deeper than maxDepth (3) at byte offset 12",
    );
  });

  test("lengths over the limits", () => {
    expect(protocolError("$11\r\n", { maxBulkBytes: 10 })).toContain("over maxBulkBytes (10)");
    expect(protocolError("*5\r\n", { maxAggregateLength: 4 })).toContain("over maxAggregateLength (4)");
    expect(protocolError("%5\r\n", { maxAggregateLength: 4 })).toContain("over maxAggregateLength (4)");
  });

  test("a length header that never ends is rejected instead of buffered forever", () => {
    expect(protocolError(`$${"1".repeat(40)}`)).toContain("line longer than");
  });

  test("streamed RESP3 replies are rejected clearly", () => {
    expect(protocolError("$?\r\n;4\r\nHell\r\n;0\r\n")).toContain("streamed RESP3 replies are not supported");
    expect(protocolError("*?\r\n:1\r\n.\r\n")).toContain("streamed RESP3 replies are not supported");
  });
});
