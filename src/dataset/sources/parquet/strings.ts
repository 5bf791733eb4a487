/**
 * BYTE_ARRAY (string) values of a flat parquet column, such as VectorDBBench's `labels`. Each
 * distinct string is stored once in a vocabulary and values travel as vocabulary indices (in
 * the same Float64Array pages the numeric columns use), so a million-row column of a few
 * labels costs a few entries plus one number per row of the current page.
 */
import { ParquetFormatError } from "./values.ts";

/** Distinct strings of a column in order of first appearance, each with its index. */
export class StringVocabulary {
  readonly values: string[] = [];
  private readonly index = new Map<string, number>();
  private readonly decoder = new TextDecoder("utf-8", { fatal: true });

  /** Index of the UTF-8 string in `bytes`, added on first sight. */
  intern(bytes: Uint8Array): number {
    let text: string;
    try {
      text = this.decoder.decode(bytes);
    } catch {
      throw new ParquetFormatError("a BYTE_ARRAY value is not valid UTF-8; expected text");
    }
    let id = this.index.get(text);
    if (id === undefined) {
      id = this.values.length;
      this.index.set(text, id);
      this.values.push(text);
    }
    return id;
  }
}

/** PLAIN BYTE_ARRAY: each value is a 4-byte little-endian length and that many bytes. */
export function decodePlainStrings(bytes: Uint8Array, count: number, vocabulary: StringVocabulary): Float64Array {
  const out = new Float64Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  for (let i = 0; i < count; i++) {
    if (pos + 4 > bytes.length) throw new ParquetFormatError(`PLAIN BYTE_ARRAY values end after ${i} of ${count} values`);
    const length = view.getUint32(pos, true);
    pos += 4;
    if (pos + length > bytes.length) throw new ParquetFormatError(`BYTE_ARRAY value ${i} (${length} bytes) runs past the end of the page`);
    out[i] = vocabulary.intern(bytes.subarray(pos, pos + length));
    pos += length;
  }
  return out;
}
