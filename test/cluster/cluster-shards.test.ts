import { describe, expect, test } from "bun:test";
import { parseClusterShards } from "../../src/cluster/cluster-shards.ts";
import { parseClusterNodes } from "../../src/cluster/cluster-nodes.ts";
import { adoptStrayReplicas, hasStrayReplicas, slotsOfNode, TopologyError } from "../../src/cluster/topology.ts";
import { RespError, RespMap, type RespValue } from "../../src/resp/types.ts";

const source = { host: "10.0.0.1", port: 6379 };
/** A RESP3 map, as the decoder produces for CLUSTER SHARDS after HELLO 3. */
const map = (entries: Record<string, RespValue>) => new RespMap(Object.entries(entries));
/** The same map as a RESP2 flat key/value array. */
const flat = (entries: Record<string, RespValue>) => Object.entries(entries).flat();

const ID_A = "a".repeat(40);
const ID_B = "b".repeat(40);
const ID_C = "c".repeat(40);
const ID_D = "d".repeat(40);

/** Shaped like ElastiCache / Valkey 8.1 with TLS, hostnames and availability zones. */
const managedReply: RespValue = [
  map({
    slots: [0, 8191],
    nodes: [
      map({
        id: ID_A, port: 6379, "tls-port": 6380, ip: "10.0.0.1", endpoint: "10.0.0.1",
        hostname: "node-a.example.internal", role: "master", "replication-offset": 123456,
        health: "online", "availability-zone": "use1-az1",
      }),
      map({
        id: ID_B, port: 6379, "tls-port": 6380, ip: "10.0.1.1", endpoint: "10.0.1.1",
        hostname: "node-b.example.internal", role: "replica", "replication-offset": 123400,
        health: "loading", "availability-zone": "use1-az2", "some-future-field": "ignored",
      }),
    ],
  }),
  map({
    slots: [8192, 9000, 9001, 16383],
    nodes: [
      map({ id: ID_C, port: 6379, ip: "10.0.2.1", endpoint: "10.0.2.1", role: "master", "replication-offset": 9, health: "failed" }),
      map({ id: ID_D, port: 6379, ip: "10.0.3.1", endpoint: "10.0.3.1", role: "replica", "replication-offset": 9, health: "online" }),
    ],
  }),
];

