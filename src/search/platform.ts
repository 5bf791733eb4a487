/**
 * Which search platform the run talks to, and what it can do. Detected from MODULE LIST (the
 * module's name and version), INFO (valkey_version vs redis_version only), the `INFO SEARCH`
 * sections and the endpoint's host name (src/cluster/endpoints.ts); `--engine` overrides the
 * guess. The capability table is checked before any vector is written, so a run that cannot work
 * (DIM too large, k above the server's limit) fails in the first second with the reason.
 */
import { recognizeEndpoint } from "../cluster/endpoints.ts";
import type { SearchAlgorithm, SearchDistance, SearchOptions } from "../config/types.ts";
import { UserError } from "../errors.ts";
import type { ControlClient } from "../net/control-client.ts";
import { RespError, RespMap, type RespValue } from "../resp/types.ts";

export type SearchEngine = NonNullable<SearchOptions["engine"]>;

export interface PlatformCapabilities {
  /** Largest DIM FT.CREATE accepts. */
  maxDim: number;
  /** Largest KNN k a query may ask for. */
  maxK: number;
  metrics: readonly SearchDistance[];
  algorithms: readonly SearchAlgorithm[];
  /** EF_RUNTIME inside the KNN clause. */
  efRuntime: boolean;
  maxEfRuntime: number;
}

/**
 * valkey-search 1.0.3 as observed (docs/external-facts.md, valkey-search (h)): DIM < 32768, EF_RUNTIME / EF_CONSTRUCTION
 * at most 4096, only FLOAT32. The managed services run the same module; RediSearch's limits are
 * wider, and k is bounded by our own -k limit (10000) there.
 */
const VALKEY_SEARCH: PlatformCapabilities = {
  maxDim: 32767,
  maxK: 10000,
  metrics: ["L2", "IP", "COSINE"],
  algorithms: ["HNSW", "FLAT"],
  efRuntime: true,
  maxEfRuntime: 4096,
};

export const CAPABILITIES: Readonly<Record<SearchEngine, PlatformCapabilities>> = {
  "valkey-search": VALKEY_SEARCH,
  elasticache: VALKEY_SEARCH,
  "elasticache-serverless": VALKEY_SEARCH,
  memorydb: VALKEY_SEARCH,
  redisearch: { maxDim: 32768, maxK: 10000, metrics: ["L2", "IP", "COSINE"], algorithms: ["HNSW", "FLAT"], efRuntime: true, maxEfRuntime: 1_000_000 },
};

export interface SearchPlatform {
  engine: SearchEngine;
  /** How it was decided, for the banner ("MODULE LIST: search 10003; valkey_version 8.1.1"). */
  source: string;
  /** Module version as MODULE LIST reports it (10003 = 1.0.3), when known. */
  moduleVersion?: number;
  serverVersion?: string;
  capabilities: PlatformCapabilities;
}

/** What detection reads, separated from the connection so it can be tested on plain values. */
export interface PlatformEvidence {
  host: string;
  /** MODULE LIST reply, or undefined when the command is not allowed (managed services). */
  moduleList?: RespValue;
  /** INFO server text. */
  info: string;
  /** INFO SEARCH text ("" when the section is unknown). */
  infoSearch: string;
}

const SEARCH_MODULE_NAMES = new Set(["search", "ft", "searchlight"]);

function text(v: RespValue | undefined): string | undefined {
  if (typeof v === "string") return v;
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  if (typeof v === "number" || typeof v === "bigint") return String(v);
  return undefined;
}

/** `[{name, ver...}...]` from MODULE LIST (flat arrays under RESP2, maps under RESP3). */
function searchModule(reply: RespValue | undefined): { name: string; version?: number } | undefined {
  if (!Array.isArray(reply)) return undefined;
  for (const entry of reply) {
    const fields = new Map<string, RespValue>();
    if (entry instanceof RespMap) for (const [k, v] of entry) fields.set(text(k) ?? "", v);
    else if (Array.isArray(entry)) for (let i = 0; i + 1 < entry.length; i += 2) fields.set(text(entry[i]) ?? "", entry[i + 1]!);
    const name = text(fields.get("name"))?.toLowerCase();
    if (name !== undefined && SEARCH_MODULE_NAMES.has(name)) {
      const ver = Number(text(fields.get("ver")));
      return Number.isFinite(ver) ? { name, version: ver } : { name };
    }
  }
  return undefined;
}

function infoField(info: string, name: string): string | undefined {
  const m = new RegExp(`^${name}:(.*)$`, "m").exec(info);
  return m ? m[1]!.trim() : undefined;
}

/**
 * Decides the platform from the evidence; throws a UserError when no search module is there
 * (and --engine does not say otherwise).
 */
