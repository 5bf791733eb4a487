import { describe, expect, test } from "bun:test";
import { parseClusterSlots } from "../../src/cluster/cluster-slots.ts";
import { TopologyError } from "../../src/cluster/topology.ts";
import { RespError, RespMap, type RespValue } from "../../src/resp/types.ts";

const source = { host: "10.0.0.1", port: 6379 };
const A = "a".repeat(40);
const B = "b".repeat(40);
const C = "c".repeat(40);

describe("parseClusterSlots", () => {
  test("merges the ranges of a primary listed more than once and keeps each replica once", () => {
    const reply: RespValue = [
      [0, 100, ["10.0.0.1", 6379, A, []], ["10.0.0.2", 6379, B, []]],
      [101, 200, ["10.0.0.3", 6379, C, []]],
      [201, 16383, ["10.0.0.1", 6379, A, []], ["10.0.0.2", 6379, B, []]],
    ];
    const topo = parseClusterSlots(reply, source);
    expect(topo.shards.map((s) => [s.primary.id, s.replicas.map((r) => r.id), s.slots])).toEqual([
      [A, [B], [[0, 100], [201, 16383]]],
      [C, [], [[101, 200]]],
    ]);
    expect(topo.nodes.map((n) => n.id)).toEqual([A, B, C]);
    expect(topo.nodes[1]).toEqual({ id: B, host: "10.0.0.2", port: 6379, role: "replica", primaryId: A, health: "online" });
    expect(topo.slotOwner[150]).toBe(2);
  });

  test("reads the hostname from the metadata, as a RESP2 flat array or a RESP3 map", () => {
    const resp2: RespValue = [[0, 16383, ["10.0.0.1", 6379, A, ["hostname", "node-a.example.com"]]]];
    const resp3: RespValue = [[0, 16383, ["10.0.0.1", 6379, A, new RespMap([["hostname", "node-a.example.com"]])]]];
    expect(parseClusterSlots(resp2, source).nodes[0]!.hostname).toBe("node-a.example.com");
    expect(parseClusterSlots(resp3, source)).toEqual(parseClusterSlots(resp2, source));
  });

  test("an empty endpoint is the host asked; '?' uses the ip from the metadata", () => {
    const reply: RespValue = [
      [0, 8191, ["", 7000, A, []]],
      [8192, 16383, ["?", 7001, B, ["ip", "172.17.0.3"]]],
    ];
    const topo = parseClusterSlots(reply, { host: "lb.example.com", port: 7000 });
    expect(topo.nodes.map((n) => `${n.host}:${n.port}`)).toEqual(["lb.example.com:7000", "172.17.0.3:7001"]);
  });

  test("servers that send no node id (before Redis 4) get host:port as the id", () => {
    const reply: RespValue = [[0, 16383, ["10.0.0.1", 6379], ["10.0.0.2", 6380]]];
    const topo = parseClusterSlots(reply, source);
    expect(topo.nodes.map((n) => n.id)).toEqual(["10.0.0.1:6379", "10.0.0.2:6380"]);
    expect(topo.nodes[1]!.primaryId).toBe("10.0.0.1:6379");
  });

  test("an empty reply (no slots assigned yet) is an empty topology", () => {
    const topo = parseClusterSlots([], source);
    expect(topo.nodes).toEqual([]);
    expect(topo.slotOwner.every((owner) => owner === -1)).toBe(true);
  });
});

describe("parseClusterSlots errors", () => {
  const fails = (reply: RespValue, message: string) => {
    expect(() => parseClusterSlots(reply, source)).toThrow(message);
    expect(() => parseClusterSlots(reply, source)).toThrow(TopologyError);
  };

  test("an error reply is reported with the server's message", () => {
    fails(new RespError("ERR unknown command 'CLUSTER'"), "CLUSTER SLOTS failed on 10.0.0.1:6379: ERR unknown command 'CLUSTER'");
  });

  test("short entries, bad slots and bad ports are malformed", () => {
    const prefix = "CLUSTER SLOTS reply from 10.0.0.1:6379 is malformed: ";
    fails([[0, 16383]], `${prefix}range 0 has 2 items, expected start, end and a primary`);
    fails([[0, 16384, ["10.0.0.1", 6379, A]]], `${prefix}the end slot of range 0 is 16384, outside 0..16383`);
    fails([[9, 1, ["10.0.0.1", 6379, A]]], `${prefix}range 0 has the backwards slot range 9-1`);
    fails([[0, 1, ["10.0.0.1", 70000, A]]], `${prefix}the port of node 0 of range 0 is 70000, not a TCP port`);
    fails([[0, 1, ["10.0.0.1"]]], `${prefix}node 0 of range 0 has 1 items, expected endpoint and port`);
  });

  test("an empty endpoint without a source host cannot be resolved", () => {
    expect(() => parseClusterSlots([[0, 1, ["", 6379, A, []]]])).toThrow(
      'CLUSTER SLOTS reply from the server is malformed: node 0 of range 0 has an empty endpoint and no "ip"',
    );
  });
});
