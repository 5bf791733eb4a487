import { describe, expect, test } from "bun:test";
import { parseClusterNodes } from "../../src/cluster/cluster-nodes.ts";
import { TopologyError } from "../../src/cluster/topology.ts";

const source = { host: "10.0.0.1", port: 6379 };
const A = "a".repeat(40);
const B = "b".repeat(40);
const C = "c".repeat(40);
const D = "d".repeat(40);
const E = "e".repeat(40);
const F = "f".repeat(40);

describe("parseClusterNodes", () => {
  test("reads hostnames after the bus port, roles, and slot ranges (single slots too)", () => {
    const text = [
      `${A} 10.0.0.1:6379@16379,node-a.example.com myself,master - 0 0 1 connected 0-5000 5001 5002-8191`,
      `${B} 10.0.0.2:6379@16379,node-b.example.com slave ${A} 0 1700000000000 1 connected`,
      `${C} 10.0.0.3:6379@16379 master - 0 1700000000000 2 connected 8192-16383`,
    ].join("\n");
    const topo = parseClusterNodes(text, source);
    expect(topo.nodes).toEqual([
      { id: A, host: "10.0.0.1", port: 6379, hostname: "node-a.example.com", role: "primary", health: "online" },
      { id: B, host: "10.0.0.2", port: 6379, hostname: "node-b.example.com", role: "replica", primaryId: A, health: "online" },
      { id: C, host: "10.0.0.3", port: 6379, role: "primary", health: "online" },
    ]);
    expect(topo.shards.map((s) => s.slots)).toEqual([[[0, 8191]], [[8192, 16383]]]);
    expect(topo.slotOwner[8191]).toBe(0);
    expect(topo.slotOwner[8192]).toBe(2);
  });

  test("nodes.conf-style aux fields give the TLS port; an empty hostname is no hostname", () => {
    const text = `${A} 10.0.0.1:6379@16379,,tls-port=6380,shard-id=${"9".repeat(40)} myself,master - 0 0 1 connected 0-16383`;
    expect(parseClusterNodes(text, source).nodes[0]).toEqual({
      id: A, host: "10.0.0.1", port: 6379, tlsPort: 6380, role: "primary", health: "online",
    });
  });

  test("fail is failed; fail? and noaddr are unknown; handshake nodes are not members yet", () => {
    const text = [
      `${A} 10.0.0.1:6379@16379 myself,master - 0 0 1 connected 0-8191`,
      `${B} 10.0.0.2:6379@16379 master,fail - 1700000000000 1700000000000 2 disconnected 8192-16383`,
      `${C} 10.0.0.3:6379@16379 slave,fail? ${A} 1700000000000 0 1 connected`,
      `${D} :0@0 slave,noaddr ${B} 1700000000000 0 2 disconnected`,
      `${E} 10.0.0.9:6379@16379 handshake - 0 0 0 connected`,
    ].join("\n");
    const topo = parseClusterNodes(text, source);
    const health = Object.fromEntries(topo.nodes.map((n) => [n.id[0], n.health]));
    expect(health).toEqual({ a: "online", b: "failed", c: "unknown", d: "unknown" });
    expect(topo.slotOwner[16383]).toBe(topo.nodes.findIndex((n) => n.id === B));
  });

  test("after a failover the failed old primary, now without slots or replicas, joins no shard", () => {
    const text = [
      `${A} 10.0.0.1:6379@16379 master,fail - 1700000000000 1700000000000 1 disconnected`,
      `${B} 10.0.0.2:6379@16379 myself,master - 0 0 2 connected 0-16383`,
    ].join("\n");
    const topo = parseClusterNodes(text, source);
    expect(topo.shards.map((s) => s.primary.id)).toEqual([B]);
    expect(topo.nodes.map((n) => [n.id, n.health])).toEqual([[B, "online"], [A, "failed"]]);
  });

  test("the TLS port reported to a TLS client and a hostname (captured from Valkey 8.0.1)", () => {
    const text = "a39820723c425e426b0843c1c6a5efadf5f9cceb :22902@32901,node-x.example.com myself,master - 0 0 0 connected 0-100\n";
    expect(parseClusterNodes(text, { host: "127.0.0.1", port: 22902, tls: true }).nodes[0]).toEqual({
      id: "a39820723c425e426b0843c1c6a5efadf5f9cceb", host: "127.0.0.1", port: 22902,
      hostname: "node-x.example.com", role: "primary", health: "online",
    });
  });

  test("migrating and importing entries are ignored: the slot stays with the node listing it", () => {
    const text = [
      `${A} 10.0.0.1:6379@16379 myself,master - 0 0 1 connected 0-100 [101->-${B}] 102-8191`,
      `${B} 10.0.0.2:6379@16379 master - 0 0 2 connected 101 8192-16383 [0-<-${A}]`,
    ].join("\n");
    const topo = parseClusterNodes(text, source);
    expect(topo.nodes[topo.slotOwner[101]!]!.id).toBe(B);
    expect(topo.nodes[topo.slotOwner[0]!]!.id).toBe(A);
    expect(topo.shards[0]!.slots).toEqual([[0, 100], [102, 8191]]);
  });

  test("IPv6 addresses, a node that does not know its own IP yet, and the pre-4.0 form without a bus port", () => {
    const text = [
      `${A} :7000@17000 myself,master - 0 0 1 connected 0-5000`,
      `${B} ::1:7001@17001 master - 0 0 2 connected 5001-10000`,
      `${C} 127.0.0.1:7002 master - 0 0 3 connected 10001-16383`,
    ].join("\r\n");
    const topo = parseClusterNodes(text, { host: "127.0.0.1", port: 7000 });
    expect(topo.nodes.map((n) => `${n.host} ${n.port}`)).toEqual(["127.0.0.1 7000", "::1 7001", "127.0.0.1 7002"]);
    expect(topo.slotOwner.includes(-1)).toBe(false);
  });

  test("a replica of an unknown primary is listed as a node but belongs to no shard", () => {
    const text = [
      `${A} 10.0.0.1:6379@16379 myself,master - 0 0 1 connected 0-16383`,
      `${F} 10.0.0.6:6379@16379 slave ${E} 0 0 1 connected`,
    ].join("\n");
    const topo = parseClusterNodes(text, source);
    expect(topo.nodes.map((n) => n.id)).toEqual([A, F]);
    expect(topo.nodes[1]!.primaryId).toBe(E);
    expect(topo.shards.length).toBe(1);
    expect(topo.shards[0]!.replicas).toEqual([]);
  });

  test("an empty reply is an empty topology with every slot unassigned", () => {
    const topo = parseClusterNodes("", source);
    expect(topo.nodes).toEqual([]);
    expect(topo.slotOwner.every((owner) => owner === -1)).toBe(true);
  });
});

describe("parseClusterNodes errors", () => {
  const fails = (text: string, message: string) => {
    expect(() => parseClusterNodes(text, source)).toThrow(message);
    expect(() => parseClusterNodes(text, source)).toThrow(TopologyError);
  };

  test("a line with too few fields names the line", () => {
    fails(`${A} 10.0.0.1:6379@16379 master\n`, "CLUSTER NODES reply from 10.0.0.1:6379 is malformed: line 1: expected at least 8 fields, got 3");
  });

  test("bad slot ranges and addresses are malformed", () => {
    const line = (slots: string, address = "10.0.0.1:6379@16379") => `${A} ${address} master - 0 0 1 connected ${slots}`;
    fails(line("5-2"), 'line 1: bad slot range "5-2"');
    fails(line("0-16384"), 'line 1: bad slot range "0-16384"');
    fails(line("x"), 'line 1: bad slot range "x"');
    fails(line("0", "10.0.0.1@16379"), 'line 1: cannot read the address "10.0.0.1@16379"');
    fails(line("0", "10.0.0.1:port@16379"), 'cannot read the address "10.0.0.1:port@16379"');
  });
});
