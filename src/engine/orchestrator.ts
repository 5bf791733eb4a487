/**
 * Runs a benchmark: plans the tests, starts the workers, runs each test (warmup first, if asked),
 * shows progress, merges the per-worker results and hands each TestResult to `onResult` as soon
 * as the test ends (valkey-benchmark prints each test's report right after it runs).
 */
import type { Deployment } from "../cluster/discovery.ts";
import { hashTagOf, keySlot } from "../cluster/crc16.ts";
import { selectNodes } from "../cluster/read-from.ts";
import type { BenchConfig } from "../config/types.ts";
import { UserError } from "../errors.ts";
import type { ProgressSnapshot, TestResult } from "../metrics/types.ts";
import type { NodeAssignment, PlannedTest, TestPatch, WorkloadCatalog } from "./workload-api.ts";
import type { TestSpec, WorkerResult } from "./messages.ts";
import { mergeResults } from "./merge.ts";
import { mergeWorkerIntervals } from "../metrics/timeline-merge.ts";
import { shardRequests } from "./shard.ts";
import { STOP, STOP_INTERRUPTED, createSharedState, readProgress, resetSharedState, type SharedState } from "./shared-state.ts";
import { startWorkers, type WorkerHandle } from "./worker-pool.ts";


export interface RunHooks {
  onProgress?(s: ProgressSnapshot): void;
  onTestEnd?(): void;
  /** Awaited right before a test's measured run (after its warmup): e.g. server snapshots. */
  beforeTest?(t: PlannedTest): Promise<void> | void;
  /** Awaited right after the measured run, before the test's own after() step and onResult;
   *  may add to result.extra. */
  afterTest?(t: PlannedTest, result: TestResult): Promise<void> | void;
  onResult(r: TestResult, problems: string[]): void;
}

export interface RunOutcome {
  results: TestResult[];
  interrupted: boolean;
  /** Requests that were never sent because every connection of a worker was lost. */
  unsent: number;
  /** Connections lost for good (could not be re-established), summed over tests. */
  lostConnections: number;
  /** Tests run for a --duration that sent no request at all. */
  emptyTimedTests: string[];
}

const PROGRESS_EVERY_MS = 250;

export class Orchestrator {
  private shared!: SharedState;
  private workers: WorkerHandle[] = [];
  private interrupted = false;

  /** Things the user should know about the plan (printed once by the caller). */
  readonly warnings = new Set<string>();

  constructor(
    private readonly config: BenchConfig,
    private readonly deployment: Deployment,
    private readonly tests: readonly PlannedTest[],
    private readonly catalog: WorkloadCatalog,
  ) {
    const tag = deployment.mode === "cluster" && config.keyPrefix ? hashTagOf(config.keyPrefix) : undefined;
    if (tag !== undefined && tests.some((t) => t.workload.kind === "kv")) {
      this.warnings.add(
        `--key-prefix '${config.keyPrefix}' holds the hash tag {${tag}}: every key goes to slot ${keySlot(config.keyPrefix)} on one node, ` +
          "so requests sent to the other nodes are redirected (MOVED); drop the braces to spread the keys over the cluster",
      );
    }
  }

  /** The nodes serving a test: primaries for writes, --rfr's choice for reads. */
  nodesFor(t: PlannedTest): NodeAssignment[] {
    const nodes = selectNodes(this.deployment.nodes, t.readOnly, this.config.cluster).map((n) => ({
      address: n.address,
      host: n.host,
      port: n.port,
      role: n.role,
      slots: n.slots,
    }));
    if (nodes.length === 0) throw new UserError(`no node can serve ${t.title}: every node is failed or loading`);
    const replicas = this.deployment.nodes.filter((n) => n.role === "replica");
    if (t.readOnly && this.config.cluster.readFrom !== "primary" && replicas.length > 0 && nodes.every((n) => n.role === "primary")) {
      const states = [...new Set(replicas.map((n) => n.health))].join("/");
      this.warnings.add(`--rfr ${this.config.cluster.readFrom}: none of the ${replicas.length} replicas can serve reads now (${states}); reads go to the primaries`);
    }
    if (this.config.clients < nodes.length) {
      throw new UserError(`-c ${this.config.clients} is fewer than the ${nodes.length} nodes serving ${t.title}; use at least -c ${nodes.length}`);
    }
    return nodes;
  }

