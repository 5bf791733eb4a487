import { expect, test } from "bun:test";
import { formatFixed, formatFixedWidth } from "../../src/report/printf.ts";

test("exact ties round to even like glibc printf, not away from zero like toFixed", () => {
  expect(formatFixed(0.125, 2)).toBe("0.12");
  expect(formatFixed(0.375, 2)).toBe("0.38");
  expect(formatFixed(0.0625, 3)).toBe("0.062");
  expect(formatFixed(2.5, 0)).toBe("2");
  expect(formatFixed(98.4375, 3)).toBe("98.438");
});

test("ordinary values print like %.Nf", () => {
  expect(formatFixed(99.21875, 3)).toBe("99.219");
  expect(formatFixed(0.207, 3)).toBe("0.207");
  expect(formatFixed(115606.93641618497, 2)).toBe("115606.94");
  expect(formatFixed(999.9996, 3)).toBe("1000.000");
  expect(formatFixed(0, 1)).toBe("0.0");
  expect(formatFixed(1e-7, 3)).toBe("0.000");
  expect(formatFixed(-0.0001, 3)).toBe("-0.000");
  expect(formatFixed(20_000, 0)).toBe("20000");
});

test("NaN and infinities print as glibc does", () => {
  expect(formatFixed(NaN, 3)).toBe("-nan");
  expect(formatFixed(Infinity, 1)).toBe("inf");
  expect(formatFixed(-Infinity, 1)).toBe("-inf");
});

test("width pads on the left like %9.3f", () => {
  expect(formatFixedWidth(0.229, 9, 3)).toBe("    0.229");
  expect(formatFixedWidth(123456.5, 9, 3)).toBe("123456.500");
});