describe("parseClusterShards", () => {
  test("reads TLS ports, hostnames, availability zones and health from RESP3 maps", () => {
    const topo = parseClusterShards(managedReply, source);
    expect(topo.nodes[0]).toEqual({
      id: ID_A, host: "10.0.0.1", port: 6379, tlsPort: 6380, hostname: "node-a.example.internal",
      role: "primary", health: "online", az: "use1-az1",
    });
    expect(topo.nodes[1]).toEqual({
      id: ID_B, host: "10.0.1.1", port: 6379, tlsPort: 6380, hostname: "node-b.example.internal",
      role: "replica", primaryId: ID_A, health: "loading", az: "use1-az2",
    });
    expect(topo.nodes[2]!.health).toBe("failed");
  });

  test("RESP2 flat arrays give the same topology as RESP3 maps", () => {
    const asFlat: RespValue = (managedReply as RespMap[]).map((shard) =>
      flat({
        slots: shard.get("slots")!,
        nodes: (shard.get("nodes") as RespMap[]).map((node) => [...node.entries()].flat()),
      }),
    );
    expect(parseClusterShards(asFlat, source)).toEqual(parseClusterShards(managedReply, source));
  });

  test("a failed primary keeps its slots until a replica is promoted", () => {
    const topo = parseClusterShards(managedReply, source);
    expect(topo.slotOwner[8192]).toBe(2);
    expect(topo.slotOwner[16383]).toBe(2);
    expect(topo.shards[1]!.slots).toEqual([[8192, 16383]]); // 8192-9000 and 9001-16383 joined
    expect(slotsOfNode(topo, 0).length).toBe(8192);
  });

  test("after a failover the promoted primary owns the shard; the failed old primary joins no shard", () => {
    const reply = [flat({
      slots: [0, 16383],
      nodes: [
        flat({ id: ID_A, port: 7000, ip: "10.0.0.1", endpoint: "10.0.0.1", role: "master", health: "failed" }),
        flat({ id: ID_B, port: 7001, ip: "10.0.0.2", endpoint: "10.0.0.2", role: "master", health: "online" }),
        flat({ id: ID_C, port: 7002, ip: "10.0.0.3", endpoint: "10.0.0.3", role: "replica", health: "online" }),
      ],
    })];
    const topo = parseClusterShards(reply, source);
    expect(topo.shards.map((s) => [s.primary.id, s.replicas.map((r) => r.id)])).toEqual([[ID_B, [ID_C]]]);
    expect(topo.nodes.map((n) => [n.id, n.role, n.health])).toEqual([
      [ID_B, "primary", "online"],
      [ID_C, "replica", "online"],
      [ID_A, "primary", "failed"],
    ]);
    expect(topo.slotOwner[0]).toBe(0);
  });

  test("a reply read over TLS gives each node's tls-port as the port to connect to", () => {
    const topo = parseClusterShards(managedReply, { ...source, tls: true });
    expect(topo.nodes.slice(0, 2).map((n) => [n.port, n.tlsPort])).toEqual([[6380, 6380], [6380, 6380]]);
    // A node without a TLS port keeps its plain port (the caller will find out it cannot use TLS).
    expect(topo.nodes[2]!.port).toBe(6379);
  });

  test("a node that does not know its own address yet (Valkey 8.0.1, single node) is the host asked", () => {
    // Captured from valkey-server 8.0.1 --port 22901 --tls-port 22902 --cluster-announce-hostname node-x.example.com
    const reply = [["slots", [0, 100], "nodes", [[
      "id", "a39820723c425e426b0843c1c6a5efadf5f9cceb", "port", 22901, "tls-port", 22902, "ip", "", "endpoint", "",
      "hostname", "node-x.example.com", "role", "master", "replication-offset", 0, "health", "online",
    ]]]];
    expect(parseClusterShards(reply, { host: "127.0.0.1", port: 22901 }).nodes[0]).toEqual({
      id: "a39820723c425e426b0843c1c6a5efadf5f9cceb", host: "127.0.0.1", port: 22901, tlsPort: 22902,
      hostname: "node-x.example.com", role: "primary", health: "online",
    });
  });

  test("a TLS-only node (no plain port) is connected on its tls-port", () => {
    const reply = [flat({
      slots: [0, 16383],
      nodes: [flat({ id: ID_A, "tls-port": 6380, ip: "10.0.0.1", endpoint: "10.0.0.1", role: "master", health: "online" })],
    })];
    expect(parseClusterShards(reply, source).nodes[0]).toMatchObject({ port: 6380, tlsPort: 6380 });
  });

  test("an empty endpoint means the host the command was sent to; '?' falls back to the IP", () => {
    const reply = [flat({
      slots: [0, 16383],
      nodes: [
        flat({ id: ID_A, port: 7000, ip: "172.17.0.2", endpoint: "", role: "master", health: "online" }),
        flat({ id: ID_B, port: 7001, ip: "172.17.0.3", endpoint: "?", role: "replica", health: "online" }),
      ],
    })];
    const topo = parseClusterShards(reply, { host: "proxy.example.com", port: 7000 });
    expect(topo.nodes.map((n) => n.host)).toEqual(["proxy.example.com", "172.17.0.3"]);
  });

  test("a hostname endpoint (cluster-preferred-endpoint-type hostname) is used to connect", () => {
    const reply = [flat({
      slots: [0, 16383],
      nodes: [flat({ id: ID_A, port: 6379, ip: "10.0.0.1", endpoint: "node-a.example.com", hostname: "node-a.example.com", role: "master", health: "online" })],
    })];
    expect(parseClusterShards(reply, source).nodes[0]!.host).toBe("node-a.example.com");
  });

  test("bulk strings decoded as bytes are read as UTF-8", () => {
    const b = (s: string) => new TextEncoder().encode(s);
    const reply = [[b("slots"), [0, 16383], b("nodes"), [[b("id"), b(ID_A), b("port"), 6379, b("ip"), b("10.0.0.1"), b("endpoint"), b("10.0.0.1"), b("role"), b("master"), b("health"), b("online")]]]];
    expect(parseClusterShards(reply, source).nodes[0]).toMatchObject({ id: ID_A, host: "10.0.0.1", role: "primary" });
  });

  test("a primary without slots is listed as a shard that owns nothing", () => {
    const reply = [
      flat({ slots: [0, 16383], nodes: [flat({ id: ID_A, port: 1, ip: "10.0.0.1", endpoint: "10.0.0.1", role: "master", health: "online" })] }),
      flat({ slots: [], nodes: [flat({ id: ID_B, port: 2, ip: "10.0.0.2", endpoint: "10.0.0.2", role: "master", health: "online" })] }),
    ];
    const topo = parseClusterShards(reply, source);
    expect(topo.shards.map((s) => s.slots)).toEqual([[[0, 16383]], []]);
    expect(slotsOfNode(topo, 1)).toEqual([]);
  });

  test("an unknown health value is reported as unknown, not as online", () => {
    const reply = [flat({ slots: [0, 16383], nodes: [flat({ id: ID_A, port: 1, ip: "10.0.0.1", endpoint: "10.0.0.1", role: "master", health: "wobbly" })] })];
    expect(parseClusterShards(reply, source).nodes[0]!.health).toBe("unknown");
  });
});

