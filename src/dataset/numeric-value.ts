/**
 * Numeric attributes are stored as float32 (the data array of the legacy CSR blocks) but sent to the
 * server as decimal text, which the server parses into a double. For recall to be exact, ground
 * truth must compare the very double the server sees, so the dataset's value of a stored float32
 * `f` is defined as the double nearest to one canonical decimal of `f`:
 *   - an integral f (|f| < 2^53) is written as its integer digits ("42", "-7");
 *   - otherwise the shortest decimal (at most 9 significant digits) that reads back as f when
 *     rounded to float32 ("0.1" for float32(0.1), not "0.10000000149011612").
 * numericValueOfF32 gives that double; writeNumericValue writes the same decimal into a buffer
 * without allocating (vec-load's hot path), and formatNumericValue returns it as a string.
 * Query bounds stored in a dataset go through the same mapping, so comparisons in ground truth
 * (double vs double) are exactly the server's.
 */

/** Exact powers of ten as doubles (10^22 is the largest exactly representable one). */
const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

/** Scratch result of shortestF32: value = sign * mantissa * 10^exponent. */
interface Decimal {
  mantissa: number;
  exponent: number;
}
const scratch: Decimal = { mantissa: 0, exponent: 0 };

/**
 * The shortest decimal m * 10^e (m < 10^9) of |f| that rounds to |f| in float32, in `scratch`.
 * m / 10^-e (one correctly rounded division of two exact doubles) equals what strtod gives for
 * the text, so the check is the server's parse. Returns false when |e| > 22 (then the caller falls
 * back to strings: tiny or huge non-integers, never on a typical dataset).
 */
function shortestF32(abs: number): boolean {
  const e10 = Math.floor(Math.log10(abs));
  for (let p = 1; p <= 9; p++) {
    const e = e10 - p + 1;
    if (e < -22 || e > 22) return false;
    const approx = e < 0 ? Math.round(abs * POW10[-e]!) : Math.round(abs / POW10[e]!);
    // log10 and the scaling are approximate: try the neighbours, nearest first.
    for (const m of [approx, approx - 1, approx + 1]) {
      if (m <= 0) continue;
      const d = e < 0 ? m / POW10[-e]! : m * POW10[e]!;
      if (Math.fround(d) === abs) {
        scratch.mantissa = m;
        scratch.exponent = e;
        return true;
      }
    }
  }
  return false;
}

/** Slow path for values shortestF32 cannot handle: the same shortest-digits rule via strings. */
function shortestF32Text(f: number): string {
  for (let p = 1; p <= 9; p++) {
    const t = f.toPrecision(p);
    if (Math.fround(Number(t)) === f) return String(Number(t));
  }
  return String(f);
}

/** The double the server reads for the stored float32 `f` (see the module comment). */
export function numericValueOfF32(f: number): number {
  f = Math.fround(f);
  if (!Number.isFinite(f) || (Number.isInteger(f) && Math.abs(f) < 2 ** 53)) return f;
  const abs = Math.abs(f);
  if (!shortestF32(abs)) return Number(shortestF32Text(f));
  const { mantissa: m, exponent: e } = scratch;
  const d = e < 0 ? m / POW10[-e]! : m * POW10[e]!;
  return f < 0 ? -d : d;
}

/** The decimal text of the stored float32 `f` (integers as integers, else shortest digits). */
export function formatNumericValue(f: number): string {
  const out = new Uint8Array(40);
  const end = writeNumericValue(out, 0, f);
  return new TextDecoder().decode(out.subarray(0, end));
}

const encoder = new TextEncoder();

/** Writes digits of a non-negative integer below 2^53 at `pos`; returns the offset after them. */
function writeDigits(buf: Uint8Array, pos: number, v: number, minDigits = 1): number {
  let digits = 1;
  for (let t = v; t >= 10; t = Math.floor(t / 10)) digits++;
  if (digits < minDigits) digits = minDigits;
  for (let i = pos + digits - 1; i >= pos; i--) {
    const q = Math.floor(v / 10);
    buf[i] = 48 + (v - q * 10);
    v = q;
  }
  return pos + digits;
}

/** Longest text writeNumericValue produces (sign, 9 digits, point, up to 22 leading zeros; or a string fallback). */
export const MAX_NUMERIC_TEXT_BYTES = 40;

/**
 * Writes the decimal text of stored float32 `f` at `pos` (no allocation on the common path);
 * returns the offset after it. At most MAX_NUMERIC_TEXT_BYTES bytes.
 */
export function writeNumericValue(buf: Uint8Array, pos: number, f: number): number {
  f = Math.fround(f);
  if (Number.isInteger(f) && Math.abs(f) < 2 ** 53) {
    if (f < 0) buf[pos++] = 45; // '-'
    return writeDigits(buf, pos, Math.abs(f));
  }
  const abs = Math.abs(f);
  if (!Number.isFinite(f) || !shortestF32(abs)) {
    const t = encoder.encode(Number.isFinite(f) ? shortestF32Text(f) : f > 0 ? "inf" : f < 0 ? "-inf" : "nan");
    buf.set(t, pos);
    return pos + t.length;
  }
  if (f < 0) buf[pos++] = 45;
  let { mantissa: m, exponent: e } = scratch;
  // A non-integral float32 below 2^24 has e < 0 (integers there are exact, so never the shortest
  // decimal of a non-integer); above 2^24 every float32 is an integer and took the branch above.
  while (e < 0 && m % 10 === 0) {
    m /= 10;
    e++;
  }
  if (e >= 0) return writeDigits(buf, pos, m * POW10[e]!);
  const fracDigits = -e;
  const scale = POW10[fracDigits]!;
  const intPart = Math.floor(m / scale);
  pos = writeDigits(buf, pos, intPart);
  buf[pos++] = 46; // '.'
  return writeDigits(buf, pos, m - intPart * scale, fracDigits);
}
