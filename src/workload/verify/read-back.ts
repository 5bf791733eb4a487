/**
 * --verify-writes: after a write test, reads every key the ledger says was written back from
 * the primaries that own it now (a fresh topology, so a failover during the test is followed),
 * pipelined in chunks, and classifies it:
 * - present: the value carries a stamp above the key's floor (the last acknowledged write, or a
 *   concurrent one that may legitimately have been applied last);
 * - stale: an older write of this run, superseded by an acknowledged one (a lost write);
 * - missing: no value, or a value this run did not write;
 * - corrupt: this run's stamp with a checksum that does not fit the key, field or length;
 * - unreadable: the node answered with an error (CLUSTERDOWN, MOVED...) or could not be reached,
 *   again and again until --request-timeout passed (a failover settling is waited for).
 */
import { discoverDeployment, type DeployedNode, type Deployment } from "../../cluster/discovery.ts";
import type { BenchConfig } from "../../config/types.ts";
import { ControlClient } from "../../net/control-client.ts";
import { encodeCommand } from "../../resp/encode.ts";
import { RespError, type RespValue } from "../../resp/types.ts";
import { WriteLedger } from "./ledger.ts";
import { CORRUPT, NOT_OURS, readStamp } from "./stamp.ts";
import { ledgerEntry, tagSlot, verifiedKeyName, type VerifyParams } from "./verify-keys.ts";

export interface VerifyCounts {
  present: number;
  stale: number;
  missing: number;
  corrupt: number;
  unreadable: number;
}

export interface VerifyWritesResult extends VerifyCounts {
  /** Distinct keys with at least one acknowledged write. */
  keysWritten: number;
  /** Writes sent (stamps handed out) since the run started. */
  writesSent: number;
  /** Per primary the keys were read from. */
  perNode: Record<string, VerifyCounts>;
  /** Why the classification is withheld, when it is (stamp counter wrapped). */
  withheld?: string;
  /** Problems reading back (unreachable nodes), at most a few. */
  problems: string[];
}

const CHUNK = 1000;

function emptyCounts(): VerifyCounts {
  return { present: 0, stale: 0, missing: 0, corrupt: 0, unreadable: 0 };
}

type Verdict = keyof VerifyCounts;
const SEVERITY: Verdict[] = ["present", "stale", "corrupt", "missing", "unreadable"];

function worse(a: Verdict, b: Verdict): Verdict {
  return SEVERITY.indexOf(a) >= SEVERITY.indexOf(b) ? a : b;
}

/** One value read back against the ledger entry of key `key`. */
export function classifyValue(value: RespValue, ledger: WriteLedger, entry: number, key: number, field: number): Verdict {
  if (value === null) return "missing";
  if (value instanceof RespError) return "unreadable";
  if (!(value instanceof Uint8Array)) return "missing";
  const stamp = readStamp(value, 0, value.length, ledger.nonce, key, field);
  if (stamp === NOT_OURS) return "missing";
  if (stamp === CORRUPT) return "corrupt";
  return stamp <= ledger.floor(entry) ? "stale" : "present";
}

interface Pending {
  key: number;
  entry: number;
  /** The slot the key is tagged into (cluster mode). */
  slot: number | undefined;
  name: string;
}

/** Reads `keys` from `node` pipelined in chunks; calls `verdict` for each. Throws when the node cannot be reached. */
async function readFrom(
  node: DeployedNode,
  keys: Pending[],
  config: BenchConfig,
  hashFields: readonly string[] | undefined,
  ledger: WriteLedger,
  verdict: (k: Pending, v: Verdict) => void,
): Promise<void> {
  const target = node.port === 0 && node.address.startsWith("unix:") ? ({ kind: "unix", path: node.host } as const) : ({ kind: "tcp", host: node.host, port: node.port } as const);
  const client = await ControlClient.connect(target, config.connection, { binary: true });
  try {
    for (let start = 0; start < keys.length; start += CHUNK) {
      const chunk = keys.slice(start, start + CHUNK);
      const commands = chunk.map((k) => encodeCommand(hashFields ? (hashFields.length === 1 ? ["HGET", k.name, hashFields[0]!] : ["HMGET", k.name, ...hashFields]) : ["GET", k.name]));
      const bytes = new Uint8Array(commands.reduce((n, c) => n + c.length, 0));
      let o = 0;
      for (const c of commands) {
        bytes.set(c, o);
        o += c.length;
      }
      const replies = await client.callRaw(bytes, chunk.length);
      chunk.forEach((k, i) => {
        const reply = replies[i]!;
        if (Array.isArray(reply)) {
          let v: Verdict = "present";
          reply.forEach((value, field) => (v = worse(v, classifyValue(value, ledger, k.entry, k.key, field))));
          verdict(k, v);
        } else verdict(k, classifyValue(reply, ledger, k.entry, k.key, 0));
      });
    }
  } finally {
    client.close();
  }
}

