import { describe, expect, test } from "bun:test";
import { TAG_WIDTH } from "../../src/cluster/slot-tags.ts";
import { formatVectorKey, ID_WIDTH, KeyIdDecoder } from "../../src/search/key-id.ts";

const utf8 = new TextEncoder();

function decode(prefix: string, key: string): number {
  const bytes = utf8.encode(key);
  return new KeyIdDecoder(prefix).decode(bytes, 0, bytes.byteLength);
}

describe("formatVectorKey writes the key format of this tool", () => {
  test("standalone keys are the prefix and the id zero-padded to 12 digits", () => {
    expect(ID_WIDTH).toBe(12);
    expect(formatVectorKey("vec:", 42)).toBe("vec:000000000042");
    expect(formatVectorKey("vec:", 0)).toBe("vec:000000000000");
  });

  test("cluster keys put the hash tag in braces between prefix and id", () => {
    expect(TAG_WIDTH).toBe(3);
    expect(formatVectorKey("vec:", 7, "AB1")).toBe("vec:{AB1}000000000007");
  });

  test("ids wider than 12 digits are written in full, never truncated", () => {
    expect(formatVectorKey("v", 1234567890123)).toBe("v1234567890123");
  });

  test("negative, fractional and unsafe ids and braces in tags are refused", () => {
    expect(() => formatVectorKey("vec:", -1)).toThrow(RangeError);
    expect(() => formatVectorKey("vec:", 1.5)).toThrow(RangeError);
    expect(() => formatVectorKey("vec:", 2 ** 53)).toThrow(RangeError);
    expect(() => formatVectorKey("vec:", 1, "a}b")).toThrow(RangeError);
    expect(() => formatVectorKey("vec:", 1, "")).toThrow(RangeError);
  });
});

describe("KeyIdDecoder maps result keys back to ids", () => {
  test("keys this tool wrote decode to their id, with and without a tag", () => {
    for (const id of [0, 1, 42, 999_999_999_999, 1234567890123]) {
      expect(decode("vec:", formatVectorKey("vec:", id))).toBe(id);
      expect(decode("vec:", formatVectorKey("vec:", id, "Zz9"))).toBe(id);
    }
  });

  test("ids of any width decode (keys from an earlier run or another tool)", () => {
    expect(decode("vec:", "vec:42")).toBe(42);
    expect(decode("vec:", "vec:0")).toBe(0);
    expect(decode("vec:", "vec:00042")).toBe(42);
    expect(decode("vec:", "vec:{AB1}7")).toBe(7);
  });

  test("a ':' after the tag is tolerated", () => {
    expect(decode("vec:", "vec:{AB1}:000000000042")).toBe(42);
    expect(decode("vec:", "vec:{AB1}:42")).toBe(42);
  });

  test("tags of other widths are accepted", () => {
    expect(decode("vec:", "vec:{x}5")).toBe(5);
    expect(decode("vec:", "vec:{user1000}5")).toBe(5);
  });

  test("an empty prefix works", () => {
    expect(decode("", "42")).toBe(42);
    expect(decode("", "{AB1}42")).toBe(42);
  });

  test("a multi-byte UTF-8 prefix is compared byte for byte", () => {
    expect(decode("vécteur:", "vécteur:000000000003")).toBe(3);
    expect(decode("vécteur:", "vecteur:000000000003")).toBe(-1);
  });

  test("keys that are not ours decode to -1", () => {
    const cases = [
      "doc:42", // wrong prefix
      "vex:42", // prefix differs in its last byte
      "ve", // shorter than the prefix
      "vec:", // prefix only, no digits
      "vec:{AB1}", // tag, no digits
      "vec:{AB1}:", // tag and colon, no digits
      "vec:42x", // junk after the digits
      "vec:4 2", // space inside the digits
      "vec:-42", // sign
      "vec:+42",
      "vec:4.2",
      "vec:{AB142", // unterminated tag
      "vec:{}42", // empty tag
      "vec::42", // colon without a tag
      "vec:{AB1}::42", // two colons
      "vec:{AB1}{CD2}42", // two tags
      "vec:99999999999999999999", // past 2^53
      "",
    ];
    for (const key of cases) expect({ key, id: decode("vec:", key) }).toEqual({ key, id: -1 });
  });

  test("only buf[start, end) is read", () => {
    const bytes = utf8.encode("xxvec:000000000042yy");
    const decoder = new KeyIdDecoder("vec:");
    expect(decoder.decode(bytes, 2, 18)).toBe(42);
    expect(decoder.decode(bytes, 2, 17)).toBe(4);
    expect(decoder.decode(bytes, 2, 19)).toBe(-1);
    expect(decoder.decode(bytes, 1, 18)).toBe(-1);
  });
});
