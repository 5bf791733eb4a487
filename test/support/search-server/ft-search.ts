// FT.SEARCH as valkey-search 1.0.3 answers it (anchors (h)):
//   FT.SEARCH <idx> "<filter>=>[KNN <K> @<vec> $<param> [EF_RUNTIME n] [AS alias]]" PARAMS 2 <param> <blob>
//     [NOCONTENT] [RETURN n f… [AS a]] [LIMIT off num] [TIMEOUT ms] [DIALECT 2|3|4] [LOCALONLY]
// Reply (RESP2 and RESP3 alike): [total, key, [field, value…], …] where total = min(K, matching docs),
// or [total, key, …] with NOCONTENT / RETURN 0. Default LIMIT 0 10.

import { FilterError, matches, parseFilter, type Filter } from "./filter.ts";
import { formatScore } from "./format-score.ts";
import { compareNeighbours, degrade, nearest, toStoredVector, type Neighbour } from "./knn.ts";
import type { ReplyWriter } from "./resp.ts";
import type { VectorAttribute } from "./schema.ts";
import type { SearchIndex } from "./search-index.ts";
import type { ServerState } from "./state.ts";

class SearchError extends Error {}

type ReturnField = { name: string; as: string };

type SearchRequest = {
  index: SearchIndex;
  /** LOCALONLY: search this shard only instead of fanning out to the whole cluster. */
  localOnly: boolean;
  query: string;
  params: Map<string, Buffer>;
  noContent: boolean;
  returnFields: ReturnField[] | undefined;
  offset: number;
  count: number;
};

type Knn = { attribute: VectorAttribute; k: number; blob: Buffer; ef: number | undefined; scoreAs: string };

export function ftSearch(state: ServerState, args: Buffer[], out: ReplyWriter): void {
  try {
    const request = parseRequest(state, args);
    const { filter, knn } = parseQuery(request);
    const shards = request.localOnly ? [state] : state.shards();
    const { total, results } = runKnn(state, shards, request.index.schema.name, filter, knn);
    if (filter.kind !== "all") state.counters.hybrid++;
    state.counters.successful++;
    const page = results.slice(request.offset, request.offset + request.count);
    writeReply(state, request, knn, total, page, out);
  } catch (error) {
    if (!(error instanceof SearchError)) throw error;
    state.counters.failed++;
    out.error(error.message);
  }
}

function parseRequest(state: ServerState, args: Buffer[]): SearchRequest {
  const name = args[0].toString("latin1");
  const index = state.indexes.byName.get(name);
  if (index === undefined) throw new SearchError(`Index with name '${name}' not found`);
  const request: SearchRequest = {
    index,
    localOnly: false,
    query: args[1].toString("latin1"),
    params: new Map(),
    noContent: false,
    returnFields: undefined,
    offset: 0,
    count: 10,
  };
  let dialect = 2;
  let timeoutMs = 50000;
  let i = 2;
  const next = (what: string): string => {
    if (i >= args.length) throw new SearchError(`Bad arguments for ${what}: Missing argument`);
    return args[i++].toString("latin1");
  };
  const nextInt = (what: string): number => {
    const text = next(what);
    if (!/^-?\d+$/.test(text)) throw new SearchError(`Bad arguments for ${what}: Invalid value \`${text}\``);
    return Number(text);
  };
  while (i < args.length) {
    const word = args[i++].toString("latin1");
    switch (word.toUpperCase()) {
      case "PARAMS": {
        const n = nextInt("PARAMS");
        if (n % 2 !== 0) throw new SearchError("Parameter count must be an even number.");
        for (let p = 0; p < n; p += 2) {
          const key = next("PARAMS");
          if (i >= args.length) throw new SearchError("Bad arguments for PARAMS: Missing argument");
          if (request.params.has(key)) throw new SearchError(`Parameter ${key} is already defined.`);
          request.params.set(key, args[i++]);
        }
        break;
      }
      case "NOCONTENT":
        request.noContent = true;
        break;
      case "RETURN": {
        const n = nextInt("RETURN");
        if (n === 0) {
          request.noContent = true;
          break;
        }
        const fields: ReturnField[] = [];
        for (let used = 0; used < n; used++) {
          const fieldName = next("RETURN");
          let as = fieldName;
          if (i < args.length && args[i].toString("latin1").toUpperCase() === "AS") {
            i++;
            as = next("RETURN");
            used += 2;
            if (used > n) throw new SearchError("Unexpected parameter `AS` ");
          }
          fields.push({ name: fieldName, as });
        }
        request.returnFields = fields;
        break;
      }
      case "LIMIT":
        request.offset = nextInt("LIMIT");
        request.count = nextInt("LIMIT");
        break;
      case "TIMEOUT":
        timeoutMs = nextInt("TIMEOUT");
        break;
      case "DIALECT":
        dialect = nextInt("DIALECT");
        break;
      case "LOCALONLY":
        request.localOnly = true;
        break;
      default:
        throw new SearchError(`Unexpected argument \`${word}\``);
    }
  }
  if (timeoutMs <= 0 || timeoutMs > 60000) {
    throw new SearchError("TIMEOUT must be a positive integer greater than 0 and cannot exceed 60000.");
  }
  if (dialect < 2 || dialect > 4) throw new SearchError("DIALECT requires a non negative integer >=2 and <= 4");
  return request;
}