export async function readBackWrites(config: BenchConfig, verify: VerifyParams, hashFields: readonly string[] | undefined): Promise<VerifyWritesResult> {
  const ledger = new WriteLedger(verify.ledger);
  const result: VerifyWritesResult = { ...emptyCounts(), keysWritten: 0, writesSent: ledger.writesSent, perNode: {}, problems: [] };
  if (ledger.overflowed) {
    result.withheld = "more than 2^32 writes: the stamps wrapped, so old and new values cannot be told apart";
    return result;
  }
  let pending: Pending[] = [];
  for (let shard = 0; shard < verify.shardSlots.length; shard++) {
    const slots = verify.shardSlots[shard]!;
    for (let i = 0; i < verify.count; i++) {
      const key = verify.minimum + i;
      const entry = ledgerEntry(verify, shard, key);
      if (ledger.acked(entry) === 0) continue;
      result.keysWritten++;
      const slot = slots.length > 0 ? tagSlot(slots, key) : undefined;
      pending.push({ key, entry, slot, name: verifiedKeyName(config.keyPrefix, key, slot) });
    }
  }
  // A failover may still be settling when the test ends: keys that cannot be read (node down,
  // CLUSTERDOWN, MOVED) are retried on a fresh topology until --request-timeout has passed.
  const deadline = performance.now() + config.connection.requestTimeoutMs;
  const why = new Map<string, string>();
  for (let round = 0; pending.length > 0; round++) {
    if (round > 0) {
      if (performance.now() >= deadline) break;
      await Bun.sleep(250);
    }
    const retry: Pending[] = [];
    let deployment: Deployment;
    try {
      deployment = await discoverDeployment(config);
    } catch (e) {
      why.set("topology", `cannot discover the deployment: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    const primaries = deployment.nodes.filter((n) => n.role === "primary");
    const byNode = new Map<DeployedNode, Pending[]>();
    for (const k of pending) {
      const owner = k.slot === undefined ? primaries[0] : primaries.find((n) => n.slots.includes(k.slot!));
      if (!owner) {
        retry.push(k);
        why.set("slots", "some keys are in slots no primary serves");
        continue;
      }
      let list = byNode.get(owner);
      if (!list) byNode.set(owner, (list = []));
      list.push(k);
    }
    for (const [node, keys] of byNode) {
      const counts = (result.perNode[node.address] ??= emptyCounts());
      const answered = new Set<Pending>();
      try {
        await readFrom(node, keys, config, hashFields, ledger, (k, verdict) => {
          answered.add(k);
          if (verdict === "unreadable") {
            retry.push(k);
            why.set(node.address, `${node.address} answered some reads with an error`);
            return;
          }
          counts[verdict]++;
          result[verdict]++;
        });
      } catch (e) {
        for (const k of keys) if (!answered.has(k)) retry.push(k);
        why.set(node.address, `cannot read back from ${node.address}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    // Keys read in this round are settled; only the unreadable ones go round again.
    pending = retry;
  }
  for (const [address, c] of Object.entries(result.perNode)) if (Object.values(c).every((n) => n === 0)) delete result.perNode[address];
  if (pending.length > 0) {
    result.unreadable += pending.length;
    result.problems.push(...[...why.values()].slice(0, 3));
  }
  return result;
}

/** True when the user must hear that acknowledged writes did not survive (exit 1). */
export function verifyFailed(r: VerifyWritesResult): boolean {
  return r.withheld !== undefined || r.stale + r.missing + r.corrupt + r.unreadable > 0;
}
