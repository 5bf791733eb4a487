// Shared pieces of the vector search end-to-end tests: the server they run against, names no
// other test uses, small generated datasets, and a control connection for assertions.
//
// The server is, in this order of preference: one already running that VSB_TEST_SEARCH_URL
// names (valkey://host:port, standalone tests only); a real Valkey with the valkey-search module
// started from VSB_SEARCH_SERVER_DIR (test/support/search-module.ts; `.ci/run` sets it); or the
// in-process stand-in. Behaviour both share is asserted on both; `standInTest` marks what only
// the stand-in can do on demand (faults, approximate-mode recall rules), `realOnlyTest` what
// only a real cluster can (MIGRATE-based slot moves).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "bun:test";
import type { ConnectionConfig } from "../../src/config/types.ts";
import { generateDataset, type GenerateOptions } from "../../src/dataset/tools/generate.ts";
import { ControlClient } from "../../src/net/control-client.ts";
import type { RespValue } from "../../src/resp/types.ts";
import { REAL_SEARCH_SERVER, startRealSearchCluster, startRealSearchServer, type ValkeyCluster, type ValkeyServer } from "../support/search-module.ts";
import { startSearchCluster, startSearchServer, type SearchCluster, type SearchServer, type SearchServerOptions } from "../support/search-server.ts";

/** A server that is already running (standalone tests only). */
export const REAL_URL = process.env.VSB_TEST_SEARCH_URL;

/** True when the suites talk to a real valkey-search (started here or given by URL). */
export const REAL_SERVER = REAL_URL !== undefined || REAL_SEARCH_SERVER;

/** Tests that need the stand-in's fault switches or approximate mode: skipped against a real server. */
export const standInTest = REAL_SERVER ? test.skip : test;

/** Tests only a real cluster can run (slots moved with MIGRATE): skipped on the stand-in. */
export const realOnlyTest = REAL_SEARCH_SERVER ? test : test.skip;

/** Which server the suite runs against, for test names. */
export const SERVER_KIND = REAL_SERVER ? "real valkey-search" : "stand-in";

export interface SearchTarget {
  host: string;
  port: number;
  /** Present when the target is the stand-in (fault switches, stats). */
  standIn?: SearchServer;
  /** Present when the target is a real server this process started. */
  real?: ValkeyServer;
  stop(): Promise<void>;
}

export async function searchTarget(opts: SearchServerOptions = {}): Promise<SearchTarget> {
  if (REAL_URL !== undefined) {
    const u = new URL(REAL_URL);
    return { host: u.hostname, port: Number(u.port || 6379), stop: async () => {} };
  }
  if (REAL_SEARCH_SERVER) {
    const r = await startRealSearchServer();
    return { host: r.host, port: r.port, real: r, stop: () => r.stop() };
  }
  const s = await startSearchServer(opts);
  return { host: s.host, port: s.port, standIn: s, stop: () => s.stop() };
}

/** One primary of a search cluster, in slot order (the first owns slot 0). */
export interface ShardTarget {
  host: string;
  port: number;
}

export interface SearchClusterTarget {
  shards: ShardTarget[];
  /** Present on the stand-in: exchange two shards' slot ranges at once. */
  standIn?: SearchCluster;
  /** Present on a real cluster: the nodes, for MIGRATE-based slot moves (test/support/cluster-ops.ts). */
  real?: ValkeyCluster;
  stop(): Promise<void>;
}

/** A cluster of `shards` primaries: real (module with its coordinator) or the stand-in. */
export async function searchClusterTarget(shards: number): Promise<SearchClusterTarget> {
  if (REAL_SEARCH_SERVER) {
    const c = await startRealSearchCluster(shards);
    // Slot order, so tests can address "the shard that owns slot 0".
    const owners = await Promise.all(
      c.nodes.map(async (n) => {
        const slots = (await call(n, "CLUSTER", "SHARDS")) as unknown;
        return { n, first: firstSlotOf(slots, n.port) };
      }),
    );
    owners.sort((a, b) => a.first - b.first);
    return { shards: owners.map((o) => ({ host: o.n.host, port: o.n.port })), real: c, stop: () => c.stop() };
  }
  const s = await startSearchCluster({ shards });
  return { shards: s.servers.map((x) => ({ host: x.host, port: x.port })), standIn: s, stop: () => s.stop() };
}

