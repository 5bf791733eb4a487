// Small datasets and helpers for driving the vector ConnectionWorkloads without a server.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BenchConfig } from "../../src/config/types.ts";
import type { NodeAssignment, WorkerContext } from "../../src/engine/workload-api.ts";
import type { DatasetNumericRange } from "../../src/dataset/index.ts";
import { LegacyDatasetWriter } from "../../src/dataset/formats/legacy-writer.ts";
import { NEED_MORE, RespDecoder } from "../../src/resp/decode.ts";
import type { RespValue } from "../../src/resp/types.ts";
import { WORKLOADS } from "../../src/workloads/index.ts";

export const DIM = 4;
export const NUM_VECTORS = 40;
export const NUM_QUERIES = 5;
export const GT_K = 3;

/** Vector i: [i, i + 0.5, -i, 1] (every component distinct per vector). */
export function vectorOf(i: number): Float32Array {
  return Float32Array.from([i, i + 0.5, -i, 1]);
}

export function queryOf(q: number): Float32Array {
  return Float32Array.from([q + 0.25, q, 7, -q]);
}

/** Ground truth of query q: ids 3q, 3q + 1, 3q + 2 (arbitrary but fixed). */
export function groundTruthOf(q: number): number[] {
  return [3 * q, 3 * q + 1, 3 * q + 2];
}

export function tagsOf(i: number): string[] {
  const t: string[] = [];
  if (i % 2 === 0) t.push("even");
  if (i % 3 === 0) t.push("three");
  return t;
}

export function queryTagsOf(q: number): string[] {
  return q === 1 ? ["even"] : q === 2 ? ["even", "three"] : [];
}

/** Numeric attributes of vector i: price i * 0.1 (absent for vector 7) and year 1990 + i. */
export function numericOf(i: number, name: string): number | undefined {
  if (name === "price") return i === 7 ? undefined : Math.fround(i * 0.1);
  if (name === "year") return 1990 + i;
  return undefined;
}

/** Query ranges: q0 on price, q1 on year, q2 on both (exclusive and open ends), the rest none. */
export function queryRangesOf(q: number): DatasetNumericRange[] {
  const price: DatasetNumericRange = { field: "price", min: Math.fround(0.5), max: 2, minExclusive: false, maxExclusive: true };
  const year: DatasetNumericRange = { field: "year", min: 1995, max: Infinity, minExclusive: true, maxExclusive: false };
  return q === 0 ? [price] : q === 1 ? [year] : q === 2 ? [price, year] : [];
}

export interface Fixture {
  path: string;
  dispose(): void;
}

export function writeFixture(opts: { tags?: boolean; float16?: boolean; numeric?: boolean } = {}): Fixture {
  const dir = mkdtempSync(join(tmpdir(), "vsb-search-"));
  const path = join(dir, "fixture.bin");
  const w = new LegacyDatasetWriter({
    path,
    dim: DIM,
    dtype: opts.float16 ? "float16" : "float32",
    numVectors: NUM_VECTORS,
    numQueries: NUM_QUERIES,
    neighborsPerQuery: GT_K,
    metric: "L2",
  });
  const vectors = new Float32Array(NUM_VECTORS * DIM);
  for (let i = 0; i < NUM_VECTORS; i++) vectors.set(vectorOf(i), i * DIM);
  w.writeVectors(0, vectors);
  const queries = new Float32Array(NUM_QUERIES * DIM);
  for (let q = 0; q < NUM_QUERIES; q++) queries.set(queryOf(q), q * DIM);
  w.writeQueries(0, queries);
  const gt: number[] = [];
  for (let q = 0; q < NUM_QUERIES; q++) gt.push(...groundTruthOf(q));
  w.writeGroundTruth(0, gt);
  const numeric = opts.numeric ? { numericFields: ["price", "year"], vectorNumeric: numericOf, queryNumericRanges: queryRangesOf } : {};
  w.finish(opts.tags || opts.numeric ? { vectorTags: opts.tags ? tagsOf : () => [], queryFilter: opts.tags ? queryTagsOf : () => [], ...numeric } : undefined);
  return { path, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

export function context(seed = 1): WorkerContext {
  let sequence = 0;
  const kv = { keys: { set: "R", get: "R", minimum: 0, maximum: 999, median: 500, stddev: 167, zipfExponent: 0.99 }, valueSizes: { kind: "fixed", bytes: 3 } };
  return { config: { seed, ...kv } as BenchConfig, workerIndex: 0, workers: 1, nextSequence: () => sequence++, catalog: WORKLOADS };
}

export function standaloneNode(): NodeAssignment {
  return { address: "127.0.0.1:6379", host: "127.0.0.1", port: 6379, role: "primary", slots: new Uint16Array(0) };
}

export function clusterNode(first: number, last: number): NodeAssignment {
  const slots = new Uint16Array(last - first + 1);
  for (let i = 0; i < slots.length; i++) slots[i] = first + i;
  return { address: "127.0.0.1:7000", host: "127.0.0.1", port: 7000, role: "primary", slots };
}

/** Decodes a pipeline buffer into commands, each a list of binary arguments. */
export function decodeCommands(bytes: Uint8Array): Uint8Array[][] {
  const d = new RespDecoder({ binary: true });
  d.push(bytes);
  const out: Uint8Array[][] = [];
  for (;;) {
    const v: RespValue | typeof NEED_MORE = d.next();
    if (v === NEED_MORE) break;
    if (!Array.isArray(v)) throw new Error(`not a command: ${String(v)}`);
    out.push(v.map((a) => (a instanceof Uint8Array ? a : new TextEncoder().encode(String(a)))));
  }
  return out;
}

export function text(b: Uint8Array): string {
  return new TextDecoder().decode(b);
}

export function floatBytes(f: Float32Array): Uint8Array {
  return new Uint8Array(f.buffer, f.byteOffset, f.byteLength);
}

/** RESP bytes of a NOCONTENT FT.SEARCH reply listing `keys`. */
export function searchReply(keys: string[], total = keys.length): string {
  return `*${keys.length + 1}\r\n:${total}\r\n` + keys.map((k) => `$${k.length}\r\n${k}\r\n`).join("");
}
