/**
 * LZ4 block format decoder (parquet's LZ4_RAW codec: one raw block per page, no frame header).
 * A block is a series of sequences: a token (literal length, match length), the literals, then a
 * 2-byte back offset and the match; the last sequence has literals only.
 */
import { ParquetFormatError } from "./values.ts";

/** Decodes `input` into exactly `output.length` bytes. */
export function lz4BlockDecode(input: Uint8Array, output: Uint8Array): void {
  let i = 0;
  let o = 0;
  const corrupt = (why: string) => new ParquetFormatError(`LZ4 block is corrupt: ${why}`);
  // Lengths of 15 continue in following bytes, each 255 meaning "more".
  const extendedLength = (length: number): number => {
    if (length !== 15) return length;
    for (;;) {
      if (i >= input.length) throw corrupt("length runs past the end of the input");
      const b = input[i++];
      length += b;
      if (b !== 255) return length;
    }
  };
  while (i < input.length) {
    const token = input[i++];
    const literals = extendedLength(token >> 4);
    if (i + literals > input.length || o + literals > output.length) throw corrupt("literals run past the end");
    output.set(input.subarray(i, i + literals), o);
    i += literals;
    o += literals;
    if (i === input.length) break; // the last sequence carries no match
    if (i + 2 > input.length) throw corrupt("match offset runs past the end of the input");
    const offset = input[i] | (input[i + 1] << 8);
    i += 2;
    if (offset === 0 || offset > o) throw corrupt(`match offset ${offset} points before the start of the output`);
    const matchLength = extendedLength(token & 15) + 4;
    if (o + matchLength > output.length) throw corrupt("match runs past the end of the output");
    // Byte by byte: a match may overlap the bytes it is producing (offset < length repeats them).
    let from = o - offset;
    for (let k = 0; k < matchLength; k++) output[o++] = output[from++];
  }
  if (o !== output.length) throw corrupt(`decoded ${o} bytes; expected ${output.length}`);
}
