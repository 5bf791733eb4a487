/**
 * Parquet PageHeader (parquet.thrift) from compact-protocol bytes. Only the fields the page
 * reader acts on are kept; statistics, CRCs and index pages are skipped.
 */
import { boolField, CompactReader, requiredInt, structField, ThriftFormatError } from "./thrift.ts";

export const PAGE_DATA_V1 = 0, PAGE_INDEX = 1, PAGE_DICTIONARY = 2, PAGE_DATA_V2 = 3;

/** parquet.thrift Encoding, by enum value. */
const ENCODINGS = ["PLAIN", "GROUP_VAR_INT", "PLAIN_DICTIONARY", "RLE", "BIT_PACKED", "DELTA_BINARY_PACKED", "DELTA_LENGTH_BYTE_ARRAY", "DELTA_BYTE_ARRAY", "RLE_DICTIONARY", "BYTE_STREAM_SPLIT", "ALP"];

export function encodingName(value: number): string {
  return ENCODINGS[value] ?? `encoding #${value}`;
}

export interface PageHeader {
  type: number;
  uncompressedBytes: number;
  compressedBytes: number;
  /** Levels in the page (values plus nulls); dictionary pages: dictionary entries. */
  numValues: number;
  /** Value encoding (enum value). */
  encoding: number;
  /** v1: encoding of the levels (RLE expected). */
  definitionLevelEncoding?: number;
  repetitionLevelEncoding?: number;
  /** v2: level byte lengths (levels are stored uncompressed, before the values). */
  definitionLevelsBytes?: number;
  repetitionLevelsBytes?: number;
  /** v2: whether the values section is compressed (default true). */
  valuesCompressed?: boolean;
  /** Length of the header itself in bytes. */
  headerBytes: number;
}

/** Parses one header at the start of `bytes`; throws ThriftEndOfInput when `bytes` is too short. */
export function parsePageHeader(bytes: Uint8Array): PageHeader {
  const reader = new CompactReader(bytes);
  const s = reader.struct();
  const type = requiredInt(s, 1, "type");
  const uncompressedBytes = requiredInt(s, 2, "uncompressed_page_size");
  const compressedBytes = requiredInt(s, 3, "compressed_page_size");
  if (uncompressedBytes < 0 || compressedBytes < 0) throw new ThriftFormatError(`page sizes ${compressedBytes}/${uncompressedBytes} are negative`);
  const header: PageHeader = { type, uncompressedBytes, compressedBytes, numValues: 0, encoding: 0, headerBytes: reader.offset };
  if (type === PAGE_DATA_V1) {
    const d = structField(s, 5, "data_page_header");
    if (!d) throw new ThriftFormatError("data page has no data_page_header");
    header.numValues = requiredInt(d, 1, "num_values");
    header.encoding = requiredInt(d, 2, "encoding");
    header.definitionLevelEncoding = requiredInt(d, 3, "definition_level_encoding");
    header.repetitionLevelEncoding = requiredInt(d, 4, "repetition_level_encoding");
  } else if (type === PAGE_DICTIONARY) {
    const d = structField(s, 7, "dictionary_page_header");
    if (!d) throw new ThriftFormatError("dictionary page has no dictionary_page_header");
    header.numValues = requiredInt(d, 1, "num_values");
    header.encoding = requiredInt(d, 2, "encoding");
  } else if (type === PAGE_DATA_V2) {
    const d = structField(s, 8, "data_page_header_v2");
    if (!d) throw new ThriftFormatError("data page v2 has no data_page_header_v2");
    header.numValues = requiredInt(d, 1, "num_values");
    header.encoding = requiredInt(d, 4, "encoding");
    header.definitionLevelsBytes = requiredInt(d, 5, "definition_levels_byte_length");
    header.repetitionLevelsBytes = requiredInt(d, 6, "repetition_levels_byte_length");
    header.valuesCompressed = boolField(d, 7, "is_compressed") ?? true;
    if (header.definitionLevelsBytes < 0 || header.repetitionLevelsBytes < 0 || header.definitionLevelsBytes + header.repetitionLevelsBytes > compressedBytes) {
      throw new ThriftFormatError(`level byte lengths ${header.repetitionLevelsBytes}+${header.definitionLevelsBytes} do not fit the ${compressedBytes}-byte page`);
    }
  }
  if (header.numValues < 0) throw new ThriftFormatError(`page declares ${header.numValues} values`);
  return header;
}
