/**
 * Page decompression for the codecs pandas, pyarrow, polars and DuckDB write. LZO and the
 * framed Hadoop "LZ4" codec are left out: pyarrow cannot write either by default and no
 * VectorDBBench dataset uses them.
 */
import { brotliDecompressSync } from "node:zlib";
import { snappyUncompress } from "hyparquet";
import type { CompressionCodec } from "hyparquet";
import { lz4BlockDecode } from "./lz4.ts";
import { ParquetFormatError } from "./values.ts";

export const SUPPORTED_CODECS: readonly CompressionCodec[] = ["UNCOMPRESSED", "SNAPPY", "GZIP", "ZSTD", "BROTLI", "LZ4_RAW"];

export function isSupportedCodec(codec: CompressionCodec): boolean {
  return SUPPORTED_CODECS.includes(codec);
}

/** Decompresses one page (or a v2 page's values section) to exactly `uncompressedBytes`. */
export function decompress(codec: CompressionCodec, input: Uint8Array, uncompressedBytes: number): Uint8Array {
  if (codec === "UNCOMPRESSED") {
    if (input.length !== uncompressedBytes) throw sizeMismatch(input.length, uncompressedBytes);
    return input;
  }
  let output: Uint8Array;
  try {
    switch (codec) {
      case "SNAPPY":
        output = new Uint8Array(uncompressedBytes);
        snappyUncompress(input, output);
        break;
      case "LZ4_RAW":
        output = new Uint8Array(uncompressedBytes);
        lz4BlockDecode(input, output);
        break;
      case "GZIP":
        output = Bun.gunzipSync(input as Uint8Array<ArrayBuffer>);
        break;
      case "ZSTD":
        output = Bun.zstdDecompressSync(input as Uint8Array<ArrayBuffer>);
        break;
      case "BROTLI":
        output = brotliDecompressSync(input);
        break;
      default:
        throw new ParquetFormatError(`codec ${codec} is not supported`);
    }
  } catch (e) {
    if (e instanceof ParquetFormatError) throw e;
    throw new ParquetFormatError(`${codec} data is corrupt: ${e instanceof Error ? e.message : e}`);
  }
  if (output.length !== uncompressedBytes) throw sizeMismatch(output.length, uncompressedBytes);
  return output;
}

function sizeMismatch(actual: number, declared: number): ParquetFormatError {
  return new ParquetFormatError(`page decompresses to ${actual} bytes; the header declares ${declared}`);
}
