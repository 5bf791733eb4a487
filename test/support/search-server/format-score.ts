// Scores leave valkey-search as text printed like C's `%.12g` of the float32 distance widened to
// double: "0.0200000051409", "0", "380.820007324", "-8", "1.5e-05".

const PRECISION = 12;

export function formatScore(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
  if (value === 0) return Object.is(value, -0) ? "-0" : "0";
  // toExponential rounds to PRECISION significant digits and tells us the decimal exponent
  // after rounding, which is what %g uses to choose between fixed and scientific notation.
  const [mantissa, expText] = value.toExponential(PRECISION - 1).split("e");
  const exponent = Number(expText);
  if (exponent < -4 || exponent >= PRECISION) {
    const sign = exponent < 0 ? "-" : "+";
    const digits = String(Math.abs(exponent)).padStart(2, "0");
    return `${stripZeros(mantissa)}e${sign}${digits}`;
  }
  return stripZeros(value.toFixed(PRECISION - 1 - exponent));
}

function stripZeros(text: string): string {
  if (!text.includes(".")) return text;
  return text.replace(/0+$/, "").replace(/\.$/, "");
}
