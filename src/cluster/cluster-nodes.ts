/**
 * CLUSTER NODES: the text topology every cluster-capable server supports. One line per node:
 *
 *   <id> <ip:port@cport[,hostname[,key=value...]]> <flags> <primary id|-> <ping-sent>
 *   <pong-recv> <config-epoch> <link-state> [<slot>|<start>-<end>|[<slot>->-<id>]|[<slot>-<-<id>]]...
 *
 * Flags: myself, master, slave, fail?, fail, handshake, noaddr, nofailover, noflags. Bracketed
 * slot entries describe migrations in progress and are ignored: the slot still belongs to the
 * node listing it as a plain range until the migration completes.
 */
import { SLOT_COUNT } from "./crc16.ts";
import { sourceLabel, type ReplySource } from "./reply-source.ts";
import { buildTopology, TopologyError, type ClusterNode, type ClusterTopology, type ParsedShard } from "./topology.ts";

export function parseClusterNodes(reply: string, source?: ReplySource): ClusterTopology {
  const label = sourceLabel(source);
  const malformed = (lineNumber: number, detail: string): TopologyError =>
    new TopologyError(`CLUSTER NODES reply from ${label} is malformed: line ${lineNumber}: ${detail}`);

  const primaries = new Map<string, ParsedShard>();
  const replicas: ClusterNode[] = [];
  const lines = reply.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    const parts = line.split(" ");
    if (parts.length < 8) throw malformed(i + 1, `expected at least 8 fields, got ${parts.length}`);
    const [id, address, flagText, primaryId] = parts as [string, string, string, string];
    const flags = new Set(flagText.split(","));
    // A node in handshake has a temporary random id and is not a member yet.
    if (flags.has("handshake")) continue;
    const isPrimary = flags.has("master");
    if (!isPrimary && !flags.has("slave")) continue; // "noflags": not a usable member yet

    const parsed = parseAddress(address);
    if (parsed === undefined) throw malformed(i + 1, `cannot read the address ${JSON.stringify(address)}`);
    // The node answering may not know its own IP yet (":6379@16379 myself,..."): it is the source.
    const host = parsed.ip === "" && flags.has("myself") && source !== undefined ? source.host : parsed.ip;
    const node: ClusterNode = {
      id,
      host,
      port: parsed.port !== 0 ? parsed.port : (parsed.tlsPort ?? 0),
      role: isPrimary ? "primary" : "replica",
      health: flags.has("fail") ? "failed" : flags.has("fail?") || flags.has("noaddr") || host === "" ? "unknown" : "online",
    };
    if (parsed.tlsPort !== undefined) node.tlsPort = parsed.tlsPort;
    if (parsed.hostname !== undefined) node.hostname = parsed.hostname;

    if (!isPrimary) {
      if (primaryId !== "-") node.primaryId = primaryId;
      replicas.push(node);
      continue;
    }
    const slots: [number, number][] = [];
    for (const entry of parts.slice(8)) {
      if (entry === "" || entry.startsWith("[")) continue; // migration in progress
      const dash = entry.indexOf("-");
      const start = Number(dash === -1 ? entry : entry.slice(0, dash));
      const end = dash === -1 ? start : Number(entry.slice(dash + 1));
      if (!isSlot(start) || !isSlot(end) || end < start) throw malformed(i + 1, `bad slot range ${JSON.stringify(entry)}`);
      slots.push([start, end]);
    }
    primaries.set(id, { nodes: [node], slots });
  }

  const orphans: ClusterNode[] = [];
  for (const replica of replicas) {
    const shard = replica.primaryId === undefined ? undefined : primaries.get(replica.primaryId);
    if (shard === undefined) orphans.push(replica);
    else shard.nodes.push(replica);
  }
  return buildTopology([...primaries.values()], orphans);
}

interface Address {
  ip: string;
  port: number;
  tlsPort?: number;
  hostname?: string;
}

/** "ip:port@cport[,hostname][,key=value...]"; IPv6 addresses are unbracketed ("::1:6379@16379"). */
function parseAddress(field: string): Address | undefined {
  const pieces = field.split(",");
  const hostPort = pieces[0]!.split("@")[0]!;
  const colon = hostPort.lastIndexOf(":");
  if (colon === -1) return undefined;
  const port = Number(hostPort.slice(colon + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) return undefined;
  const address: Address = { ip: hostPort.slice(0, colon), port };
  for (let p = 1; p < pieces.length; p++) {
    const piece = pieces[p]!;
    const eq = piece.indexOf("=");
    // The hostname comes right after the bus port; nodes.conf-style aux fields are key=value.
    const key = eq === -1 ? (p === 1 ? "hostname" : "") : piece.slice(0, eq);
    const value = eq === -1 ? piece : piece.slice(eq + 1);
    if (key === "hostname" && value !== "") address.hostname = value;
    if (key === "tls-port") {
      const tlsPort = Number(value);
      if (Number.isInteger(tlsPort) && tlsPort > 0 && tlsPort <= 65535) address.tlsPort = tlsPort;
    }
  }
  return address;
}

function isSlot(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n < SLOT_COUNT;
}
