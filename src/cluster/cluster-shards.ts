/**
 * CLUSTER SHARDS (Valkey and Redis 7+): the preferred topology source, because it reports
 * replicas with their health and (Valkey 8.1+, ElastiCache) their availability zone.
 *
 * Reply: one entry per shard, each a map (RESP3) or flat key/value array (RESP2) with
 *   "slots": [start, end, start, end, ...]
 *   "nodes": [{ id, port, tls-port, ip, endpoint, hostname, role, replication-offset, health,
 *              availability-zone }, ...]
 * Unknown fields are ignored so newer servers keep working.
 */
import type { RespValue } from "../resp/types.ts";
import { RespError } from "../resp/types.ts";
import { array, fields, integer, port, ReplyContext, slot, text } from "./reply-fields.ts";
import { chooseHost, sourceLabel, type ReplySource } from "./reply-source.ts";
import { buildTopology, type ClusterNode, type ClusterTopology, type ParsedShard } from "./topology.ts";

export function parseClusterShards(reply: RespValue, source?: ReplySource): ClusterTopology {
  const ctx = new ReplyContext("CLUSTER SHARDS", sourceLabel(source));
  if (reply instanceof RespError) throw ctx.failed(reply);
  const shards: ParsedShard[] = array(reply, "the reply", ctx).map((entry, i) => parseShard(entry, i, ctx, source));
  return buildTopology(shards);
}

function parseShard(entry: RespValue, index: number, ctx: ReplyContext, source: ReplySource | undefined): ParsedShard {
  const what = `shard ${index}`;
  const shard = fields(entry, what, ctx);
  const flatSlots = array(shard.get("slots") ?? [], `"slots" of ${what}`, ctx);
  if (flatSlots.length % 2 !== 0) throw ctx.malformed(`"slots" of ${what} has an odd number of items`);
  const slots: [number, number][] = [];
  for (let i = 0; i < flatSlots.length; i += 2) {
    const start = slot(flatSlots[i]!, `a slot of ${what}`, ctx);
    const end = slot(flatSlots[i + 1]!, `a slot of ${what}`, ctx);
    if (end < start) throw ctx.malformed(`${what} has the backwards slot range ${start}-${end}`);
    slots.push([start, end]);
  }
  const nodeEntries = shard.get("nodes");
  if (nodeEntries === undefined) throw ctx.malformed(`${what} has no "nodes"`);
  const nodes = array(nodeEntries, `"nodes" of ${what}`, ctx).map((node, i) =>
    parseNode(node, `node ${i} of ${what}`, ctx, source),
  );
  return { nodes, slots };
}

function parseNode(entry: RespValue, what: string, ctx: ReplyContext, source: ReplySource | undefined): ClusterNode {
  const node = fields(entry, what, ctx);
  const optionalText = (key: string): string | undefined => {
    const value = node.get(key);
    return value === undefined || value === null ? undefined : text(value, `"${key}" of ${what}`, ctx);
  };
  const optionalPort = (key: string): number | undefined => {
    const value = node.get(key);
    return value === undefined || value === null ? undefined : port(value, `"${key}" of ${what}`, ctx);
  };

  const id = optionalText("id");
  if (id === undefined || id === "") throw ctx.malformed(`${what} has no "id"`);
  const plainPort = optionalPort("port");
  const tlsPort = optionalPort("tls-port");
  // Valkey reports "port" for the plain-text listener and "tls-port" for the TLS one (only
  // "tls-port" on a TLS-only node). Connect the way the reply came in when both exist.
  const hasPlain = plainPort !== undefined && plainPort !== 0;
  const hasTls = tlsPort !== undefined && tlsPort !== 0;
  const connectPort = hasTls && (source?.tls === true || !hasPlain) ? tlsPort : plainPort;
  if (connectPort === undefined || connectPort === 0) throw ctx.malformed(`${what} (${id}) has no "port" or "tls-port"`);
  const host = chooseHost(optionalText("endpoint"), optionalText("ip"), source);
  if (host === "") throw ctx.malformed(`${what} (${id}) has no "endpoint" or "ip"`);
  const roleText = optionalText("role");
  if (roleText !== "master" && roleText !== "replica" && roleText !== "primary" && roleText !== "slave") {
    throw ctx.malformed(`${what} (${id}) has role ${JSON.stringify(roleText ?? null)}, expected "master" or "replica"`);
  }
  const result: ClusterNode = {
    id,
    host,
    port: connectPort,
    role: roleText === "master" || roleText === "primary" ? "primary" : "replica",
    health: health(optionalText("health")),
  };
  if (tlsPort !== undefined && tlsPort !== 0) result.tlsPort = tlsPort;
  const hostname = optionalText("hostname");
  if (hostname !== undefined && hostname !== "") result.hostname = hostname;
  const az = optionalText("availability-zone");
  if (az !== undefined && az !== "") result.az = az;
  // "replication-offset" is validated because a garbled number there means a garbled reply.
  const offset = node.get("replication-offset");
  if (offset !== undefined) integer(offset, `"replication-offset" of ${what}`, ctx);
  return result;
}

function health(value: string | undefined): ClusterNode["health"] {
  switch (value) {
    case "online":
    case "failed":
    case "loading":
      return value;
    case "fail":
      return "failed";
    default:
      return "unknown";
  }
}
