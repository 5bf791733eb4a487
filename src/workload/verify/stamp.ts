/**
 * The 24-byte stamp at the start of every value written under --verify-writes / --verify-reads:
 * 8 hex digits of the run's nonce, 8 of the write's stamp (a number from the ledger, unique in
 * the run and increasing in send order), and 8 of a checksum over nonce, stamp, key number,
 * value length and field index. A value read back is attributed to one write of this run only
 * when all three agree, so a truncated value, a value of another key or field, or one left by an
 * earlier run is never taken for an acknowledged write. The bytes after the stamp are filler and
 * are not compared.
 */

export const STAMP_BYTES = 24;

const HEX = new TextEncoder().encode("0123456789abcdef");

/** Mixes the identifying numbers into 32 bits (murmur3's finaliser per word). */
export function stampCheck(nonce: number, stamp: number, key: number, length: number, field: number): number {
  let h = nonce ^ 0x9e3779b9;
  h = mix(h, stamp);
  h = mix(h, key >>> 0);
  h = mix(h, Math.floor(key / 0x100000000));
  h = mix(h, length);
  h = mix(h, field);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

function mix(h: number, word: number): number {
  let k = Math.imul(word | 0, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function writeHex32(buf: Uint8Array, pos: number, v: number): void {
  for (let i = 7; i >= 0; i--) {
    buf[pos + i] = HEX[v & 15]!;
    v >>>= 4;
  }
}

/** Writes the stamp into buf[pos, pos + 24). Allocation-free. */
export function writeStamp(buf: Uint8Array, pos: number, nonce: number, stamp: number, key: number, length: number, field: number): void {
  writeHex32(buf, pos, nonce);
  writeHex32(buf, pos + 8, stamp);
  writeHex32(buf, pos + 16, stampCheck(nonce, stamp, key, length, field));
}

/** Parses 8 hex digits at pos; -1 when any is not a lowercase hex digit. */
function readHex32(buf: Uint8Array, pos: number): number {
  let v = 0;
  for (let i = 0; i < 8; i++) {
    const c = buf[pos + i]!;
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

/** What a value read back says about this run's writes. */
export const NOT_OURS = -1;
export const CORRUPT = -2;

/**
 * The stamp of the write that left this value (>= 1), NOT_OURS when it carries another run's
 * nonce or no stamp at all, or CORRUPT when it carries this run's nonce but the checksum does not
 * match this key, field and length.
 */
export function readStamp(buf: Uint8Array, pos: number, length: number, nonce: number, key: number, field: number): number {
  if (length < STAMP_BYTES) return NOT_OURS;
  const n = readHex32(buf, pos);
  if (n !== nonce) return NOT_OURS;
  const stamp = readHex32(buf, pos + 8);
  const check = readHex32(buf, pos + 16);
  if (stamp < 1 || check !== stampCheck(nonce, stamp, key, length, field)) return CORRUPT;
  return stamp;
}