describe("replicas CLUSTER SHARDS lists outside their primary's shard", () => {
  // Seen when a replica's shard id disagrees with its primary's: the replica is a shard of its own.
  const node = (id: string, port: number, role: string, health = "online") =>
    flat({ id, port, ip: "10.0.0.1", endpoint: "10.0.0.1", role, health, "availability-zone": `az-${port}` });
  const reply = [
    flat({ slots: [0, 8191], nodes: [node(ID_A, 1, "master"), node(ID_B, 2, "replica")] }),
    flat({ slots: [8192, 16383], nodes: [node(ID_C, 3, "master")] }),
    flat({ slots: [], nodes: [node(ID_D, 4, "replica", "loading")] }),
  ];
  const nodesText = [
    `${ID_A} 10.0.0.1:1@10001 myself,master - 0 0 1 connected 0-8191`,
    `${ID_B} 10.0.0.1:2@10002 slave ${ID_A} 0 0 1 connected`,
    `${ID_C} 10.0.0.1:3@10003 master - 0 0 2 connected 8192-16383`,
    `${ID_D} 10.0.0.1:4@10004 slave ${ID_C} 0 0 2 connected`,
  ].join("\n");

  test("are detected, and join the shard CLUSTER NODES names, keeping health and zone", () => {
    const topo = parseClusterShards(reply, source);
    expect(hasStrayReplicas(topo)).toBe(true);
    expect(topo.shards[1]!.replicas).toEqual([]);
    const fixed = adoptStrayReplicas(topo, parseClusterNodes(nodesText, source));
    expect(hasStrayReplicas(fixed)).toBe(false);
    expect(fixed.nodes.map((n) => n.id)).toEqual([ID_A, ID_B, ID_C, ID_D]);
    expect(fixed.shards[1]!.replicas).toEqual([
      { id: ID_D, host: "10.0.0.1", port: 4, role: "replica", primaryId: ID_C, health: "loading", az: "az-4" },
    ]);
    expect(Array.from(fixed.slotOwner.subarray(8190, 8194))).toEqual([0, 0, 2, 2]);
  });

  test("a replica CLUSTER NODES does not place either stays a node in no shard", () => {
    const topo = parseClusterShards(reply, source);
    const fixed = adoptStrayReplicas(topo, parseClusterNodes(nodesText.split("\n").slice(0, 3).join("\n"), source));
    expect(fixed.nodes.map((n) => n.id)).toEqual([ID_A, ID_B, ID_C, ID_D]);
    expect(fixed.shards.flatMap((s) => s.replicas.map((r) => r.id))).toEqual([ID_B]);
    expect(hasStrayReplicas(fixed)).toBe(true);
  });
});

