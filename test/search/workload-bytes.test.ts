// The vector workloads' bytes against the search stand-in (exact KNN), or the real valkey-search
// when VSB_SEARCH_SERVER_DIR is set (e2e-target.ts): what vec-load writes is
// indexed, vec-query's filtered and unfiltered queries score recall 1.0, and recall stays 1.0
// after vec-delete. The engine is not involved: each batch is written raw and its replies fed
// to the workload's own scanner, as the engine does.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ConnectionWorkload, WorkerWorkload } from "../../src/engine/workload-api.ts";
import { WORKLOADS } from "../../src/workloads/index.ts";
import { generateDataset } from "../../src/dataset/tools/generate.ts";
import { createVecDeleteWorkload } from "../../src/search/vec-delete-workload.ts";
import { createVecLoadWorkload, type VectorWriteExtra } from "../../src/search/vec-load-workload.ts";
import { createVecQueryWorkload, type VecQuerySummary } from "../../src/search/vec-query-workload.ts";
import type { VecDeleteParams, VecLoadParams, VecQueryParams } from "../../src/search/workload-params.ts";
import { SERVER_KIND, searchTarget, type SearchTarget } from "./e2e-target.ts";
import { RawClient } from "../support/search-server/raw-client.ts";
import { context, standaloneNode } from "./workload-fixtures.ts";

const N = 300;
const DIM = 8;
const QUERIES = 20;
const K = 10;

let dir: string;
let path: string;
let server: SearchTarget;
let client: RawClient;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "vsb-standin-"));
  path = join(dir, "gen.bin");
  await generateDataset({
    path, dim: DIM, numVectors: N, numQueries: QUERIES, k: K, metric: "L2", seed: 5, workers: 1,
    tags: [{ name: "red", probability: 0.5 }], filteredQueryFraction: 0.5,
  });
  server = await searchTarget();
  client = await RawClient.connect(server.port);
  const created = await client.send("FT.CREATE", "idx", "ON", "HASH", "PREFIX", "1", "vec:", "SCHEMA",
    "v", "VECTOR", "FLAT", "6", "TYPE", "FLOAT32", "DIM", String(DIM), "DISTANCE_METRIC", "L2", "tags", "TAG", "n", "NUMERIC");
  expect(created.toString()).toBe("+OK\r\n");
});

afterAll(async () => {
  client?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const dataset = () => ({ path, vectorOffset: 0, numVectors: 0 });

/** Sends `total` requests in batches of `pipeline` and feeds every reply to the scanner. */
async function run(conn: ConnectionWorkload, total: number, pipeline: number): Promise<void> {
  const buffer = conn.allocate ? conn.allocate(pipeline) : new Uint8Array(0);
  let fixed = buffer;
  if (!conn.allocate) {
    fixed = new Uint8Array(conn.unit.bytes.length * pipeline);
    for (let u = 0; u < pipeline; u++) fixed.set(conn.unit.bytes, u * conn.unit.bytes.length);
  }
  for (let first = 0; first < total; first += pipeline) {
    const units = Math.min(pipeline, total - first);
    const bytes = conn.patch(fixed, units, first);
    const replies = Array.from({ length: units }, () => client.next());
    client.writeRaw(fixed.slice(0, bytes));
    const all = Buffer.concat(await Promise.all(replies));
    expect(conn.scanner.feed(all, 0, all.length)).toBe(units);
  }
}

async function queryRecall(filterFromDataset = true): Promise<VecQuerySummary> {
  const p: VecQueryParams = {
    prefix: "vec:", clusterTags: false, vectorField: "v", dataset: dataset(), indexName: "idx", dim: DIM, k: K,
    nocontent: true, returnFields: [], withScores: false, filter: "*", filterFromDataset, tagField: "tags", distance: "L2",
  };
  const w = createVecQueryWorkload(p, context()) as WorkerWorkload;
  await run(w.forConnection(0, standaloneNode()), QUERIES, 8);
  const s = WORKLOADS.mergeExtras("vec-query", [w.extra!()]) as VecQuerySummary;
  w.close?.();
  return s;
}

describe(`vector workloads against the ${SERVER_KIND}`, () => {
  test("vec-load writes every vector once, with tags and the numeric id, and all are indexed", async () => {
    const p: VecLoadParams = { prefix: "vec:", clusterTags: false, vectorField: "v", tagField: "tags", numericFields: ["n"], dim: DIM, dataset: dataset() };
    const w = createVecLoadWorkload(p, context()) as WorkerWorkload;
    await run(w.forConnection(0, standaloneNode()), N, 32);
    expect((w.extra!() as VectorWriteExtra).vectorsWritten).toBe(N);
    w.close?.();
    expect((await client.send("DBSIZE")).toString()).toBe(`:${N}\r\n`);
    // The numeric field is the id: a range filter selects exactly those ids.
    const blob = Buffer.alloc(DIM * 4);
    const r = await client.send("FT.SEARCH", "idx", "@n:[10 (15]=>[KNN 50 @v $B]", "PARAMS", "2", "B", blob, "NOCONTENT", "LIMIT", "0", "50", "DIALECT", "2");
    expect(r.toString().startsWith("*6\r\n:5\r\n")).toBe(true);
  });

  test("vec-query scores recall 1.0 against exact KNN, filtered queries included", async () => {
    const s = await queryRecall();
    expect(s.queries).toBe(QUERIES);
    expect(s.mean).toBe(1);
    expect(s.errorReplies).toBe(0);
    // The filters matter: sent without them, the filtered queries' neighbours differ.
    expect((await queryRecall(false)).mean).toBeLessThan(1);
  });

  test("after vec-delete removes unprotected ids, recall is still 1.0", async () => {
    const p: VecDeleteParams = { prefix: "vec:", clusterTags: false, vectorField: "v", dataset: dataset(), protectedIdsCount: 0 };
    const w = createVecDeleteWorkload(p, context()) as WorkerWorkload;
    await run(w.forConnection(0, standaloneNode()), 100, 16);
    w.close?.();
    expect((await client.send("DBSIZE")).toString()).toBe(`:${N - 100}\r\n`);
    const s = await queryRecall();
    expect(s.mean).toBe(1);
  });
});
