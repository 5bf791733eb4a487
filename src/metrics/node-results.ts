/**
 * Per-node numbers of one test, and how evenly the load was spread. valkey-benchmark has no
 * such table; memtier_benchmark and the seed's users asked for it on clusters, where one slow or
 * overloaded shard hides inside a healthy average.
 */
export interface NodeResult {
  address: string;
  role: "primary" | "replica";
  az?: string;
  completed: number;
  errors: number;
  redirects: number;
  throughput: number;
  p50Ms: number;
  p99Ms: number;
  /** The node's latencies (HdrHistogram base64, µs), so that `merge` recomputes them exactly. */
  histogram?: string;
}

/** What an imbalance compares across nodes. */
export type ImbalanceBasis = "requests per connection" | "requests per node" | "searches executed per shard";

export interface Imbalance {
  /** Busiest node's count / least busy node's, on `basis` (1 = perfectly even). */
  maxMinRatio: number;
  /** Largest relative deviation from the mean, in percent. */
  maxDeviationPct: number;
  /** True when (maxMinRatio - 1) * 100 exceeds --imbalance-threshold. */
  warning: boolean;
  /**
   * What was compared. Requests per connection by default: with -c 8 on three nodes the
   * connections split 3/3/2, and that split alone must not read as an imbalance. Requests per node
   * under --balance-nodes (which evens out node totals). Searches each shard executed for a
   * fan-out command (FT.SEARCH on a cluster runs on every shard, whichever node received it).
   */
  basis: ImbalanceBasis;
  /** The compared value per node address (connections' share already divided out). */
  perNode: Record<string, number>;
}

/**
 * The imbalance of the nodes' requests, per connection when `connections` says how many each
 * node had (nodes with none, reached only through redirects, are left out), else per node.
 */
export function imbalanceOf(nodes: readonly NodeResult[], thresholdPct: number, connections?: ReadonlyMap<string, number>): Imbalance | undefined {
  const values = new Map<string, number>();
  for (const n of nodes) {
    const requests = n.completed + n.errors;
    if (connections === undefined) values.set(n.address, requests);
    else {
      const c = connections.get(n.address) ?? 0;
      if (c > 0) values.set(n.address, requests / c);
    }
  }
  return imbalanceOfCounts(values, thresholdPct, connections === undefined ? "requests per node" : "requests per connection");
}

/** The imbalance of any per-node counts (undefined for fewer than two nodes). */
export function imbalanceOfCounts(values: ReadonlyMap<string, number>, thresholdPct: number, basis: ImbalanceBasis): Imbalance | undefined {
  if (values.size < 2) return undefined;
  const counts = [...values.values()];
  const max = Math.max(...counts);
  const min = Math.min(...counts);
  const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
  const maxMinRatio = min > 0 ? max / min : max > 0 ? Infinity : 1;
  const maxDeviationPct = mean > 0 ? Math.max(...counts.map((c) => Math.abs(c - mean) / mean)) * 100 : 0;
  const perNode: Record<string, number> = {};
  for (const [address, v] of values) perNode[address] = Math.round(v * 1000) / 1000;
  return { maxMinRatio, maxDeviationPct, warning: (maxMinRatio - 1) * 100 > thresholdPct, basis, perNode };
}

/** How many of `clients` connections each node gets: global client i is pinned to nodes[i % nodes.length]. */
export function connectionsPerNode(addresses: readonly string[], clients: number): Map<string, number> {
  const out = new Map<string, number>();
  addresses.forEach((address, j) => out.set(address, (out.get(address) ?? 0) + (j < clients ? Math.floor((clients - 1 - j) / addresses.length) + 1 : 0)));
  return out;
}