function parseQuery(request: SearchRequest): { filter: Filter; knn: Knn } {
  const { query, index, params } = request;
  const arrow = query.indexOf("=>");
  if (arrow < 0) throw new SearchError("Invalid filter format. Missing `=>`");
  const preFilter = query.slice(0, arrow).trim();
  let filter: Filter;
  try {
    filter = parseFilter(preFilter, index.schema);
  } catch (error) {
    if (!(error instanceof FilterError)) throw error;
    throw new SearchError(`Invalid filter expression: \`${preFilter}\`. ${error.message}`);
  }
  const clause = query.slice(arrow + 2).trim();
  const knnError = (detail: string) =>
    new SearchError(`Error parsing vector similarity parameters: \`${clause}\`. ${detail}`);
  if (clause === "") throw new SearchError("Error parsing vector similarity parameters: Vector query clause is missing");
  if (!clause.startsWith("[")) throw knnError(`Expecting '[' got '${clause[0]}'`);
  if (!clause.endsWith("]")) throw knnError(`Expecting ']' got '${clause[clause.length - 1]}'`);
  const words = clause.slice(1, -1).split(" ").filter((w) => w.length > 0);
  if (words.length === 0) throw knnError("Missing parameters");
  if (words[0].toUpperCase() !== "KNN") throw knnError(`\`${words[0]}\`. Expecting \`KNN\``);
  if (words.length < 2) throw knnError("KNN argument is missing");
  if (words.length < 3) throw knnError("Vector field argument is missing");
  if (!words[2].startsWith("@") || words[2].length === 1) {
    throw knnError(`Unexpected argument \`${words[2]}\`. Expecting a vector field name, starting with '@'`);
  }
  if (words.length < 4) throw knnError("Blob attribute argument is missing");
  const used = new Set<string>();
  const substitute = (word: string): Buffer => {
    if (!word.startsWith("$")) return Buffer.from(word, "latin1");
    const value = params.get(word.slice(1));
    if (value === undefined) {
      throw new SearchError(`Error parsing vector similarity parameters. Parameter ${word.slice(1)} not found.`);
    }
    used.add(word.slice(1));
    return value;
  };
  let ef: number | undefined;
  let scoreAs: string | undefined;
  for (let w = 4; w < words.length; w++) {
    const word = words[w].toUpperCase();
    if (word === "EF_RUNTIME" || word === "AS") {
      if (w + 1 >= words.length) throw knnError(`${word} argument is missing`);
      const value = substitute(words[++w]).toString("latin1");
      if (word === "AS") scoreAs = value;
      else {
        if (!/^\d+$/.test(value)) throw knnError(`Invalid value \`${value}\``);
        ef = Number(value);
        if (ef <= 0) throw new SearchError("`EF` value must be positive");
      }
    } else throw knnError(`Unexpected argument \`${words[w]}\``);
  }
  const alias = words[2].slice(1);
  const attribute = index.schema.attributes.find((a) => a.alias === alias);
  if (attribute === undefined) throw new SearchError(`Index field \`${alias}\` not exists`);
  if (attribute.kind !== "VECTOR") throw new SearchError(`Index field \`${alias}\` is not a Vector index `);
  const kText = substitute(words[1]).toString("latin1");
  if (!/^\d+$/.test(kText)) {
    throw new SearchError(`Error parsing vector similarity parameters. Invalid value \`${kText}\``);
  }
  const k = Number(kText);
  if (k <= 0) throw new SearchError("k must be positive");
  const blob = substitute(words[3]);
  for (const key of params.keys()) {
    if (!used.has(key)) throw new SearchError(`Error parsing vector similarity parameters. Parameter \`${key}\` not used.`);
  }
  const expected = attribute.dim * 4;
  if (blob.length !== expected) {
    throw new SearchError(
      `Error parsing vector similarity parameters: query vector blob size (${blob.length}) does not match index's expected size (${expected}).`,
    );
  }
  return { filter, knn: { attribute, k, blob, ef, scoreAs: scoreAs ?? `__${alias}_score` } };
}

