import { describe, expect, test } from "bun:test";
import { expandSeeds, fetchClusterTopology, nodeAddress, resolveAll } from "../../src/cluster/discovery.ts";
import type { ConnectionConfig } from "../../src/config/types.ts";
import { NEED_MORE, RespDecoder } from "../../src/resp/decode.ts";
import { expectExit, runBench } from "../support/run-cli.ts";
import { startSearchCluster } from "../support/search-server.ts";

describe("seed expansion: a host name is followed by every address it resolves to", () => {
  test("localhost is tried by name first, then as 127.0.0.1", async () => {
    const seeds = await expandSeeds([{ host: "localhost", port: 7000 }]);
    expect(seeds[0]).toEqual({ host: "localhost", port: 7000 });
    expect(seeds.map((s) => nodeAddress(s.host, s.port))).toContain("127.0.0.1:7000");
  });

  test("IP seeds are kept as given and duplicates are dropped, in order", async () => {
    const seeds = await expandSeeds([
      { host: "127.0.0.1", port: 7000 },
      { host: "127.0.0.1", port: 7000 },
      { host: "::1", port: 7001 },
    ]);
    expect(seeds).toEqual([
      { host: "127.0.0.1", port: 7000 },
      { host: "::1", port: 7001 },
    ]);
  });

  test("a name that does not resolve stays a seed (connecting to it reports the DNS error)", async () => {
    const seeds = await expandSeeds([{ host: "no-such-host.invalid", port: 7000 }]);
    expect(seeds).toEqual([{ host: "no-such-host.invalid", port: 7000 }]);
    expect(await resolveAll("no-such-host.invalid")).toEqual([]);
    expect(await resolveAll("127.0.0.1")).toEqual([]);
  });
});

describe("fetchClusterTopology against a server whose CLUSTER SHARDS lists a replica on its own", () => {
  const A = "a".repeat(40);
  const B = "b".repeat(40);
  const node = (id: string, port: number, role: string) =>
    ["id", id, "port", port, "ip", "127.0.0.1", "endpoint", "127.0.0.1", "role", role, "health", "online"];
  const shardsReply = [
    ["slots", [0, 16383], "nodes", [node(A, 7001, "master")]],
    ["slots", [], "nodes", [node(B, 7002, "replica")]],
  ];
  const nodesReply = [
    `${A} 127.0.0.1:7001@17001 myself,master - 0 0 1 connected 0-16383`,
    `${B} 127.0.0.1:7002@17002 slave ${A} 0 0 1 connected`,
    "",
  ].join("\n");

  test("the replica is put in its primary's shard, as CLUSTER NODES says", async () => {
    const asked: string[] = [];
    const server = Bun.listen<{ decoder: RespDecoder }>({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        open(s) {
          s.data = { decoder: new RespDecoder() };
        },
        data(s, chunk) {
          s.data.decoder.push(chunk);
          for (let cmd = s.data.decoder.next(); cmd !== NEED_MORE; cmd = s.data.decoder.next()) {
            const words = (cmd as string[]).map(String);
            asked.push(words.join(" ").toUpperCase());
            const sub = words[1]?.toUpperCase();
            if (sub === "SHARDS") s.write(encodeValue(shardsReply));
            else if (sub === "NODES") s.write(`$${Buffer.byteLength(nodesReply)}\r\n${nodesReply}\r\n`);
            else s.write("+OK\r\n");
          }
        },
      },
    });
    try {
      const conn: ConnectionConfig = {
        endpoints: [{ host: "127.0.0.1", port: server.port }],
        dbnum: 0,
        resp3: false,
        connectTimeoutMs: 2000,
        requestTimeoutMs: 2000,
        enableTracking: false,
      };
      const topo = await fetchClusterTopology(conn.endpoints, conn, undefined);
      expect(asked).toEqual(["CLUSTER SHARDS", "CLUSTER NODES"]);
      expect(topo.shards.length).toBe(1);
      expect(topo.shards[0]!.replicas.map((r) => [r.id, r.port, r.primaryId])).toEqual([[B, 7002, A]]);
    } finally {
      server.stop(true);
    }
  });
});

/** RESP2 encoding of nested arrays of strings and integers (enough for a CLUSTER SHARDS reply). */
function encodeValue(value: unknown): string {
  if (Array.isArray(value)) return `*${value.length}\r\n${value.map(encodeValue).join("")}`;
  if (typeof value === "number") return `:${value}\r\n`;
  const text = String(value);
  return `$${Buffer.byteLength(text)}\r\n${text}\r\n`;
}

describe("the banner names what was found", () => {
  test("a one-node cluster is 'cluster with 1 primary and 0 replicas' (it read '1 primaries')", async () => {
    const cluster = await startSearchCluster({ shards: 1 });
    try {
      const node = cluster.servers[0]!;
      const run = await runBench(["-p", String(node.port), "-t", "ping_mbulk", "-n", "10", "-c", "1", "-q", "-v"]);
      expectExit(run, 0);
      expect(run.stderr).toContain(`cluster with 1 primary and 0 replicas (via 127.0.0.1:${node.port})`);
    } finally {
      await cluster.stop();
    }
  });
});
