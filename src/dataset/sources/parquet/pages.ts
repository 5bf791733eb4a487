/**
 * One column chunk of a parquet file, read and decoded a page at a time through positional
 * reads: only the current page (and the chunk's dictionary) is ever in memory, which is what
 * keeps conversion bounded when a writer puts a million rows into one row group. Text
 * (BYTE_ARRAY) values come out as indices into the column's StringVocabulary.
 */
import type { ColumnMetaData } from "hyparquet";
import { decompress } from "./codecs.ts";
import { datasetError, UserError } from "../../errors.ts";
import type { ColumnLayout } from "./layout.ts";
import { encodingName, PAGE_DATA_V1, PAGE_DATA_V2, PAGE_DICTIONARY, PAGE_INDEX, parsePageHeader } from "./page-header.ts";
import type { PageHeader } from "./page-header.ts";
import { decodePlainStrings } from "./strings.ts";
import type { StringVocabulary } from "./strings.ts";
import { ThriftEndOfInput, ThriftFormatError } from "./thrift.ts";
import { bitWidthFor, decodeByteStreamSplit, decodeDictionaryIndices, decodeHybrid, decodePlain, ParquetFormatError } from "./values.ts";
import type { PageValues } from "./values.ts";

/** Reads exactly `length` bytes at `position` of the file (throws a dataset error if it is shorter). */
export type ReadAt = (position: number, length: number) => Uint8Array;

export interface DecodedPage {
  /** Level entries in the page: values plus nulls and empty lists. */
  numLevels: number;
  /** Repetition levels; null for a flat column, where every entry starts a row. */
  rep: Uint8Array | null;
  /** Definition levels; null for a required column, where every entry is a value. */
  def: Uint8Array | null;
  /** The non-null values, in order (one per entry whose definition level is the maximum). */
  values: PageValues;
}

const ENC_PLAIN = 0, ENC_PLAIN_DICTIONARY = 2, ENC_RLE = 3, ENC_RLE_DICTIONARY = 8, ENC_BYTE_STREAM_SPLIT = 9;
/** Most page headers are a few dozen bytes; statistics can make them longer, and then we re-read. */
const HEADER_WINDOW_BYTES = 256;

export class ColumnChunkPages {
  private offset: number;
  private readonly end: number;
  private levelsRead = 0;
  private readonly declaredLevels: number;
  private dictionary: PageValues | null = null;

  constructor(
    private readonly path: string,
    private readonly readAt: ReadAt,
    private readonly layout: ColumnLayout,
    private readonly chunk: ColumnMetaData,
    private readonly group: number,
    /** Where BYTE_ARRAY values are interned; required for a text column. */
    private readonly vocabulary?: StringVocabulary,
  ) {
    const data = Number(chunk.data_page_offset);
    const dict = chunk.dictionary_page_offset === undefined ? 0 : Number(chunk.dictionary_page_offset);
    // Some writers record a dictionary offset of 0 when there is none; the chunk starts at its first page.
    this.offset = dict > 0 && dict < data ? dict : data;
    this.end = this.offset + Number(chunk.total_compressed_size);
    this.declaredLevels = Number(chunk.num_values);
  }

  /** The next data page, or null after the last one. */
  next(): DecodedPage | null {
    while (this.levelsRead < this.declaredLevels) {
      if (this.offset >= this.end) {
        throw this.error(`column chunk ends after ${this.levelsRead} values; its metadata declares ${this.declaredLevels}`);
      }
      const pageOffset = this.offset;
      try {
        const header = this.readHeader();
        const bodyStart = pageOffset + header.headerBytes;
        if (bodyStart + header.compressedBytes > this.end) {
          throw new ParquetFormatError(`page of ${header.compressedBytes} bytes runs past the end of the column chunk (byte ${this.end})`);
        }
        const body = this.readAt(bodyStart, header.compressedBytes);
        this.offset = bodyStart + header.compressedBytes;
        if (header.type === PAGE_DICTIONARY) {
          this.dictionary = this.decodeDictionary(header, body);
        } else if (header.type === PAGE_DATA_V1 || header.type === PAGE_DATA_V2) {
          const page = header.type === PAGE_DATA_V1 ? this.decodeV1(header, body) : this.decodeV2(header, body);
          this.levelsRead += page.numLevels;
          return page;
        } else if (header.type !== PAGE_INDEX) {
          throw new ParquetFormatError(`page type ${header.type} is not a parquet page type`);
        }
      } catch (e) {
        if (e instanceof UserError) throw e;
        if (e instanceof ParquetFormatError || e instanceof ThriftFormatError || e instanceof ThriftEndOfInput) {
          throw this.error(`page at byte ${pageOffset}: ${e.message}`);
        }
        throw e;
      }
    }
    return null;
  }

  private error(problem: string): UserError {
    return datasetError(this.path, `column ${this.layout.name}, row group ${this.group}: ${problem}`);
  }

