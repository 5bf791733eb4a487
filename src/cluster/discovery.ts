/**
 * Finds out what the user pointed us at: a cluster (topology from CLUSTER SHARDS, falling back
 * to CLUSTER NODES and CLUSTER SLOTS on older servers) or a standalone primary with replicas
 * (INFO replication, asked of whichever node was given). Seeds are tried in order; the first
 * that answers wins.
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import type { BenchConfig, ConnectionConfig, Endpoint } from "../config/types.ts";
import { UserError } from "../errors.ts";
import { ControlClient } from "../net/control-client.ts";
import { ConnectionError } from "../net/errors.ts";
import type { Target } from "../net/transport.ts";
import { RespError, type RespValue } from "../resp/types.ts";
import { AnnounceMapError, EMPTY_ANNOUNCE_MAP, applyAnnounceMap, parseAnnounceMap, type AnnounceMap } from "./announce-map.ts";
import { parseClusterNodes } from "./cluster-nodes.ts";
import { parseClusterShards } from "./cluster-shards.ts";
import { parseClusterSlots } from "./cluster-slots.ts";
import { adoptStrayReplicas, hasStrayReplicas, type ClusterShard, type ClusterTopology } from "./topology.ts";

export function nodeAddress(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

export function slotsOfShard(shard: ClusterShard): Uint16Array {
  let n = 0;
  for (const [a, b] of shard.slots) n += b - a + 1;
  const out = new Uint16Array(n);
  let i = 0;
  for (const [a, b] of shard.slots) for (let s = a; s <= b; s++) out[i++] = s;
  return out;
}

function announceMapOf(text: string | undefined): AnnounceMap {
  if (!text) return EMPTY_ANNOUNCE_MAP;
  try {
    return parseAnnounceMap(text);
  } catch (e) {
    if (e instanceof AnnounceMapError) throw new UserError(e.message);
    throw e;
  }
}

/** Rewrites every node address through the announce map (for unreachable announced IPs). */
function remap(topo: ClusterTopology, map: AnnounceMap): ClusterTopology {
  if (map === EMPTY_ANNOUNCE_MAP) return topo;
  for (const node of topo.nodes) {
    const to = applyAnnounceMap(map, node.host, node.port);
    node.host = to.host;
    node.port = to.port;
  }
  return topo;
}

