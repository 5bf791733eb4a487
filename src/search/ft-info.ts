/**
 * FT.INFO replies as one typed record, whatever the server's layout:
 * - valkey-search 1.0 / ElastiCache (docs/external-facts.md, valkey-search (h)): a flat RESP2 array of key/value pairs with
 *   simple-string keys and numbers as bulk strings ("num_docs", "1000"), vector parameters nested
 *   under attributes[i].index / .algorithm;
 * - the same under RESP3, or as maps (MemoryDB, RediSearch with HELLO 3);
 * - RediSearch's flat attribute lists (`dim`, `distance_metric`, `algorithm` at the top level).
 * Unknown fields are ignored, missing ones are undefined, so callers compare only what they got.
 */
import { RespError, RespMap, type RespValue } from "../resp/types.ts";

export interface FtAttribute {
  identifier: string;
  alias: string;
  /** VECTOR, TAG, NUMERIC... (upper case). */
  type: string;
  algorithm?: string;
  dim?: number;
  metric?: string;
  m?: number;
  efConstruction?: number;
  efRuntime?: number;
  capacity?: number;
}

export interface FtInfo {
  indexName: string;
  keyType?: string;
  prefixes: string[];
  attributes: FtAttribute[];
  numDocs: number;
  hashIndexingFailures: number;
  backfillInProgress: boolean;
  /** 0..1 (valkey-search prints "1.000000"); undefined when not reported. */
  backfillCompletePercent?: number;
  mutationQueueSize: number;
  /** `ready`, `backfill_in_progress`... ("" when not reported). */
  state: string;
  /** MemoryDB: index_status AVAILABLE... */
  indexStatus?: string;
}

type Fields = Map<string, RespValue>;

function text(v: RespValue | undefined): string | undefined {
  if (typeof v === "string") return v;
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  if (typeof v === "number" || typeof v === "bigint") return String(v);
  return undefined;
}

function num(v: RespValue | undefined): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  const t = text(v);
  if (t === undefined) return undefined;
  const n = Number.parseFloat(t);
  return Number.isFinite(n) ? n : undefined;
}

/** A key/value list (flat array or map) as a map with lower-case keys; undefined if it is neither. */
function fields(v: RespValue | undefined): Fields | undefined {
  if (v instanceof RespMap) {
    const out: Fields = new Map();
    for (const [k, val] of v) {
      const key = text(k);
      if (key !== undefined) out.set(key.toLowerCase(), val);
    }
    return out;
  }
  if (!Array.isArray(v) || v.length % 2 !== 0) return undefined;
  const out: Fields = new Map();
  for (let i = 0; i < v.length; i += 2) {
    const key = text(v[i]);
    if (key === undefined || typeof v[i] === "number") return undefined;
    out.set(key.toLowerCase(), v[i + 1]!);
  }
  return out;
}

function list(v: RespValue | undefined): RespValue[] {
  return Array.isArray(v) ? v : [];
}

function attribute(v: RespValue): FtAttribute | undefined {
  const f = fields(v);
  if (f === undefined) return undefined;
  const identifier = text(f.get("identifier")) ?? "";
  const a: FtAttribute = { identifier, alias: text(f.get("attribute")) ?? identifier, type: (text(f.get("type")) ?? "").toUpperCase() };
  // valkey-search nests the vector parameters: index {dimensions, distance_metric, algorithm {name, m...}}.
  const index = fields(f.get("index"));
  const algo = fields(index?.get("algorithm")) ?? fields(f.get("algorithm"));
  const pick = (key: string, ...more: (Fields | undefined)[]) => {
    for (const src of [f, index, algo, ...more]) {
      const val = src?.get(key);
      if (val !== undefined) return val;
    }
    return undefined;
  };
  const algorithmName = text(algo?.get("name")) ?? text(f.get("algorithm"));
  if (algorithmName !== undefined) a.algorithm = algorithmName.toUpperCase();
  const dim = num(pick("dimensions") ?? pick("dim"));
  if (dim !== undefined) a.dim = dim;
  const metric = text(pick("distance_metric"));
  if (metric !== undefined) a.metric = metric.toUpperCase();
  const m = num(pick("m"));
  if (m !== undefined) a.m = m;
  const efc = num(pick("ef_construction"));
  if (efc !== undefined) a.efConstruction = efc;
  const efr = num(pick("ef_runtime"));
  if (efr !== undefined) a.efRuntime = efr;
  const cap = num(pick("capacity") ?? pick("initial_cap"));
  if (cap !== undefined) a.capacity = cap;
  return a;
}

/** Parses an FT.INFO reply. Throws on an error reply or a reply that is not key/value pairs. */
export function parseFtInfo(reply: RespValue): FtInfo {
  if (reply instanceof RespError) throw new Error(`FT.INFO failed: ${reply.message}`);
  const f = fields(reply);
  if (f === undefined) throw new Error("FT.INFO reply is not a list of key/value pairs");
  const definition = fields(f.get("index_definition"));
  const prefixes = list(definition?.get("prefixes") ?? f.get("prefixes"))
    .map(text)
    .filter((p): p is string => p !== undefined);
  const attributes = list(f.get("attributes") ?? f.get("fields"))
    .map(attribute)
    .filter((a): a is FtAttribute => a !== undefined);
  const backfill = num(f.get("backfill_in_progress"));
  const percent = num(f.get("backfill_complete_percent") ?? f.get("percent_indexed"));
  const info: FtInfo = {
    indexName: text(f.get("index_name")) ?? "",
    keyType: text(definition?.get("key_type")),
    prefixes,
    attributes,
    numDocs: num(f.get("num_docs")) ?? 0,
    hashIndexingFailures: num(f.get("hash_indexing_failures")) ?? 0,
    backfillInProgress: backfill !== undefined ? backfill !== 0 : (num(f.get("indexing")) ?? 0) !== 0,
    mutationQueueSize: num(f.get("mutation_queue_size")) ?? 0,
    state: text(f.get("state")) ?? "",
  };
  if (percent !== undefined) info.backfillCompletePercent = percent;
  const status = text(f.get("index_status"));
  if (status !== undefined) info.indexStatus = status;
  return info;
}

/** True when FT.INFO says the index has caught up: nothing backfilling or queued. */
export function isIndexReady(i: FtInfo): boolean {
  if (i.backfillInProgress || i.mutationQueueSize > 0) return false;
  if (i.state !== "" && i.state.toLowerCase() !== "ready") return false;
  if (i.indexStatus !== undefined && i.indexStatus.toUpperCase() !== "AVAILABLE") return false;
  return true;
}

/** The error FT.INFO gives for a missing index ("Index with name 'x' not found", "Unknown index name"). */
export function isUnknownIndexError(reply: RespValue): boolean {
  return reply instanceof RespError && /not found|unknown index|no such index/i.test(reply.message);
}
