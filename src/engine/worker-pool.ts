/**
 * Starts the worker runners. The first runs in-process, on the main thread (no message hop, and
 * no second JavaScript VM to start, JIT-compile and give a WebAssembly histogram module: about
 * 0.05-0.1 CPU-s per VM); each further --threads runs in a Bun Worker. The main thread's own work
 * during a test (progress line, timers, server metrics) is light, as valkey-benchmark's is.
 * Clients are spread evenly over the runners.
 */
import type { BenchConfig } from "../config/types.ts";
import type { FromWorker, InitMessage, TestSpec, WorkerResult } from "./messages.ts";
import type { SharedState } from "./shared-state.ts";
import type { NodeAssignment, WorkloadCatalog } from "./workload-api.ts";
import { workerUrl } from "../worker-url.ts";
import { WorkerRunner } from "./worker-runner.ts";

export interface WorkerHandle {
  start(init: InitMessage): Promise<void>;
  run(spec: TestSpec): Promise<WorkerResult>;
  close(): void;
}

class LocalWorker implements WorkerHandle {
  private readonly runner: WorkerRunner;
  constructor(catalog: WorkloadCatalog) {
    this.runner = new WorkerRunner(catalog);
  }
  start(init: InitMessage) {
    return this.runner.start(init);
  }
  run(spec: TestSpec) {
    return this.runner.run(spec);
  }
  close() {
    this.runner.close();
  }
}

class ThreadWorker implements WorkerHandle {
  private worker: Worker;
  private waiting?: { resolve(v: FromWorker): void; reject(e: Error): void };

  constructor() {
    this.worker = new Worker(workerUrl("worker.ts"));
    this.worker.onmessage = (ev: MessageEvent<FromWorker>) => {
      const w = this.waiting;
      this.waiting = undefined;
      w?.resolve(ev.data);
    };
    this.worker.onerror = (ev: ErrorEvent) => {
      const w = this.waiting;
      this.waiting = undefined;
      w?.reject(new Error(`worker thread failed: ${ev.message}`));
    };
  }

  private request(msg: unknown): Promise<FromWorker> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.worker.postMessage(msg);
    });
  }

  async start(init: InitMessage): Promise<void> {
    const reply = await this.request(init);
    if (reply.type === "error") throw Object.assign(new Error(reply.message), { code: reply.code });
  }

  async run(spec: TestSpec): Promise<WorkerResult> {
    const reply = await this.request({ type: "run", spec });
    if (reply.type === "error") throw Object.assign(new Error(reply.message), { code: reply.code });
    if (reply.type !== "result") throw new Error(`worker answered ${reply.type} to run`);
    return reply.result;
  }

  close(): void {
    this.worker.terminate();
  }
}

/** Splits `clients` over `workers` as evenly as possible: [first, count] per worker. */
export function spreadClients(clients: number, workers: number): [number, number][] {
  const out: [number, number][] = [];
  let first = 0;
  for (let w = 0; w < workers; w++) {
    const count = Math.floor(clients / workers) + (w < clients % workers ? 1 : 0);
    out.push([first, count]);
    first += count;
  }
  return out;
}

/**
 * Worker threads build their catalog from the composition root themselves (src/worker.ts);
 * `catalog` serves the in-process runner (worker 0).
 */
export async function startWorkers(config: BenchConfig, shared: SharedState, clusterMode: boolean, initialNodes: NodeAssignment[], catalog: WorkloadCatalog): Promise<WorkerHandle[]> {
  const workers = Math.max(1, Math.min(config.threads, config.clients));
  const handles: WorkerHandle[] = [];
  const spread = spreadClients(config.clients, workers);
  try {
    await Promise.all(
      spread.map(([firstClient, clientCount], workerIndex) => {
        const h = workerIndex === 0 ? new LocalWorker(catalog) : new ThreadWorker();
        handles.push(h);
        return h.start({ type: "init", config, workerIndex, workers, firstClient, clientCount, sab: shared.sab, clusterMode, initialNodes });
      }),
    );
  } catch (e) {
    for (const h of handles) h.close();
    throw e;
  }
  return handles;
}