/** The first slot the node on `port` owns, from a CLUSTER SHARDS reply. */
function firstSlotOf(shards: unknown, port: number): number {
  if (!Array.isArray(shards)) return Infinity;
  for (const shard of shards) {
    if (!Array.isArray(shard)) continue;
    const slots = shard[shard.indexOf("slots") + 1] as unknown[];
    const nodes = shard[shard.indexOf("nodes") + 1] as unknown[][];
    if (nodes.some((node) => Array.isArray(node) && Number(node[node.indexOf("port") + 1]) === port)) {
      return Array.isArray(slots) && slots.length > 0 ? Number(slots[0]) : Infinity;
    }
  }
  return Infinity;
}

let counter = 0;
/** An index name and key prefix no other test (or earlier run on a shared real server) uses. */
export function uniqueNames(): { index: string; prefix: string; args: string[] } {
  counter++;
  const tag = `${process.pid}_${counter}`;
  const index = `e2e_${tag}`;
  const prefix = `e2e${tag}:`;
  return { index, prefix, args: ["--search-index", index, "--search-prefix", prefix] };
}

const CONN: ConnectionConfig = { endpoints: [], dbnum: 0, resp3: false, connectTimeoutMs: 2000, requestTimeoutMs: 10000, enableTracking: false };

/** Sends one command on a fresh connection and returns the decoded reply. */
export async function call(t: { host: string; port: number }, ...args: string[]): Promise<RespValue> {
  const c = await ControlClient.connect({ kind: "tcp", host: t.host, port: t.port }, CONN, { select: false });
  try {
    return await c.call(args);
  } finally {
    c.close();
  }
}

/** Keys under `prefix` on one node (full SCAN). */
export async function countKeys(t: { host: string; port: number }, prefix: string): Promise<number> {
  const c = await ControlClient.connect({ kind: "tcp", host: t.host, port: t.port }, CONN, { select: false });
  try {
    let cursor = "0";
    let n = 0;
    do {
      const r = (await c.callOk(["SCAN", cursor, "MATCH", `${prefix}*`, "COUNT", "1000"])) as [string, string[]];
      cursor = String(r[0]);
      n += r[1].length;
    } while (cursor !== "0");
    return n;
  } finally {
    c.close();
  }
}

/** num_docs from FT.INFO (a number, or undefined when the index does not exist). */
export async function numDocs(t: { host: string; port: number }, index: string): Promise<number | undefined> {
  const r = await call(t, "FT.INFO", index);
  if (!Array.isArray(r)) return undefined;
  const i = r.indexOf("num_docs");
  return i < 0 ? undefined : Number(r[i + 1]);
}

export interface Datasets {
  dir: string;
  /** 500 vectors, dim 8, 20 queries, 10 neighbours, L2. */
  plain: string;
  /** The same with tags red (p 0.5) and blue (p 0.3), every query filtered on one of them. */
  tagged: string;
  remove(): void;
}

export async function makeDatasets(): Promise<Datasets> {
  const dir = mkdtempSync(join(tmpdir(), "vsb-e2e-vec-"));
  const common: Omit<GenerateOptions, "path"> = { dim: 8, numVectors: 500, numQueries: 20, k: 10, metric: "L2", seed: 7, workers: 1 };
  const plain = join(dir, "plain.bin");
  const tagged = join(dir, "tagged.bin");
  await generateDataset({ ...common, path: plain });
  await generateDataset({ ...common, path: tagged, tags: [{ name: "red", probability: 0.5 }, { name: "blue", probability: 0.3 }] });
  return { dir, plain, tagged, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
