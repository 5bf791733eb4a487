/**
 * The extension point between the engine and what it sends. The engine owns connections,
 * claiming, pacing, timeouts, redirects and latency; a workload owns the bytes of each request
 * and, if it needs them, the contents of the replies (vector search reads result keys to score
 * recall). The key-value tests (src/workload/kv-workload.ts) and the vector workloads
 * (src/search/) both implement it.
 */
import type { BenchConfig } from "../config/types.ts";
import type { RecallTotals } from "../metrics/timeline.ts";
import type { CompiledUnit } from "../workload/template.ts";

/** The node a connection is pinned to. `slots` is empty outside cluster mode. */
export interface NodeAssignment {
  address: string;
  host: string;
  port: number;
  role: "primary" | "replica";
  /** Slots this node's shard owns (cluster mode): generated keys are tagged into them. */
  slots: Uint16Array;
}

/** Counts replies in a byte stream; implementations may also read their contents. */
export interface ReplyCounter {
  /** Consumes buf[start, end); returns how many replies it completed. */
  feed(buf: Uint8Array, start: number, end: number): number;
  /** Error replies among those the last feed completed. */
  errorCount: number;
  forEachErrorDetail(cb: (code: string, ordinal: number, message: string) => void): void;
  /** Forget partial state (after a reconnect). */
  reset(): void;
}

/** One connection's view of a workload for one test. */
export interface ConnectionWorkload {
  /**
   * One unit (one claim): pre-encoded, patched in place per request. Its `replies` is the
   * number of replies per unit; fixed-size workloads also use `bytes` and `commandOffsets`.
   */
  unit: CompiledUnit;
  /**
   * The send buffer for `pipeline` units. Default (when absent): `pipeline` copies of
   * `unit.bytes`. Workloads whose requests vary in size (vectors with tags) allocate their own,
   * large enough for `pipeline` of their biggest request.
   */
  allocate?(pipeline: number): Uint8Array;
  /**
   * Fills units [0, units) of `buffer` for requests firstRequest, firstRequest + unit.replies,
   * ... and returns how many bytes to send. Must not allocate.
   */
  patch(buffer: Uint8Array, units: number, firstRequest: number): number;
  /**
   * Where command `index` (counting replies from the start of the batch) lies in the buffer,
   * for resending it after a redirect. Default: fixed-size units with unit.commandOffsets.
   */
  commandRange?(index: number): [start: number, end: number];
  scanner: ReplyCounter;
  /** The batch in flight was abandoned (timeout, lost connection): drop per-request state. */
  abandonBatch(): void;
  /**
   * Optional: told after each data event how many replies arrived, the index (within the
   * batch) of the first of them, and their latency, so a workload can keep statistics of its
   * own (e.g. per part of a --mix).
   */
  onReplies?(firstIndex: number, count: number, latencyMs: number): void;
  /**
   * Optional: reply `index` of the batch was a cluster redirect (MOVED, ASK, TRYAGAIN,
   * CLUSTERDOWN) that the engine resends to the right node. The scanner counted it as an error;
   * the returned callback, if any, is told later whether the resent request succeeded.
   */
  onRedirect?(index: number): ((ok: boolean) => void) | undefined;
  /** The connection moved to another node (cluster failover or resharding). */
  retarget?(node: NodeAssignment): void;
}

/** One worker's instance of a workload for one test. */
export interface WorkerWorkload {
  forConnection(clientIndex: number, node: NodeAssignment): ConnectionWorkload;
  /** Workload-specific numbers (recall...), structured-cloneable; merged by the main thread. */
  extra?(): unknown;
  /**
   * Vector queries: running recall totals so far (read at each --interval boundary, off the
   * hot path, and differenced into per-interval recall).
   */
  recallTotals?(): RecallTotals | undefined;
  close?(): void;
}

export interface WorkerContext {
  config: BenchConfig;
  workerIndex: number;
  workers: number;
  /** Shared counters; `nextSequence()` hands out 0, 1, 2... across all workers (--sequential). */
  nextSequence(): number;
}

/** Builds a worker's workload from the serializable spec the main thread sent. */
export type WorkloadFactory = (params: unknown, ctx: WorkerContext) => WorkerWorkload | Promise<WorkerWorkload>;
