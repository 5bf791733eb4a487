// Cluster mode of the stand-in: N servers in one process, each owning a contiguous share of the
// 16384 slots (split like `valkey-cli --cluster create`), answering MOVED / CROSSSLOT for keys it
// does not own and describing the topology through CLUSTER SHARDS / SLOTS / NODES / INFO.
// FT.CREATE and FT.DROPINDEX propagate to every shard and FT.SEARCH fans out to all of them,
// in-process, like valkey-search's coordinator.

import type { ReplyWriter } from "./resp.ts";
import type { ServerState } from "./state.ts";

export const SLOT_COUNT = 16384;

export type ClusterNode = { state: ServerState; nodeId: string; firstSlot: number; lastSlot: number };

export class ClusterTopology {
  readonly nodes: ClusterNode[];

  constructor(states: ServerState[]) {
    const perNode = SLOT_COUNT / states.length;
    let cursor = 0;
    let first = 0;
    this.nodes = states.map((state, i) => {
      const last = i === states.length - 1 ? SLOT_COUNT - 1 : Math.round(cursor + perNode - 1);
      cursor += perNode;
      const node = { state, nodeId: nodeIdFor(i), firstSlot: first, lastSlot: last };
      first = last + 1;
      return node;
    });
  }

  ownerOf(slot: number): ClusterNode {
    const node = this.nodes.find((n) => slot >= n.firstSlot && slot <= n.lastSlot);
    if (node === undefined) throw new Error(`slot ${slot} has no owner`);
    return node;
  }

  nodeOf(state: ServerState): ClusterNode {
    const node = this.nodes.find((n) => n.state === state);
    if (node === undefined) throw new Error("server is not part of this cluster");
    return node;
  }
}

function nodeIdFor(index: number): string {
  return `${"5eac"}${String(index).padStart(4, "0")}`.padEnd(40, "0");
}

// CRC16-CCITT (XMODEM), the hash Valkey cluster uses for key slots.
const CRC_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[i] = crc;
  }
  return table;
})();

export function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ CRC_TABLE[((crc >> 8) ^ byte) & 0xff];
  return crc;
}

/** Slot of a key, honouring `{hash tags}` (the first non-empty `{…}` section). */
export function keySlot(key: string): number {
  const open = key.indexOf("{");
  if (open >= 0) {
    const close = key.indexOf("}", open + 1);
    if (close > open + 1) key = key.slice(open + 1, close);
  }
  return crc16(Buffer.from(key, "latin1")) % SLOT_COUNT;
}

/** null when the keys may be served here, else the error line (MOVED / CROSSSLOT) to send. */
export function routingError(topology: ClusterTopology, self: ServerState, keys: string[]): string | null {
  if (keys.length === 0) return null;
  const slot = keySlot(keys[0]);
  if (keys.some((k) => keySlot(k) !== slot)) return "CROSSSLOT Keys in request don't hash to the same slot";
  const owner = topology.ownerOf(slot);
  if (owner.state === self) return null;
  return `MOVED ${slot} 127.0.0.1:${owner.state.port}`;
}

export function clusterCommand(topology: ClusterTopology, self: ServerState, sub: string, args: string[], out: ReplyWriter): void {
  const me = topology.nodeOf(self);
  switch (sub) {
    case "MYID":
      return out.bulk(me.nodeId);
    case "KEYSLOT":
      if (args.length !== 1) return out.error("ERR wrong number of arguments for 'cluster|keyslot' command");
      return out.int(keySlot(args[0]));
    case "INFO":
      return out.verbatim(
        [
          "cluster_state:ok",
          `cluster_slots_assigned:${SLOT_COUNT}`,
          `cluster_slots_ok:${SLOT_COUNT}`,
          "cluster_slots_pfail:0",
          "cluster_slots_fail:0",
          `cluster_known_nodes:${topology.nodes.length}`,
          `cluster_size:${topology.nodes.length}`,
          `cluster_current_epoch:${topology.nodes.length}`,
          `cluster_my_epoch:${topology.nodes.indexOf(me) + 1}`,
          "",
        ].join("\r\n"),
      );
    case "NODES":
      return out.verbatim(
        topology.nodes
          .map((n, i) => {
            const flags = n === me ? "myself,master" : "master";
            const port = n.state.port;
            return `${n.nodeId} 127.0.0.1:${port}@${port + 10000} ${flags} - 0 0 ${i + 1} connected ${n.firstSlot}-${n.lastSlot}\n`;
          })
          .join(""),
      );
    case "SLOTS":
      out.array(topology.nodes.length);
      for (const n of topology.nodes) {
        out.array(3);
        out.int(n.firstSlot);
        out.int(n.lastSlot);
        out.array(4);
        out.bulk("127.0.0.1");
        out.int(n.state.port);
        out.bulk(n.nodeId);
        out.map(0);
      }
      return;
    case "SHARDS":
      out.array(topology.nodes.length);
      for (const n of topology.nodes) {
        out.map(2);
        out.bulk("slots");
        out.array(2);
        out.int(n.firstSlot);
        out.int(n.lastSlot);
        out.bulk("nodes");
        out.array(1);
        out.map(7);
        const fields: [string, string | number][] = [
          ["id", n.nodeId],
          ["port", n.state.port],
          ["ip", "127.0.0.1"],
          ["endpoint", "127.0.0.1"],
          ["role", "master"],
          ["replication-offset", 0],
          ["health", "online"],
        ];
        for (const [name, value] of fields) {
          out.bulk(name);
          if (typeof value === "number") out.int(value);
          else out.bulk(value);
        }
      }
      return;
    default:
      out.error(`ERR unknown subcommand '${sub}'. Try CLUSTER HELP.`);
  }
}
