// Multi-server topologies for tests: a Valkey cluster and a primary with replicas.

import { parseInfo } from "./info.ts";
import { cliWithTimeout, type StartOptions, type ValkeyServer, startValkey } from "./server.ts";

export interface ValkeyCluster {
  nodes: ValkeyServer[];
  /** Nodes whose current role is primary (asked now: roles change after a failover). */
  primaries(): Promise<ValkeyServer[]>;
  replicas(): Promise<ValkeyServer[]>;
  stop(): Promise<void>;
}

export interface ValkeyReplicaSet {
  primary: ValkeyServer;
  replicas: ValkeyServer[];
  stop(): Promise<void>;
}

const CLUSTER_READY_TIMEOUT_MS = 30_000;
const REPLICATION_READY_TIMEOUT_MS = 10_000;
const TOTAL_SLOTS = 16384;

/**
 * Starts primaries * (1 + replicasPerPrimary) nodes (default 3 primaries, 1 replica each), joins
 * them with `valkey-cli --cluster create`, and resolves once every node reports cluster_state:ok
 * with all 16384 slots assigned, knows every other node, and every replica's link is up.
 * `server` options apply to every node (e.g. `{ tls: true }` for a TLS-only cluster).
 */
export async function startCluster(
  opts: { primaries?: number; replicasPerPrimary?: number; server?: StartOptions } = {},
): Promise<ValkeyCluster> {
  const primaries = opts.primaries ?? 3;
  const replicasPerPrimary = opts.replicasPerPrimary ?? 1;
  const clusterArgs = [
    "--cluster-enabled", "yes",
    "--cluster-config-file", "nodes.conf",
    "--cluster-node-timeout", "2000",
    // A TLS-only node has no plain port, so the bus and replication must speak TLS too.
    ...(opts.server?.tls ? ["--tls-cluster", "yes", "--tls-replication", "yes"] : []),
  ];
  const nodes = await startAll(primaries * (1 + replicasPerPrimary), {
    ...opts.server,
    args: [...clusterArgs, ...(opts.server?.args ?? [])],
  });
  const cluster: ValkeyCluster = {
    nodes,
    primaries: async () => (await roles(nodes)).filter((n) => n.role === "master").map((n) => n.node),
    replicas: async () => (await roles(nodes)).filter((n) => n.role === "slave").map((n) => n.node),
    stop: async () => {
      await Promise.all(nodes.map((n) => n.stop()));
    },
  };
  try {
    // --cluster create polls once a second until the nodes agree, which can take a while on a
    // busy machine: give it longer than an ordinary command.
    const create = await cliWithTimeout(
      nodes[0]!,
      CLUSTER_READY_TIMEOUT_MS,
      "--cluster", "create",
      ...nodes.map((n) => `127.0.0.1:${n.port}`),
      "--cluster-replicas", String(replicasPerPrimary),
      "--cluster-yes",
    );
    if (!create.includes("All 16384 slots covered")) {
      throw new Error(`valkey-cli --cluster create did not cover all slots:\n${create}`);
    }
    await waitFor("cluster to become ready", CLUSTER_READY_TIMEOUT_MS, async () => {
      for (const node of nodes) {
        const info = parseInfo(await node.cli("CLUSTER", "INFO"));
        if (info.cluster_state !== "ok") return `127.0.0.1:${node.port} cluster_state:${info.cluster_state}`;
        if (info.cluster_slots_assigned !== String(TOTAL_SLOTS)) {
          return `127.0.0.1:${node.port} sees ${info.cluster_slots_assigned} slots assigned`;
        }
        if (info.cluster_known_nodes !== String(nodes.length)) {
          return `127.0.0.1:${node.port} knows ${info.cluster_known_nodes} of ${nodes.length} nodes`;
        }
      }
      return replicationLagging(await cluster.replicas());
    });
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

/** Starts a primary and `replicas` (default 2) servers replicating it; resolves once all links are up. */
export async function startReplicaSet(opts: { replicas?: number } = {}): Promise<ValkeyReplicaSet> {
  const primary = await startValkey();
  let replicas: ValkeyServer[] = [];
  try {
    replicas = await startAll(opts.replicas ?? 2, { args: ["--replicaof", "127.0.0.1", String(primary.port)] });
    await waitFor("replicas to sync", REPLICATION_READY_TIMEOUT_MS, () => replicationLagging(replicas));
  } catch (err) {
    await Promise.all([primary, ...replicas].map((s) => s.stop()));
    throw err;
  }
  return {
    primary,
    replicas,
    stop: async () => {
      await Promise.all([primary, ...replicas].map((s) => s.stop()));
    },
  };
}

/** Starts `count` servers in parallel; if any fails, stops the others before rethrowing. */
async function startAll(count: number, opts: StartOptions): Promise<ValkeyServer[]> {
  const results = await Promise.allSettled(Array.from({ length: count }, () => startValkey(opts)));
  const started = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) {
    await Promise.all(started.map((s) => s.stop()));
    throw failed.reason;
  }
  return started;
}

async function roles(nodes: ValkeyServer[]): Promise<{ node: ValkeyServer; role: string | undefined }[]> {
  return Promise.all(nodes.map(async (node) => ({ node, role: (await node.info("replication")).role })));
}

/** Why replication is not ready yet, or null when every replica's link to its primary is up. */
async function replicationLagging(replicas: ValkeyServer[]): Promise<string | null> {
  for (const replica of replicas) {
    const status = (await replica.info("replication")).master_link_status;
    if (status !== "up") return `replica 127.0.0.1:${replica.port} master_link_status:${status}`;
  }
  return null;
}

/** Polls `check` (null means done, a string says what is missing) until done or the deadline. */
async function waitFor(what: string, timeoutMs: number, check: () => Promise<string | null>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let missing: string | null = "not checked yet";
  while (Date.now() < deadline) {
    missing = await check();
    if (missing === null) return;
    await Bun.sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}: ${missing}`);
}
