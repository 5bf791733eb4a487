/**
 * The vector key format and its allocation-free decoder.
 *
 * Keys are `<prefix><id>` in standalone mode and `<prefix>{<tag>}<id>` in cluster mode, where the
 * tag (src/cluster/slot-tags.ts, TAG_WIDTH bytes) steers the key to a slot. We always write the
 * id zero-padded to ID_WIDTH digits, but keys written by an earlier run or another tool may use
 * any width and may have a ':' after the tag (`vec:{AB1}:000000000042`, `vec:42`), so the decoder
 * accepts those too.
 *
 * The decoder runs once per result key of every FT.SEARCH reply (the recall hot path), so it
 * compares the prefix bytes and parses the digits in place: no string, no subarray.
 */

/** Digits of the zero-padded id this tool writes into keys. */
export const ID_WIDTH = 12;

/** Longest tag the decoder accepts between the braces (ours are 3 bytes; others may be longer). */
const MAX_TAG_BYTES = 64;

const OPEN_BRACE = 123; // '{'
const CLOSE_BRACE = 125; // '}'
const COLON = 58; // ':'
const ZERO = 48; // '0'

/** The key this tool writes for vector `id` (tag without braces, in cluster mode). */
export function formatVectorKey(prefix: string, id: number, tag?: string): string {
  if (!Number.isSafeInteger(id) || id < 0) throw new RangeError(`vector id ${id} is not a non-negative safe integer`);
  if (tag !== undefined && (tag.length === 0 || tag.includes("}") || tag.includes("{"))) {
    throw new RangeError(`hash tag "${tag}" must be non-empty and contain no braces`);
  }
  const digits = String(id).padStart(ID_WIDTH, "0");
  return tag === undefined ? prefix + digits : `${prefix}{${tag}}${digits}`;
}

/** Maps result keys back to dataset ids for one key prefix. */
export class KeyIdDecoder {
  private readonly prefix: Uint8Array;

  constructor(prefix: string) {
    this.prefix = new TextEncoder().encode(prefix);
  }

  /**
   * The id of the key in buf[start, end), or -1 when it is not one of ours: wrong prefix, no
   * digits, anything after the digits, an unterminated or empty tag, or an id past 2^53.
   */
  decode(buf: Uint8Array, start: number, end: number): number {
    const prefix = this.prefix;
    const prefixLength = prefix.length;
    if (end - start <= prefixLength) return -1;
    for (let p = 0; p < prefixLength; p++) {
      if (buf[start + p] !== prefix[p]) return -1;
    }
    let i = start + prefixLength;
    if (buf[i] === OPEN_BRACE) {
      // Cluster form: skip "{tag}" (the tag's bytes do not matter here), then an optional ':'.
      const tagStart = i + 1;
      const tagLimit = Math.min(end, tagStart + MAX_TAG_BYTES + 1);
      i = tagStart;
      while (i < tagLimit && buf[i] !== CLOSE_BRACE) i++;
      if (i === tagLimit || i === tagStart) return -1;
      i++;
      if (i < end && buf[i] === COLON) i++;
    }
    if (i === end) return -1;
    let id = 0;
    for (; i < end; i++) {
      const d = buf[i] - ZERO;
      if (d < 0 || d > 9) return -1;
      id = id * 10 + d;
    }
    // Past 2^53 the arithmetic above is no longer exact, so the id could be wrong: refuse it.
    return id <= Number.MAX_SAFE_INTEGER ? id : -1;
  }
}