describe("parseClusterShards errors", () => {
  const fails = (reply: RespValue, message: string) => {
    let error: unknown;
    try {
      parseClusterShards(reply, source);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TopologyError);
    expect((error as Error).message).toBe(message);
    expect((error as Error).message.includes("\n")).toBe(false);
  };
  const node = (extra: Record<string, RespValue>) => flat({ id: ID_A, port: 6379, ip: "10.0.0.1", endpoint: "10.0.0.1", role: "master", health: "online", ...extra });

  test("an error reply names the command, the server and the server's message", () => {
    fails(new RespError("ERR This instance has cluster support disabled"), "CLUSTER SHARDS failed on 10.0.0.1:6379: ERR This instance has cluster support disabled");
  });

  test("a reply of the wrong type is malformed", () => {
    fails("OK", 'CLUSTER SHARDS reply from 10.0.0.1:6379 is malformed: the reply should be an array, got string "OK"');
  });

  test("a node without an id, port or address is malformed", () => {
    fails([flat({ slots: [0, 1], nodes: [node({ id: null })] })], 'CLUSTER SHARDS reply from 10.0.0.1:6379 is malformed: node 0 of shard 0 has no "id"');
    fails([flat({ slots: [0, 1], nodes: [node({ port: null })] })], `CLUSTER SHARDS reply from 10.0.0.1:6379 is malformed: node 0 of shard 0 (${ID_A}) has no "port" or "tls-port"`);
    fails([flat({ slots: [0, 1], nodes: [node({ port: "many" })] })], 'CLUSTER SHARDS reply from 10.0.0.1:6379 is malformed: "port" of node 0 of shard 0 should be an integer, got string "many"');
  });

  test("bad slots and roles are malformed", () => {
    fails([flat({ slots: [0], nodes: [node({})] })], 'CLUSTER SHARDS reply from 10.0.0.1:6379 is malformed: "slots" of shard 0 has an odd number of items');
    fails([flat({ slots: [0, 16384], nodes: [node({})] })], "CLUSTER SHARDS reply from 10.0.0.1:6379 is malformed: a slot of shard 0 is 16384, outside 0..16383");
    fails([flat({ slots: [10, 5], nodes: [node({})] })], "CLUSTER SHARDS reply from 10.0.0.1:6379 is malformed: shard 0 has the backwards slot range 10-5");
    fails([flat({ slots: [0, 1], nodes: [node({ role: "boss" })] })], `CLUSTER SHARDS reply from 10.0.0.1:6379 is malformed: node 0 of shard 0 (${ID_A}) has role "boss", expected "master" or "replica"`);
    fails([flat({ slots: [0, 1] })], 'CLUSTER SHARDS reply from 10.0.0.1:6379 is malformed: shard 0 has no "nodes"');
    fails([["slots"]], "CLUSTER SHARDS reply from 10.0.0.1:6379 is malformed: shard 0 has an odd number of key/value items");
  });

  test("an IPv6 source is bracketed in messages; no source says 'the server'", () => {
    expect(() => parseClusterShards(1, { host: "::1", port: 7000 })).toThrow("CLUSTER SHARDS reply from [::1]:7000 is malformed");
    expect(() => parseClusterShards(1)).toThrow("CLUSTER SHARDS reply from the server is malformed");
  });
});
