/**
 * Reader for the schema-driven format of the Rust tool: a YAML schema plus a headerless binary
 * (docs/external-facts.md, formats b.1). Sections are packed back to back with no padding: records, keys, queries,
 * ground truth. Only the first vector field is served; the first tag field (if any) feeds
 * vectorTags, and queryFilter when that field is also a query field.
 */
import { readFileSync } from "node:fs";
import type { DatasetSection, DistanceMetric } from "../types.ts";
import { datasetError, requireRegularFile } from "../errors.ts";
import { checkGroundTruthSample, checkSections, u32At } from "./legacy-format.ts";
import { type DatasetLayout, MappedDataset, type TagSource } from "./mapped-dataset.ts";
import { type MappedFile, mapFile } from "../mmap.ts";

const DTYPE_BYTES: Record<string, number> = {
  float32: 4, int32: 4, uint32: 4, u32: 4, float16: 2, float64: 8, int64: 8, uint64: 8, u64: 8, uint8: 1, int8: 1,
};

interface SchemaField {
  name: string;
  type: "vector" | "text" | "tag" | "numeric" | "blob";
  dtype?: string;
  dimensions?: number;
  length?: "fixed" | "variable";
  max_bytes?: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function num(path: string, v: unknown, field: string, dflt?: number): number {
  if (v === undefined && dflt !== undefined) return dflt;
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
    throw datasetError(path, `schema field ${field} = ${JSON.stringify(v)}; expected a non-negative integer`);
  }
  return v;
}

function fieldBytes(path: string, f: SchemaField): number {
  switch (f.type) {
    case "vector": {
      const size = DTYPE_BYTES[f.dtype ?? "float32"];
      if (!size) throw datasetError(path, `schema field ${f.name}.dtype = ${f.dtype} is unknown; expected float32 or float16`);
      return num(path, f.dimensions, `${f.name}.dimensions`) * size;
    }
    case "numeric": {
      const size = DTYPE_BYTES[f.dtype ?? "float64"];
      if (!size) throw datasetError(path, `schema field ${f.name}.dtype = ${f.dtype} is unknown; expected one of ${Object.keys(DTYPE_BYTES).join(", ")}`);
      return size;
    }
    case "text":
    case "tag":
    case "blob": {
      const max = num(path, f.max_bytes, `${f.name}.max_bytes`, 64);
      return f.length === "variable" ? 4 + max : max;
    }
    default:
      throw datasetError(path, `schema field ${(f as SchemaField).name}.type = ${(f as SchemaField).type} is unknown; expected vector, text, tag, numeric or blob`);
  }
}

class RecordTags implements TagSource {
  private readonly decoder = new TextDecoder();
  constructor(
    private readonly map: MappedFile,
    private readonly field: SchemaField,
    private readonly vectorAt: (i: number) => number | undefined,
    private readonly queryAt: (q: number) => number | undefined,
  ) {}
  vectorTags(i: number): string[] {
    const off = this.vectorAt(i);
    return off === undefined ? [] : this.read(off);
  }
  queryFilter(q: number): string[] {
    const off = this.queryAt(q);
    return off === undefined ? [] : this.read(off);
  }
  private read(off: number): string[] {
    const max = this.field.max_bytes ?? 64;
    let b: Uint8Array;
    if (this.field.length === "variable") {
      const len = Math.min(u32At(this.map.bytes(off, 4), 0), max);
      b = this.map.bytes(off + 4, len);
    } else {
      b = this.map.bytes(off, max);
      const nul = b.indexOf(0);
      if (nul >= 0) b = b.subarray(0, nul);
    }
    const s = this.decoder.decode(b);
    return s === "" ? [] : s.split(",");
  }
}

