/**
 * Where a top-level column lives in a parquet file and how its rows are shaped: the leaf
 * column chunk index, the physical type (numbers, or BYTE_ARRAY text for a flat label column), and the maximum definition and repetition levels that
 * the schema path implies (each OPTIONAL or REPEATED ancestor adds a definition level, each
 * REPEATED one a repetition level).
 */
import type { FileMetaData, SchemaElement } from "hyparquet";
import { datasetError } from "../../errors.ts";
import { isSupportedCodec } from "./codecs.ts";
import type { NumericType } from "./values.ts";

export interface ColumnLayout {
  /** Top-level column name, for messages. */
  name: string;
  /** Index of the leaf among each row group's column chunks. */
  chunkIndex: number;
  type: ColumnType;
  maxDef: number;
  maxRep: number;
}

/** Numbers, or BYTE_ARRAY strings (read into a StringVocabulary, see parquet-strings.ts). */
export type ColumnType = NumericType | "BYTE_ARRAY";

const NUMERIC_TYPES: readonly string[] = ["FLOAT", "DOUBLE", "INT32", "INT64"];

/** The chain of schema elements from the root's child named path[0] down to the leaf. */
function schemaChain(schema: SchemaElement[], path: string[]): SchemaElement[] | null {
  // The schema is a depth-first flattening; num_children says how many subtrees follow.
  const chain: SchemaElement[] = [];
  let index = 1;
  let siblings = schema[0]?.num_children ?? 0;
  for (const name of path) {
    let found = -1;
    for (let s = 0; s < siblings; s++) {
      if (schema[index]?.name === name) {
        found = index;
        break;
      }
      index = skipSubtree(schema, index);
    }
    if (found < 0) return null;
    chain.push(schema[found]);
    siblings = schema[found].num_children ?? 0;
    index = found + 1;
  }
  return chain;
}

function skipSubtree(schema: SchemaElement[], index: number): number {
  let pending = 1;
  while (pending > 0 && index < schema.length) {
    pending += (schema[index].num_children ?? 0) - 1;
    index++;
  }
  return index;
}

/**
 * Layout of column `name`; `shape` says whether rows hold a list (vectors, neighbour ids), one
 * number (ids) or one string (labels). Throws the user-facing error when the column is missing or of a shape this
 * reader cannot assemble.
 */
export function columnLayout(path: string, metadata: FileMetaData, name: string, shape: "list" | "scalar" | "text", expected: string): ColumnLayout {
  const chunks = metadata.row_groups[0]?.columns ?? [];
  const leaves = chunks.flatMap((c, i) => (c.meta_data?.path_in_schema[0] === name ? [i] : []));
  if (!metadata.schema.some((s) => s.name === name)) throw datasetError(path, `parquet file has no column ${name}; expected columns ${expected}`);
  if (leaves.length > 1) throw datasetError(path, `column ${name} is a struct of ${leaves.length} columns; expected a list of numbers`);
  const chunkIndex = leaves[0] ?? -1;
  const chain = chunkIndex >= 0 ? schemaChain(metadata.schema, chunks[chunkIndex].meta_data?.path_in_schema ?? []) : null;
  if (!chain && metadata.row_groups.length > 0) throw datasetError(path, `column ${name} has no column chunk matching the schema; the file footer is inconsistent`);
  let maxDef = 0, maxRep = 0;
  for (const element of chain ?? []) {
    if (element.repetition_type === "OPTIONAL") maxDef++;
    if (element.repetition_type === "REPEATED") {
      maxDef++;
      maxRep++;
    }
  }
  const leaf = chain?.[chain.length - 1] ?? metadata.schema.find((s) => s.name === name);
  const type = leaf?.type ?? "";
  if (shape === "text") {
    if (type !== "BYTE_ARRAY") throw datasetError(path, `column ${name} holds ${type || "a group"}; expected text (BYTE_ARRAY strings)`);
    if (maxRep > 0) throw datasetError(path, `column ${name} is a list; expected one string per row`);
  } else if (!NUMERIC_TYPES.includes(type)) {
    throw datasetError(path, `column ${name} holds ${type || "a group"}; expected FLOAT, DOUBLE, INT32 or INT64 values`);
  }
  if (shape === "list" && maxRep > 1) throw datasetError(path, `column ${name} is a list of lists; expected one list of numbers per row`);
  if (shape === "scalar" && maxRep > 0) throw datasetError(path, `column ${name} is a list; expected one number per row`);
  metadata.row_groups.forEach((g, i) => {
    const codec = g.columns[chunkIndex]?.meta_data?.codec;
    if (codec && !isSupportedCodec(codec)) {
      throw datasetError(path, `column ${name} (row group ${i}) is compressed with ${codec}, which is not supported; re-write the file with snappy or zstd (e.g. pyarrow.parquet.write_table(table, path, compression="zstd"))`);
    }
  });
  return { name, chunkIndex, type: type as ColumnType, maxDef, maxRep };
}
