/**
 * Synchronised start of several benchmark processes (shards), after each has connected:
 * - `--start-at TIME` (RFC 3339 or unix ms): wait until the wall clock says TIME. Relies on
 *   synchronised clocks (NTP / chrony), as every scheduler-started fleet has.
 * - `--barrier NAME N`: one INCR of a key on the target server, then poll it until it reaches N,
 *   so no extra infrastructure is needed. Each process then INCRs a second key; the last one to
 *   leave deletes both, so the barrier leaves no keys behind (and NAME can be reused).
 */
import { keySlot } from "../cluster/crc16.ts";
import type { Deployment } from "../cluster/discovery.ts";
import type { ConnectionConfig } from "../config/types.ts";
import { UserError } from "../errors.ts";
import { ControlClient } from "../net/control-client.ts";
import { RespError } from "../resp/types.ts";
import { targetOf } from "../net/transport.ts";

const POLL_MS = 50;

/** Resolves at `atMs` (epoch ms); `onWait` hears how long it will wait, once. */
export async function waitUntil(atMs: number, onWait?: (ms: number) => void): Promise<void> {
  const wait = atMs - Date.now();
  if (wait <= 0) return;
  onWait?.(wait);
  // Long sleeps in slices, so a clock adjustment during the wait is followed.
  while (Date.now() < atMs) await Bun.sleep(Math.min(1000, Math.max(1, atMs - Date.now())));
}

export function barrierKeys(name: string): { arrived: string; left: string } {
  // One hash tag: both keys live on the same cluster node.
  return { arrived: `{vsb:barrier:${name}}:arrived`, left: `{vsb:barrier:${name}}:left` };
}

function asInteger(v: unknown, what: string): number {
  if (v instanceof RespError) throw new UserError(`--barrier: ${what} failed: ${v.message}`);
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (v === null) return 0;
  if (typeof v === "string" || v instanceof Uint8Array) return Number(typeof v === "string" ? v : new TextDecoder().decode(v));
  throw new UserError(`--barrier: unexpected reply to ${what}`);
}

/**
 * Waits until `count` processes reached barrier `name`; gives up after `timeoutMs` with a
 * one-line error naming how many arrived.
 */
export async function passBarrier(
  conn: ConnectionConfig,
  deployment: Deployment,
  name: string,
  count: number,
  timeoutMs: number,
  onWait?: (arrived: number) => void,
): Promise<void> {
  const keys = barrierKeys(name);
  const slot = keySlot(keys.arrived);
  const node =
    deployment.mode === "cluster" ? deployment.nodes.find((n) => n.role === "primary" && n.slots.includes(slot)) : deployment.nodes.find((n) => n.role === "primary");
  if (!node) throw new UserError(`--barrier: no primary owns the barrier key's slot ${slot}`);
  const client = await ControlClient.connect(targetOf(node), conn, { select: deployment.mode !== "cluster" });
  try {
    const arrived = asInteger(await client.call(["INCR", keys.arrived]), "INCR");
    if (arrived > count) {
      throw new UserError(`--barrier ${name} ${count}: ${arrived} processes arrived (a stale barrier from an earlier run?); DEL ${keys.arrived} ${keys.left} or use another name`);
    }
    const deadline = Date.now() + timeoutMs;
    let seen = arrived;
    if (seen < count) onWait?.(seen);
    while (seen < count) {
      if (Date.now() > deadline) {
        // Leave the count as it was, so a retry with the same name is not miscounted.
        await client.call(["DECR", keys.arrived]);
        throw new UserError(`--barrier ${name} ${count}: only ${seen} of ${count} processes arrived within ${Math.round(timeoutMs / 1000)} s (--barrier-timeout)`);
      }
      await Bun.sleep(POLL_MS);
      seen = asInteger(await client.call(["GET", keys.arrived]), "GET");
    }
    const left = asInteger(await client.call(["INCR", keys.left]), "INCR");
    if (left >= count) await client.call(["DEL", keys.arrived, keys.left]);
  } finally {
    client.close();
  }
}
