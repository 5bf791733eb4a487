// The three topology parsers against a real 3-primary/3-replica cluster: they must agree with
// each other, in RESP2 and RESP3, and with where the server actually accepts keys.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { parseClusterNodes } from "../../src/cluster/cluster-nodes.ts";
import { parseClusterShards } from "../../src/cluster/cluster-shards.ts";
import { parseClusterSlots } from "../../src/cluster/cluster-slots.ts";
import { keySlot, SLOT_COUNT } from "../../src/cluster/crc16.ts";
import { parseRedirect } from "../../src/cluster/redirect.ts";
import { buildTopology, type ClusterTopology, mergeRanges, slotsOfNode } from "../../src/cluster/topology.ts";
import { RespError, type RespValue } from "../../src/resp/types.ts";
import { type ClusterNodeProcess, startSixNodeCluster } from "./local-cluster.ts";
import { request } from "./raw-request.ts";

/** Slot ownership as "start-end id" runs: comparable across parsers and short when it differs. */
function ownerRuns(topo: ClusterTopology): string[] {
  const runs: string[] = [];
  let start = 0;
  for (let slot = 1; slot <= SLOT_COUNT; slot++) {
    if (slot === SLOT_COUNT || topo.slotOwner[slot] !== topo.slotOwner[start]) {
      const owner = topo.slotOwner[start]!;
      runs.push(`${start}-${slot - 1} ${owner === -1 ? "unassigned" : topo.nodes[owner]!.id}`);
      start = slot;
    }
  }
  return runs;
}
/** Each shard's slots and its nodes' role and health: a failing comparison shows the whole shape. */
const shardShape = (topo: ClusterTopology) =>
  topo.shards.map((s) => ({ slots: s.slots, nodes: [s.primary, ...s.replicas].map((n) => `${n.role} ${n.health}`) }));
const nodeSummary = (topo: ClusterTopology) =>
  topo.nodes.map((n) => ({ id: n.id, host: n.host, port: n.port, role: n.role, primaryId: n.primaryId ?? null }));

describe("topology parsers on a real cluster", () => {
  let nodes: ClusterNodeProcess[] = [];
  let source: { host: string; port: number };
  let resp2: RespValue[];
  let resp3: RespValue[];
  let nodesText: string;

  beforeAll(async () => {
    nodes = await startSixNodeCluster();
    const port = nodes[0]!.port;
    source = { host: "127.0.0.1", port };
    resp2 = await request(port, ["CLUSTER", "SHARDS"], ["CLUSTER", "SLOTS"], ["CLUSTER", "NODES"]);
    resp3 = (await request(port, ["HELLO", "3"], ["CLUSTER", "SHARDS"], ["CLUSTER", "SLOTS"], ["CLUSTER", "NODES"])).slice(1);
    nodesText = await nodes[0]!.cli("CLUSTER", "NODES");
  }, 30_000);
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
  });

  test("CLUSTER SHARDS gives 3 shards of a primary and a replica, all online, covering every slot", () => {
    const topo = parseClusterShards(resp2[0]!, source);
    expect(shardShape(topo)).toEqual([0, 5461, 10923].map((start, i) => ({
      slots: [[start, [5460, 10922, 16383][i]!]],
      nodes: ["primary online", "replica online"],
    })));
    expect(topo.nodes.length).toBe(6);
    for (const shard of topo.shards) {
      expect(shard.primary.role).toBe("primary");
      expect(shard.replicas.length).toBe(1);
      expect(shard.replicas[0]!.primaryId).toBe(shard.primary.id);
    }
    expect(topo.nodes.every((n) => n.health === "online" && n.host === "127.0.0.1")).toBe(true);
    expect(new Set(topo.nodes.map((n) => n.port))).toEqual(new Set(nodes.map((n) => n.port)));
    expect(topo.slotOwner.includes(-1)).toBe(false);
    expect(ownerRuns(topo).length).toBe(3);
    expect(topo.shards.map((s) => s.slots)).toEqual([[[0, 5460]], [[5461, 10922]], [[10923, 16383]]]);
  });

  test("CLUSTER SHARDS, NODES and SLOTS agree on nodes and slot ownership, in RESP2 and RESP3", () => {
    const reference = parseClusterShards(resp2[0]!, source);
    const others = [
      parseClusterShards(resp3[0]!, source),
      parseClusterSlots(resp2[1]!, source),
      parseClusterSlots(resp3[1]!, source),
      parseClusterNodes(String(resp2[2]), source),
      parseClusterNodes(String(resp3[2]), source),
      parseClusterNodes(nodesText, source),
    ];
    for (const topo of others) {
      expect(ownerRuns(topo)).toEqual(ownerRuns(reference));
      expect(nodeSummary(topo)).toEqual(nodeSummary(reference));
    }
  });

  test("RESP3 CLUSTER SHARDS really arrives as maps (so the map path is exercised)", () => {
    const first = (resp3[0] as RespValue[])[0];
    expect(first instanceof Map).toBe(true);
    expect(Array.isArray((resp2[0] as RespValue[])[0])).toBe(true);
  });

  test("slotsOfNode lists each primary's slots; replicas own none", () => {
    const topo = parseClusterShards(resp2[0]!, source);
    let total = 0;
    topo.nodes.forEach((node, i) => {
      const slots = slotsOfNode(topo, i);
      if (node.role === "replica") expect(slots).toEqual([]);
      else expect(mergeRanges(slots.map((s) => [s, s]))).toEqual(topo.shards.find((s) => s.primary === node)!.slots);
      total += slots.length;
    });
    expect(total).toBe(SLOT_COUNT);
  });

  test("the owner the topology names for a key accepts it, and other primaries redirect there", async () => {
    const topo = parseClusterShards(resp2[0]!, source);
    const primaries = topo.shards.map((s) => s.primary);
    for (const key of ["foo", "{user1000}.following", "bar", "key:000000000042"]) {
      const owner = topo.nodes[topo.slotOwner[keySlot(key)]!]!;
      expect(await request(owner.port, ["SET", key, "v"])).toEqual(["OK"]);
      for (const other of primaries.filter((p) => p !== owner)) {
        const [reply] = await request(other.port, ["GET", key]);
        expect(reply).toBeInstanceOf(RespError);
        expect(parseRedirect((reply as RespError).message)).toEqual({
          kind: "MOVED",
          slot: keySlot(key),
          host: "127.0.0.1",
          port: owner.port,
        });
      }
    }
  });

  test("buildTopology is what every parser returns: node order is shard by shard, primary first", () => {
    const topo = parseClusterShards(resp2[0]!, source);
    const rebuilt = buildTopology(topo.shards.map((s) => ({ nodes: [s.primary, ...s.replicas], slots: s.slots })));
    expect(nodeSummary(rebuilt)).toEqual(nodeSummary(topo));
    expect(topo.nodes.map((n) => n.role)).toEqual(["primary", "replica", "primary", "replica", "primary", "replica"]);
  });
});
