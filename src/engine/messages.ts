/** Messages between the orchestrator (main thread) and the worker runners. All structured-cloneable. */
import type { BenchConfig } from "../config/types.ts";
import type { WorkerInterval } from "../metrics/timeline.ts";
import type { NodeAssignment } from "./workload-api.ts";

export interface TestSpec {
  title: string;
  /** Which workload builds the requests (a WorkloadModule of the catalog, workload-api.ts) and its serializable parameters. */
  workload: { kind: string; params: unknown };
  /** Nodes serving this test; global client i is pinned to nodes[i % nodes.length]. */
  nodes: NodeAssignment[];
  /** Standalone reads served by replicas (--rfr): the primary, where connections of a replica
   *  that cannot be reached go instead. */
  fallbackNode?: NodeAssignment;
  /** Requests (replies) to send in total over all workers; Infinity with --duration. */
  totalRequests: number;
  /** Number of the first request (0 unless --shard gives this process a later range). */
  firstRequest: number;
  /** --duration (or a warmup in seconds): each worker stops claiming this long after it starts. */
  durationSec?: number;
  /** Requests per second for this worker; 0 = unlimited. */
  rpsPerWorker: number;
  /** True for a warmup pass (numbers are discarded). */
  warmup: boolean;
  /** Per-interval results: the grid's origin (epoch ms) and interval; absent for warmups. */
  timeline?: { startMs: number; intervalMs: number };
}

export interface InitMessage {
  type: "init";
  config: BenchConfig;
  workerIndex: number;
  workers: number;
  /** Global client indices [first, first+count) this worker owns. */
  firstClient: number;
  clientCount: number;
  sab: SharedArrayBuffer;
  /** Cluster mode: follow redirects and topology changes. */
  clusterMode: boolean;
  /** Nodes of the first test: connections are opened during init so failures show early. */
  initialNodes: NodeAssignment[];
}

export interface RunMessage {
  type: "run";
  spec: TestSpec;
}

export interface WorkerResult {
  issued: number;
  completed: number;
  errors: number;
  errorsByType: Record<string, number>;
  /** HdrHistogram compressed encoding of latencies in µs. */
  histogram: string;
  /** Epoch ms (performance.timeOrigin-based) of the first send and of the last reply. */
  startedAtMs: number;
  finishedAtMs: number;
  /** Connections that could not be re-established during the test. */
  deadConnections: number;
  /** Distinct problems seen (lost connections, timeouts, malformed replies), at most a few. */
  problems: string[];
  /** First fatal error text, if the worker could not run the test at all. */
  fatal?: string;
  /** The workload's own numbers (WorkerWorkload.extra()), merged by the main thread. */
  extra?: unknown;
  /** Per node address: requests answered, errors, and the latency histogram (encoded). */
  perNode: Record<string, NodeCounters>;
  /** MOVED / ASK replies that were followed (not counted as completed or errors). */
  redirects: Record<string, number>;
  /** Requests answered after TRYAGAIN / CLUSTERDOWN retries, by the code retried past. */
  retried: Record<string, number>;
  /** Per-interval numbers (when spec.timeline is set), in time order. */
  intervals?: WorkerInterval[];
}

export interface NodeCounters {
  /** The node's role at the end of the test, as the worker's topology knows it. */
  role?: "primary" | "replica";
  completed: number;
  errors: number;
  redirects: number;
  histogram: string;
}

export type ToWorker = InitMessage | RunMessage | { type: "idle" } | { type: "shutdown" };
export type FromWorker =
  | { type: "ready" }
  | { type: "result"; result: WorkerResult }
  | { type: "error"; message: string; code?: string };
