// Operations on a running test cluster (test/support/topology.ts startCluster) that change or
// stress its topology while a benchmark runs: moving slots between primaries, killing a node and
// waiting for its replica to take over, slowing a node down. Plus the server-side bookkeeping the
// cluster tests compare our report against (commandstats deltas, errorstats).
//
//   const [from, to] = await cluster.primaries();
//   const slots = (await slotsOf(from)).slice(0, 50);
//   await migrateSlots(cluster, from, to, slots, { holdMs: 300 });
//
// Slot operations go over one raw connection per batch (test/cluster/raw-request.ts) rather than
// one valkey-cli process per command: moving 50 slots is a few hundred commands, and spawning a
// process for each would take longer than the benchmark run they are meant to interrupt.

import { request } from "../cluster/raw-request.ts";
import { RespError, type RespValue } from "../../src/resp/types.ts";
import type { CommandArg } from "../../src/resp/encode.ts";
import { parseInfo } from "./info.ts";
import type { ValkeyCluster, ValkeyServer } from "./valkey.ts";

/** Keys moved per MIGRATE command. */
const MIGRATE_BATCH_KEYS = 200;
const MIGRATE_TIMEOUT_MS = 5000;

/** Sends `commands` in one write to `node` and returns the replies; an error reply throws. */
export async function send(node: ValkeyServer, ...commands: (readonly CommandArg[])[]): Promise<RespValue[]> {
  if (commands.length === 0) return [];
  const replies = await request(node.port, ...commands);
  replies.forEach((reply, i) => {
    if (reply instanceof RespError) {
      throw new Error(`127.0.0.1:${node.port} answered ${(commands[i] ?? []).join(" ")} with ${reply.message}`);
    }
  });
  return replies;
}

/** The node's cluster id (CLUSTER MYID). */
export async function nodeId(node: ValkeyServer): Promise<string> {
  const [id] = await send(node, ["CLUSTER", "MYID"]);
  if (typeof id !== "string") throw new Error(`127.0.0.1:${node.port} answered CLUSTER MYID with ${String(id)}`);
  return id;
}

/** Every slot the node serves, ascending, from its own line of CLUSTER NODES. */
export async function slotsOf(node: ValkeyServer): Promise<number[]> {
  const [text] = await send(node, ["CLUSTER", "NODES"]);
  const mine = String(text)
    .split("\n")
    .find((line) => line.split(" ")[2]?.split(",").includes("myself"));
  if (!mine) throw new Error(`127.0.0.1:${node.port}: no "myself" line in CLUSTER NODES`);
  const slots: number[] = [];
  // Fields 8+ are slot ranges ("0-5460", "42") or in-flight migrations ("[42->-id]"), skipped.
  for (const field of mine.trim().split(" ").slice(8)) {
    if (field.startsWith("[")) continue;
    const [lo, hi] = field.split("-").map(Number);
    if (lo === undefined || Number.isNaN(lo)) continue;
    for (let s = lo; s <= (hi ?? lo); s++) slots.push(s);
  }
  return slots;
}

/** The replica that currently replicates `primary` (first one, by INFO replication's master_port). */
export async function replicaOf(cluster: ValkeyCluster, primary: ValkeyServer): Promise<ValkeyServer> {
  for (const replica of await cluster.replicas()) {
    if ((await replica.info("replication")).master_port === String(primary.port)) return replica;
  }
  throw new Error(`no replica of 127.0.0.1:${primary.port} in the cluster`);
}

export interface MigrationOptions {
  /** Time the slots stay half-migrated (MIGRATING on the source, IMPORTING on the target, some
   *  keys already moved) before the rest move; during it the source answers ASK for missing keys. */
  holdMs?: number;
}

export interface MigrationResult {
  keysMoved: number;
}

/**
 * Moves `slots` from primary `from` to primary `to` the way `valkey-cli --cluster reshard` does,
 * all slots at once: SETSLOT IMPORTING on the target, MIGRATING on the source, MIGRATE the keys,
 * then SETSLOT NODE on the target, the source and every other primary. Safe while clients write:
 * the source refuses to create keys in a MIGRATING slot (ASK), so the key loop terminates.
 */
export async function migrateSlots(
  cluster: ValkeyCluster,
  from: ValkeyServer,
  to: ValkeyServer,
  slots: readonly number[],
  opts: MigrationOptions = {},
): Promise<MigrationResult> {
  const [fromId, toId] = await Promise.all([nodeId(from), nodeId(to)]);
  await send(to, ...slots.map((s) => ["CLUSTER", "SETSLOT", String(s), "IMPORTING", fromId]));
  await send(from, ...slots.map((s) => ["CLUSTER", "SETSLOT", String(s), "MIGRATING", toId]));
  // Move one batch first so both kinds of reply exist during the hold: ASK for keys already
  // moved or new, plain success for keys still on the source.
  let keysMoved = await migrateKeyBatch(from, to, slots);
  if (opts.holdMs) await Bun.sleep(opts.holdMs);
  for (;;) {
    const moved = await migrateKeyBatch(from, to, slots);
    keysMoved += moved;
    if (moved === 0) break;
  }
  // Target first (it bumps its epoch and owns the slot), then the source, then the rest, so no
  // node keeps an IMPORTING/MIGRATING state pointing at the other.
  const others = (await cluster.primaries()).filter((n) => n.port !== from.port && n.port !== to.port);
  for (const node of [to, from, ...others]) {
    await send(node, ...slots.map((s) => ["CLUSTER", "SETSLOT", String(s), "NODE", toId]));
  }
  return { keysMoved };
}