export function decidePlatform(e: PlatformEvidence, override?: SearchEngine): SearchPlatform {
  const module = searchModule(e.moduleList);
  const valkeyVersion = infoField(e.info, "valkey_version");
  const redisVersion = infoField(e.info, "redis_version");
  const serverVersion = valkeyVersion ?? redisVersion;
  const hasSearchInfo = /^search_/m.test(e.infoSearch) || /^# search/im.test(e.infoSearch);
  const base = { serverVersion, ...(module?.version !== undefined ? { moduleVersion: module.version } : {}) };
  if (override !== undefined) return { engine: override, source: "--engine", capabilities: CAPABILITIES[override], ...base };
  if (module === undefined && !hasSearchInfo) {
    throw new UserError(
      `search module not loaded on ${e.host}: FT.CREATE unavailable; load valkey-search or point -h at a server with it (or pass --engine if detection is wrong)`,
    );
  }
  const endpoint = recognizeEndpoint(e.host.replace(/:\d+$/, "").replace(/^\[|\]$/g, ""));
  const evidence = [
    module ? `MODULE LIST: ${module.name}${module.version !== undefined ? ` ${module.version}` : ""}` : "INFO SEARCH",
    valkeyVersion ? `valkey_version ${valkeyVersion}` : redisVersion ? `redis_version ${redisVersion}` : "",
  ];
  let engine: SearchEngine;
  if (endpoint.kind === "elasticache-serverless") engine = "elasticache-serverless";
  else if (endpoint.kind === "elasticache-config" || endpoint.kind === "elasticache-node") engine = "elasticache";
  else if (endpoint.kind === "memorydb-cluster" || endpoint.kind === "memorydb-node") engine = "memorydb";
  // RediSearch also calls itself "search" (ver 2xxxx); only Valkey reports valkey_version.
  else if (valkeyVersion === undefined && redisVersion !== undefined && (module?.version ?? 0) >= 20000) engine = "redisearch";
  else engine = "valkey-search";
  if (endpoint.kind !== "generic") evidence.push(`endpoint ${endpoint.kind}`);
  return { engine, source: evidence.filter((s) => s !== "").join("; "), capabilities: CAPABILITIES[engine], ...base };
}

/** Asks the server (MODULE LIST, INFO server, INFO SEARCH) and decides. */
export async function detectPlatform(client: ControlClient, override?: SearchEngine): Promise<SearchPlatform> {
  const modules = await client.call(["MODULE", "LIST"]);
  const info = await client.call(["INFO", "server"]);
  const search = await client.call(["INFO", "SEARCH"]);
  return decidePlatform(
    {
      host: client.where,
      moduleList: modules instanceof RespError ? undefined : modules,
      info: info instanceof RespError ? "" : (text(info) ?? ""),
      infoSearch: search instanceof RespError ? "" : (text(search) ?? ""),
    },
    override,
  );
}

export interface RunNeeds {
  dim: number;
  k: number;
  metric: SearchDistance;
  algorithm: SearchAlgorithm;
  efSearch?: number;
  efConstruction?: number;
}

/** Checks the run against the platform's capabilities; throws one UserError naming the flag. */
export function checkCapabilities(p: SearchPlatform, n: RunNeeds): void {
  const c = p.capabilities;
  const on = `on ${p.engine}${p.source === "--engine" ? " (--engine)" : ""}`;
  if (n.dim > c.maxDim) throw new UserError(`vector dimension ${n.dim} is above the maximum ${c.maxDim} ${on}; use a dataset with smaller vectors`);
  if (n.k > c.maxK) throw new UserError(`-k ${n.k} is above the maximum ${c.maxK} ${on}; lower -k`);
  if (!c.metrics.includes(n.metric)) throw new UserError(`--search-distance ${n.metric} is not supported ${on}; use one of ${c.metrics.join(", ")}`);
  if (!c.algorithms.includes(n.algorithm)) throw new UserError(`--search-algorithm ${n.algorithm} is not supported ${on}; use one of ${c.algorithms.join(", ")}`);
  if (n.efSearch !== undefined && !c.efRuntime) throw new UserError(`--ef-search needs EF_RUNTIME in queries, which ${p.engine} does not support; drop --ef-search`);
  if (n.efSearch !== undefined && n.efSearch > c.maxEfRuntime) throw new UserError(`--ef-search ${n.efSearch} is above the maximum ${c.maxEfRuntime} ${on}`);
  if (n.efConstruction !== undefined && n.efConstruction > c.maxEfRuntime) {
    throw new UserError(`--ef-construction ${n.efConstruction} is above the maximum ${c.maxEfRuntime} ${on}`);
  }
}