/** Reads the cluster topology from the first seed that answers. */
export async function fetchClusterTopology(seeds: Endpoint[], conn: ConnectionConfig, announceMap: string | undefined): Promise<ClusterTopology> {
  const map = announceMapOf(announceMap);
  let lastError: unknown;
  for (const seed of seeds) {
    let client: ControlClient | undefined;
    try {
      client = await ControlClient.connect({ kind: "tcp", host: seed.host, port: seed.port }, conn, { select: false });
      return remap(await readTopology(client, seed, conn.tls !== undefined), map);
    } catch (e) {
      lastError = e;
    } finally {
      client?.close();
    }
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

async function readTopology(client: ControlClient, seed: Endpoint, tls: boolean): Promise<ClusterTopology> {
  const source = { host: seed.host, port: seed.port, tls };
  const shards = await client.call(["CLUSTER", "SHARDS"]);
  if (!(shards instanceof RespError)) {
    const topology = parseClusterShards(shards, source);
    if (!hasStrayReplicas(topology)) return topology;
    // A replica whose shard id disagrees with its primary's (a Valkey/Redis 7.2+ gossip race)
    // is listed in a shard of its own; CLUSTER NODES names its primary.
    const nodes = nodesText(await client.call(["CLUSTER", "NODES"]));
    return nodes === undefined ? topology : adoptStrayReplicas(topology, parseClusterNodes(nodes, source));
  }
  const nodes = nodesText(await client.call(["CLUSTER", "NODES"]));
  if (nodes !== undefined) return parseClusterNodes(nodes, source);
  return parseClusterSlots(await client.callOk(["CLUSTER", "SLOTS"]), source);
}

function nodesText(reply: RespValue): string | undefined {
  if (typeof reply === "string") return reply;
  if (reply instanceof Uint8Array) return new TextDecoder().decode(reply);
  return undefined;
}

/**
 * Seeds in the order given, each host name followed by every address it resolves to (a
 * configuration endpoint resolves to several nodes): if the name's first address does not
 * answer, the others are tried. With TLS the name is kept first, as certificates name it.
 */
export async function expandSeeds(seeds: readonly Endpoint[]): Promise<Endpoint[]> {
  const out: Endpoint[] = [];
  const seen = new Set<string>();
  const add = (e: Endpoint) => {
    const key = nodeAddress(e.host, e.port);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(e);
    }
  };
  for (const seed of seeds) {
    add(seed);
    if (isIP(seed.host)) continue;
    try {
      for (const a of await lookup(seed.host, { all: true })) add({ host: a.address, port: seed.port });
    } catch {
      // Unresolvable: connecting to the name reports it with a clear message.
    }
  }
  return out;
}

/** Every address a host name resolves to (for the banner); [] for IPs and unresolvable names. */
export async function resolveAll(host: string): Promise<string[]> {
  if (isIP(host)) return [];
  try {
    return (await lookup(host, { all: true })).map((a) => a.address);
  } catch {
    return [];
  }
}

export interface DeployedNode {
  address: string;
  host: string;
  port: number;
  role: "primary" | "replica";
  id?: string;
  az?: string;
  /** Slots of the node's shard (cluster mode); empty for standalone. */
  slots: Uint16Array;
  health: string;
  /** Index of the node's shard (primary + its replicas); 0 for standalone. */
  shard: number;
}

export interface Deployment {
  mode: "cluster" | "standalone";
  nodes: DeployedNode[];
  /** The seed that answered. */
  seed: Target;
  /** One line for the banner: what was detected. */
  description: string;
}

function infoField(text: string, name: string): string | undefined {
  const m = new RegExp(`^${name}:(.*)$`, "m").exec(text);
  return m ? m[1]!.trim() : undefined;
}

function asText(v: RespValue, where = "the server"): string {
  if (typeof v === "string") return v;
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  if (v instanceof RespError) {
    if (v.code === "NOAUTH") throw new ConnectionError(`${where} requires authentication (NOAUTH); give -a (and --user for an ACL user) or put the credentials in -u`, "AUTH");
    throw new ConnectionError(`INFO failed on ${where}: ${v.message}`, v.code);
  }
  return String(v);
}

/** Connects to the seeds in order and describes the deployment. */
export async function discoverDeployment(config: BenchConfig): Promise<Deployment> {
  const conn = config.connection;
  if (conn.socketPath) {
    return {
      mode: "standalone",
      nodes: [{ address: `unix:${conn.socketPath}`, host: conn.socketPath, port: 0, role: "primary", slots: new Uint16Array(0), health: "online", shard: 0 }],
      seed: { kind: "unix", path: conn.socketPath },
      description: `standalone server on unix:${conn.socketPath}`,
    };
  }
  let lastError: unknown;
  for (const seed of await expandSeeds(conn.endpoints)) {
    let client: ControlClient | undefined;
    try {
      client = await ControlClient.connect({ kind: "tcp", host: seed.host, port: seed.port }, conn, { select: false });
      const enabled = await clusterEnabled(client, config, nodeAddress(seed.host, seed.port));
      if (config.clusterMode === "force" && !enabled) {
        throw new UserError(`--cluster was given but ${nodeAddress(seed.host, seed.port)} is not in cluster mode (cluster_enabled:0); drop --cluster`);
      }
      if (enabled) return await describeCluster(client, seed, config);
      return await describeStandalone(client, seed, config);
    } catch (e) {
      if (e instanceof UserError) throw e;
      lastError = e;
    } finally {
      client?.close();
    }
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

/** INFO refused: not allowed for this ACL user (NOPERM), or renamed / disabled (managed services). */
function infoUnavailable(reply: RespValue): boolean {
  return reply instanceof RespError && (reply.code === "NOPERM" || /^unknown command/i.test(reply.message.replace(/^ERR\s+/, "")));
}

/**
 * cluster_enabled from INFO cluster. An ACL user may not be allowed INFO, or the server may have
 * it renamed (valkey-benchmark needs none): then CLUSTER INFO decides (a standalone server
 * refuses it), and when that is not available either, --cluster does; otherwise the server is
 * taken as standalone.
 */
async function clusterEnabled(client: ControlClient, config: BenchConfig, where: string): Promise<boolean> {
  const conn = config.connection;
  const info = await client.call(["INFO", "cluster"], conn.connectTimeoutMs, "--connect-timeout");
  if (!infoUnavailable(info)) return infoField(asText(info, where), "cluster_enabled") === "1";
  const clusterInfo = await client.call(["CLUSTER", "INFO"], conn.connectTimeoutMs, "--connect-timeout");
  if (!(clusterInfo instanceof RespError)) return infoField(asText(clusterInfo, where), "cluster_state") !== undefined;
  if (infoUnavailable(clusterInfo)) return config.clusterMode === "force";
  return false;
}

async function describeCluster(client: ControlClient, seed: Endpoint, config: BenchConfig): Promise<Deployment> {
  const topo = remap(await readTopology(client, seed, config.connection.tls !== undefined), announceMapOf(config.cluster.announceMap));
  const nodes: DeployedNode[] = [];
  for (const [shardIndex, shard] of topo.shards.entries()) {
    const slots = slotsOfShard(shard);
    for (const node of [shard.primary, ...shard.replicas]) {
      nodes.push({
        shard: shardIndex,
        address: nodeAddress(node.host, node.port),
        host: node.host,
        port: node.port,
        role: node === shard.primary ? "primary" : "replica",
        id: node.id,
        az: node.az,
        slots,
        health: node.health,
      });
    }
  }
  if (config.cluster.readFrom !== "primary") await checkReplicaLinks(nodes, config.connection);
  const primaries = topo.shards.length;
  return {
    mode: "cluster",
    nodes,
    seed: { kind: "tcp", host: seed.host, port: seed.port },
    description: `cluster with ${primaries} ${primaries === 1 ? "primary" : "primaries"} and ${nodes.length - primaries} ${nodes.length - primaries === 1 ? "replica" : "replicas"} (via ${nodeAddress(seed.host, seed.port)})`,
  };
}

/**
 * --rfr reads from replicas only while they are in sync: CLUSTER SHARDS says "online" for a
 * replica whose link to its primary is down or still syncing, so each online replica's own
 * INFO replication is asked; a link that is not up (or no answer) makes it unusable for reads.
 */
async function checkReplicaLinks(nodes: DeployedNode[], conn: ConnectionConfig): Promise<void> {
  await Promise.all(
    nodes
      .filter((n) => n.role === "replica" && n.health === "online")
      .map(async (n) => {
        let client: ControlClient | undefined;
        try {
          client = await ControlClient.connect({ kind: "tcp", host: n.host, port: n.port }, conn, { select: false });
          const status = infoField(asText(await client.call(["INFO", "replication"], conn.connectTimeoutMs, "--connect-timeout")), "master_link_status");
          if (status !== undefined && status !== "up") n.health = `link ${status}`;
        } catch {
          n.health = "unreachable";
        } finally {
          client?.close();
        }
      }),
  );
}

async function describeStandalone(client: ControlClient, seed: Endpoint, config: BenchConfig): Promise<Deployment> {
  const reply = await client.call(["INFO", "replication"]);
  // Without INFO (an ACL user may not have it) the server is benchmarked as it is, replicas unknown.
  const infoDenied = infoUnavailable(reply);
  const info = infoDenied ? "" : asText(reply);
  let primary: Endpoint = seed;
  let replInfo = info;
  if (infoField(info, "role") === "slave") {
    const host = infoField(info, "master_host");
    const port = Number(infoField(info, "master_port"));
    if (host && port) {
      primary = { host, port };
      // The primary lists its replicas; ask it (when reachable) rather than the replica.
      try {
        const p = await ControlClient.connect({ kind: "tcp", host, port }, config.connection, { select: false });
        try {
          replInfo = asText(await p.call(["INFO", "replication"]));
        } finally {
          p.close();
        }
      } catch {
        replInfo = "";
      }
    }
  }
  const nodes: DeployedNode[] = [
    { address: nodeAddress(primary.host, primary.port), host: primary.host, port: primary.port, role: "primary", slots: new Uint16Array(0), health: "online", shard: 0 },
  ];
  for (const m of replInfo.matchAll(/^slave\d+:(.*)$/gm)) {
    const fields = Object.fromEntries(m[1]!.split(",").map((kv) => kv.split("=") as [string, string]));
    if (!fields.ip || !fields.port) continue;
    nodes.push({
      address: nodeAddress(fields.ip, Number(fields.port)),
      host: fields.ip,
      port: Number(fields.port),
      role: "replica",
      slots: new Uint16Array(0),
      shard: 0,
      health: fields.state === "online" ? "online" : (fields.state ?? "unknown"),
    });
  }
  const replicas = nodes.length - 1;
  return {
    mode: "standalone",
    nodes,
    seed: { kind: "tcp", host: seed.host, port: seed.port },
    description:
      replicas > 0
        ? `standalone primary ${nodes[0]!.address} with ${replicas} replica${replicas > 1 ? "s" : ""}`
        : `standalone server ${nodes[0]!.address}${infoDenied ? " (INFO is not available: replicas not looked for)" : ""}`,
  };
}
