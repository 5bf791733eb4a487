/**
 * Reader for the seed's single-file format (magic 0xDECDB001, versions 1 and 2), byte layout in
 * docs/external-facts.md (formats, b.2). Little-endian, 4096-byte header, then vectors, queries,
 * u64 ground truth and, in v2, CSR tag blocks plus a NUL-separated vocabulary.
 *
 * Numeric metadata (this tool's extension, still a valid v2 file): a vocabulary entry `#<name>`
 * in a vector's CSR row carries numeric attribute <name>, its value the row's f32 `data` entry;
 * query rows carry range bounds `#<name>>=`, `#<name>>` (lower, inclusive / exclusive) and
 * `#<name><=`, `#<name><` (upper), the bound in `data`; a missing bound is an open end. A vector
 * matches a query when it carries ALL the query's tags and satisfies ALL its ranges. Tags are the
 * entries that do not start with '#', so files written before (and tags without '#') read as
 * before. Values are float32; the number compared and sent is numericValueOfF32 of it.
 *
 * Opening reads the header, the CSR block headers and the vocabulary only: O(1) in the number of
 * vectors. Ground-truth ids are range-checked on a sample of queries (never a full scan).
 */
import { type DatasetNumericRange, type DatasetSection, type DistanceMetric, NO_NEIGHBOR, NO_NEIGHBOR_U64 } from "../types.ts";
import { datasetError } from "../errors.ts";
import { type DatasetLayout, MappedDataset, type TagSource } from "./mapped-dataset.ts";
import type { MappedFile } from "../mmap.ts";
import { numericValueOfF32 } from "../numeric-value.ts";

export const LEGACY_MAGIC = 0xdecdb001;
export const LEGACY_HEADER_BYTES = 4096;
export { NO_NEIGHBOR, NO_NEIGHBOR_U64 };

/** Header byte offsets (docs/external-facts.md, formats b.2). */
export const H = {
  magic: 0, version: 4, name: 8, metric: 264, dtype: 265, hasMetadata: 266, dim: 268,
  numVectors: 272, numQueries: 280, numNeighbors: 288, vocabSize: 292, vectorsOffset: 296,
  queriesOffset: 304, groundTruthOffset: 312, vectorMetadataOffset: 320, queryMetadataOffset: 328,
  vocabOffset: 336, gtMetadataOffset: 344,
} as const;

/** Writer convention (prepare_binary.py and the C loader): 0=L2, 1=COSINE, 2=IP. */
export const LEGACY_METRIC_CODES: Record<number, DistanceMetric> = { 0: "L2", 1: "COSINE", 2: "IP" };

