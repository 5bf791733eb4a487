// vec-load in cluster mode against three shards (the stand-in, or a real valkey-search cluster
// with VSB_SEARCH_SERVER_DIR): connections pinned to each shard write
// keys tagged into their own node's slots (no MOVED), and FT.SEARCH (fanned out by the
// coordinator) finds them all with recall 1.0.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ConnectionWorkload, NodeAssignment, WorkerWorkload } from "../../src/engine/workload-api.ts";
import { WORKLOADS } from "../../src/workloads/index.ts";
import { generateDataset } from "../../src/dataset/tools/generate.ts";
import { createVecLoadWorkload } from "../../src/search/vec-load-workload.ts";
import { createVecQueryWorkload, type VecQuerySummary } from "../../src/search/vec-query-workload.ts";
import type { VecLoadParams, VecQueryParams } from "../../src/search/workload-params.ts";
import { numDocs, searchClusterTarget, type SearchClusterTarget } from "./e2e-target.ts";
import { RawClient } from "../support/search-server/raw-client.ts";
import { context } from "./workload-fixtures.ts";

const N = 200;
const DIM = 6;
const QUERIES = 10;
const K = 5;

let dir: string;
let path: string;
let cluster: SearchClusterTarget;
let clients: RawClient[];
let nodes: NodeAssignment[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "vsb-cluster-"));
  path = join(dir, "gen.bin");
  await generateDataset({ path, dim: DIM, numVectors: N, numQueries: QUERIES, k: K, metric: "L2", seed: 9, workers: 1 });
  cluster = await searchClusterTarget(3);
  clients = await Promise.all(cluster.shards.map((s) => RawClient.connect(s.port)));
  // valkey-cli --cluster create (and the stand-in) split slots 0-5460, 5461-10922, 10923-16383;
  // shards come in slot order.
  const ranges = [[0, 5460], [5461, 10922], [10923, 16383]] as const;
  nodes = cluster.shards.map((s, i) => {
    const [first, last] = ranges[i]!;
    const slots = Uint16Array.from({ length: last - first + 1 }, (_, j) => first + j);
    return { address: `127.0.0.1:${s.port}`, host: "127.0.0.1", port: s.port, role: "primary", slots };
  });
  const created = await clients[0]!.send("FT.CREATE", "idx", "ON", "HASH", "PREFIX", "1", "vec:", "SCHEMA",
    "v", "VECTOR", "FLAT", "6", "TYPE", "FLOAT32", "DIM", String(DIM), "DISTANCE_METRIC", "L2");
  expect(created.toString()).toBe("+OK\r\n");
});

afterAll(async () => {
  for (const c of clients ?? []) c.close();
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function sendBatch(conn: ConnectionWorkload, buffer: Uint8Array, client: RawClient, units: number, first: number): Promise<string[]> {
  const bytes = conn.patch(buffer, units, first);
  const replies = Array.from({ length: units }, () => client.next());
  client.writeRaw(buffer.slice(0, bytes));
  const got = await Promise.all(replies);
  const all = Buffer.concat(got);
  expect(conn.scanner.feed(all, 0, all.length)).toBe(units);
  return got.map((r) => r.toString("latin1"));
}

/** Until each shard's num_docs equals its DBSIZE (10 s at most; the test fails after). */
async function waitForShardIndexes(): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ready = await Promise.all(
      cluster.shards.map(async (shard, i) => {
        const docs = await numDocs(shard, "idx");
        const keys = Number((await clients[i]!.send("DBSIZE")).toString().slice(1));
        return docs !== undefined && docs === keys;
      }),
    );
    if (ready.every(Boolean) || Date.now() > deadline) return;
    await Bun.sleep(50);
  }
}

describe("vector workloads on a 3-shard cluster", () => {
  test("each connection's keys land on its own node: no MOVED, every vector stored once", async () => {
    const p: VecLoadParams = { prefix: "vec:", clusterTags: true, vectorField: "v", dim: DIM, dataset: { path, vectorOffset: 0, numVectors: 0 } };
    const w = createVecLoadWorkload(p, context()) as WorkerWorkload;
    const conns = nodes.map((node, i) => w.forConnection(i, node));
    const buffers = conns.map((c) => c.allocate!(10));
    // Batches of 10 go round-robin over the three connections, as claims would.
    for (let b = 0; b * 10 < N; b++) {
      const j = b % 3;
      const replies = await sendBatch(conns[j]!, buffers[j]!, clients[j]!, 10, b * 10);
      for (const r of replies) expect(r).toBe(":1\r\n");
    }
    w.close?.();
    const sizes = await Promise.all(clients.map(async (c) => Number((await c.send("DBSIZE")).toString().slice(1))));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(N);
    for (const s of sizes) expect(s).toBeGreaterThan(0);
  });

  test("queries through any node score recall 1.0 on the tagged keys", async () => {
    const p: VecQueryParams = {
      prefix: "vec:", clusterTags: true, vectorField: "v", dataset: { path, vectorOffset: 0, numVectors: 0 }, indexName: "idx", dim: DIM, k: K,
      nocontent: true, returnFields: [], withScores: false, filter: "*", filterFromDataset: false, distance: "L2",
    };
    // A real coordinator creates the index on the other shards and indexes their keys
    // asynchronously: wait until every shard's index holds all of its keys (FT.INFO is per shard).
    await waitForShardIndexes();
    const w = createVecQueryWorkload(p, context()) as WorkerWorkload;
    const conn = w.forConnection(0, nodes[1]!);
    await sendBatch(conn, conn.allocate!(QUERIES), clients[1]!, QUERIES, 0);
    const s = WORKLOADS.mergeExtras("vec-query", [w.extra!()]) as VecQuerySummary;
    expect(s.queries).toBe(QUERIES);
    expect(s.mean).toBe(1);
    w.close?.();
  });
});
