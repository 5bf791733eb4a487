/**
 * Decoding of parquet value and level streams for the numeric columns a vector dataset uses:
 * PLAIN and BYTE_STREAM_SPLIT FLOAT/DOUBLE/INT32/INT64, dictionary indices, and the
 * RLE/bit-packed hybrid that carries levels and indices. Values come out as Float32Array (FLOAT,
 * kept as is) or Float64Array (everything else; INT64 goes through Number, exact up to 2^53).
 */

/** Bytes that do not decode as the page says they should; the page reader adds file and column. */
export class ParquetFormatError extends Error {}

export type NumericType = "FLOAT" | "DOUBLE" | "INT32" | "INT64";
export type PageValues = Float32Array | Float64Array;

export const VALUE_BYTES: Record<NumericType, number> = { FLOAT: 4, DOUBLE: 8, INT32: 4, INT64: 8 };

/** Bits needed for levels up to `max` (or dictionary indices below max + 1). */
export function bitWidthFor(max: number): number {
  return max === 0 ? 0 : 32 - Math.clz32(max);
}

/** Little-endian values in `bytes` (exactly count of them, aligned or not) as numbers. */
function fromLittleEndian(bytes: Uint8Array, type: NumericType, count: number): PageValues {
  // Copy into a fresh, aligned buffer so the typed views below are legal. Not slice(): on a
  // Node Buffer (what zlib and zstd return) slice() is a view into a shared pool.
  const buffer = new Uint8Array(bytes.subarray(0, count * VALUE_BYTES[type])).buffer;
  switch (type) {
    case "FLOAT": return new Float32Array(buffer);
    case "DOUBLE": return new Float64Array(buffer);
    case "INT32": return Float64Array.from(new Int32Array(buffer));
    case "INT64": {
      // Two 32-bit halves avoid a BigInt per value: high (signed) * 2^32 + low (unsigned).
      const halves = new Int32Array(buffer);
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = halves[2 * i + 1] * 4294967296 + (halves[2 * i] >>> 0);
      return out;
    }
  }
}

export function decodePlain(bytes: Uint8Array, type: NumericType, count: number): PageValues {
  const expected = count * VALUE_BYTES[type];
  if (bytes.length !== expected) throw new ParquetFormatError(`PLAIN values take ${bytes.length} bytes; expected ${expected} for ${count} ${type} values`);
  return fromLittleEndian(bytes, type, count);
}

/** BYTE_STREAM_SPLIT: byte j of value i sits at j * count + i. */
export function decodeByteStreamSplit(bytes: Uint8Array, type: NumericType, count: number): PageValues {
  const size = VALUE_BYTES[type];
  if (bytes.length !== count * size) throw new ParquetFormatError(`BYTE_STREAM_SPLIT values take ${bytes.length} bytes; expected ${count * size} for ${count} ${type} values`);
  const joined = new Uint8Array(count * size);
  for (let j = 0; j < size; j++) {
    const stream = j * count;
    for (let i = 0; i < count; i++) joined[i * size + j] = bytes[stream + i];
  }
  return fromLittleEndian(joined, type, count);
}

/** Dictionary-encoded values: one bit-width byte, then hybrid-encoded indices into `dictionary`. */
export function decodeDictionaryIndices(bytes: Uint8Array, dictionary: PageValues, count: number): PageValues {
  const out = dictionary instanceof Float32Array ? new Float32Array(count) : new Float64Array(count);
  if (count === 0) return out;
  if (bytes.length < 1) throw new ParquetFormatError("dictionary-encoded page has no bit width byte");
  const bitWidth = bytes[0];
  if (bitWidth > 32) throw new ParquetFormatError(`dictionary index bit width ${bitWidth} is over 32`);
  const indices = new Uint32Array(count);
  decodeHybrid(bytes, 1, bytes.length, bitWidth, indices);
  for (let i = 0; i < count; i++) {
    const k = indices[i];
    if (k >= dictionary.length) throw new ParquetFormatError(`dictionary index ${k} is past the ${dictionary.length}-entry dictionary`);
    out[i] = dictionary[k];
  }
  return out;
}

/**
 * RLE/bit-packed hybrid stream in bytes[offset, end) filling all of `out`; returns the offset
 * after the last byte used. Runs: varint header, low bit 0 = RLE (count = header >> 1, one value
 * in ceil(bitWidth / 8) bytes), low bit 1 = bit-packed groups of 8 values (LSB first).
 */
export function decodeHybrid(bytes: Uint8Array, offset: number, end: number, bitWidth: number, out: Uint8Array | Uint32Array): number {
  let pos = offset;
  let filled = 0;
  const valueBytes = (bitWidth + 7) >> 3;
  while (filled < out.length) {
    let header = 0;
    let scale = 1;
    for (let i = 0; ; i++) {
      if (pos >= end) throw new ParquetFormatError(`level or index stream ends after ${filled} of ${out.length} values`);
      if (i === 5) throw new ParquetFormatError("level or index run header is longer than 5 bytes");
      const b = bytes[pos++];
      header += (b & 0x7f) * scale;
      scale *= 128;
      if ((b & 0x80) === 0) break;
    }
    if (header % 2 === 0) {
      const runLength = Math.min(header / 2, out.length - filled);
      if (pos + valueBytes > end) throw new ParquetFormatError("RLE run value runs past the end of the stream");
      let value = 0;
      for (let k = 0; k < valueBytes; k++) value += bytes[pos + k] * 2 ** (8 * k);
      pos += valueBytes;
      out.fill(value, filled, filled + runLength);
      filled += runLength;
    } else {
      const groupValues = ((header - 1) / 2) * 8;
      const take = Math.min(groupValues, out.length - filled);
      const fullBytes = (groupValues * bitWidth) / 8;
      const neededBytes = Math.ceil((take * bitWidth) / 8);
      if (pos + neededBytes > end) throw new ParquetFormatError("bit-packed run runs past the end of the stream");
      unpackBits(bytes, pos, bitWidth, out, filled, take);
      // The last run may be cut short of its padding by some writers: consume what is there.
      pos = Math.min(end, pos + fullBytes);
      filled += take;
    }
  }
  return pos;
}

function unpackBits(bytes: Uint8Array, pos: number, bitWidth: number, out: Uint8Array | Uint32Array, at: number, count: number): void {
  if (bitWidth === 0) {
    out.fill(0, at, at + count);
    return;
  }
  if (bitWidth <= 24) {
    // Fits int32 arithmetic: at most 23 pending bits plus one new byte.
    const mask = (1 << bitWidth) - 1;
    let acc = 0, bits = 0;
    for (let i = 0; i < count; i++) {
      while (bits < bitWidth) {
        acc |= bytes[pos++] << bits;
        bits += 8;
      }
      out[at + i] = acc & mask;
      acc >>>= bitWidth;
      bits -= bitWidth;
    }
    return;
  }
  // Wider indices: plain number arithmetic, exact below 2^53.
  const unit = 2 ** bitWidth;
  let acc = 0, bits = 0, scale = 1;
  for (let i = 0; i < count; i++) {
    while (bits < bitWidth) {
      acc += bytes[pos++] * scale;
      scale *= 256;
      bits += 8;
    }
    out[at + i] = acc % unit;
    acc = Math.floor(acc / unit);
    scale /= unit;
    bits -= bitWidth;
  }
}
