// INFO snapshots: parsing what a real valkey-server prints, the one-call and per-section ways
// of asking, and servers that refuse sections (managed services) or lack the search module.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { parseInfoText, takeSnapshot, type InfoSource } from "../../src/metrics/server-snapshot.ts";
import { ControlClient } from "../../src/net/control-client.ts";
import { RespError, type RespValue } from "../../src/resp/types.ts";
import { parseCli } from "../../src/cli/parse-cli.ts";
import { startSearchServer } from "../support/search-server.ts";
import { startValkey, type ValkeyServer } from "../support/valkey.ts";

let server: ValkeyServer;

beforeAll(async () => {
  server = await startValkey();
  await server.cli("SET", "k1", "v");
  await server.cli("SET", "k2", "v");
  await server.cli("GET", "k1");
  await server.cli("GET", "missing");
});
afterAll(() => server.stop());

const node = () => ({ address: `127.0.0.1:${server.port}`, role: "primary" as const });

describe("parseInfoText on a real valkey-server's INFO", () => {
  test("commandstats lines become per-command counters named as the server names them", async () => {
    const text = await server.cli("INFO", "commandstats");
    const parsed = parseInfoText(text);
    expect(parsed.commands.set).toMatchObject({ calls: 2, failedCalls: 0, rejectedCalls: 0 });
    expect(parsed.commands.get!.calls).toBe(2);
    expect(parsed.commands.set!.usec).toBeGreaterThanOrEqual(0);
    expect(parsed.sections).toContain("commandstats");
  });

  test("stats, memory and clients fields are numbers; keyspace keys are summed over databases", async () => {
    const parsed = parseInfoText(await server.cli("INFO", "stats", "memory", "clients", "keyspace"));
    expect(parsed.fields.keyspace_hits).toBe(1);
    expect(parsed.fields.keyspace_misses).toBe(1);
    expect(parsed.fields.used_memory).toBeGreaterThan(0);
    expect(parsed.fields.connected_clients).toBeGreaterThanOrEqual(1);
    expect(parsed.keys).toBe(2);
    // Text fields (used_memory_human, maxmemory_policy) are not numbers and are left out.
    expect(parsed.fields.used_memory_human).toBeUndefined();
    expect(parsed.fields.maxmemory_policy).toBeUndefined();
  });

  test("valkey-search fields: numbers, and percentile lists as maps", () => {
    const parsed = parseInfoText(
      "# search_memory\r\nsearch_used_memory_bytes:2048\r\nsearch_used_memory_human:2.00K\r\n" +
        "# search_query\r\nsearch_successful_requests_count:7\r\n" +
        "# search_latency\r\nsearch_hnsw_vector_index_search_latency_usec:p50=10.5,p99=20,p99.9=30\r\n" +
        "# search_ingestion\r\nsearch_background_indexing_status:NO_ACTIVITY\r\n",
    );
    expect(parsed.search).toEqual({ search_used_memory_bytes: 2048, search_successful_requests_count: 7 });
    expect(parsed.searchPercentiles).toEqual({ search_hnsw_vector_index_search_latency_usec: { p50: 10.5, p99: 20, "p99.9": 30 } });
  });

  test("empty or garbled text parses to nothing, without throwing", () => {
    expect(parseInfoText("")).toEqual({ fields: {}, commands: {}, keys: 0, search: {}, searchPercentiles: {}, sections: [] });
    expect(parseInfoText("no colon here\nx:\ncmdstat_set:calls=oops").commands.set).toEqual({ calls: 0, usec: 0, failedCalls: 0, rejectedCalls: 0 });
  });
});

describe("takeSnapshot", () => {
  test("reads every section in one INFO call; a server without the search module has no search fields", async () => {
    const parsed = await parseCli(["-p", String(server.port)]);
    if (parsed.kind !== "bench") throw new Error("expected a bench configuration");
    const client = await ControlClient.connect({ kind: "tcp", host: "127.0.0.1", port: server.port }, parsed.config.connection, { select: false });
    try {
      const before = (await server.commandstats()).info?.calls ?? 0;
      const snap = await takeSnapshot(client, node(), 5_000);
      expect(snap.hasCommandstats).toBe(true);
      expect(snap.commands.set!.calls).toBe(2);
      expect(snap.fields.used_memory).toBeGreaterThan(0);
      expect(snap.search).toEqual({});
      expect(snap.infoCallsBeforeCommandstats).toBe(0);
      expect(snap.infoCallsAfterCommandstats).toBe(1);
      // valkey-cli's own INFO call is counted too, hence + 2.
      expect((await server.commandstats()).info!.calls).toBe(before + 2);
    } finally {
      client.close();
    }
  });

  test("a server with valkey-search adds its INFO SEARCH counters and latency percentiles", async () => {
    const search = await startSearchServer();
    const parsed = await parseCli(["-p", String(search.port)]);
    if (parsed.kind !== "bench") throw new Error("expected a bench configuration");
    const client = await ControlClient.connect({ kind: "tcp", host: "127.0.0.1", port: search.port }, parsed.config.connection, { select: false });
    try {
      const snap = await takeSnapshot(client, { address: `127.0.0.1:${search.port}`, role: "primary" }, 5_000);
      expect(snap.search.search_successful_requests_count).toBe(0);
      expect(snap.search.search_total_indexed_documents).toBe(0);
      expect(snap.search.search_query_queue_size).toBe(0);
      expect(snap.searchPercentiles.search_hnsw_vector_index_search_latency_usec).toEqual({ p50: 120, p99: 450, "p99.9": 900 });
      expect(snap.search.search_background_indexing_status).toBeUndefined();
    } finally {
      client.close();
      await search.stop();
    }
  });

  test("a server that refuses several sections at once is asked one section at a time, refused sections absent", async () => {
    const calls: string[][] = [];
    const source: InfoSource = {
      async call(args): Promise<RespValue> {
        calls.push([...args]);
        if (args.length > 2) return new RespError("ERR syntax error");
        if (args[1] === "commandstats") return new RespError("NOPERM this user has no permissions to run the 'info' command");
        if (args[1] === "stats") return "# Stats\r\nkeyspace_hits:5\r\nkeyspace_misses:1\r\n";
        return "";
      },
    };
    const snap = await takeSnapshot(source, node(), 1_000);
    expect(calls[0]!.length).toBeGreaterThan(2);
    expect(calls.slice(1).map((c) => c[1])).toEqual(["stats", "memory", "clients", "keyspace", "search", "commandstats"]);
    expect(snap.hasCommandstats).toBe(false);
    expect(snap.fields).toEqual({ keyspace_hits: 5, keyspace_misses: 1 });
    // The combined call and the five section calls ran before the commandstats reading.
    expect(snap.infoCallsBeforeCommandstats).toBe(6);
  });

  test("a node that does not answer rejects (the caller leaves it out)", async () => {
    const source: InfoSource = { call: () => Promise.reject(new Error("connection to 127.0.0.1:1 closed")) };
    await expect(takeSnapshot(source, node(), 1_000)).rejects.toThrow("closed");
  });
});
