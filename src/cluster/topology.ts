/**
 * The cluster as the client sees it: which nodes exist, which primary owns each slot, and which
 * replicas follow each primary. Built by the parsers of CLUSTER SHARDS (cluster-shards.ts),
 * CLUSTER NODES (cluster-nodes.ts) and CLUSTER SLOTS (cluster-slots.ts), which all produce the
 * same shape so the engine does not care which command the server supports.
 */
import { SLOT_COUNT } from "./crc16.ts";

export interface ClusterNode {
  /** 40-hex node id; "host:port" when the server did not report one (very old CLUSTER SLOTS). */
  id: string;
  /** Where to connect: the preferred endpoint when the server reports one, else the IP. */
  host: string;
  /**
   * The port to connect to with the connection type the topology was read over: CLUSTER NODES
   * and SLOTS report the TLS port to TLS clients; for CLUSTER SHARDS the parser picks it (see
   * ReplySource.tls). A TLS-only node always has its TLS port here.
   */
  port: number;
  /** The TLS port, when the server reports it (CLUSTER SHARDS, nodes.conf-style aux fields). */
  tlsPort?: number;
  hostname?: string;
  role: "primary" | "replica";
  primaryId?: string;
  /** "unknown" covers suspected failures (fail?), nodes without an address and unreported health. */
  health: "online" | "failed" | "loading" | "unknown";
  /** Availability zone (Valkey 8.1+ and ElastiCache report it in CLUSTER SHARDS). */
  az?: string;
}

export interface ClusterShard {
  primary: ClusterNode;
  replicas: ClusterNode[];
  /** Inclusive slot ranges, sorted. */
  slots: [number, number][];
}

export interface ClusterTopology {
  /** Shard by shard (ordered by first slot), primary before its replicas; then nodes in no shard. */
  nodes: ClusterNode[];
  /** SLOT_COUNT entries: index into `nodes` of the owning primary, -1 when unassigned. */
  slotOwner: Int32Array;
  shards: ClusterShard[];
}

/** A topology reply that cannot be understood. The message is one line and names the source. */
export class TopologyError extends Error {
  override name = "TopologyError";
}

/** What a parser extracted from one reply before it is normalised into a ClusterTopology. */
export interface ParsedShard {
  /** The primary first when the reply names one; replicas in reply order. */
  nodes: ClusterNode[];
  slots: [number, number][];
}

/**
 * Normalises parsed shards into a ClusterTopology. Shards are merged by primary id (CLUSTER SLOTS
 * lists a primary once per slot range), ordered by their lowest slot so the three parsers agree
 * on node order, and shards with no primary contribute their nodes but own no slots.
 */
export function buildTopology(parsed: readonly ParsedShard[], orphans: readonly ClusterNode[] = []): ClusterTopology {
  const byPrimary = new Map<string, ClusterShard>();
  const loose: ClusterNode[] = [];
  /** Ids already placed in a shard, so a replica listed once per slot range is kept once. */
  const seen = new Set<string>();
  for (const shard of parsed) {
    // Right after a failover CLUSTER SHARDS lists the failed old primary, still flagged primary,
    // next to the promoted one: the healthy primary is the shard's; the old one joins no shard.
    const primaries = shard.nodes.filter((node) => node.role === "primary");
    const primary = primaries.find((node) => node.health !== "failed") ?? primaries[0];
    if (primary === undefined) {
      loose.push(...shard.nodes);
      continue;
    }
    loose.push(...primaries.filter((node) => node !== primary));
    let target = byPrimary.get(primary.id);
    if (target === undefined) {
      target = { primary, replicas: [], slots: [] };
      byPrimary.set(primary.id, target);
      seen.add(primary.id);
    }
    for (const node of shard.nodes) {
      if (node.role === "primary" || seen.has(node.id)) continue;
      seen.add(node.id);
      target.replicas.push({ ...node, role: "replica", primaryId: primary.id });
    }
    target.slots.push(...shard.slots);
  }

  // A failed primary that owns nothing and has no replicas (CLUSTER NODES after a failover, until
  // it rejoins as a replica) is not a shard anyone can use.
  const shards = [...byPrimary.values()].filter((shard) => {
    const defunct = shard.primary.health === "failed" && shard.slots.length === 0 && shard.replicas.length === 0;
    if (defunct) loose.push(shard.primary);
    return !defunct;
  });
  for (const shard of shards) shard.slots = mergeRanges(shard.slots);
  shards.sort((a, b) => firstSlot(a) - firstSlot(b) || compareText(a.primary.id, b.primary.id));

  const nodes: ClusterNode[] = [];
  const slotOwner = new Int32Array(SLOT_COUNT).fill(-1);
  for (const shard of shards) {
    const index = nodes.length;
    nodes.push(shard.primary, ...shard.replicas);
    for (const [start, end] of shard.slots) slotOwner.fill(index, start, end + 1);
  }
  const placed = new Set(nodes.map((node) => node.id));
  for (const node of [...loose, ...orphans]) {
    if (!placed.has(node.id)) {
      placed.add(node.id);
      nodes.push(node);
    }
  }
  return { nodes, slotOwner, shards };
}

/** The slots owned by `nodes[nodeIndex]` (empty for replicas and slot-less primaries). */
export function slotsOfNode(topology: ClusterTopology, nodeIndex: number): number[] {
  const slots: number[] = [];
  const owner = topology.slotOwner;
  for (let slot = 0; slot < owner.length; slot++) {
    if (owner[slot] === nodeIndex) slots.push(slot);
  }
  return slots;
}

/** Sorted, non-overlapping ranges; adjacent ranges are joined ("0-5 6-9" becomes "0-9"). */
export function mergeRanges(ranges: readonly [number, number][]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [start, end] of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && start <= last[1] + 1) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

function firstSlot(shard: ClusterShard): number {
  return shard.slots.length > 0 ? shard.slots[0]![0] : SLOT_COUNT;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Replicas that sit in no shard: CLUSTER SHARDS lists one alone while its shard id disagrees with its primary's. */
export function hasStrayReplicas(topology: ClusterTopology): boolean {
  const placed = new Set(topology.shards.flatMap((shard) => [shard.primary.id, ...shard.replicas.map((r) => r.id)]));
  return topology.nodes.some((node) => node.role === "replica" && !placed.has(node.id));
}

/**
 * Puts each stray replica into its primary's shard, as `reference` (CLUSTER NODES, which names
 * every replica's primary) says. Everything else, health and zones included, stays as read.
 */
export function adoptStrayReplicas(topology: ClusterTopology, reference: ClusterTopology): ClusterTopology {
  const primaryOf = new Map<string, string>();
  for (const node of reference.nodes) if (node.primaryId !== undefined) primaryOf.set(node.id, node.primaryId);
  const parsed: ParsedShard[] = topology.shards.map((s) => ({ nodes: [s.primary, ...s.replicas], slots: s.slots }));
  const placed = new Set(parsed.flatMap((p) => p.nodes.map((n) => n.id)));
  const orphans: ClusterNode[] = [];
  for (const node of topology.nodes) {
    if (placed.has(node.id)) continue;
    const primaryId = node.role === "replica" ? primaryOf.get(node.id) : undefined;
    const shard = primaryId === undefined ? undefined : parsed.find((p) => p.nodes[0]!.id === primaryId);
    if (shard === undefined) orphans.push(node);
    else shard.nodes.push(node);
  }
  return buildTopology(parsed, orphans);
}
