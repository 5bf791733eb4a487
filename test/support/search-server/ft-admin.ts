// FT.CREATE, FT.INFO, FT._LIST and FT.DROPINDEX.

import type { ReplyWriter } from "./resp.ts";
import { parseCreate, SchemaError, type Attribute, type IndexSchema } from "./schema.ts";
import { SearchIndex } from "./search-index.ts";
import type { ServerState } from "./state.ts";

/** Creates the index on every shard (in a cluster the definition propagates, as with the real module). */
export function ftCreate(state: ServerState, args: string[], out: ReplyWriter): void {
  let schema: IndexSchema;
  try {
    schema = parseCreate(args);
  } catch (error) {
    if (error instanceof SchemaError) return out.error(error.message);
    throw error;
  }
  if (state.indexes.byName.has(schema.name)) return out.error(`Index ${schema.name} already exists.`);
  for (const shard of state.shards()) {
    const index = new SearchIndex(schema);
    shard.indexes.byName.set(schema.name, index);
    index.backfillFrom(shard.keyspace, state.faults.backfillMs ?? 0);
  }
  out.ok();
}

export function ftDropIndex(state: ServerState, args: string[], out: ReplyWriter): void {
  // The keys stay: only the index goes, as in valkey-search.
  if (!state.indexes.byName.has(args[0])) return out.error(`Index with name '${args[0]}' not found`);
  for (const shard of state.shards()) shard.indexes.byName.delete(args[0]);
  out.ok();
}

export function ftList(state: ServerState, out: ReplyWriter): void {
  out.bulkArray([...state.indexes.byName.keys()]);
}

/**
 * FT.INFO as a flat 26-element array: keys are simple strings, most numbers bulk strings, the
 * vector index parameters integers (the 1.0.3 layout; the same under RESP3).
 */
export function ftInfo(state: ServerState, args: string[], out: ReplyWriter): void {
  const index = state.indexes.byName.get(args[0]);
  if (index === undefined) return out.error(`Index with name '${args[0]}' not found`);
  const { schema } = index;
  const progress = index.backfillProgress();
  const docs = index.reportedDocs();
  const backfilling = progress < 1;
  out.array(26);
  out.simple("index_name");
  out.bulk(schema.name);
  out.simple("index_options");
  out.array(0);
  out.simple("index_definition");
  out.array(6);
  out.simple("key_type");
  out.simple(schema.on);
  out.simple("prefixes");
  out.bulkArray(schema.prefixes);
  out.simple("default_score");
  out.bulk("1");
  out.simple("attributes");
  out.array(schema.attributes.length);
  for (const attribute of schema.attributes) writeAttribute(index, attribute, out);
  const pairs: [string, string][] = [
    ["num_docs", String(docs)],
    ["num_terms", "0"],
    ["num_records", String(docs * schema.attributes.length)],
    ["hash_indexing_failures", String(index.hashIndexingFailures)],
    ["backfill_in_progress", backfilling ? "1" : "0"],
    ["backfill_complete_percent", progress.toFixed(6)],
    ["mutation_queue_size", "0"],
    ["recent_mutations_queue_delay", "0 sec"],
  ];
  for (const [key, value] of pairs) {
    out.simple(key);
    out.bulk(value);
  }
  out.simple("state");
  out.simple(backfilling ? "backfill_in_progress" : "ready");
}

function writeAttribute(index: SearchIndex, attribute: Attribute, out: ReplyWriter): void {
  const size = attributeSize(index, attribute);
  const common = 8;
  if (attribute.kind === "NUMERIC") out.array(common);
  else out.array(common + 2);
  out.simple("identifier");
  out.bulk(attribute.identifier);
  out.simple("attribute");
  out.bulk(attribute.alias);
  out.simple("type");
  out.simple(attribute.kind);
  if (attribute.kind === "TAG") {
    out.simple("SEPARATOR");
    out.bulk(attribute.separator);
  }
  out.simple("size");
  out.bulk(String(size));
  if (attribute.kind !== "VECTOR") return;
  out.simple("index");
  out.array(12);
  out.simple("capacity");
  out.int(attribute.initialCap);
  out.simple("dimensions");
  out.int(attribute.dim);
  out.simple("distance_metric");
  out.simple(attribute.metric);
  out.simple("size");
  out.bulk(String(size));
  out.simple("data_type");
  out.simple("FLOAT32");
  out.simple("algorithm");
  if (attribute.algorithm === "HNSW") {
    out.array(8);
    out.simple("name");
    out.simple("HNSW");
    out.simple("m");
    out.int(attribute.m);
    out.simple("ef_construction");
    out.int(attribute.efConstruction);
    out.simple("ef_runtime");
    out.int(attribute.efRuntime);
  } else {
    out.array(4);
    out.simple("name");
    out.simple("FLAT");
    out.simple("block_size");
    out.int(attribute.blockSize);
  }
}

function attributeSize(index: SearchIndex, attribute: Attribute): number {
  if (attribute.kind === "VECTOR") return index.vectors.get(attribute.alias)?.size ?? 0;
  let n = 0;
  for (const doc of index.docs.values()) {
    if (attribute.kind === "TAG" ? doc.tags.has(attribute.alias) : doc.numbers.has(attribute.alias)) n++;
  }
  return n;
}