/** MIGRATEs up to MIGRATE_BATCH_KEYS keys of each slot; returns how many keys it moved. */
async function migrateKeyBatch(from: ValkeyServer, to: ValkeyServer, slots: readonly number[]): Promise<number> {
  const keyLists = await send(from, ...slots.map((s) => ["CLUSTER", "GETKEYSINSLOT", String(s), String(MIGRATE_BATCH_KEYS)]));
  const migrations: string[][] = [];
  for (const keys of keyLists) {
    if (!Array.isArray(keys) || keys.length === 0) continue;
    migrations.push(["MIGRATE", "127.0.0.1", String(to.port), "", "0", String(MIGRATE_TIMEOUT_MS), "KEYS", ...keys.map(String)]);
  }
  await send(from, ...migrations);
  return migrations.reduce((n, m) => n + m.length - 7, 0);
}

/**
 * Writes one key to every primary and waits until CLUSTER SHARDS (as seen from the first node)
 * reports every node "online". A replica of a never-written primary has replication offset 0,
 * which Valkey reports as health "loading" (and discovery rightly skips for reads) until its
 * primary sends something; a fresh test cluster is in exactly that state.
 */
export async function warmUpReplication(cluster: ValkeyCluster, timeoutMs = 15_000): Promise<void> {
  const primaries = await cluster.primaries();
  const owned = await Promise.all(primaries.map(async (p) => new Set(await slotsOf(p))));
  const candidates = Array.from({ length: 64 }, (_, i) => `warmup:${i}`);
  const slots = await send(primaries[0]!, ...candidates.map((k) => ["CLUSTER", "KEYSLOT", k]));
  await Promise.all(
    primaries.map((p, i) => {
      const key = candidates.find((_, k) => owned[i]?.has(Number(slots[k])));
      if (key === undefined) throw new Error(`no warm-up key hashes to a slot of 127.0.0.1:${p.port}`);
      return send(p, ["SET", key, "1"]);
    }),
  );
  const deadline = Date.now() + timeoutMs;
  let online = 0;
  while (Date.now() < deadline) {
    const shards = await cluster.nodes[0]!.cli("CLUSTER", "SHARDS");
    online = shards.split("\n").filter((line) => line.trim() === "online").length;
    if (online === cluster.nodes.length) return;
    await Bun.sleep(100);
  }
  throw new Error(`only ${online} of ${cluster.nodes.length} nodes online in CLUSTER SHARDS after ${timeoutMs} ms`);
}

/** SIGKILLs the node's server process (no shutdown, no goodbye to the cluster bus). */
export function killNode(node: ValkeyServer): void {
  process.kill(node.pid, "SIGKILL");
}

/** Resolves once `replica` reports role:master and cluster_state:ok (or throws after `timeoutMs`). */
export async function waitForPromotion(replica: ValkeyServer, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "not checked";
  while (Date.now() < deadline) {
    const role = (await replica.info("replication")).role;
    const state = parseInfo(await replica.cli("CLUSTER", "INFO")).cluster_state;
    if (role === "master" && state === "ok") return;
    last = `role:${role} cluster_state:${state}`;
    await Bun.sleep(100);
  }
  throw new Error(`127.0.0.1:${replica.port} was not promoted within ${timeoutMs} ms (${last})`);
}

export interface SlowDown {
  /** Stops the background load and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Keeps `node` busy from a background valkey-cli: `DEBUG SLEEP sleepSec` every `intervalSec`,
 * so the server is blocked most of the time without being down. One process for the whole
 * duration (valkey-cli -r/-i), not one per sleep.
 */
export function slowDown(node: ValkeyServer, opts: { sleepSec: number; intervalSec: number; repeat?: number }): SlowDown {
  const proc = Bun.spawn(
    [
      "valkey-cli", ...node.cliArgs,
      "-r", String(opts.repeat ?? 1_000_000),
      "-i", String(opts.intervalSec),
      "DEBUG", "SLEEP", String(opts.sleepSec),
    ],
    { stdin: "ignore", stdout: "ignore", stderr: "ignore" },
  );
  let stopped: Promise<void> | undefined;
  return {
    stop: () =>
      (stopped ??= (async () => {
        proc.kill("SIGKILL");
        await proc.exited;
      })()),
  };
}

/** Calls of each command on one node (commandstats), for before/after deltas. */
export type CallCounts = Map<string, number>;

/** The commandstats call counts of every node, keyed by "127.0.0.1:port". */
export async function snapshotCalls(nodes: readonly ValkeyServer[]): Promise<Map<string, CallCounts>> {
  const entries = await Promise.all(
    nodes.map(async (node): Promise<[string, CallCounts]> => {
      const stats = await node.commandstats();
      return [`127.0.0.1:${node.port}`, new Map(Object.entries(stats).map(([cmd, s]) => [cmd, s.calls]))];
    }),
  );
  return new Map(entries);
}

/** Calls of `command` on `address` between two snapshots. */
export function callDelta(before: Map<string, CallCounts>, after: Map<string, CallCounts>, address: string, command: string): number {
  return (after.get(address)?.get(command) ?? 0) - (before.get(address)?.get(command) ?? 0);
}

/** INFO errorstats of a node: error replies it sent, by code ("MOVED", "ASK", "CROSSSLOT"). */
export async function errorCounts(node: ValkeyServer): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const [key, value] of Object.entries(await node.info("errorstats"))) {
    if (key.startsWith("errorstat_")) counts[key.slice("errorstat_".length)] = Number(value.split("=")[1] ?? 0);
  }
  return counts;
}
