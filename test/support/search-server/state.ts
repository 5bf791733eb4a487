// Everything one stand-in server shares across its connections.

import type { ClusterTopology } from "./cluster.ts";
import { IndexRegistry } from "./search-index.ts";
import { Keyspace } from "./keyspace.ts";

export type Faults = {
  /** Delay every FT.SEARCH reply by this many ms (the connection waits, like a blocked client). */
  delayMs?: number;
  /** Fraction 0..1 of FT.SEARCH calls answered with an error; deterministic: call n fails when
   *  floor(n * rate) > floor((n - 1) * rate), so exactly rate × calls fail over any run. */
  errorRate?: number;
  /** Close each connection right after answering its N-th command. */
  disconnectAfter?: number;
  /** Delay every HSET reply by this many ms. */
  hsetDelayMs?: number;
  /** After FT.CREATE over existing keys, FT.INFO reports a backfill lasting this long. */
  backfillMs?: number;
};

export type ApproximateOption = boolean | { recallAtEf: (ef: number) => number };

export type SearchCounters = {
  successful: number;
  failed: number;
  hybrid: number;
  searchCalls: number;
  /** Searches this shard ran for another shard's FT.SEARCH (the coordinator's partition requests). */
  partitionsServed: number;
};

const CONFIG_DEFAULTS: [string, string][] = [
  ["search.log-level", "notice"],
  ["search.writer-threads", "2"],
  ["search.reader-threads", "2"],
  ["search.hnsw-block-size", "10240"],
  ["search.use-coordinator", "no"],
  ["save", ""],
  ["appendonly", "no"],
  ["maxmemory", "0"],
  ["maxmemory-policy", "noeviction"],
  ["databases", "16"],
  ["io-threads", "1"],
  ["cluster-enabled", "no"],
];

export class ServerState {
  /** CONFIG GET/SET parameters (SET only stores the value). */
  readonly config = new Map(CONFIG_DEFAULTS);
  readonly keyspace = new Keyspace();
  readonly indexes = new IndexRegistry();
  readonly counters: SearchCounters = { successful: 0, failed: 0, hybrid: 0, searchCalls: 0, partitionsServed: 0 };
  readonly commandCounts: Record<string, number> = {};
  /** Microseconds spent per command, for INFO commandstats. */
  readonly commandUsec: Record<string, number> = {};
  keyspaceHits = 0;
  keyspaceMisses = 0;
  readonly startedMs = Date.now();
  connectionsAccepted = 0;
  openConnections = 0;
  nextClientId = 1;
  port = 0;
  faults: Faults;
  /** Set when this server is one shard of an in-process stand-in cluster. */
  cluster: ClusterTopology | undefined = undefined;

  constructor(
    readonly recallAtEf: ((ef: number) => number) | undefined,
    readonly resp3Allowed: boolean,
    readonly auth: { user: string; password: string } | undefined,
    faults: Faults,
  ) {
    this.faults = { ...faults };
  }

  /** Every server that holds part of the data: the cluster's shards, or just this one. */
  shards(): ServerState[] {
    return this.cluster === undefined ? [this] : this.cluster.nodes.map((n) => n.state);
  }

  countCommand(name: string, usec: number): void {
    this.commandCounts[name] = (this.commandCounts[name] ?? 0) + 1;
    this.commandUsec[name] = (this.commandUsec[name] ?? 0) + usec;
  }
}