  private readHeader(): PageHeader {
    const room = this.end - this.offset;
    let window = Math.min(HEADER_WINDOW_BYTES, room);
    for (;;) {
      try {
        return parsePageHeader(this.readAt(this.offset, window));
      } catch (e) {
        if (!(e instanceof ThriftEndOfInput) || window >= room) {
          if (e instanceof ThriftEndOfInput) throw new ParquetFormatError("page header runs past the end of the column chunk");
          throw e;
        }
        window = Math.min(window * 4, room);
      }
    }
  }

  private decodeDictionary(header: PageHeader, body: Uint8Array): PageValues {
    if (header.encoding !== ENC_PLAIN && header.encoding !== ENC_PLAIN_DICTIONARY) {
      throw this.unsupportedEncoding(`dictionary page encoding ${encodingName(header.encoding)}`);
    }
    const bytes = decompress(this.chunk.codec, body, header.uncompressedBytes);
    return this.decodePlainValues(bytes, header.numValues);
  }

  private decodePlainValues(bytes: Uint8Array, count: number): PageValues {
    const type = this.layout.type;
    if (type !== "BYTE_ARRAY") return decodePlain(bytes, type, count);
    if (!this.vocabulary) throw new Error(`text column ${this.layout.name} read without a vocabulary`);
    return decodePlainStrings(bytes, count, this.vocabulary);
  }

  /** v1: levels and values are compressed together; each level stream has a 4-byte length prefix. */
  private decodeV1(header: PageHeader, body: Uint8Array): DecodedPage {
    const bytes = decompress(this.chunk.codec, body, header.uncompressedBytes);
    let pos = 0;
    const levels = (max: number, encoding: number | undefined, what: string): Uint8Array | null => {
      if (max === 0) return null;
      if (encoding !== ENC_RLE) throw this.unsupportedEncoding(`${what} level encoding ${encodingName(encoding ?? -1)}`);
      if (pos + 4 > bytes.length) throw new ParquetFormatError(`${what} levels run past the end of the page`);
      const length = new DataView(bytes.buffer, bytes.byteOffset + pos, 4).getUint32(0, true);
      pos += 4;
      if (pos + length > bytes.length) throw new ParquetFormatError(`${what} levels (${length} bytes) run past the end of the page`);
      const out = new Uint8Array(header.numValues);
      decodeHybrid(bytes, pos, pos + length, bitWidthFor(max), out);
      pos += length;
      return out;
    };
    const rep = levels(this.layout.maxRep, header.repetitionLevelEncoding, "repetition");
    const def = levels(this.layout.maxDef, header.definitionLevelEncoding, "definition");
    return this.withValues(header, rep, def, bytes.subarray(pos));
  }

  /** v2: levels come first, uncompressed and unprefixed; only the values may be compressed. */
  private decodeV2(header: PageHeader, body: Uint8Array): DecodedPage {
    const repBytes = header.repetitionLevelsBytes ?? 0;
    const defBytes = header.definitionLevelsBytes ?? 0;
    const levels = (max: number, from: number, to: number): Uint8Array | null => {
      if (max === 0) return null;
      const out = new Uint8Array(header.numValues);
      decodeHybrid(body, from, to, bitWidthFor(max), out);
      return out;
    };
    const rep = levels(this.layout.maxRep, 0, repBytes);
    const def = levels(this.layout.maxDef, repBytes, repBytes + defBytes);
    const stored = body.subarray(repBytes + defBytes);
    const valueBytes = header.uncompressedBytes - repBytes - defBytes;
    const values = decompress(header.valuesCompressed ? this.chunk.codec : "UNCOMPRESSED", stored, valueBytes);
    return this.withValues(header, rep, def, values);
  }

  private withValues(header: PageHeader, rep: Uint8Array | null, def: Uint8Array | null, bytes: Uint8Array): DecodedPage {
    let count = header.numValues;
    if (def) {
      count = 0;
      const max = this.layout.maxDef;
      for (let i = 0; i < def.length; i++) if (def[i] === max) count++;
    }
    const type = this.layout.type;
    let values: PageValues;
    switch (header.encoding) {
      case ENC_PLAIN:
        values = this.decodePlainValues(bytes, count);
        break;
      case ENC_PLAIN_DICTIONARY:
      case ENC_RLE_DICTIONARY:
        if (!this.dictionary) throw new ParquetFormatError("dictionary-encoded page, but the column chunk has no dictionary page before it");
        values = decodeDictionaryIndices(bytes, this.dictionary, count);
        break;
      case ENC_BYTE_STREAM_SPLIT:
        if (type === "BYTE_ARRAY") throw this.error("encoding BYTE_STREAM_SPLIT is not supported for text; re-write the file with pyarrow's default encodings");
        values = decodeByteStreamSplit(bytes, type, count);
        break;
      default:
        throw this.unsupportedEncoding(`encoding ${encodingName(header.encoding)}`);
    }
    return { numLevels: header.numValues, rep, def, values };
  }

  private unsupportedEncoding(what: string): UserError {
    return this.error(`${what} is not supported (supported: PLAIN, PLAIN_DICTIONARY, RLE_DICTIONARY, BYTE_STREAM_SPLIT); re-write the file with pyarrow's default encodings`);
  }
}