  /** Standalone replicas serving reads fall back to the primary when they cannot be reached. */
  private fallbackFor(nodes: NodeAssignment[]): NodeAssignment | undefined {
    if (this.deployment.mode === "cluster" || nodes.every((n) => n.role === "primary")) return undefined;
    const p = this.deployment.nodes.find((n) => n.role === "primary");
    return p && { address: p.address, host: p.host, port: p.port, role: "primary", slots: p.slots };
  }

  /** Opens every connection of the first test (fails fast, with the first connection error). */
  async connect(): Promise<void> {
    const workers = Math.max(1, Math.min(this.config.threads, this.config.clients));
    const initialNodes = this.nodesFor(this.tests[0]!);
    for (const t of this.tests) this.nodesFor(t); // validate -c against every test up front
    this.shared = createSharedState(workers);
    this.workers = await startWorkers(this.config, this.shared, this.deployment.mode === "cluster", initialNodes, this.catalog);
  }

  /** Stops claiming new requests; the current test ends after in-flight replies arrive. */
  interrupt(): void {
    this.interrupted = true;
    if (this.shared) Atomics.store(this.shared.ints, STOP, STOP_INTERRUPTED);
  }

  async runAll(hooks: RunHooks): Promise<RunOutcome> {
    const tests = this.tests;
    const results: TestResult[] = [];
    let unsent = 0;
    let lostConnections = 0;
    const emptyTimedTests: string[] = [];
    do {
      // With --loop only the last round is kept (for -o and the exit code): each result holds
      // a WebAssembly histogram, which the garbage collector does not free.
      for (const r of results.splice(0)) r.latencyUs.destroy();
      for (const planned of tests) {
        if (this.interrupted) break;
        // The round runs the planned test with what its before() step found changed.
        const t = applyPatch(planned, await planned.before?.());
        if (this.config.warmup && !t.noWarmup) await this.runOne(t, true, hooks);
        if (this.interrupted) break;
        await hooks.beforeTest?.(t);
        const { result, problems, unsent: u, dead, timed } = await this.runOne(t, false, hooks);
        if (timed && result.issued === 0 && !this.interrupted) emptyTimedTests.push(t.title);
        await hooks.afterTest?.(t, result);
        // A failing after step (the index wait of a vec-load whose server went away) still
        // reports the measured test, so -o keeps it; the run then fails with that error.
        let afterFailed = false;
        let afterError: unknown;
        const added = await Promise.resolve(t.after?.(result)).catch((e: unknown) => {
          afterFailed = true;
          afterError = e;
          return undefined;
        });
        if (added) result.extra = { ...result.extra, ...added };
        unsent += u;
        lostConnections += dead;
        results.push(result);
        hooks.onResult(result, problems);
        if (afterFailed) throw afterError;
      }
    } while (this.config.loop && !this.interrupted);
    return { results, interrupted: this.interrupted, unsent, lostConnections, emptyTimedTests };
  }

