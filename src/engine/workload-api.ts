/**
 * The extension point between the engine and what it sends. The engine owns connections,
 * claiming, pacing, timeouts, redirects and latency; a workload owns the bytes of each request
 * and, if it needs them, the contents of the replies (vector search reads result keys to score
 * recall). The key-value tests (src/workload/kv-workload.ts) and the vector workloads
 * (src/search/) both implement it.
 */
import type { BenchConfig } from "../config/types.ts";
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
  /** One unit (one claim): pre-encoded, patched in place per request. */
  unit: CompiledUnit;
  /**
   * Fills units [0, units) of `buffer` (P copies of `unit.bytes` laid end to end) for requests
   * firstRequest, firstRequest + unit.replies, ... Must not allocate.
   */
  patch(buffer: Uint8Array, units: number, firstRequest: number): void;
  scanner: ReplyCounter;
  /** The batch in flight was abandoned (timeout, lost connection): drop per-request state. */
  abandonBatch(): void;
  /** The connection moved to another node (cluster failover or resharding). */
  retarget?(node: NodeAssignment): void;
}

/** One worker's instance of a workload for one test. */
export interface WorkerWorkload {
  forConnection(clientIndex: number, node: NodeAssignment): ConnectionWorkload;
  /** Workload-specific numbers (recall...), structured-cloneable; merged by the main thread. */
  extra?(): unknown;
  close?(): void;
}

export interface WorkerContext {
  config: BenchConfig;
  workerIndex: number;
  workers: number;
}

/** Builds a worker's workload from the serializable spec the main thread sent. */
export type WorkloadFactory = (params: unknown, ctx: WorkerContext) => WorkerWorkload | Promise<WorkerWorkload>;
