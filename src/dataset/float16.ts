/**
 * IEEE 754 half-precision helpers. Widening uses a 65,536-entry table of float32 bit patterns
 * (256 KiB, built once per thread) so the hot path is one lookup and four byte stores: no
 * allocation, no DataView, and the target offset need not be 4-byte aligned (RESP buffers are not).
 */
let table: Uint32Array | undefined;

function halfToFloatBits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >> 10) & 0x1f;
  let mant = h & 0x3ff;
  if (exp === 0x1f) return (sign | 0x7f800000 | (mant << 13)) >>> 0; // inf / NaN
  if (exp !== 0) return (sign | ((exp + 112) << 23) | (mant << 13)) >>> 0;
  if (mant === 0) return sign >>> 0; // +-0
  // Subnormal half: normalise into a float32 normal.
  let e = 113;
  while ((mant & 0x400) === 0) {
    mant <<= 1;
    e--;
  }
  return (sign | (e << 23) | ((mant & 0x3ff) << 13)) >>> 0;
}

export function halfToFloatTable(): Uint32Array {
  if (table) return table;
  table = new Uint32Array(65536);
  for (let h = 0; h < 65536; h++) table[h] = halfToFloatBits(h);
  return table;
}

/**
 * Widens `count` little-endian halves at src[0..2*count) into float32 LE bytes at
 * target[offset..offset+4*count). Returns the number of bytes written.
 */
export function widenF16ToF32Bytes(src: Uint8Array, count: number, target: Uint8Array, offset: number): number {
  const t = table ?? halfToFloatTable();
  let o = offset;
  for (let i = 0, s = 0; i < count; i++, s += 2) {
    const bits = t[src[s] | (src[s + 1] << 8)];
    target[o] = bits & 0xff;
    target[o + 1] = (bits >>> 8) & 0xff;
    target[o + 2] = (bits >>> 16) & 0xff;
    target[o + 3] = bits >>> 24;
    o += 4;
  }
  return count * 4;
}

/** Widens `count` LE halves into a Float32Array (for distance computations). */
export function widenF16ToF32(src: Uint8Array, count: number, target: Float32Array, targetIndex = 0): void {
  const t = table ?? halfToFloatTable();
  const bitsView = new Uint32Array(target.buffer, target.byteOffset, target.length);
  for (let i = 0, s = 0; i < count; i++, s += 2) bitsView[targetIndex + i] = t[src[s] | (src[s + 1] << 8)];
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 -> half bits, round to nearest even (used by writers and converters). */
export function floatToHalfBits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && (half & 1))) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1))) half++;
  return sign | half;
}
