/**
 * Everything one worker thread does: keep its share of the client connections, and run tests
 * on them when told to. Used directly in the main thread when --threads is 1, and inside a Bun
 * Worker (src/worker.ts) otherwise.
 *
 * Global client i is pinned to node i % nodes.length of each test (valkey-benchmark spreads
 * clients evenly over nodes); connections are opened on first use and kept for later tests.
 */
import { normalJitPolicy } from "../jit-tiers.ts";
import type { BenchConfig } from "../config/types.ts";
import { initHistograms } from "../metrics/histogram.ts";
import { BenchConnection } from "./bench-connection.ts";
import { WorkerClusterState } from "./cluster-state.ts";
import type { InitMessage, TestSpec, WorkerResult } from "./messages.ts";
import { RedirectRouter } from "./redirect-router.ts";
import { SEQUENCE, attachSharedState, type SharedState } from "./shared-state.ts";
import { TestRun } from "./test-run.ts";
import type { NodeAssignment, WorkerContext, WorkloadCatalog } from "./workload-api.ts";

/** Connections opened at once; more would only queue in the kernel and trip connect timeouts. */
const CONNECT_CONCURRENCY = 256;

export class WorkerRunner {
  private config!: BenchConfig;
  private shared!: SharedState;
  private init!: InitMessage;
  private pool = new Map<string, BenchConnection>();
  private cluster?: WorkerClusterState;
  private router?: RedirectRouter;

  constructor(private readonly catalog: WorkloadCatalog) {}

  async start(msg: InitMessage): Promise<void> {
    await initHistograms();
    this.init = msg;
    this.config = msg.config;
    this.shared = attachSharedState(msg.sab, msg.workers);
    if (msg.clusterMode) {
      this.cluster = new WorkerClusterState(this.config.connection, this.config.cluster.announceMap, []);
      this.router = new RedirectRouter(this.config.connection, this.cluster);
    }
    // Open the connections of the first test now, so connection problems surface before it runs.
    await this.connectionsFor(msg.initialNodes);
  }

  /** This worker's connections for a test on `nodes`, opening the missing ones. */
  private async connectionsFor(nodes: NodeAssignment[]): Promise<BenchConnection[]> {
    const list: BenchConnection[] = [];
    const fresh: BenchConnection[] = [];
    for (let i = 0; i < this.init.clientCount; i++) {
      const clientIndex = this.init.firstClient + i;
      let node = nodes[clientIndex % nodes.length]!;
      if (this.cluster) node = this.cluster.adopt(node);
      const key = `${clientIndex}@${node.address}`;
      let c = this.pool.get(key);
      if (!c || c.dead) {
        c = new BenchConnection(node, this.config.connection, clientIndex, this.cluster);
        this.pool.set(key, c);
        fresh.push(c);
      }
      list.push(c);
    }
    for (let i = 0; i < fresh.length; i += CONNECT_CONCURRENCY) {
      await Promise.all(fresh.slice(i, i + CONNECT_CONCURRENCY).map((c) => c.connect()));
    }
    return list;
  }

  async run(spec: TestSpec): Promise<WorkerResult> {
    normalJitPolicy();
    const connections = await this.connectionsFor(spec.nodes);
    const ints = this.shared.ints;
    const ctx: WorkerContext = {
      config: this.config,
      workerIndex: this.init.workerIndex,
      workers: this.init.workers,
      nextSequence: () => Atomics.add(ints, SEQUENCE, 1) >>> 0,
      catalog: this.catalog,
      firstRequest: spec.firstRequest,
    };
    const workload = await this.catalog.create(spec.workload.kind, spec.workload.params, ctx);
    const run = new TestRun(
      spec,
      workload,
      this.shared,
      {
        pipeline: this.config.pipeline,
        keepalive: this.config.keepalive,
        workerIndex: this.init.workerIndex,
        workers: this.init.workers,
        requestTimeoutMs: this.config.connection.requestTimeoutMs,
        precision: this.config.precision,
        balanceTolerance: this.config.cluster.balanceNodes ? this.config.cluster.balanceTolerancePct / 100 : 0,
      },
      this.cluster,
      this.router,
    );
    try {
      await run.start(connections);
    } finally {
      for (const c of connections) c.stop();
      workload.close?.();
    }
    return run.result();
  }

  close(): void {
    for (const c of this.pool.values()) c.close();
    this.pool.clear();
    this.router?.close();
  }
}
