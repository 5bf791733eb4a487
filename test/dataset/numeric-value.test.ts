import { describe, expect, test } from "bun:test";
import { formatNumericValue, numericValueOfF32, writeNumericValue } from "../../src/dataset/numeric-value.ts";
import { seededRandom } from "../../src/dataset/tools/generate.ts";

describe("numeric attribute text", () => {
  test("integers are written as integers, other floats as their shortest float32 decimal", () => {
    expect(formatNumericValue(42)).toBe("42");
    expect(formatNumericValue(-7)).toBe("-7");
    expect(formatNumericValue(0)).toBe("0");
    expect(formatNumericValue(16777216)).toBe("16777216");
    expect(formatNumericValue(0.1)).toBe("0.1");
    expect(formatNumericValue(-2.25)).toBe("-2.25");
    expect(formatNumericValue(0.001)).toBe("0.001");
    expect(formatNumericValue(1234567.5)).toBe("1234567.5");
    expect(formatNumericValue(Math.fround(3.14159))).toBe("3.14159");
  });

  test("the text reads back as the same float32, and as exactly the double numericValueOfF32 gives", () => {
    const rand = seededRandom(3);
    const buf = new Uint8Array(64);
    for (let i = 0; i < 20000; i++) {
      const scale = 10 ** Math.floor(rand() * 12 - 6);
      const f = Math.fround((rand() * 2 - 1) * scale);
      const text = formatNumericValue(f);
      expect(Math.fround(Number(text))).toBe(f);
      expect(Number(text)).toBe(numericValueOfF32(f));
      const end = writeNumericValue(buf, 3, f);
      expect(new TextDecoder().decode(buf.subarray(3, end))).toBe(text);
      // Shortest: one digit fewer never reads back as f.
      const digits = text.replace(/^-?0?\.?0*/, "").replace(".", "").length;
      if (digits > 1 && !Number.isInteger(f)) expect(Math.fround(Number(f.toPrecision(digits - 1)))).not.toBe(f);
    }
  });

  test("tiny and huge non-integers fall back to a string that still reads back as the float32", () => {
    for (const f of [Math.fround(1.5e-30), Math.fround(-3.25e-40)]) {
      expect(Math.fround(Number(formatNumericValue(f)))).toBe(f);
      expect(Number(formatNumericValue(f))).toBe(numericValueOfF32(f));
    }
  });
});
