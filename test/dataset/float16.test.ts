import { describe, expect, test } from "bun:test";
import { floatToHalfBits, halfToFloatTable, widenF16ToF32Bytes } from "../../src/dataset/float16.ts";

const asFloat = (bits: number): number => new Float32Array(Uint32Array.of(bits).buffer)[0];

describe("float16 conversion", () => {
  test("known half values widen exactly: 1, -2, 65504, smallest subnormal, infinities, NaN", () => {
    const t = halfToFloatTable();
    expect(asFloat(t[0x3c00])).toBe(1);
    expect(asFloat(t[0xc000])).toBe(-2);
    expect(asFloat(t[0x7bff])).toBe(65504);
    expect(asFloat(t[0x0001])).toBe(2 ** -24);
    expect(asFloat(t[0x03ff])).toBe(1023 * 2 ** -24);
    expect(asFloat(t[0x7c00])).toBe(Infinity);
    expect(asFloat(t[0xfc00])).toBe(-Infinity);
    expect(Number.isNaN(asFloat(t[0x7e00]))).toBe(true);
    expect(Object.is(asFloat(t[0x8000]), -0)).toBe(true);
  });

  test("narrowing then widening returns every finite half value unchanged", () => {
    const t = halfToFloatTable();
    for (let h = 0; h < 65536; h++) {
      if ((h & 0x7c00) === 0x7c00) continue;
      if (floatToHalfBits(asFloat(t[h])) !== h) throw new Error(`half 0x${h.toString(16)} did not round-trip`);
    }
    expect(floatToHalfBits(1 + 2 ** -11)).toBe(0x3c00); // tie rounds to even
    expect(floatToHalfBits(1e6)).toBe(0x7c00); // overflow to infinity
  });

  test("widening writes little-endian float32 bytes at any offset", () => {
    const src = new Uint8Array(Uint16Array.of(0x3c00, 0xc000).buffer);
    const out = new Uint8Array(9);
    expect(widenF16ToF32Bytes(src, 2, out, 1)).toBe(8);
    expect(Array.from(new Float32Array(out.slice(1).buffer))).toEqual([1, -2]);
  });
});
