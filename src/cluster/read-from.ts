/**
 * Which nodes serve a test. Writes always go to primaries; read-only tests follow --rfr:
 * primary; prefer-replica (each shard's healthy replicas, its primary when it has none);
 * round-robin (every healthy node); az-affinity (each shard's nodes in --az, replicas first,
 * else as prefer-replica).
 */
import type { ClusterOptions } from "../config/types.ts";
import type { DeployedNode } from "./discovery.ts";

/** A primary serves unless failed or loading; a replica only while its link is up and synced
 *  ("online": not wait_bgsave, send_bulk, loading, a suspected failure...). */
function usable(n: DeployedNode): boolean {
  if (n.role === "replica") return n.health === "online";
  return n.health !== "failed" && n.health !== "loading";
}

export function selectNodes(nodes: readonly DeployedNode[], readOnly: boolean, opts: ClusterOptions): DeployedNode[] {
  const primaries = nodes.filter((n) => n.role === "primary");
  if (!readOnly || opts.readFrom === "primary") return primaries;
  if (opts.readFrom === "round-robin") return nodes.filter(usable);
  const out: DeployedNode[] = [];
  for (const primary of primaries) {
    const replicas = nodes.filter((n) => n.shard === primary.shard && n.role === "replica" && usable(n));
    if (opts.readFrom === "az-affinity" && opts.az !== undefined) {
      const local = [...replicas, primary].filter((n) => n.az === opts.az);
      if (local.length > 0) {
        out.push(...local.filter((n) => n.role === "replica").concat(local.every((n) => n.role === "primary") ? local : []));
        continue;
      }
    }
    out.push(...(replicas.length > 0 ? replicas : [primary]));
  }
  return out;
}
