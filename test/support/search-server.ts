// A stand-in for Valkey 8.1.1 + valkey-search 1.0.3, for tests on machines where the search module
// cannot be installed. It answers the wire protocol byte for byte like the real module for the
// behaviour recorded in /work/shared/spec/anchors.md (h): FT.CREATE/FT.SEARCH/FT.INFO/FT.DROPINDEX,
// HSET-driven indexing, INFO SEARCH. Fault switches let tests exercise slow searches, error
// replies, dropped connections, slow loads and index backfill. startSearchCluster runs N of them
// as one cluster (MOVED routing, CLUSTER SHARDS/SLOTS/NODES, FT.SEARCH fan-out), in this process.
//
// KNN is exact brute force. With `approximate`, HNSW indexes (never FLAT) degrade it by a
// deterministic rule so recall tests know the answer in advance: with k' = min(K, matching docs)
// and r = recallAtEf(EF_RUNTIME of the query, else of the index; default 10), the last
// m = min(floor(k' * (1 - r) + 1e-9), matching - k') of the true top k' are replaced by the true
// neighbours ranked k'+1 … k'+m. Recall@K is then exactly approximateRecall(k', r, matching).
// Default recallAtEf(ef) = ef >= 100 ? 1 : 0.5 + ef / 200 (ef 10 → 0.55 → 6 of 10 correct).
//
// Choices where the real server leaves freedom:
// - Results with equal distance are ordered by key. Default FT.SEARCH content lists the score,
//   then the hash's non-vector fields in hash order, then its vector fields.
// - INFO says redis_version:7.2.4 and valkey_version:8.1.1, as a real Valkey 8.1.1 does.
// - One keyspace for every SELECTed db. No expiry. JSON indexes are accepted but index nothing.
// - FT.SEARCH during a simulated backfill sees every document; only FT.INFO/INFO report progress.

import { Connection } from "./search-server/connection.ts";
import { defaultRecallAtEf } from "./search-server/knn.ts";
import { ClusterTopology } from "./search-server/cluster.ts";
import { ServerState, type ApproximateOption, type Faults } from "./search-server/state.ts";

export type { Faults, ApproximateOption } from "./search-server/state.ts";
export { approximateRecall, defaultRecallAtEf, degrade } from "./search-server/knn.ts";
export { formatScore } from "./search-server/format-score.ts";
export { keySlot } from "./search-server/cluster.ts";

export type SearchServerOptions = {
  /** 0 or absent: an ephemeral port. */
  port?: number;
  /** true: HNSW searches follow defaultRecallAtEf; or give your own recall(ef) in 0..1. */
  approximate?: ApproximateOption;
  /** Allow HELLO 3 (default true). false emulates a server that only speaks RESP2 (-NOPROTO). */
  resp3?: boolean;
  faults?: Faults;
  /** Require AUTH/HELLO AUTH with this password (user `user`, default "default"). */
  password?: string;
  user?: string;
};

export type SearchServerStats = {
  /** Calls per command name, upper-case ("HSET", "FT.SEARCH"); unknown commands are not counted. */
  commands: Record<string, number>;
  /** Connections accepted since start. */
  connections: number;
  /** Connections open right now. */
  openConnections: number;
};

export type SearchServer = {
  host: "127.0.0.1";
  port: number;
  url: string;
  /** Replaces the active fault switches ({} turns all off). Applies to commands that arrive later. */
  setFaults(faults: Faults): void;
  stats(): SearchServerStats;
  stop(): Promise<void>;
};

export type SearchClusterOptions = Omit<SearchServerOptions, "port"> & {
  /** Number of shards (one primary each, no replicas). */
  shards: number;
  /** Shard i listens on basePort + i; 0 or absent: ephemeral ports. */
  basePort?: number;
};

export type SearchCluster = {
  /** One stand-in per shard, in slot order (shard 0 owns slot 0). */
  servers: SearchServer[];
  /**
   * Shards a and b exchange their slot ranges at once (a resharding as clients see it: keys
   * already written stay where they are; later commands get MOVED to the new owner).
   */
  swapSlots(a: number, b: number): void;
  stop(): Promise<void>;
};

function newState(opts: Omit<SearchServerOptions, "port">): ServerState {
  const approximate = opts.approximate ?? false;
  const recallAtEf = approximate === false ? undefined : approximate === true ? defaultRecallAtEf : approximate.recallAtEf;
  const auth = opts.password === undefined ? undefined : { user: opts.user ?? "default", password: opts.password };
  return new ServerState(recallAtEf, opts.resp3 ?? true, auth, opts.faults ?? {});
}

export async function startSearchServer(opts: SearchServerOptions = {}): Promise<SearchServer> {
  return listen(newState(opts), opts.port ?? 0);
}

/**
 * N stand-ins forming one cluster: slots split like `valkey-cli --cluster create`, MOVED/CROSSSLOT
 * for keys a shard does not own, CLUSTER SHARDS/SLOTS/NODES/INFO, FT.CREATE/FT.DROPINDEX applied to
 * every shard and FT.SEARCH fanned out to all shards (unless LOCALONLY). FT.INFO stays per shard.
 */
export async function startSearchCluster(opts: SearchClusterOptions): Promise<SearchCluster> {
  if (!Number.isInteger(opts.shards) || opts.shards < 1) throw new Error(`startSearchCluster: shards must be >= 1, got ${opts.shards}`);
  const states = Array.from({ length: opts.shards }, () => newState(opts));
  const topology = new ClusterTopology(states);
  for (const state of states) state.cluster = topology;
  const servers: SearchServer[] = [];
  try {
    for (let i = 0; i < states.length; i++) servers.push(listen(states[i], opts.basePort ? opts.basePort + i : 0));
  } catch (error) {
    await Promise.all(servers.map((s) => s.stop()));
    throw error;
  }
  return {
    servers,
    swapSlots(a, b) {
      const x = topology.nodes[a]!;
      const y = topology.nodes[b]!;
      [x.firstSlot, x.lastSlot, y.firstSlot, y.lastSlot] = [y.firstSlot, y.lastSlot, x.firstSlot, x.lastSlot];
    },
    async stop() {
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
}

function listen(state: ServerState, port: number): SearchServer {
  try {
    return serve(state, port);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`search stand-in cannot listen on 127.0.0.1:${port}: ${reason}; is the port already in use?`);
  }
}

function serve(state: ServerState, port: number): SearchServer {
  const listener = Bun.listen<{ connection: Connection | undefined }>({
    hostname: "127.0.0.1",
    port,
    data: { connection: undefined },
    socket: {
      open(socket) {
        state.connectionsAccepted++;
        state.openConnections++;
        socket.data = { connection: new Connection(socket, state) };
      },
      data(socket, chunk) {
        socket.data.connection?.onData(chunk);
      },
      drain(socket) {
        socket.data.connection?.onDrain();
      },
      close() {
        state.openConnections--;
      },
      error() {
        // A client vanishing mid-reply is normal for a test server; close() does the bookkeeping.
      },
    },
  });
  state.port = listener.port;

  return {
    host: "127.0.0.1",
    port: listener.port,
    url: `valkey://127.0.0.1:${listener.port}`,
    setFaults(faults) {
      state.faults = { ...faults };
    },
    stats() {
      return { commands: { ...state.commandCounts }, connections: state.connectionsAccepted, openConnections: state.openConnections };
    },
    async stop() {
      listener.stop(true);
    },
  };
}