/** Opens `schemaPath` (YAML) describing `dataPath` (headerless binary). */
export function openSchemaDataset(schemaPath: string, dataPath: string): MappedDataset {
  let doc: unknown;
  requireRegularFile(schemaPath);
  try {
    doc = Bun.YAML.parse(readFileSync(schemaPath, "utf8"));
  } catch (e) {
    throw datasetError(schemaPath, `cannot read schema: ${e instanceof Error ? e.message.split("\n")[0] : e}`);
  }
  if (!isObj(doc)) throw datasetError(schemaPath, "schema is not a YAML mapping; expected keys version, record, sections");
  const version = num(schemaPath, doc.version, "version", 1);
  if (version !== 1) throw datasetError(schemaPath, `schema field version = ${version}; expected 1`);
  const record = doc.record;
  if (!isObj(record) || !Array.isArray(record.fields)) {
    throw datasetError(schemaPath, "schema field record.fields is missing; expected a list of fields (collections are not supported)");
  }
  const fields = record.fields as SchemaField[];
  const offsets = new Map<string, number>();
  let recordBytes = 0;
  for (const f of fields) {
    offsets.set(f.name, recordBytes);
    recordBytes += fieldBytes(schemaPath, f);
  }
  const vec = fields.find((f) => f.type === "vector");
  if (!vec) throw datasetError(schemaPath, "schema has no field of type vector; expected one");
  const dtype = vec.dtype ?? "float32";
  if (dtype !== "float32" && dtype !== "float16") {
    throw datasetError(schemaPath, `schema field ${vec.name}.dtype = ${dtype} is not supported for vectors; expected float32 or float16`);
  }
  const dim = num(schemaPath, vec.dimensions, `${vec.name}.dimensions`);
  if (dim === 0) throw datasetError(schemaPath, `schema field ${vec.name}.dimensions = 0; expected a positive vector dimension`);

  const sec = isObj(doc.sections) ? doc.sections : {};
  const records = isObj(sec.records) ? sec.records : undefined;
  if (!records) throw datasetError(schemaPath, "schema field sections.records is missing; expected {count: N}");
  const count = num(schemaPath, records.count, "sections.records.count");
  if (count === 0) throw datasetError(schemaPath, "schema field sections.records.count = 0; expected at least one record");
  const keys = isObj(sec.keys) ? sec.keys : {};
  const keyBytes = keys.present === true ? (keys.length === "variable" ? 4 : 0) + num(schemaPath, keys.max_bytes, "sections.keys.max_bytes", 64) : 0;
  const queries = isObj(sec.queries) ? sec.queries : {};
  const numQueries = queries.present === true ? num(schemaPath, queries.count, "sections.queries.count", 0) : 0;
  const queryFieldNames = Array.isArray(queries.query_fields) ? (queries.query_fields as string[]) : fields.map((f) => f.name);
  let queryBytes = 0;
  const queryOffsets = new Map<string, number>();
  for (const name of queryFieldNames) {
    const f = fields.find((x) => x.name === name);
    if (!f) throw datasetError(schemaPath, `schema field sections.queries.query_fields names ${name}; expected one of ${fields.map((x) => x.name).join(", ")}`);
    queryOffsets.set(name, queryBytes);
    queryBytes += fieldBytes(schemaPath, f);
  }
  if (numQueries > 0 && !queryOffsets.has(vec.name)) {
    throw datasetError(schemaPath, `schema field sections.queries.query_fields lacks ${vec.name}; expected the vector field`);
  }
  const gt = isObj(sec.ground_truth) ? sec.ground_truth : {};
  const gtPresent = gt.present === true && numQueries > 0;
  const k = gtPresent ? num(schemaPath, gt.neighbors_per_query, "sections.ground_truth.neighbors_per_query", 100) : 0;
  const idType = gt.id_type ?? "u64";
  if (idType !== "u32" && idType !== "u64") throw datasetError(schemaPath, `schema field sections.ground_truth.id_type = ${idType}; expected u32 or u64`);
  const idBytes = idType === "u32" ? 4 : 8;

  const keysOffset = count * recordBytes;
  const queriesOffset = keysOffset + count * keyBytes;
  const gtOffset = queriesOffset + numQueries * queryBytes;
  const sections: DatasetSection[] = [
    { name: "records", offset: 0, bytes: count * recordBytes },
    { name: "keys", offset: keysOffset, bytes: count * keyBytes },
    { name: "queries", offset: queriesOffset, bytes: numQueries * queryBytes },
    { name: "ground_truth", offset: gtOffset, bytes: numQueries * k * idBytes },
  ];
  const fm = isObj(doc.field_metadata) && isObj(doc.field_metadata[vec.name]) ? (doc.field_metadata[vec.name] as Obj) : {};
  const metricName = typeof fm.distance_metric === "string" ? fm.distance_metric.toUpperCase() : undefined;
  const metricHint = metricName === "L2" || metricName === "IP" || metricName === "COSINE" ? (metricName as DistanceMetric) : undefined;

  const map = mapFile(dataPath);
  try {
    checkSections(dataPath, map.byteLength, sections, {});
    const layout: DatasetLayout = {
      format: "schema",
      name: isObj(doc.metadata) && typeof doc.metadata.name === "string" ? doc.metadata.name : "",
      dim, dtype, numVectors: count, numQueries, neighborsPerQuery: k,
      metricHintSource: metricHint ? `${schemaPath}: field_metadata.${vec.name}.distance_metric` : "schema declares no distance_metric",
      vectorsOffset: offsets.get(vec.name) ?? 0, vectorStride: recordBytes,
      queriesOffset: queriesOffset + (queryOffsets.get(vec.name) ?? 0), queryStride: queryBytes,
      groundTruthOffset: gtOffset, groundTruthIdBytes: idBytes, sections,
    };
    if (metricHint) layout.metricHint = metricHint;
    const tagField = fields.find((f) => f.type === "tag");
    const tags = tagField
      ? new RecordTags(
          map, tagField,
          (i) => (i >= 0 && i < count ? i * recordBytes + (offsets.get(tagField.name) ?? 0) : undefined),
          (q) => (queryOffsets.has(tagField.name) && q >= 0 && q < numQueries ? queriesOffset + q * queryBytes + (queryOffsets.get(tagField.name) ?? 0) : undefined),
        )
      : undefined;
    const ds = new MappedDataset(map, layout, tags);
    checkGroundTruthSample(dataPath, ds);
    return ds;
  } catch (e) {
    map.close();
    throw e;
  }
}
