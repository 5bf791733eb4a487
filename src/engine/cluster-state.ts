/**
 * A worker's view of the cluster while tests run: which node owns each slot, refreshed (at most
 * once per burst of MOVED replies or lost connections) from CLUSTER SHARDS. Node assignments are
 * shared objects: updating a node's `slots` in place re-steers every connection pinned to it.
 */
import type { ConnectionConfig } from "../config/types.ts";
import type { NodeAssignment } from "./workload-api.ts";
import { fetchClusterTopology, nodeAddress, slotsOfShard } from "../cluster/discovery.ts";
import type { ClusterTopology } from "../cluster/topology.ts";

/** A burst of redirects triggers one refresh; later ones within this window reuse it. */
const MIN_REFRESH_INTERVAL_MS = 100;

export class WorkerClusterState {
  private readonly byAddress = new Map<string, NodeAssignment>();
  private topology?: ClusterTopology;
  private refreshing?: Promise<void>;
  /** A slot each node served before a refresh emptied it: where its clients should follow. */
  private readonly formerSlot = new Map<string, number>();
  private lastRefreshMs = 0;
  /** Refreshes done (for the report and tests). */
  refreshes = 0;

  constructor(
    private readonly conn: ConnectionConfig,
    private readonly announceMap: string | undefined,
    nodes: NodeAssignment[],
  ) {
    for (const n of nodes) this.adopt(n);
  }

  /** Returns the shared assignment object for this node, registering it if new. */
  adopt(n: NodeAssignment): NodeAssignment {
    const known = this.byAddress.get(n.address);
    if (known) return known;
    this.byAddress.set(n.address, n);
    return n;
  }

  /** Re-reads the topology unless one was read in the last MIN_REFRESH_INTERVAL_MS. */
  refresh(): Promise<void> {
    if (this.refreshing) return this.refreshing;
    if (performance.now() - this.lastRefreshMs < MIN_REFRESH_INTERVAL_MS) return Promise.resolve();
    this.refreshing = this.doRefresh().finally(() => {
      this.refreshing = undefined;
      this.lastRefreshMs = performance.now();
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<void> {
    const seeds = [...this.byAddress.values()].map((n) => ({ host: n.host, port: n.port }));
    let topo: ClusterTopology;
    try {
      topo = await fetchClusterTopology(seeds, this.conn, this.announceMap);
    } catch {
      return; // every node unreachable right now: keep the old map, callers retry
    }
    this.topology = topo;
    this.refreshes++;
    const owned = new Set<string>();
    for (const shard of topo.shards) {
      const slots = slotsOfShard(shard);
      for (const node of [shard.primary, ...shard.replicas]) {
        const address = nodeAddress(node.host, node.port);
        owned.add(address);
        const a = this.byAddress.get(address);
        if (a) {
          if (a.slots.length > 0 && (slots.length === 0 || slots[0] !== a.slots[0])) this.formerSlot.set(address, a.slots[0]!);
          a.slots = slots;
          a.role = node === shard.primary ? "primary" : "replica";
        }
      }
    }
    // Nodes no longer serving any shard (failed, removed) own nothing now.
    for (const [address, a] of this.byAddress) {
      if (owned.has(address)) continue;
      if (a.slots.length > 0) this.formerSlot.set(address, a.slots[0]!);
      a.slots = new Uint16Array(0);
    }
  }

  /** The node's role in the latest topology (failovers promote replicas). */
  roleOf(address: string): "primary" | "replica" | undefined {
    return this.byAddress.get(address)?.role;
  }

  /** The primary owning `slot` in the latest topology, as a shared assignment. */
  ownerOfSlot(slot: number): NodeAssignment | undefined {
    const t = this.topology;
    if (!t) return undefined;
    const idx = t.slotOwner[slot]!;
    if (idx < 0) return undefined;
    const node = t.nodes[idx]!;
    const shard = t.shards.find((s) => s.primary === node);
    return this.adopt({
      address: nodeAddress(node.host, node.port),
      host: node.host,
      port: node.port,
      role: "primary",
      slots: shard ? slotsOfShard(shard) : new Uint16Array(0),
    });
  }

  /**
   * Where a connection pinned to `node` should go when the node no longer serves (failover,
   * resharding): the primary that now owns the slots the node had, as far as we know.
   */
  replacementFor(node: NodeAssignment, formerSlot: number | undefined): NodeAssignment | undefined {
    if (node.slots.length > 0 && node.role === "primary") return undefined;
    formerSlot ??= this.formerSlot.get(node.address);
    if (formerSlot === undefined) return undefined;
    const owner = this.ownerOfSlot(formerSlot);
    return owner && owner.address !== node.address ? owner : undefined;
  }
}
