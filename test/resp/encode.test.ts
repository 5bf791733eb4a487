import { describe, expect, test } from "bun:test";
import { NEED_MORE, RespDecoder } from "../../src/resp/decode.ts";
import { encodeCommand, encodeCommandInto, encodedLength, encodeInline, utf8ByteLength } from "../../src/resp/encode.ts";

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

function decodeSingle(bytes: Uint8Array, binary = false): unknown {
  const decoder = new RespDecoder({ binary });
  decoder.push(bytes);
  const value = decoder.next();
  expect(value).not.toBe(NEED_MORE);
  expect(decoder.next()).toBe(NEED_MORE);
  return value;
}

describe("encodeCommand", () => {
  test("writes a RESP array of bulk strings", () => {
    expect(text(encodeCommand(["SET", "key", "value"]))).toBe("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n");
    expect(text(encodeCommand([]))).toBe("*0\r\n");
    expect(text(encodeCommand(["PING", ""]))).toBe("*2\r\n$4\r\nPING\r\n$0\r\n\r\n");
  });

  test("bulk lengths are UTF-8 byte lengths, not string lengths", () => {
    expect(text(encodeCommand(["é"]))).toBe("*1\r\n$2\r\né\r\n");
    expect(text(encodeCommand(["🚀"]))).toBe("*1\r\n$4\r\n🚀\r\n");
    expect(text(encodeCommand(["日本"]))).toBe("*1\r\n$6\r\n日本\r\n");
  });

  test("byte arguments are copied verbatim, including CR, LF and zero bytes", () => {
    const blob = Uint8Array.from([0, 13, 10, 255, 36]);
    const encoded = encodeCommand(["SET", "k", blob]);
    const decoded = decodeSingle(encoded, true) as Uint8Array[];
    expect([...decoded[2]]).toEqual([0, 13, 10, 255, 36]);
  });

  test("round-trips through RespDecoder for varied arguments", () => {
    const args = ["HSET", "user:{1}", "name", "Zoë", "bio", "line1\r\nline2", "x".repeat(10_000), "", "123"];
    expect(decodeSingle(encodeCommand(args))).toEqual(args);
    const many = Array.from({ length: 1234 }, (_, i) => `arg${i}`);
    expect(decodeSingle(encodeCommand(many))).toEqual(many);
  });

  test("lone surrogates are counted as the 3-byte replacement character TextEncoder writes", () => {
    for (const s of ["\ud800", "a\udc00b", "\ud83d", "\ud83d\ude80x"]) {
      expect(utf8ByteLength(s)).toBe(new TextEncoder().encode(s).byteLength);
      expect(encodedLength([s])).toBe(encodeCommand([s]).byteLength);
    }
  });
});

describe("encodeCommandInto and encodedLength", () => {
  test("encodedLength is exactly the encoded size", () => {
    for (const args of [[], ["GET", "k"], ["x".repeat(9)], ["x".repeat(10)], ["é", new Uint8Array(100)]]) {
      expect(encodedLength(args)).toBe(encodeCommand(args).byteLength);
    }
  });

  test("writes at an offset, returns bytes written and leaves the rest of the buffer alone", () => {
    const target = new Uint8Array(64).fill(46); // '.'
    const written = encodeCommandInto(target, 5, ["GET", "key"]);
    expect(written).toBe(22);
    expect(text(target.subarray(0, 5 + written + 2))).toBe(".....*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n..");
  });

  test("commands can be packed back to back into one pipeline buffer", () => {
    const commands = [["SET", "a", "1"], ["GET", "a"], ["PING"]];
    const buffer = new Uint8Array(commands.reduce((n, c) => n + encodedLength(c), 0));
    let offset = 0;
    for (const c of commands) offset += encodeCommandInto(buffer, offset, c);
    expect(offset).toBe(buffer.byteLength);
    const decoder = new RespDecoder();
    decoder.push(buffer);
    expect([decoder.next(), decoder.next(), decoder.next(), decoder.next()]).toEqual([...commands, NEED_MORE]);
  });

  test("a buffer that is too small is a RangeError, and nothing is written", () => {
    const target = new Uint8Array(10);
    expect(() => encodeCommandInto(target, 0, ["GET", "key"])).toThrow(RangeError);
    expect(() => encodeCommandInto(new Uint8Array(100), 90, ["GET", "key"])).toThrow(RangeError);
    expect([...target]).toEqual(new Array(10).fill(0));
  });
});

describe("encodeInline", () => {
  test("appends CRLF to the command text", () => {
    expect(text(encodeInline("PING"))).toBe("PING\r\n");
    expect(text(encodeInline("SET k é"))).toBe("SET k é\r\n");
  });

  test("refuses text containing CR or LF", () => {
    expect(() => encodeInline("PING\r\nFLUSHALL")).toThrow(RangeError);
    expect(() => encodeInline("PING\n")).toThrow(RangeError);
  });
});
