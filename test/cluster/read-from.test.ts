// --rfr reads only from replicas whose link to the primary is up; a shard without one reads from
// its primary.

import { describe, expect, test } from "bun:test";
import type { DeployedNode } from "../../src/cluster/discovery.ts";
import { selectNodes } from "../../src/cluster/read-from.ts";
import type { ClusterOptions } from "../../src/config/types.ts";

const node = (port: number, role: DeployedNode["role"], health: string, shard = 0): DeployedNode => ({
  address: `127.0.0.1:${port}`, host: "127.0.0.1", port, role, slots: new Uint16Array(0), health, shard,
});
const opts = (readFrom: ClusterOptions["readFrom"]): ClusterOptions => ({ readFrom, balanceNodes: false, balanceTolerancePct: 10, imbalanceThresholdPct: 20 });
const ports = (nodes: DeployedNode[]) => nodes.map((n) => n.port);

describe("replicas serve reads only while their link is up", () => {
  // Standalone health is the primary's INFO replication state of each replica.
  const primary = node(1, "primary", "online");
  test("a replica still in wait_bgsave (or send_bulk) is skipped; the online one serves", () => {
    const nodes = [primary, node(2, "replica", "wait_bgsave"), node(3, "replica", "online"), node(4, "replica", "send_bulk")];
    expect(ports(selectNodes(nodes, true, opts("prefer-replica")))).toEqual([3]);
    expect(ports(selectNodes(nodes, true, opts("round-robin")))).toEqual([1, 3]);
  });

  test("no replica with its link up: reads go to the primary", () => {
    const nodes = [primary, node(2, "replica", "wait_bgsave"), node(3, "replica", "unknown")];
    expect(ports(selectNodes(nodes, true, opts("prefer-replica")))).toEqual([1]);
  });

  test("writes always go to primaries", () => {
    expect(ports(selectNodes([primary, node(2, "replica", "online")], false, opts("prefer-replica")))).toEqual([1]);
  });
});
