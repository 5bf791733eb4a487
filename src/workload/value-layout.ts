/**
 * Lays out units whose values change size per request (--data-size-range, --data-size-list).
 *
 * A compiled unit is cut, once, at its payloads into fixed pieces (views of the compiled bytes:
 * commands, keys, field names, the CRLF after each value). Per unit the layout copies each piece,
 * writes the value's `$<len>` header digits and copies `len` payload bytes from a random area
 * kept at the end of the same send buffer (copyWithin: no view, no allocation). Key digits, hash
 * tags and stamps are then patched at positions remapped from the piece they lie in, so the rest
 * of the key-value workload works as with fixed sizes.
 */
import type { KvUnit } from "./template.ts";

const DOLLAR = 36;
const CR = 13;
const LF = 10;
/** Pieces and values up to this long are copied byte by byte: cheaper than a native call. */
const SMALL_COPY = 64;

export class ValueLayout {
  /** Fixed pieces: piece p runs from the end of value p-1 (or 0) to the `$` of value p (or the end). */
  private readonly pieces: Uint8Array[];
  /** Start of each piece in the buffer for the unit laid out last. */
  readonly pieceStart: Int32Array;
  /** Start of each value in the buffer for the unit laid out last. */
  readonly valueStart: Int32Array;
  readonly valueLength: Int32Array;
  /** Largest unit in bytes. */
  readonly maxUnitBytes: number;
  readonly values: number;

  constructor(
    private readonly unit: KvUnit,
    maxValueBytes: number,
  ) {
    const p = unit.payloads;
    this.values = p.length / 3;
    const pieces: Uint8Array[] = [];
    let from = 0;
    let fixed = 0;
    for (let i = 0; i < p.length; i += 3) {
      pieces.push(unit.bytes.subarray(from, p[i]!));
      fixed += p[i]! - from;
      from = p[i + 1]! + p[i + 2]!;
    }
    pieces.push(unit.bytes.subarray(from));
    fixed += unit.bytes.length - from;
    this.pieces = pieces;
    this.pieceStart = new Int32Array(pieces.length);
    this.valueStart = new Int32Array(this.values);
    this.valueLength = new Int32Array(this.values);
    // Each value: "$" + up to 10 digits + CRLF + the bytes.
    this.maxUnitBytes = fixed + this.values * (13 + maxValueBytes);
  }

  /**
   * Where template offset `offset` (a key's digits, a tag) lands: returns the piece index;
   * `delta` is then offset - pieceOrigin(piece).
   */
  pieceOf(offset: number): number {
    const p = this.unit.payloads;
    let piece = 0;
    for (let i = 0; i < p.length; i += 3) if (offset >= p[i + 1]! + p[i + 2]!) piece = i / 3 + 1;
    return piece;
  }

  /** Template offset where piece `piece` begins. */
  pieceOrigin(piece: number): number {
    const p = this.unit.payloads;
    return piece === 0 ? 0 : p[(piece - 1) * 3 + 1]! + p[(piece - 1) * 3 + 2]!;
  }

  /**
   * Writes one unit at `pos` with value i of `sizes[i]` bytes, copied from buffer[pool + poolOffset...).
   * Returns the end position. Fills pieceStart, valueStart and valueLength.
   */
  write(buffer: Uint8Array, pos: number, sizes: Int32Array, pool: number, poolOffset: number): number {
    const pieces = this.pieces;
    const n = this.values;
    for (let i = 0; ; i++) {
      const piece = pieces[i]!;
      this.pieceStart[i] = pos;
      const len = piece.length;
      if (len <= SMALL_COPY) for (let k = 0; k < len; k++) buffer[pos + k] = piece[k]!;
      else buffer.set(piece, pos);
      pos += len;
      if (i === n) return pos;
      const size = sizes[i]!;
      buffer[pos++] = DOLLAR;
      pos = writeDecimal(buffer, pos, size);
      buffer[pos++] = CR;
      buffer[pos++] = LF;
      this.valueStart[i] = pos;
      this.valueLength[i] = size;
      const from = pool + poolOffset;
      if (size <= SMALL_COPY) for (let k = 0; k < size; k++) buffer[pos + k] = buffer[from + k]!;
      else buffer.copyWithin(pos, from, from + size);
      pos += size;
    }
  }
}

/** Writes `v` (>= 0) in decimal at `pos`; returns the position after it. */
export function writeDecimal(buf: Uint8Array, pos: number, v: number): number {
  let digits = 1;
  for (let t = v; t >= 10; t = (t / 10) | 0) digits++;
  let i = pos + digits - 1;
  do {
    const q = (v / 10) | 0;
    buf[i--] = 48 + v - q * 10;
    v = q;
  } while (v > 0);
  return pos + digits;
}
