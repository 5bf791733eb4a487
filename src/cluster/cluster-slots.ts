/**
 * CLUSTER SLOTS (deprecated since Redis 7 but the only topology command on older servers and
 * some proxies). One entry per contiguous slot range:
 *   [start, end, primary, replica, replica, ...]
 * where each node is [endpoint, port, id (Redis 4+), metadata (Redis 7+: "hostname"/"ip" as a
 * flat array in RESP2 or a map in RESP3)]. A primary appears once per range it owns; the ranges
 * are merged per primary. The reply has no health: the server leaves out failed and (in Valkey)
 * still-loading replicas, so every listed node is reported "online".
 */
import type { RespValue } from "../resp/types.ts";
import { RespError } from "../resp/types.ts";
import { array, fields, port, ReplyContext, slot, text } from "./reply-fields.ts";
import { chooseHost, sourceLabel, type ReplySource } from "./reply-source.ts";
import { buildTopology, type ClusterNode, type ClusterTopology, type ParsedShard } from "./topology.ts";

export function parseClusterSlots(reply: RespValue, source?: ReplySource): ClusterTopology {
  const ctx = new ReplyContext("CLUSTER SLOTS", sourceLabel(source));
  if (reply instanceof RespError) throw ctx.failed(reply);
  const shards: ParsedShard[] = array(reply, "the reply", ctx).map((entry, i) => {
    const what = `range ${i}`;
    const items = array(entry, what, ctx);
    if (items.length < 3) throw ctx.malformed(`${what} has ${items.length} items, expected start, end and a primary`);
    const start = slot(items[0]!, `the start slot of ${what}`, ctx);
    const end = slot(items[1]!, `the end slot of ${what}`, ctx);
    if (end < start) throw ctx.malformed(`${what} has the backwards slot range ${start}-${end}`);
    const nodes = items
      .slice(2)
      .map((node, n) => parseNode(node, n === 0 ? "primary" : "replica", `node ${n} of ${what}`, ctx, source));
    return { nodes, slots: [[start, end]] };
  });
  return buildTopology(shards);
}

function parseNode(
  entry: RespValue,
  role: ClusterNode["role"],
  what: string,
  ctx: ReplyContext,
  source: ReplySource | undefined,
): ClusterNode {
  const items = array(entry, what, ctx);
  if (items.length < 2) throw ctx.malformed(`${what} has ${items.length} items, expected endpoint and port`);
  const endpoint = text(items[0]!, `the endpoint of ${what}`, ctx);
  const nodePort = port(items[1]!, `the port of ${what}`, ctx);
  const metadata = items[3] === undefined || items[3] === null ? new Map<string, RespValue>() : fields(items[3], `the metadata of ${what}`, ctx);
  const ipValue = metadata.get("ip");
  const ip = ipValue === undefined || ipValue === null ? undefined : text(ipValue, `"ip" of ${what}`, ctx);
  const host = chooseHost(endpoint, ip, source);
  if (host === "") throw ctx.malformed(`${what} has an empty endpoint and no "ip"`);
  const idValue = items[2];
  const id = idValue === undefined || idValue === null ? "" : text(idValue, `the id of ${what}`, ctx);
  const node: ClusterNode = {
    // Servers before Redis 4 send no id; host:port is then the only identity there is.
    id: id !== "" ? id : `${host}:${nodePort}`,
    host,
    port: nodePort,
    role,
    health: "online",
  };
  const hostnameValue = metadata.get("hostname");
  const hostname = hostnameValue === undefined || hostnameValue === null ? "" : text(hostnameValue, `"hostname" of ${what}`, ctx);
  if (hostname !== "") node.hostname = hostname;
  return node;
}
