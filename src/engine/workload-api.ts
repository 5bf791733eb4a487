/**
 * The one extension point between the engine and what it runs. The engine owns connections,
 * claiming, pacing, timeouts, redirects and latency; a workload module owns which tests a run
 * has (plan), the bytes of each request and, if it needs them, the contents of the replies
 * (create), how its workers' numbers combine (mergeExtras) and what the reports add (report).
 *
 * Every module is listed once in the composition root (src/workloads/index.ts); the entry
 * points (src/main.ts, src/worker.ts) pass that catalog down. The engine never imports a
 * workload: it only knows the types below.
 */
import type { Deployment } from "../cluster/discovery.ts";
import type { BenchConfig } from "../config/types.ts";
import type { RecallTotals } from "../metrics/timeline.ts";
import type { TestResult } from "../metrics/types.ts";

/** One claim's requests, pre-encoded; fixed-size workloads patch placeholders in place. */
export interface CompiledUnit {
  /** One unit (the whole sequence) encoded as RESP (or inline). */
  bytes: Uint8Array;
  /** Replies one unit produces (commands in the sequence). */
  replies: number;
  /** Byte offsets (within `bytes`) of 12-digit regions. */
  randOffsets: Int32Array;
  /** Parallel to randOffsets: 0 for __rand_int__, n for __rand_nth__. */
  randKinds: Uint8Array;
  /** [offset, length] pairs of `__data__` regions (random payload). */
  dataRegions: Int32Array;
  /** Offsets of the TAG_WIDTH bytes inside each `{tag}` (cluster mode): one slot per unit. */
  tagOffsets: Int32Array;
  /** Byte offset where each command of the unit starts (for resending one after a redirect). */
  commandOffsets: Int32Array;
}

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
  /**
   * Keep the details of up to `replies` errors per feed: the engine passes the most replies a
   * connection has in flight (pipeline x replies per unit), so every redirect can be followed.
   */
  reserve?(replies: number): void;
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
export interface WorkerWorkload<Extra = unknown> {
  forConnection(clientIndex: number, node: NodeAssignment): ConnectionWorkload;
  /** Workload-specific numbers (recall...), structured-cloneable; merged by the main thread. */
  extra?(): Extra;
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
  /** Every workload module of the run (a --mix builds its parts through it). */
  catalog: WorkloadCatalog;
  /** Number of the test's first request (> 0 for a later --shard): --sequential continues from it. */
  firstRequest?: number;
}

/** What a test's before() step changes for this round: applied by the orchestrator. */
export interface TestPatch {
  /** Replaces the workload's params for this round (e.g. the slot map of loaded keys). */
  params?: unknown;
  /** Replaces the test's request count for this round (e.g. vectors left to load). */
  totalRequests?: number;
}

/** One test of a run, as planned on the main thread. A value: nothing changes it later. */
export interface PlannedTest {
  title: string;
  /** The workload module's kind and its serializable (structured-cloneable) parameters. */
  workload: { kind: string; params: unknown };
  readOnly: boolean;
  /** Replies one unit produces: -n is rounded up to a whole number of units. */
  repliesPerUnit: number;
  /** Requests this test sends instead of -n (vec-load: one per vector); absent = -n/--duration. */
  totalRequests?: number;
  /**
   * The most requests that do what the test measures (vec-delete: one per deletable vector; past
   * them its DELs would remove nothing): -n is capped to it, and --duration ends there too.
   */
  maxRequests?: number;
  /**
   * Where the test runs among the run's tests (stable sort, default 0): modules that plan
   * together number their tests in the order the user named them.
   */
  order?: number;
  /**
   * Main-thread step before each round of the test (create an index, find what is loaded):
   * returns what changes for this round; the planned test itself stays as it is.
   */
  before?(): Promise<TestPatch | void>;
  /** Main-thread step after the measured run: returns fields added to the result's extra. */
  after?(result: TestResult): Promise<Record<string, unknown> | void>;
  /** Skip the warmup pass for this test (loads must write each vector once). */
  noWarmup?: boolean;
  /** Bytes of payload per request for the report header, when not -d (vectors: dim x 4). */
  payloadBytes?: number;
}

/** Setup lines of planning and main-thread steps (stderr); progress only on a terminal. */
export interface PlanLog {
  info(line: string): void;
  /** A `warning:` line, shown under -q too. */
  warn(line: string): void;
  progress(line: string): void;
  clearProgress(): void;
}

/** What a module's plan() sees. */
export interface PlanContext {
  config: BenchConfig;
  deployment: Deployment;
  log: PlanLog;
  /**
   * Per-run memo: modules that plan together (the vector tests share one dataset check, one
   * platform detection and one index) compute the shared part once under a common key.
   */
  once<T>(key: string, make: () => Promise<T>): Promise<T>;
}

/** What a module adds to the reports of its tests (read from TestResult.extra). */
export interface WorkloadReport {
  /** Lines printed after the Summary block of a test's text report ([] when none). */
  sections(r: TestResult): string[];
  /** CSV columns appended after valkey-benchmark's, and their cells for one result. */
  csvColumns: readonly string[];
  csvCells(r: TestResult): string[];
  /** Fields added at the top level of the test's JSON entry (vector search: recall, mrr...). */
  jsonFields?(r: TestResult): Record<string, unknown>;
  /** Checks of this test that failed (e.g. acknowledged writes lost): printed, and the run exits 1. */
  failures?(r: TestResult): string[];
}

/**
 * A kind of workload. `Params` is what plan() puts into PlannedTest.workload.params and create()
 * receives in each worker; `Extra` is what a worker's WorkerWorkload.extra() returns; `Merged` is
 * what mergeExtras() makes of the workers' extras, shown under TestResult.extra[kind].
 * (Members are methods so that a module of any Params fits the catalog's list.)
 */
export interface WorkloadModule<Params = unknown, Extra = unknown, Merged = unknown> {
  kind: string;
  /** Main thread: this kind's tests for the run ([] when the flags ask for none). */
  plan(ctx: PlanContext): PlannedTest[] | Promise<PlannedTest[]>;
  /** Worker: one worker's instance for one test. */
  create(params: Params, ctx: WorkerContext): WorkerWorkload<Extra> | Promise<WorkerWorkload<Extra>>;
  /** Main thread: combines the workers' extras (absent: the list is kept as is). */
  mergeExtras?(parts: Extra[], catalog: WorkloadCatalog): Merged;
  /** What the reports add for this kind's tests (modules may share one object: shown once). */
  report?: WorkloadReport;
  /** The commands a test sends, as INFO commandstats names them (for --server-metrics). */
  commandNames?(params: Params): string[];
}

/** The run's workload modules, looked up by kind (see src/engine/workload-catalog.ts). */
export interface WorkloadCatalog {
  readonly modules: readonly WorkloadModule[];
  module(kind: string): WorkloadModule;
  create(kind: string, params: unknown, ctx: WorkerContext): Promise<WorkerWorkload>;
  mergeExtras(kind: string, parts: unknown[]): unknown;
  commandNames(workload: { kind: string; params: unknown }): string[];
}