export function u32At(b: Uint8Array, off: number): number {
  return (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0;
}

/** A u64 field as a number; throws when it cannot be represented exactly. */
function u64Field(path: string, b: Uint8Array, off: number, field: string): number {
  const hi = u32At(b, off + 4);
  if (hi >= 0x200000) throw datasetError(path, `header field ${field} = ${(BigInt(hi) << 32n) | BigInt(u32At(b, off))} is too large; expected < 2^53`);
  return hi * 4294967296 + u32At(b, off);
}

interface CsrBlock {
  nrow: number;
  nnz: number;
  indptrOffset: number;
  indicesOffset: number;
  dataOffset: number;
  end: number;
}

function readCsrHeader(map: MappedFile, offset: number, field: string): CsrBlock {
  if (offset + 12 > map.byteLength) {
    throw datasetError(map.path, `header field ${field} = ${offset} points past the end of the file (${map.byteLength} bytes)`);
  }
  const h = map.bytes(offset, 12);
  const nrow = u32At(h, 0);
  const nnz = u32At(h, 8);
  const indptrOffset = offset + 12;
  const indicesOffset = indptrOffset + 4 * (nrow + 1);
  return { nrow, nnz, indptrOffset, indicesOffset, dataOffset: indicesOffset + 4 * nnz, end: indicesOffset + 8 * nnz };
}

/** Reads vocab_size NUL-terminated strings starting at offset; returns them and the end offset. */
function readVocabulary(map: MappedFile, offset: number, count: number): { words: string[]; end: number } {
  const words: string[] = [];
  const decoder = new TextDecoder();
  let pos = offset;
  const chunk = 1 << 16;
  let pending: number[] = [];
  while (words.length < count) {
    if (pos >= map.byteLength) {
      throw datasetError(map.path, `file is truncated: vocabulary at byte ${offset} ends after ${words.length} of vocab_size = ${count} words`);
    }
    const b = map.bytes(pos, Math.min(chunk, map.byteLength - pos));
    let start = 0;
    for (let i = 0; i < b.length && words.length < count; i++) {
      if (b[i] !== 0) continue;
      const part = b.subarray(start, i);
      words.push(pending.length ? decoder.decode(new Uint8Array([...pending, ...part])) : decoder.decode(part));
      pending = [];
      start = i + 1;
    }
    if (words.length < count) for (let i = start; i < b.length; i++) pending.push(b[i]);
    pos += words.length < count ? b.length : start;
  }
  return { words, end: pos };
}

/**
 * Vocabulary entries that are not tags (this tool's extension of v2, readable by older readers as
 * odd tags): `#<name>` in the vector CSR is numeric attribute <name> with its value in the CSR's
 * f32 data; `#<name>>=`, `#<name>>`, `#<name><=`, `#<name><` in the query CSR are range bounds
 * (inclusive / exclusive) with the bound in data. Every other entry is a tag.
 */
const NUMERIC_WORD = /^#(.+?)(>=|<=|>|<)?$/;

const enum WordKind {
  Tag,
  Value,
  Min,
  MinExclusive,
  Max,
  MaxExclusive,
}

/** Reinterprets u32 bits as float32 without allocating (data may be unaligned in the map). */
const F32_BITS = new Uint32Array(1);
const F32_VIEW = new Float32Array(F32_BITS.buffer);

const OP_KIND: Record<string, WordKind> = { ">=": WordKind.Min, ">": WordKind.MinExclusive, "<=": WordKind.Max, "<": WordKind.MaxExclusive };

class CsrTags implements TagSource {
  readonly hasTags: boolean;
  readonly numericFields: readonly string[];
  private readonly kind: Uint8Array;
  /** Field name of each numeric vocabulary entry ("" for tags). */
  private readonly field: string[];
  /** Vocabulary id of `#<name>` per numeric field name. */
  private readonly valueWord = new Map<string, number>();

  constructor(
    private readonly map: MappedFile,
    private readonly vectors: CsrBlock | undefined,
    private readonly queries: CsrBlock | undefined,
    private readonly vocab: string[],
  ) {
    this.kind = new Uint8Array(vocab.length);
    this.field = new Array<string>(vocab.length).fill("");
    const fields = new Set<string>();
    let tags = false;
    vocab.forEach((w, id) => {
      const m = NUMERIC_WORD.exec(w);
      if (!m) {
        tags = true;
        return;
      }
      const name = m[1]!;
      this.field[id] = name;
      this.kind[id] = m[2] === undefined ? WordKind.Value : OP_KIND[m[2]]!;
      if (m[2] === undefined) this.valueWord.set(name, id);
      fields.add(name);
    });
    // A v2 file with an empty vocabulary keeps hasTags (as before numeric attributes existed).
    this.hasTags = tags || vocab.length === 0;
    this.numericFields = [...fields];
  }

  vectorTags(i: number): string[] {
    return this.row(this.vectors, i);
  }

  queryFilter(q: number): string[] {
    return this.row(this.queries, q);
  }

  vectorNumeric(i: number, name: string): number | undefined {
    const want = this.valueWord.get(name);
    const block = this.vectors;
    if (want === undefined || !block || i >= block.nrow) return undefined;
    const p = this.map.bytes(block.indptrOffset + 4 * i, 8);
    const from = u32At(p, 0);
    const to = u32At(p, 4);
    for (let j = from; j < to; j++) {
      if (u32At(this.map.bytes(block.indicesOffset + 4 * j, 4), 0) === want) return numericValueOfF32(this.dataAt(block, j));
    }
    return undefined;
  }

  queryNumericRanges(q: number): DatasetNumericRange[] {
    const block = this.queries;
    if (!block || q >= block.nrow) return [];
    const p = this.map.bytes(block.indptrOffset + 4 * q, 8);
    const from = u32At(p, 0);
    const to = u32At(p, 4);
    const out: DatasetNumericRange[] = [];
    for (let j = from; j < to; j++) {
      const id = this.wordId(block, j, q);
      const kind = this.kind[id]!;
      if (kind === WordKind.Tag || kind === WordKind.Value) continue;
      const field = this.field[id]!;
      let r = out.find((x) => x.field === field);
      if (!r) out.push((r = { field, min: -Infinity, max: Infinity, minExclusive: false, maxExclusive: false }));
      const bound = numericValueOfF32(this.dataAt(block, j));
      if (kind === WordKind.Min || kind === WordKind.MinExclusive) {
        r.min = bound;
        r.minExclusive = kind === WordKind.MinExclusive;
      } else {
        r.max = bound;
        r.maxExclusive = kind === WordKind.MaxExclusive;
      }
    }
    return out;
  }

  private dataAt(block: CsrBlock, j: number): number {
    F32_BITS[0] = u32At(this.map.bytes(block.dataOffset + 4 * j, 4), 0);
    return F32_VIEW[0]!;
  }

  private wordId(block: CsrBlock, j: number, r: number): number {
    const id = u32At(this.map.bytes(block.indicesOffset + 4 * j, 4), 0);
    if (id >= this.vocab.length) throw datasetError(this.map.path, `tag id ${id} in row ${r} is out of range; expected < vocab_size = ${this.vocab.length}`);
    return id;
  }

  /** The tags of row r: vocabulary words that are not numeric entries. */
  private row(block: CsrBlock | undefined, r: number): string[] {
    if (!block || r >= block.nrow) return [];
    const p = this.map.bytes(block.indptrOffset + 4 * r, 8);
    const from = u32At(p, 0);
    const to = u32At(p, 4);
    const out: string[] = [];
    for (let j = from; j < to; j++) {
      const id = this.wordId(block, j, r);
      if (this.kind[id] === WordKind.Tag) out.push(this.vocab[id]!);
    }
    return out;
  }
}

/** Checks that every section lies inside the file and that no two overlap. */
export function checkSections(path: string, fileBytes: number, sections: DatasetSection[], offsetField: Record<string, string>): void {
  for (const s of sections) {
    if (s.bytes === 0) continue;
    if (s.offset > fileBytes) {
      throw datasetError(path, `header field ${offsetField[s.name] ?? s.name} = ${s.offset} points past the end of the file (${fileBytes} bytes)`);
    }
    if (s.offset + s.bytes > fileBytes) {
      throw datasetError(path, `file is truncated: section ${s.name} [${s.offset}, ${s.offset + s.bytes}) needs ${s.offset + s.bytes} bytes but the file has ${fileBytes}`);
    }
  }
  const sorted = sections.filter((s) => s.bytes > 0).sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    const cur = sorted[i];
    if (prev.offset + prev.bytes > cur.offset) {
      throw datasetError(path, `sections ${prev.name} [${prev.offset}, ${prev.offset + prev.bytes}) and ${cur.name} [${cur.offset}, ${cur.offset + cur.bytes}) overlap; expected ${offsetField[cur.name] ?? cur.name} >= ${prev.offset + prev.bytes}`);
    }
  }
}

