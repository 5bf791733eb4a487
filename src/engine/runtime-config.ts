/**
 * --runtime-config: CONFIG SET on every node before the run, verified with CONFIG GET, and the
 * previous values put back afterwards. All or nothing: the previous values of every parameter
 * are read on every node first (a node that does not know one refuses the whole file before
 * anything changes); a node that refuses a value makes every change made so far be undone
 * before the error is raised. The restore is one promise shared by every caller (the normal
 * end, a failed run, Ctrl-C, SIGTERM: see exit-cleanup.ts), so it runs exactly once.
 */
import type { DeployedNode } from "../cluster/discovery.ts";
import type { RuntimeSetting } from "../config/runtime-config-file.ts";
import type { ConnectionConfig } from "../config/types.ts";
import { UserError } from "../errors.ts";
import { ControlClient } from "../net/control-client.ts";
import { RespError, type RespValue } from "../resp/types.ts";
import { targetOf } from "../net/transport.ts";
import { onExitCleanup } from "./exit-cleanup.ts";

const TIMEOUT_MS = 5_000;

interface NodeState {
  node: DeployedNode;
  client?: ControlClient;
  /** Parameter -> value before the run (CONFIG GET). */
  previous: Map<string, string>;
  /** Parameters set on this node so far (the ones to restore). */
  applied: string[];
}

function text(v: RespValue): string | undefined {
  if (typeof v === "string") return v;
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  if (typeof v === "number" || typeof v === "bigint") return String(v);
  return undefined;
}

/** CONFIG GET's reply (a flat array or a RESP3 map) as name -> value. */
function configPairs(reply: RespValue): Map<string, string> {
  const out = new Map<string, string>();
  const entries: [RespValue, RespValue][] = reply instanceof Map ? [...reply] : Array.isArray(reply) ? Array.from({ length: reply.length >> 1 }, (_, i) => [reply[2 * i]!, reply[2 * i + 1]!]) : [];
  for (const [k, v] of entries) {
    const key = text(k);
    const value = text(v);
    if (key !== undefined && value !== undefined) out.set(key.toLowerCase(), value);
  }
  return out;
}

/** Memory sizes as valkey.conf reads them (1k = 1000, 1kb = 1024); undefined if not a size. */
function configBytes(value: string): number | undefined {
  const m = /^(\d+)(k|kb|m|mb|g|gb)?$/i.exec(value.trim());
  if (!m) return undefined;
  const unit = { k: 1e3, kb: 1024, m: 1e6, mb: 1024 ** 2, g: 1e9, gb: 1024 ** 3 }[(m[2] ?? "").toLowerCase() as "k"] ?? 1;
  return Number(m[1]) * unit;
}

/** Does the server's reading of a parameter equal what was set? (case, spacing, size units) */
export function sameSetting(wanted: string, got: string): boolean {
  const norm = (s: string) => s.trim().toLowerCase().replace(/\s+/g, " ");
  if (norm(wanted) === norm(got)) return true;
  const a = configBytes(wanted);
  return a !== undefined && a === configBytes(got);
}

export class RuntimeConfig {
  private restoring?: Promise<void>;
  /** The CONFIG SET under way while applying: a restore waits for it, so it is undone too. */
  private inFlight: Promise<unknown> = Promise.resolve();
  private unregister: () => void = () => {};

  private constructor(
    private readonly states: NodeState[],
    private readonly settings: readonly RuntimeSetting[],
    private readonly conn: ConnectionConfig,
    private readonly warn: (m: string) => void,
  ) {}

  /** Applies `settings` to every node; throws (after undoing everything) when one refuses. */
  static async apply(conn: ConnectionConfig, nodes: readonly DeployedNode[], settings: readonly RuntimeSetting[], warn: (m: string) => void): Promise<RuntimeConfig> {
    const rc = new RuntimeConfig(
      nodes.map((node) => ({ node, previous: new Map(), applied: [] })),
      settings,
      conn,
      warn,
    );
    // Registered before the first change: a signal during apply restores what was set so far.
    rc.unregister = onExitCleanup(() => rc.restore());
    try {
      await Promise.all(rc.states.map((s) => rc.readPrevious(s)));
      for (const s of rc.states) await rc.setAll(s);
    } catch (e) {
      await rc.restore();
      throw e;
    }
    return rc;
  }

  /** What was applied, for the banner / verbose log. */
  describe(): string {
    return `${this.settings.map((s) => `${s.name}=${s.value === "" ? '""' : s.value}`).join(" ")} on ${this.states.length} node${this.states.length === 1 ? "" : "s"}`;
  }

  private async client(s: NodeState): Promise<ControlClient> {
    if (!s.client?.isOpen) s.client = await ControlClient.connect(targetOf({ ...s.node }), this.conn, { select: false });
    return s.client;
  }

  private async readPrevious(s: NodeState): Promise<void> {
    const c = await this.client(s);
    for (const { name } of this.settings) {
      const reply = await c.call(["CONFIG", "GET", name], TIMEOUT_MS);
      if (reply instanceof RespError) throw new UserError(`--runtime-config: ${s.node.address} refused CONFIG GET ${name}: ${reply.message}; nothing was changed`);
      const value = configPairs(reply).get(name);
      if (value === undefined) throw new UserError(`--runtime-config: ${s.node.address} has no configuration parameter '${name}'; nothing was changed`);
      s.previous.set(name, value);
    }
  }

  private async setAll(s: NodeState): Promise<void> {
    const c = await this.client(s);
    for (const { name, value } of this.settings) {
      // A restore started (a signal during apply): set nothing more.
      if (this.restoring) throw new UserError("--runtime-config: interrupted while applying; every change was undone");
      // Recorded as applied as soon as the server says so, before a waiting restore reads the list.
      const step = c.call(["CONFIG", "SET", name, value], TIMEOUT_MS).then((reply) => {
        if (!(reply instanceof RespError)) s.applied.push(name);
        return reply;
      });
      this.inFlight = step.catch(() => undefined);
      const reply = await step;
      if (reply instanceof RespError) {
        throw new UserError(`--runtime-config: ${s.node.address} refused CONFIG SET ${name} ${value === "" ? '""' : value}: ${reply.message}; every change was undone`);
      }
      const got = configPairs(await c.call(["CONFIG", "GET", name], TIMEOUT_MS)).get(name);
      if (got === undefined || !sameSetting(value, got)) {
        this.warn(`--runtime-config: ${s.node.address} reports ${name} = ${got ?? "(nothing)"} after CONFIG SET ${name} ${value}`);
      }
    }
  }

  /** Puts every applied parameter back; the same promise for every caller. Never rejects. */
  restore(): Promise<void> {
    this.restoring ??= (async () => {
      await this.inFlight;
      await Promise.all(this.states.map((s) => this.restoreNode(s)));
      this.unregister();
      for (const s of this.states) s.client?.close();
    })();
    return this.restoring;
  }

  private async restoreNode(s: NodeState): Promise<void> {
    for (const name of [...s.applied].reverse()) {
      const previous = s.previous.get(name)!;
      try {
        const c = await this.client(s);
        const reply = await c.call(["CONFIG", "SET", name, previous], TIMEOUT_MS);
        if (reply instanceof RespError) throw new Error(reply.message);
        s.applied.splice(s.applied.indexOf(name), 1);
      } catch (e) {
        this.warn(`--runtime-config: could not restore ${name} = ${previous === "" ? '""' : previous} on ${s.node.address} (${(e as Error).message}); set it back by hand`);
      }
    }
  }
}
