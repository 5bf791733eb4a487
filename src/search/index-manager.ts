/**
 * The main-thread side of vector search: everything done with setup connections rather than the
 * benchmark's own. Creating or reusing the index, waiting until it has caught up, finding the
 * vector keys already on the server (SCAN), and removing the run's index and keys (--cleanup).
 *
 * Cluster mode: FT.CREATE and FT.DROPINDEX go to one primary (the module propagates them);
 * FT.INFO numbers are per shard, so readiness is judged on every primary, and SCAN runs on every
 * primary. Connections are opened per operation and closed after it: these run a few times per
 * run, and a long test in between would otherwise need keepalive handling.
 */
import type { Deployment, DeployedNode } from "../cluster/discovery.ts";
import { keySlot } from "../cluster/crc16.ts";
import type { ConnectionConfig } from "../config/types.ts";
import { UserError } from "../errors.ts";
import { ControlClient } from "../net/control-client.ts";
import type { Target } from "../net/transport.ts";
import { RespError, type RespValue } from "../resp/types.ts";
import { isIndexReady, isUnknownIndexError, parseFtInfo, type FtInfo } from "./ft-info.ts";
import { definitionDifferences, ftCreateArgs, type IndexDefinition } from "./index-definition.ts";
import { KeyIdDecoder } from "./key-id.ts";

/** Where setup steps report: one line each, and a progress line that only a terminal shows. */
export interface SearchLog {
  info(line: string): void;
  /** A `warning:` line, shown under -q too. */
  warn(line: string): void;
  /** Replaces the current progress line (TTY only; a no-op elsewhere). */
  progress(line: string): void;
  clearProgress(): void;
}

export const SILENT_LOG: SearchLog = { info: () => {}, warn: () => {}, progress: () => {}, clearProgress: () => {} };

export type IndexAction = "created" | "reused" | "recreated" | "skipped";

export interface EnsureIndexOptions {
  dropIndex: boolean;
  recreateIndex: boolean;
  skipIndexCreate: boolean;
  timeoutSec: number;
}

export interface IndexWaitOutcome {
  /** Seconds from the call (the end of the load) until every primary reported ready. */
  seconds: number;
  numDocs: number;
  hashIndexingFailures: number;
}

export interface ScannedKeys {
  /** Keys under the prefix whose id this run could decode. */
  found: number;
  /** Keys under the prefix that are not `<prefix>[{tag}]<digits>`. */
  foreign: number;
}

const POLL_MS = 100;
const SCAN_COUNT = "1000";
const UNLINK_BATCH = 1000;