/** Range-checks the ground-truth ids of a sample of queries (first, last and up to 62 in between). */
export function checkGroundTruthSample(path: string, ds: MappedDataset, samples = 64): void {
  const q = ds.numQueries;
  const k = ds.neighborsPerQuery;
  if (q === 0 || k === 0) return;
  const step = Math.max(1, Math.floor(q / (samples - 1)));
  const picks = new Set<number>([q - 1]);
  for (let i = 0; i < q && picks.size < samples; i += step) picks.add(i);
  for (const qi of picks) {
    for (let j = 0; j < k; j++) {
      const id = ds.neighborId(qi, j);
      if (id >= ds.numVectors && id !== NO_NEIGHBOR) {
        throw datasetError(path, `ground_truth id ${id} (query ${qi}, neighbour ${j}) is out of range; expected < num_vectors = ${ds.numVectors}`);
      }
    }
  }
}

export function isLegacyFile(map: MappedFile): boolean {
  return map.byteLength >= 4 && u32At(map.bytes(0, 4), 0) === LEGACY_MAGIC;
}

export function openLegacyDataset(map: MappedFile): MappedDataset {
  const path = map.path;
  if (map.byteLength < LEGACY_HEADER_BYTES) {
    throw datasetError(path, `file is truncated: ${map.byteLength} bytes; expected at least the ${LEGACY_HEADER_BYTES}-byte header`);
  }
  const h = map.bytes(0, LEGACY_HEADER_BYTES);
  const magic = u32At(h, H.magic);
  if (magic !== LEGACY_MAGIC) {
    throw datasetError(path, `header field magic = 0x${magic.toString(16).toUpperCase()}; expected 0xDECDB001`);
  }
  const version = u32At(h, H.version);
  if (version !== 1 && version !== 2) throw datasetError(path, `header field version = ${version}; expected 1 or 2`);
  const dtypeCode = h[H.dtype];
  if (dtypeCode > 1) throw datasetError(path, `header field dtype = ${dtypeCode} is unknown; expected 0 (float32) or 1 (float16)`);
  const dtype = dtypeCode === 1 ? "float16" : "float32";
  const dim = u32At(h, H.dim);
  if (dim === 0) throw datasetError(path, "header field dim = 0; expected a positive vector dimension");
  const numVectors = u64Field(path, h, H.numVectors, "num_vectors");
  if (numVectors === 0) throw datasetError(path, "header field num_vectors = 0; expected at least one vector");
  const numQueries = u64Field(path, h, H.numQueries, "num_queries");
  const k = u32At(h, H.numNeighbors);
  const vectorsOffset = u64Field(path, h, H.vectorsOffset, "vectors_offset");
  const queriesOffset = u64Field(path, h, H.queriesOffset, "queries_offset");
  const gtOffset = u64Field(path, h, H.groundTruthOffset, "ground_truth_offset");
  const rowBytes = dim * (dtype === "float16" ? 2 : 4);
  const nameEnd = h.subarray(H.name, H.name + 256).indexOf(0);
  const name = new TextDecoder().decode(h.subarray(H.name, H.name + (nameEnd < 0 ? 256 : nameEnd)));
  const metricByte = h[H.metric];
  const metricHint: DistanceMetric | undefined = LEGACY_METRIC_CODES[metricByte];

  const sections: DatasetSection[] = [
    { name: "header", offset: 0, bytes: LEGACY_HEADER_BYTES },
    { name: "vectors", offset: vectorsOffset, bytes: numVectors * rowBytes },
    { name: "queries", offset: queriesOffset, bytes: numQueries * rowBytes },
    { name: "ground_truth", offset: gtOffset, bytes: numQueries * k * 8 },
  ];
  const offsetField: Record<string, string> = {
    vectors: "vectors_offset", queries: "queries_offset", ground_truth: "ground_truth_offset",
    vector_metadata: "vector_metadata_offset", query_metadata: "query_metadata_offset", vocabulary: "vocab_offset",
  };
  checkSections(path, map.byteLength, sections, offsetField);

  let tags: TagSource | undefined;
  if (version === 2 && h[H.hasMetadata] !== 0) {
    const vocabSize = u32At(h, H.vocabSize);
    const vmOffset = u64Field(path, h, H.vectorMetadataOffset, "vector_metadata_offset");
    const qmOffset = u64Field(path, h, H.queryMetadataOffset, "query_metadata_offset");
    const vocabOffset = u64Field(path, h, H.vocabOffset, "vocab_offset");
    const vm = vmOffset ? readCsrHeader(map, vmOffset, "vector_metadata_offset") : undefined;
    const qm = qmOffset ? readCsrHeader(map, qmOffset, "query_metadata_offset") : undefined;
    if (vm && vm.nrow !== numVectors) throw datasetError(path, `vector metadata nrow = ${vm.nrow}; expected num_vectors = ${numVectors}`);
    if (qm && qm.nrow !== numQueries) throw datasetError(path, `query metadata nrow = ${qm.nrow}; expected num_queries = ${numQueries}`);
    if (vm) sections.push({ name: "vector_metadata", offset: vmOffset, bytes: vm.end - vmOffset });
    if (qm) sections.push({ name: "query_metadata", offset: qmOffset, bytes: qm.end - qmOffset });
    if (vocabOffset > map.byteLength) {
      throw datasetError(path, `header field vocab_offset = ${vocabOffset} points past the end of the file (${map.byteLength} bytes)`);
    }
    checkSections(path, map.byteLength, sections, offsetField);
    for (const [block, field] of [[vm, "vector"], [qm, "query"]] as const) {
      if (block && u32At(map.bytes(block.indptrOffset + 4 * block.nrow, 4), 0) !== block.nnz) {
        throw datasetError(path, `${field} metadata indptr[nrow] = ${u32At(map.bytes(block.indptrOffset + 4 * block.nrow, 4), 0)}; expected nnz = ${block.nnz}`);
      }
    }
    const vocab = vocabSize && vocabOffset ? readVocabulary(map, vocabOffset, vocabSize) : { words: [], end: vocabOffset };
    if (vocabSize) sections.push({ name: "vocabulary", offset: vocabOffset, bytes: vocab.end - vocabOffset });
    checkSections(path, map.byteLength, sections, offsetField);
    tags = new CsrTags(map, vm, qm, vocab.words);
  }

  const layout: DatasetLayout = {
    format: version === 2 ? "legacy-v2" : "legacy-v1",
    name, dim, dtype, numVectors, numQueries, neighborsPerQuery: k,
    metricHintSource: metricHint
      ? `header byte 264 = ${metricByte} (writer convention 0=L2 1=COSINE 2=IP; some readers swap 1 and 2)`
      : `header byte 264 = ${metricByte} is not a known metric code`,
    vectorsOffset, vectorStride: rowBytes, queriesOffset, queryStride: rowBytes,
    groundTruthOffset: gtOffset, groundTruthIdBytes: 8, sections,
  };
  if (metricHint) layout.metricHint = metricHint;
  const ds = new MappedDataset(map, layout, tags);
  checkGroundTruthSample(path, ds);
  return ds;
}
