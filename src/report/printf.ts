/**
 * C `printf("%.Nf")` for doubles, so our numbers print digit for digit like valkey-benchmark's.
 *
 * `Number.prototype.toFixed` rounds exact ties away from zero (0.125 -> "0.13") where glibc
 * rounds them to even ("0.12"), and prints NaN as "NaN" where glibc prints "-nan"/"nan".
 * Ties are only possible for binary fractions such as a mean latency of 62.5 µs, rare but real.
 */

/** `printf("%.<digits>f", x)` as glibc prints it. */
export function formatFixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return "-nan"; // 0.0/0.0 on x86-64 has the sign bit set
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  const negative = x < 0 || Object.is(x, -0);
  const magnitude = Math.abs(x);
  if (magnitude >= 1e21) {
    // Integers this large have no fractional part; toFixed would switch to exponent notation.
    const zeros = digits > 0 ? "." + "0".repeat(digits) : "";
    return (negative ? "-" : "") + BigInt(magnitude).toString() + zeros;
  }
  // toFixed(100) is the exact decimal expansion for every double below 1e21 with at most 100
  // fractional bits, which covers all latencies and rates; round that string half-to-even.
  const exact = magnitude.toFixed(Math.min(100, digits + 60));
  const point = exact.indexOf(".");
  const intPart = exact.slice(0, point);
  const frac = exact.slice(point + 1);
  const kept = frac.slice(0, digits);
  const rest = frac.slice(digits);
  let digitsStr = intPart + kept;
  const first = rest.charCodeAt(0) - 48;
  const tail = rest.slice(1);
  const roundUp =
    first > 5 ||
    (first === 5 && /[1-9]/.test(tail)) ||
    (first === 5 && (digitsStr.charCodeAt(digitsStr.length - 1) - 48) % 2 === 1);
  if (roundUp) digitsStr = incrementDecimalString(digitsStr);
  const whole = digitsStr.slice(0, digitsStr.length - digits) || "0";
  const fraction = digitsStr.slice(digitsStr.length - digits);
  return (negative ? "-" : "") + whole + (digits > 0 ? "." + fraction : "");
}

function incrementDecimalString(s: string): string {
  const chars = s.split("");
  for (let i = chars.length - 1; i >= 0; i--) {
    if (chars[i] === "9") {
      chars[i] = "0";
    } else {
      chars[i] = String.fromCharCode(chars[i]!.charCodeAt(0) + 1);
      return chars.join("");
    }
  }
  return "1" + chars.join("");
}

/** `printf("%<width>.<digits>f", x)`: right-aligned in `width` columns. */
export function formatFixedWidth(x: number, width: number, digits: number): string {
  return formatFixed(x, digits).padStart(width, " ");
}