function targetOf(node: DeployedNode): Target {
  return node.address.startsWith("unix:") ? { kind: "unix", path: node.host } : { kind: "tcp", host: node.host, port: node.port };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function text(v: RespValue | undefined): string {
  if (typeof v === "string") return v;
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  return String(v);
}

export class IndexManager {
  private readonly primaries: DeployedNode[];

  constructor(
    private readonly deployment: Deployment,
    private readonly conn: ConnectionConfig,
  ) {
    this.primaries = deployment.nodes.filter((n) => n.role === "primary");
    if (this.primaries.length === 0) throw new UserError("no primary node found; vector search needs a writable primary");
  }

  /** Runs `fn` on a fresh connection to every primary (in order), then closes them. */
  async onPrimaries<T>(fn: (client: ControlClient, node: DeployedNode) => Promise<T>): Promise<T[]> {
    const clients: ControlClient[] = [];
    try {
      for (const node of this.primaries) clients.push(await this.connect(node));
      return await Promise.all(clients.map((c, i) => fn(c, this.primaries[i]!)));
    } finally {
      for (const c of clients) c.close();
    }
  }

  /** A connection to the first primary, for commands the module propagates. */
  async onFirstPrimary<T>(fn: (client: ControlClient) => Promise<T>): Promise<T> {
    const client = await this.connect(this.primaries[0]!);
    try {
      return await fn(client);
    } finally {
      client.close();
    }
  }

  private connect(node: DeployedNode): Promise<ControlClient> {
    return ControlClient.connect(targetOf(node), this.conn, { select: this.deployment.mode !== "cluster" });
  }

  /** FT.INFO of `name` on one connection; undefined when there is no such index. */
  static async info(client: ControlClient, name: string): Promise<FtInfo | undefined> {
    const reply = await client.call(["FT.INFO", name]);
    if (isUnknownIndexError(reply)) return undefined;
    if (reply instanceof RespError) throw new UserError(`${client.where}: FT.INFO ${name} failed: ${reply.message}`);
    return parseFtInfo(reply);
  }

  /**
   * Makes sure the index exists as `def` says: drop first (--dropindex), reuse a matching one,
   * recreate a different one (--recreate-index) or fail naming what differs. Then waits until
   * every primary has it and it has caught up (a new index over existing keys backfills).
   */
  async ensureIndex(def: IndexDefinition, o: EnsureIndexOptions, log: SearchLog): Promise<IndexAction> {
    if (o.skipIndexCreate) {
      const existing = await this.onFirstPrimary((c) => IndexManager.info(c, def.name));
      if (existing === undefined) {
        throw new UserError(`--skip-index-create: index '${def.name}' does not exist on ${this.primaries[0]!.address}; create it or drop --skip-index-create`);
      }
      return "skipped";
    }
    const action = await this.onFirstPrimary(async (client): Promise<IndexAction> => {
      let existing = await IndexManager.info(client, def.name);
      let dropped = false;
      if (existing !== undefined && o.dropIndex) {
        await client.callOk(["FT.DROPINDEX", def.name]);
        log.info(`index ${def.name}: dropped (--dropindex)`);
        existing = undefined;
        dropped = true;
      }
      if (existing !== undefined) {
        const differences = definitionDifferences(def, existing);
        if (differences.length === 0) return "reused";
        if (!o.recreateIndex) {
          throw new UserError(
            `index '${def.name}' exists with a different definition (${differences.join("; ")}); pass --recreate-index to replace it, or --search-index NAME for another`,
          );
        }
        await client.callOk(["FT.DROPINDEX", def.name]);
        dropped = true;
      }
      const created = await client.call(ftCreateArgs(def));
      if (created instanceof RespError) throw new UserError(`${client.where}: FT.CREATE ${def.name} failed: ${created.message}`);
      return dropped && existing !== undefined ? "recreated" : "created";
    });
    log.info(`index ${def.name}: ${action === "reused" ? "reusing the existing index (same definition)" : action}`);
    // In a cluster the definition reaches the other shards asynchronously; FT.INFO on each says when.
    await this.waitUntilReady(def.name, { timeoutSec: o.timeoutSec, expectedDocs: 0 }, log);
    return action;
  }

  /**
   * Polls FT.INFO on every primary until the index exists everywhere, nothing is backfilling or
   * queued, and (summed over primaries) num_docs + hash_indexing_failures >= expectedDocs.
   */
  async waitUntilReady(name: string, o: { timeoutSec: number; expectedDocs: number }, log: SearchLog): Promise<IndexWaitOutcome> {
    const t0 = performance.now();
    const deadline = t0 + o.timeoutSec * 1000;
    const clients: ControlClient[] = [];
    try {
      for (const node of this.primaries) clients.push(await this.connect(node));
      for (;;) {
        const infos = await Promise.all(clients.map((c) => IndexManager.info(c, name)));
        const missing = infos.findIndex((i) => i === undefined);
        const present = infos.filter((i): i is FtInfo => i !== undefined);
        const numDocs = present.reduce((n, i) => n + i.numDocs, 0);
        const failures = present.reduce((n, i) => n + i.hashIndexingFailures, 0);
        const ready = missing === -1 && present.every(isIndexReady) && numDocs + failures >= o.expectedDocs;
        if (ready) return { seconds: (performance.now() - t0) / 1000, numDocs, hashIndexingFailures: failures };
        if (performance.now() >= deadline) {
          const why =
            missing !== -1
              ? `it does not exist on ${this.primaries[missing]!.address}`
              : `num_docs ${numDocs} of ${o.expectedDocs}${present.some((i) => i.backfillInProgress) ? ", backfill in progress" : ""}${present.some((i) => i.mutationQueueSize > 0) ? ", mutations queued" : ""}`;
          throw new UserError(`index '${name}' did not catch up within ${o.timeoutSec} s (${why}); raise --index-wait-timeout or check the server`);
        }
        const percent = present.length > 0 ? Math.min(...present.map((i) => i.backfillCompletePercent ?? 1)) : 0;
        log.progress(
          `waiting for index ${name}: ${numDocs}${o.expectedDocs > 0 ? ` of ${o.expectedDocs}` : ""} documents, backfill ${(percent * 100).toFixed(1)}%, ${((performance.now() - t0) / 1000).toFixed(1)} s`,
        );
        await sleep(POLL_MS);
      }
    } finally {
      for (const c of clients) c.close();
      log.clearProgress();
    }
  }

  /**
   * SCANs every primary for keys under `prefix` and reports each decodable one as (dataset id,
   * slot of its key). Foreign keys under the prefix are counted, not reported.
   */
  async scanKeys(prefix: string, onKey: (id: number, slot: number) => void): Promise<ScannedKeys> {
    const decoder = new KeyIdDecoder(prefix);
    const encoder = new TextEncoder();
    const counts = { found: 0, foreign: 0 };
    await this.onPrimaries(async (client) => {
      await scanAll(client, `${prefix}*`, (keys) => {
        for (const key of keys) {
          const bytes = encoder.encode(key);
          const id = decoder.decode(bytes, 0, bytes.length);
          if (id < 0) {
            counts.foreign++;
            continue;
          }
          counts.found++;
          onKey(id, keySlot(bytes));
        }
      });
    });
    return counts;
  }

  /** Standalone: how many of `keys` exist (one EXISTS; the caller bounds the key count). */
  async existingKeys(keys: string[]): Promise<number> {
    if (keys.length === 0) return 0;
    const reply = await this.onFirstPrimary((c) => c.call(["EXISTS", ...keys]));
    if (typeof reply !== "number") throw new UserError(`EXISTS failed: ${reply instanceof RespError ? reply.message : "unexpected reply"}`);
    return reply;
  }

  /**
   * Searches each primary has executed so far (address -> count), from INFO SEARCH: the FT.SEARCH
   * requests it answered plus the partition searches it ran for other shards' FT.SEARCH (the
   * coordinator fans each query out to every shard). Undefined when a primary does not report
   * the coordinator's counters (standalone, or a module without them).
   */
  async shardSearches(): Promise<Map<string, number> | undefined> {
    const counts = await this.onPrimaries(async (client, node): Promise<[string, number] | undefined> => {
      const info = await client.call(["INFO", "SEARCH"]);
      if (info instanceof RespError) return undefined;
      const fields = new Map<string, number>();
      for (const line of text(info).split("\n")) {
        const colon = line.indexOf(":");
        if (colon > 0) fields.set(line.slice(0, colon), Number(line.slice(colon + 1)));
      }
      const partitions = fields.get("search_coordinator_server_search_index_partition_success_count");
      if (partitions === undefined) return undefined;
      const own = (fields.get("search_successful_requests_count") ?? 0) + (fields.get("search_failure_requests_count") ?? 0);
      return [node.address, own + partitions + (fields.get("search_coordinator_server_search_index_partition_failure_count") ?? 0)];
    });
    if (counts.some((c) => c === undefined)) return undefined;
    return new Map(counts as [string, number][]);
  }

  /**
   * The rewrite marker: a small string key under the prefix saying why the vectors there no
   * longer match the dataset (vec-update with a shift rewrote them), so this and every later run
   * withholds recall instead of blaming the server. A STRING is never indexed by a HASH index and
   * never decodes as a vector id; --cleanup removes it with the other keys, a full vec-load
   * (--reload) clears it. In cluster mode it lives on the primary owning its slot.
   */
  static markerKey(prefix: string): string {
    return `${prefix}vsb-rewritten`;
  }

  /** The marker's text, or undefined when the vectors under `prefix` are the dataset's. */
  async readMarker(prefix: string): Promise<string | undefined> {
    const key = IndexManager.markerKey(prefix);
    const reply = await this.onMarkerNode(key, (c) => c.call(["GET", key]));
    if (reply instanceof RespError) throw new UserError(`GET ${key} failed: ${reply.message}`);
    return reply === null || reply === undefined ? undefined : text(reply);
  }

  async writeMarker(prefix: string, reason: string): Promise<void> {
    const key = IndexManager.markerKey(prefix);
    const reply = await this.onMarkerNode(key, (c) => c.call(["SET", key, reason]));
    if (reply instanceof RespError) throw new UserError(`SET ${key} failed: ${reply.message}`);
  }

  async clearMarker(prefix: string): Promise<void> {
    const key = IndexManager.markerKey(prefix);
    await this.onMarkerNode(key, (c) => c.call(["UNLINK", key]));
  }

  /**
   * Sends one command about the marker key to the primary owning its slot; a MOVED or ASK reply
   * (the slot moved since discovery, e.g. during a resharding) is followed once.
   */
  private async onMarkerNode(key: string, fn: (client: ControlClient) => Promise<RespValue>): Promise<RespValue> {
    const slot = keySlot(key);
    const node = this.primaries.find((n) => n.slots.length === 0 || n.slots.includes(slot)) ?? this.primaries[0]!;
    const once = async (target: Target, asking: boolean): Promise<RespValue> => {
      const client = await ControlClient.connect(target, this.conn, { select: this.deployment.mode !== "cluster" });
      try {
        if (asking) await client.call(["ASKING"]);
        return await fn(client);
      } finally {
        client.close();
      }
    };
    const reply = await once(targetOf(node), false);
    const redirect = reply instanceof RespError ? /^(MOVED|ASK) \d+ (\S+):(\d+)$/.exec(reply.message) : null;
    if (!redirect) return reply;
    return once({ kind: "tcp", host: redirect[2]!, port: Number(redirect[3]) }, redirect[1] === "ASK");
  }


  /**
   * --cleanup: drops the index (if there) and UNLINKs the keys under the prefix that `owns`
   * accepts (this run's vector keys, src/search/own-keys.ts); every other key stays. Counts the
   * keys under the prefix before and after, so the user sees what was left and why.
   */
  async cleanup(name: string, prefix: string, owns: (key: string) => boolean, ids: string, log: SearchLog): Promise<{ before: number; deleted: number; after: number }> {
    await this.onFirstPrimary(async (client) => {
      const reply = await client.call(["FT.DROPINDEX", name]);
      if (reply instanceof RespError && !isUnknownIndexError(reply)) throw new UserError(`${client.where}: FT.DROPINDEX ${name} failed: ${reply.message}`);
    });
    const counts = await this.onPrimaries(async (client) => {
      let before = 0;
      let deleted = 0;
      await scanAll(client, `${prefix}*`, async (keys) => {
        before += keys.length;
        // The rewrite marker is the run's too (it says why these vectors no longer match).
        const marker = IndexManager.markerKey(prefix);
        const own = keys.filter((k) => owns(k) || k === marker);
        // One UNLINK per key, pipelined: keys of one batch may live in different slots (CROSSSLOT).
        for (let i = 0; i < own.length; i += UNLINK_BATCH) {
          const replies = await Promise.all(own.slice(i, i + UNLINK_BATCH).map((k) => client.call(["UNLINK", k])));
          for (const r of replies) {
            if (r instanceof RespError) throw new UserError(`${client.where}: UNLINK failed during --cleanup: ${r.message}`);
            if (typeof r === "number") deleted += r;
          }
        }
      });
      let after = 0;
      await scanAll(client, `${prefix}*`, (keys) => void (after += keys.length));
      return { before, deleted, after };
    });
    const sum = (f: (c: { before: number; deleted: number; after: number }) => number) => counts.reduce((a, c) => a + f(c), 0);
    const total = { before: sum((c) => c.before), deleted: sum((c) => c.deleted), after: sum((c) => c.after) };
    const left = total.after > 0 ? ` (left: keys not in this tool's format for ids ${ids}, or written meanwhile)` : "";
    log.info(`cleanup: dropped index ${name}; deleted ${total.deleted} vector keys of ids ${ids}; keys under ${prefix}: ${total.before} before, ${total.after} after${left}`);
    return total;
  }
}

/** Full SCAN with MATCH; `onBatch` sees each batch of keys (awaited before the next SCAN). */
async function scanAll(client: ControlClient, pattern: string, onBatch: (keys: string[]) => void | Promise<void>): Promise<void> {
  let cursor = "0";
  do {
    const reply = await client.callOk(["SCAN", cursor, "MATCH", pattern, "COUNT", SCAN_COUNT]);
    if (!Array.isArray(reply) || reply.length !== 2 || !Array.isArray(reply[1])) throw new UserError(`${client.where}: unexpected SCAN reply`);
    cursor = text(reply[0]);
    await onBatch(reply[1].map(text));
  } while (cursor !== "0");
}