/** The vectors of one shard's index that pass the filter. */
function candidatesOf(index: SearchIndex, alias: string, filter: Filter): [string, Float32Array][] | Map<string, Float32Array> {
  const store = index.vectors.get(alias) ?? new Map<string, Float32Array>();
  if (filter.kind === "all") return store;
  const passed: [string, Float32Array][] = [];
  for (const entry of store) {
    const doc = index.docs.get(entry[0]);
    if (doc !== undefined && matches(filter, doc)) passed.push(entry);
  }
  return passed;
}

/**
 * KNN over every shard searched: each shard ranks its own candidates, the merge keeps the global
 * nearest (as valkey-search's coordinator does); the approximate degradation applies to the merge.
 */
function runKnn(
  state: ServerState,
  shards: ServerState[],
  indexName: string,
  filter: Filter,
  knn: Knn,
): { total: number; results: Neighbour[] } {
  const { attribute, k } = knn;
  const query = toStoredVector(attribute.metric, knn.blob);
  const recallAtEf = attribute.algorithm === "HNSW" ? state.recallAtEf : undefined;
  const limit = recallAtEf === undefined ? k : 2 * k;
  let matching = 0;
  let ranked: Neighbour[] = [];
  for (const shard of shards) {
    const index = shard.indexes.byName.get(indexName);
    if (index === undefined) continue;
    // The real coordinator sends every other shard a partition request and counts it there.
    if (shard !== state) shard.counters.partitionsServed++;
    const candidates = candidatesOf(index, attribute.alias, filter);
    matching += candidates instanceof Map ? candidates.size : candidates.length;
    ranked.push(...nearest(attribute.metric, query, candidates, limit));
  }
  if (shards.length > 1) ranked = ranked.sort(compareNeighbours).slice(0, limit);
  const total = Math.min(k, matching);
  if (recallAtEf === undefined) return { total, results: ranked };
  return { total, results: degrade(ranked, total, recallAtEf(knn.ef ?? attribute.efRuntime)) };
}

function writeReply(
  state: ServerState,
  request: SearchRequest,
  knn: Knn,
  total: number,
  page: Neighbour[],
  out: ReplyWriter,
): void {
  if (request.noContent) {
    out.array(1 + page.length);
    out.int(total);
    for (const hit of page) out.bulk(hit.key);
    return;
  }
  out.array(1 + 2 * page.length);
  out.int(total);
  for (const hit of page) {
    const stored = findKey(state, hit.key);
    const hash = stored?.type === "hash" ? stored.fields : new Map<string, Buffer>();
    const fields = docFields(request, knn, hash, formatScore(hit.distance));
    out.bulk(hit.key);
    out.array(fields.length * 2);
    for (const [name, value] of fields) {
      out.bulk(name);
      out.bulk(value);
    }
  }
}

/** The key's value on whichever shard holds it (in a cluster, search results span shards). */
function findKey(state: ServerState, key: string) {
  for (const shard of state.shards()) {
    const value = shard.keyspace.get(key);
    if (value !== undefined) return value;
  }
  return undefined;
}

/**
 * Default content: the score first, then the hash's other fields in hash order, then its vector
 * fields (the order valkey-search 1.0.3 was observed to use). With RETURN: only the named fields,
 * where the score is reachable by its name (`__<vec>_score` or the AS alias) and attribute aliases
 * resolve to their hash field.
 */
function docFields(request: SearchRequest, knn: Knn, hash: Map<string, Buffer>, score: string): [string, Buffer | string][] {
  const attributes = request.index.schema.attributes;
  if (request.returnFields === undefined) {
    const vectorFields = new Set(attributes.filter((a) => a.kind === "VECTOR").map((a) => a.identifier));
    const fields: [string, Buffer | string][] = [[knn.scoreAs, score]];
    for (const [name, value] of hash) if (!vectorFields.has(name)) fields.push([name, value]);
    for (const [name, value] of hash) if (vectorFields.has(name)) fields.push([name, value]);
    return fields;
  }
  const fields: [string, Buffer | string][] = [];
  for (const { name, as } of request.returnFields) {
    if (name === knn.scoreAs) {
      fields.push([as, score]);
      continue;
    }
    const identifier = attributes.find((a) => a.alias === name)?.identifier ?? name;
    const value = hash.get(identifier);
    if (value !== undefined) fields.push([as, value]);
  }
  return fields;
}
