/**
 * CRC16 and hash slots, exactly as the Valkey/Redis cluster spec defines them.
 *
 * The cluster uses CRC16-CCITT in its XMODEM variant (polynomial 0x1021, initial value 0, no
 * reflection, no final xor), and a key's slot is `crc16(hashed part) mod 16384`. The hashed part
 * is the whole key unless the key has a non-empty hash tag: the bytes between the first `{` and
 * the first `}` after it.
 */

export const SLOT_COUNT = 16384;

/** Byte-at-a-time lookup table: one table read and two shifts per byte instead of eight rounds. */
const TABLE: Uint16Array = (() => {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1;
    }
    table[byte] = crc & 0xffff;
  }
  return table;
})();

/** CRC16/XMODEM of `bytes[start, end)`. */
export function crc16(bytes: Uint8Array, start = 0, end: number = bytes.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) {
    crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >>> 8) ^ bytes[i]!) & 0xff]!;
  }
  return crc;
}

const OPEN_BRACE = 0x7b; // "{"
const CLOSE_BRACE = 0x7d; // "}"
const utf8 = new TextEncoder();

/**
 * The cluster slot (0..16383) of a key. Strings are hashed as their UTF-8 bytes, which is what a
 * client sends on the wire. Hot paths should pass bytes they already have.
 */
export function keySlot(key: Uint8Array | string): number {
  const bytes = typeof key === "string" ? utf8.encode(key) : key;
  return keySlotOfRange(bytes, 0, bytes.length);
}

/** The hash tag of a key (the text between its first "{" and the next "}"), if it has one. */
export function hashTagOf(key: string): string | undefined {
  const open = key.indexOf("{");
  if (open < 0) return undefined;
  const close = key.indexOf("}", open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : undefined;
}

/**
 * The slot of the key stored in `bytes[start, end)`, so a key inside a pre-encoded command buffer
 * can be hashed without copying it out.
 */
export function keySlotOfRange(bytes: Uint8Array, start: number, end: number): number {
  // Mirrors keyHashSlot() in the server's cluster.c: the first "{", then the first "}" after it;
  // an empty tag ("{}") or a missing "}" means the whole key is hashed.
  let open = start;
  while (open < end && bytes[open] !== OPEN_BRACE) open++;
  if (open < end) {
    let close = open + 1;
    while (close < end && bytes[close] !== CLOSE_BRACE) close++;
    if (close < end && close > open + 1) {
      return crc16(bytes, open + 1, close) & (SLOT_COUNT - 1);
    }
  }
  return crc16(bytes, start, end) & (SLOT_COUNT - 1);
}
