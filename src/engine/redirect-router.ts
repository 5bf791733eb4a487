/**
 * Resends requests that a cluster answered with MOVED, ASK, TRYAGAIN or CLUSTERDOWN, on side
 * connections (one per node, opened on demand), so the benchmark connections keep their
 * pipelines going. ASK is preceded by ASKING; TRYAGAIN and CLUSTERDOWN back off and retry
 * within --request-timeout. Only this path allocates: redirects are rare and each is a copy.
 */
import type { ConnectionConfig } from "../config/types.ts";
import { nodeAddress } from "../cluster/discovery.ts";
import { parseRedirect } from "../cluster/redirect.ts";
import { ControlClient } from "../net/control-client.ts";
import { encodeCommand } from "../resp/encode.ts";
import { RespError, type RespValue } from "../resp/types.ts";
import type { WorkerClusterState } from "./cluster-state.ts";
import type { NodeAssignment } from "./workload-api.ts";

/** `retried`: the code a TRYAGAIN/CLUSTERDOWN retry got past, when one did. */
export type RedirectOutcome = { ok: true; address: string; retried?: string } | { ok: false; code: string; problem?: string };

const ASKING = encodeCommand(["ASKING"]);
const MAX_HOPS = 16;
/** TRYAGAIN / CLUSTERDOWN: retries per request (after 100, 200, 400 ms), then it is an error of
 *  that type. More would only multiply the load on a cluster that cannot serve. */
export const MAX_RETRIES = 3;
const FIRST_BACKOFF_MS = 100;

export class RedirectRouter {
  private clients = new Map<string, Promise<ControlClient>>();

  constructor(
    private readonly conn: ConnectionConfig,
    private readonly cluster: WorkerClusterState,
  ) {}

  private client(host: string, port: number): Promise<ControlClient> {
    const key = nodeAddress(host, port);
    let c = this.clients.get(key);
    if (!c) {
      c = ControlClient.connect({ kind: "tcp", host, port }, this.conn, { binary: true, select: false });
      this.clients.set(key, c);
      c.catch(() => this.clients.delete(key));
    }
    return c;
  }

  async resend(command: Uint8Array, code: string, message: string, from: NodeAssignment): Promise<RedirectOutcome> {
    const deadline = performance.now() + this.conn.requestTimeoutMs;
    let host = from.host;
    let port = from.port;
    let backoffMs = FIRST_BACKOFF_MS;
    let retries = 0;
    let retriedCode: string | undefined;
    const startedMs = performance.now();
    for (let hop = 0; hop < MAX_HOPS; hop++) {
      let asking = false;
      if (code === "MOVED" || code === "ASK") {
        const r = parseRedirect(message, host);
        if (!r) return { ok: false, code, problem: `unreadable redirect from ${nodeAddress(host, port)}: ${message}` };
        if (r.host === "?" || r.host === "") {
          await this.cluster.refresh();
          const owner = this.cluster.ownerOfSlot(r.slot);
          if (!owner) return { ok: false, code, problem: `no node owns slot ${r.slot} after ${message}` };
          host = owner.host;
          port = owner.port;
        } else {
          host = r.host;
          port = r.port;
        }
        asking = code === "ASK";
      } else {
        // TRYAGAIN (keys of a multi-key command mid-migration) / CLUSTERDOWN: wait, then retry,
        // a bounded number of times within --request-timeout.
        if (retries >= MAX_RETRIES || performance.now() + backoffMs > deadline) {
          const spent = Math.round(performance.now() - startedMs);
          return { ok: false, code, problem: `${nodeAddress(host, port)} answered ${code} after ${retries} retries over ${spent} ms; those requests were counted as ${code} errors` };
        }
        await Bun.sleep(backoffMs);
        backoffMs *= 2;
        retries++;
        retriedCode = code;
        if (code === "CLUSTERDOWN") await this.cluster.refresh();
      }
      let reply: RespValue | undefined;
      try {
        const client = await this.client(host, port);
        const bytes = asking ? concat(ASKING, command) : command;
        const replies = await client.callRaw(bytes, asking ? 2 : 1);
        reply = replies[replies.length - 1];
      } catch (e) {
        this.clients.delete(nodeAddress(host, port));
        return { ok: false, code: "CONNECTION", problem: `resending a redirected request to ${nodeAddress(host, port)} failed: ${(e as Error).message}` };
      }
      if (!(reply instanceof RespError)) return { ok: true, address: nodeAddress(host, port), retried: retriedCode };
      code = reply.code;
      message = reply.message;
      if (code !== "MOVED" && code !== "ASK" && code !== "TRYAGAIN" && code !== "CLUSTERDOWN") return { ok: false, code };
      if (code === "MOVED") void this.cluster.refresh();
    }
    return { ok: false, code, problem: `request redirected more than ${MAX_HOPS} times; the cluster keeps moving this slot` };
  }

  close(): void {
    for (const c of this.clients.values()) c.then((x) => x.close(), () => {});
    this.clients.clear();
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
