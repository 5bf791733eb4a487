// INFO readings: what a real valkey-server prints, the one-call and per-section ways of asking,
// servers that refuse sections (managed services) or lack the search module, and the count of
// our own commands that metric evaluation takes out of the server's counters.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { parseCli } from "../../src/cli/parse-cli.ts";
import { DEFAULT_SECTIONS } from "../../src/metrics/default-metrics.ts";
import { fieldsOf, infoNumber, parseInfoSections, subField, subFields } from "../../src/metrics/info-text.ts";
import { parseMetricDef } from "../../src/metrics/metric-def.ts";
import { evaluateMetric } from "../../src/metrics/metric-eval.ts";
import { commandstatsName, CountingSource, takeReading, type InfoSource } from "../../src/metrics/node-reading.ts";
import { ControlClient } from "../../src/net/control-client.ts";
import { RespError, type RespValue } from "../../src/resp/types.ts";
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

async function connect(port: number): Promise<ControlClient> {
  const parsed = await parseCli(["-p", String(port)]);
  if (parsed.kind !== "bench") throw new Error("expected a bench configuration");
  return ControlClient.connect({ kind: "tcp", host: "127.0.0.1", port }, parsed.config.connection, { select: false });
}

describe("INFO text", () => {
  test("a real server's sections and fields; numbers in every form INFO uses", async () => {
    const info = parseInfoSections(await server.cli("INFO", "stats", "memory", "keyspace", "commandstats"));
    expect([...info.keys()].sort()).toEqual(["commandstats", "keyspace", "memory", "stats"]);
    const memory = new Map(fieldsOf(info, "memory"));
    expect(infoNumber(memory.get("used_memory")!)).toBeGreaterThan(0);
    // used_memory_human is a memory string in binary units: it reads as bytes.
    const human = infoNumber(memory.get("used_memory_human")!)!;
    expect(Math.abs(human - infoNumber(memory.get("used_memory")!)!) / human).toBeLessThan(0.01);
    expect(infoNumber(memory.get("maxmemory_policy")!)).toBeUndefined();
    const commands = new Map(fieldsOf(info, "commandstats"));
    expect(subField(commands.get("cmdstat_set")!, "calls")).toBe("2");
    expect(subFields(new Map(fieldsOf(info, "keyspace")).get("db0")!)).toMatchObject({ keys: 2 });
    expect([infoNumber("1.5G"), infoNumber("512M"), infoNumber("10K"), infoNumber("2kb"), infoNumber("12.5%"), infoNumber("1e3"), infoNumber("-3")]).toEqual([1.5 * 2 ** 30, 512 * 2 ** 20, 10240, 2048, 12.5, 1000, -3]);
  });

  test("module sections belong to the module's section name; garbled text parses to what it can", () => {
    const info = parseInfoSections("# search_memory\r\nsearch_used_memory_bytes:2048\r\n# search_query\r\nsearch_successful_requests_count:7\r\nno colon\r\nx:\r\n");
    expect([...fieldsOf(info, "search")].map(([k]) => k)).toEqual(["search_used_memory_bytes", "search_successful_requests_count", "x"]);
    expect(parseInfoSections("").size).toBe(0);
  });

  test("commandstats names: lower case, container commands per subcommand", () => {
    expect([commandstatsName(["INFO", "stats"]), commandstatsName(["FT.INFO", "idx"]), commandstatsName(["CONFIG", "SET", "hz", "10"]), commandstatsName([])]).toEqual(["info", "ft.info", "config|set", undefined]);
  });
});

describe("takeReading", () => {
  test("one INFO call for every section; our own calls are counted and taken out of the server's counters", async () => {
    const client = await connect(server.port);
    try {
      const source = new CountingSource(client);
      const before = await takeReading(source, node(), DEFAULT_SECTIONS, 5_000);
      await server.cli("SET", "k3", "v");
      const after = await takeReading(source, node(), DEFAULT_SECTIONS, 5_000);
      expect(source.sent).toEqual({ info: 2 });
      expect(before.ownCalls).toEqual({});
      expect(after.ownCalls).toEqual({ info: 1 });
      const pairs = [{ before, after }];
      const set = evaluateMetric(parseMetricDef("commandstats:cmdstat_set:calls:sum:delta"), pairs);
      expect(set.series[0]!.aggregate).toBe(1);
      // valkey-cli's SET and its own connection's commands count; our INFO does not.
      const info = evaluateMetric(parseMetricDef("commandstats:cmdstat_info:calls:sum:delta"), pairs);
      expect(info.series[0]!.aggregate).toBe(0);
      expect(after.info.has("search")).toBe(false);
    } finally {
      client.close();
    }
  });

  test("a server with valkey-search (stand-in) adds its INFO SEARCH counters and latency percentiles", async () => {
    const search = await startSearchServer();
    const client = await connect(search.port);
    try {
      const r = await takeReading(new CountingSource(client), { address: `127.0.0.1:${search.port}`, role: "primary" }, DEFAULT_SECTIONS, 5_000);
      const fields = new Map(fieldsOf(r.info, "search"));
      expect(fields.get("search_successful_requests_count")).toBe("0");
      expect(subFields(fields.get("search_hnsw_vector_index_search_latency_usec")!)).toEqual({ p50: 120, p99: 450, "p99.9": 900 });
    } finally {
      client.close();
      await search.stop();
    }
  });

  test("a server that refuses several sections at once is asked one section at a time, refused sections absent", async () => {
    const calls: string[][] = [];
    const source: InfoSource = {
      async call(args: readonly string[]): Promise<RespValue> {
        calls.push([...args]);
        if (args.length > 2) return new RespError("ERR syntax error");
        if (args[1] === "commandstats") return new RespError("NOPERM this user has no permissions to run the 'info' command");
        if (args[1] === "stats") return "# Stats\r\nkeyspace_hits:5\r\nkeyspace_misses:1\r\n";
        return "";
      },
    };
    const counting = new CountingSource(source);
    const r = await takeReading(counting, node(), DEFAULT_SECTIONS, 1_000);
    expect(calls[0]!.length).toBeGreaterThan(2);
    expect(calls.slice(1).map((c) => c[1])).toEqual([...DEFAULT_SECTIONS]);
    expect([...r.info.keys()]).toEqual(["stats"]);
    expect(counting.sent.info).toBe(7);
    // The last section call is the reading itself; the six before it already ran.
    expect(r.ownCalls.info).toBe(6);
  });

  test("a node that does not answer rejects (the caller leaves it out)", async () => {
    const source: InfoSource = { call: () => Promise.reject(new Error("connection to 127.0.0.1:1 closed")) };
    await expect(takeReading(new CountingSource(source), node(), DEFAULT_SECTIONS, 1_000)).rejects.toThrow("closed");
  });
});
