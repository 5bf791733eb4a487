// Shared pieces of the vector search end-to-end tests: the server they run against (the search
// stand-in, or a real server with the module when VSB_TEST_SEARCH_URL=valkey://host:port is set),
// names no other test uses, small generated datasets, and a control connection for assertions.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "bun:test";
import type { ConnectionConfig } from "../../src/config/types.ts";
import { generateDataset, type GenerateOptions } from "../../src/dataset/generate.ts";
import { ControlClient } from "../../src/net/control-client.ts";
import type { RespValue } from "../../src/resp/types.ts";
import { startSearchServer, type SearchServer, type SearchServerOptions } from "../support/search-server.ts";

/** Set to run the suite against a real server with the search module instead of the stand-in. */
export const REAL_URL = process.env.VSB_TEST_SEARCH_URL;

/** Tests that need the stand-in's fault switches or approximate mode: skipped against a real server. */
export const standInTest = REAL_URL === undefined ? test : test.skip;

export interface SearchTarget {
  host: string;
  port: number;
  /** Present when the target is the stand-in (fault switches, stats). */
  standIn?: SearchServer;
  stop(): Promise<void>;
}

export async function searchTarget(opts: SearchServerOptions = {}): Promise<SearchTarget> {
  if (REAL_URL !== undefined) {
    const u = new URL(REAL_URL);
    return { host: u.hostname, port: Number(u.port || 6379), stop: async () => {} };
  }
  const s = await startSearchServer(opts);
  return { host: s.host, port: s.port, standIn: s, stop: () => s.stop() };
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
