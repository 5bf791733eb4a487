import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { checkCapabilities, decidePlatform, detectPlatform } from "../../src/search/platform.ts";
import { ControlClient } from "../../src/net/control-client.ts";
import type { ConnectionConfig } from "../../src/config/types.ts";
import { startSearchServer, type SearchServer } from "../support/search-server.ts";
import { startValkey, type ValkeyServer } from "../support/valkey.ts";

const VALKEY_INFO = "# Server\r\nredis_version:7.2.4\r\nserver_name:valkey\r\nvalkey_version:8.1.1\r\n";
const REDIS_INFO = "# Server\r\nredis_version:7.4.0\r\n";
const searchModule = (ver: number) => [["name", "search", "ver", ver, "path", "/x.so", "args", []]];

describe("the platform is decided from MODULE LIST, INFO and the endpoint", () => {
  test("valkey-search: module 'search' on a server reporting valkey_version", () => {
    const p = decidePlatform({ host: "127.0.0.1:6379", moduleList: searchModule(10003), info: VALKEY_INFO, infoSearch: "" });
    expect(p.engine).toBe("valkey-search");
    expect(p.moduleVersion).toBe(10003);
    expect(p.source).toContain("valkey_version 8.1.1");
  });

  test("RediSearch: module 'search' 2.x on Redis", () => {
    expect(decidePlatform({ host: "10.0.0.1:6379", moduleList: searchModule(20811), info: REDIS_INFO, infoSearch: "" }).engine).toBe("redisearch");
  });

  test("managed services are recognised from the endpoint when MODULE LIST is refused", () => {
    const infoSearch = "# search_index_stats\r\nsearch_number_of_indexes:0\r\n";
    const serverless = decidePlatform({ host: "mycache-abc123.serverless.use1.cache.amazonaws.com:6379", info: VALKEY_INFO, infoSearch });
    expect(serverless.engine).toBe("elasticache-serverless");
    const memorydb = decidePlatform({ host: "clustercfg.mydb.abc123.memorydb.us-east-1.amazonaws.com:6379", info: VALKEY_INFO, infoSearch });
    expect(memorydb.engine).toBe("memorydb");
  });

  test("no search module is a one-line error saying how to fix it", () => {
    expect(() => decidePlatform({ host: "127.0.0.1:6379", moduleList: [], info: VALKEY_INFO, infoSearch: "" })).toThrow(
      "search module not loaded on 127.0.0.1:6379: FT.CREATE unavailable; load valkey-search or point -h at a server with it",
    );
  });

  test("--engine overrides detection, even without evidence", () => {
    const p = decidePlatform({ host: "127.0.0.1:6379", moduleList: [], info: VALKEY_INFO, infoSearch: "" }, "memorydb");
    expect(p.engine).toBe("memorydb");
    expect(p.source).toBe("--engine");
  });
});

describe("capabilities are checked before the run", () => {
  const p = decidePlatform({ host: "h:1", moduleList: searchModule(10003), info: VALKEY_INFO, infoSearch: "" });
  const ok = { dim: 128, k: 10, metric: "L2" as const, algorithm: "HNSW" as const };
  test("a run inside the limits passes", () => {
    expect(() => checkCapabilities(p, ok)).not.toThrow();
  });
  test("DIM above valkey-search's limit fails naming the limit", () => {
    expect(() => checkCapabilities(p, { ...ok, dim: 40000 })).toThrow("vector dimension 40000 is above the maximum 32767 on valkey-search");
  });
  test("EF_RUNTIME above 4096 fails naming the flag", () => {
    expect(() => checkCapabilities(p, { ...ok, efSearch: 5000 })).toThrow("--ef-search 5000 is above the maximum 4096");
  });
});

const conn: ConnectionConfig = { endpoints: [], dbnum: 0, resp3: false, connectTimeoutMs: 2000, requestTimeoutMs: 5000, enableTracking: false };

describe("detection against servers", () => {
  let standIn: SearchServer;
  let plain: ValkeyServer;
  beforeAll(async () => {
    standIn = await startSearchServer();
    plain = await startValkey();
  });
  afterAll(async () => {
    await standIn.stop();
    await plain.stop();
  });

  test("the search stand-in is detected as valkey-search 1.0.3", async () => {
    const c = await ControlClient.connect({ kind: "tcp", host: "127.0.0.1", port: standIn.port }, conn);
    try {
      const p = await detectPlatform(c);
      expect(p.engine).toBe("valkey-search");
      expect(p.moduleVersion).toBe(10003);
    } finally {
      c.close();
    }
  });

  test("a plain valkey-server is refused with the module error", async () => {
    const c = await ControlClient.connect({ kind: "tcp", host: "127.0.0.1", port: plain.port }, conn);
    try {
      await expect(detectPlatform(c)).rejects.toThrow(`search module not loaded on 127.0.0.1:${plain.port}`);
    } finally {
      c.close();
    }
  });
});