  private async runOne(t: PlannedTest, warmup: boolean, hooks: RunHooks): Promise<{ result: TestResult; problems: string[]; unsent: number; dead: number; timed: boolean }> {
    const c = this.config;
    let total: number;
    let durationSec: number | undefined;
    if (warmup) {
      const w = c.warmup!;
      if (w.kind === "seconds") {
        total = Infinity;
        durationSec = w.seconds;
      } else {
        total = roundUp(w.requests, t.repliesPerUnit);
      }
    } else if (t.totalRequests !== undefined) {
      total = t.totalRequests;
    } else if (c.durationSec !== undefined) {
      total = t.maxRequests ?? Infinity;
      durationSec = c.durationSec;
    } else {
      total = Math.min(roundUp(c.requests, t.repliesPerUnit), t.maxRequests ?? Infinity);
    }
    // --shard: this process's part of the requests (warmups are not split: each warms itself).
    const part = warmup ? { firstRequest: 0, requests: total } : shardRequests(total, t.repliesPerUnit, c.shard);
    total = part.requests;
    const shards = warmup ? 1 : (c.shard?.count ?? 1);
    const nodes = this.nodesFor(t);
    const spec: TestSpec = {
      title: t.title,
      workload: t.workload,
      nodes,
      fallbackNode: this.fallbackFor(nodes),
      totalRequests: total,
      firstRequest: part.firstRequest,
      durationSec,
      rpsPerWorker: c.rps > 0 ? c.rps / shards / this.workers.length : 0,
      warmup,
      // The grid starts now; workers that start sending later join it at their interval.
      timeline: warmup ? undefined : { startMs: performance.timeOrigin + performance.now(), intervalMs: c.intervalSec * 1000 },
    };
    resetSharedState(this.shared);
    if (this.interrupted) Atomics.store(this.shared.ints, STOP, STOP_INTERRUPTED);
    const wallStart = performance.timeOrigin + performance.now();
    const t0 = performance.now();
    let last = { at: t0, completed: 0, errors: 0, latencySumUs: 0 };
    const progressTimer = hooks.onProgress
      ? setInterval(() => {
          const now = performance.now();
          const p = readProgress(this.shared);
          const answered = p.completed + p.errors;
          const dAnswered = answered - (last.completed + last.errors);
          const dCompleted = p.completed - last.completed;
          const dt = (now - last.at) / 1000;
          const elapsed = (now - t0) / 1000;
          hooks.onProgress!({
            title: t.title,
            completed: answered,
            errors: p.errors,
            total: total === Infinity ? undefined : total,
            elapsedSec: elapsed,
            durationSec,
            // Rates count successful replies, as the report's throughput does.
            intervalRate: dt > 0 ? dCompleted / dt : 0,
            overallRate: elapsed > 0 ? p.completed / elapsed : 0,
            intervalAvgMs: dAnswered > 0 ? (p.latencySumUs - last.latencySumUs) / dAnswered / 1000 : 0,
            overallAvgMs: answered > 0 ? p.latencySumUs / answered / 1000 : 0,
            warmup,
          });
          last = { at: now, completed: p.completed, errors: p.errors, latencySumUs: p.latencySumUs };
        }, PROGRESS_EVERY_MS)
      : undefined;
    let parts: WorkerResult[];
    try {
      parts = await Promise.all(this.workers.map((w) => w.run(spec)));
    } finally {
      if (progressTimer) clearInterval(progressTimer);
      hooks.onTestEnd?.();
    }
    const result = mergeResults(t.title, parts, c, this.workers.length, wallStart, spec.nodes, this.deployment, spec.workload.kind, this.catalog);
    if (t.payloadBytes !== undefined) result.dataSize = t.payloadBytes;
    if (spec.timeline) result.timeline = mergeWorkerIntervals(parts.map((p) => p.intervals ?? []), spec.timeline.intervalMs, c.precision);
    const problems = [...new Set(parts.flatMap((p) => p.problems))];
    // Requests never sent: only possible when connections were lost for good (or Ctrl-C). Under
    // --duration a capped total (maxRequests) is a limit, not a promise.
    const unsent = total === Infinity || durationSec !== undefined || this.interrupted ? 0 : Math.max(0, total - result.issued);
    const dead = parts.reduce((n, p) => n + p.deadConnections, 0);
    return { result, problems, unsent, dead, timed: durationSec !== undefined };
  }

  close(): void {
    for (const w of this.workers) w.close();
    this.workers = [];
  }
}

/** The test as one round runs it: the patch's params and request count, if any. */
export function applyPatch(t: PlannedTest, patch: TestPatch | void): PlannedTest {
  if (!patch) return t;
  const round = { ...t };
  if (patch.params !== undefined) round.workload = { kind: t.workload.kind, params: patch.params };
  if (patch.totalRequests !== undefined) round.totalRequests = patch.totalRequests;
  return round;
}

function roundUp(n: number, unit: number): number {
  return Math.ceil(n / unit) * unit;
}
