/**
 * Which key a verified write goes to, shared by the workers (that write and read it) and the
 * main thread (that reads it back). In a cluster every connection writes into its own shard's
 * slots, so key number K is a different key on each shard: its hash tag is the slot
 * `slots[K % slots.length]` of that shard, the same for a primary and its replicas and stable
 * across a failover, and the ledger keeps one entry per (shard, K).
 */
import { slotTag } from "../../cluster/slot-tags.ts";
import { RAND_WIDTH } from "../template.ts";

export interface VerifyParams {
  /** The WriteLedger's buffer (shared with every worker). */
  ledger: SharedArrayBuffer;
  /** Slots of each shard (index = DeployedNode.shard); one empty list outside cluster mode. */
  shardSlots: Uint16Array[];
  /** The key number range: [minimum, minimum + count). */
  minimum: number;
  count: number;
  /** "write": record acknowledged writes; "read": check values against the record. */
  role: "write" | "read";
}

/** The shard whose slots include `slot`; 0 outside cluster mode (or when none does). */
export function shardOfSlot(shardSlots: readonly Uint16Array[], slot: number | undefined): number {
  if (slot === undefined) return 0;
  for (let s = 0; s < shardSlots.length; s++) if (shardSlots[s]!.includes(slot)) return s;
  return 0;
}

export function ledgerEntry(v: VerifyParams, shard: number, key: number): number {
  return shard * v.count + (key - v.minimum);
}

/** The slot key number K is tagged into on a shard with these slots. */
export function tagSlot(slots: Uint16Array, key: number): number {
  return slots[key % slots.length]!;
}

/** The key's name as the built-in tests write it: [prefix]key[{TAG}]:000000000042. */
export function verifiedKeyName(prefix: string, key: number, slot: number | undefined): string {
  return `${prefix}key${slot === undefined ? "" : `{${slotTag(slot)}}`}:${String(key).padStart(RAND_WIDTH, "0")}`;
}
