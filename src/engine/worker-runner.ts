/**
 * Everything one worker thread does: open its share of the client connections, then run tests
 * on them when told to. Used directly in the main thread when --threads is 1, and inside a Bun
 * Worker (src/engine/worker.ts) otherwise.
 */
import type { BenchConfig } from "../config/types.ts";
import { initHistograms } from "../metrics/histogram.ts";
import type { Target } from "../net/transport.ts";
import { compileCommands, compileInline, type CompiledUnit } from "../workload/template.ts";
import { BenchConnection } from "./bench-connection.ts";
import type { InitMessage, TestSpec, UnitSpec, WorkerResult } from "./messages.ts";
import { attachSharedState, type SharedState } from "./shared-state.ts";
import { TestRun } from "./test-run.ts";

/** Connections opened at once; more would only queue in the kernel and trip connect timeouts. */
const CONNECT_CONCURRENCY = 256;

export function standaloneTarget(config: BenchConfig): Target {
  const c = config.connection;
  if (c.socketPath) return { kind: "unix", path: c.socketPath };
  const ep = c.endpoints[0]!;
  return { kind: "tcp", host: ep.host, port: ep.port };
}

export function compileUnit(unit: UnitSpec, config: BenchConfig, tag = ""): CompiledUnit {
  if (unit.kind === "inline") return compileInline(unit.text);
  const commands = unit.commands.map((args) => args.map((a) => a.replaceAll("{tag}", tag)));
  return compileCommands(commands, {
    expandRandom: config.keyspaceLen > 0,
    dataSize: config.dataSize,
    constantDataMarker: unit.constantDataMarker,
  });
}

export class WorkerRunner {
  private config!: BenchConfig;
  private shared!: SharedState;
  private init!: InitMessage;
  private connections: BenchConnection[] = [];

  async start(msg: InitMessage): Promise<void> {
    await initHistograms();
    this.init = msg;
    this.config = msg.config;
    this.shared = attachSharedState(msg.sab, msg.workers);
    const target = standaloneTarget(this.config);
    for (let i = 0; i < msg.clientCount; i++) {
      this.connections.push(new BenchConnection(target, this.config.connection, msg.firstClient + i));
    }
    await this.connectAll();
  }

  private async connectAll(): Promise<void> {
    for (let i = 0; i < this.connections.length; i += CONNECT_CONCURRENCY) {
      await Promise.all(this.connections.slice(i, i + CONNECT_CONCURRENCY).map((c) => c.connect()));
    }
  }

  async run(spec: TestSpec): Promise<WorkerResult> {
    const unit = compileUnit(spec.unit, this.config);
    const run = new TestRun(spec, unit, this.shared, {
      pipeline: this.config.pipeline,
      keepalive: this.config.keepalive,
      keyspaceLen: this.config.keyspaceLen,
      sequential: this.config.sequential,
      seed: this.config.seed,
      totalClients: this.config.clients,
      firstClient: this.init.firstClient,
      workerIndex: this.init.workerIndex,
      requestTimeoutMs: this.config.connection.requestTimeoutMs,
      precision: this.config.precision,
    });
    await run.start(this.connections);
    for (const c of this.connections) c.stop();
    return run.result();
  }

  close(): void {
    for (const c of this.connections) c.close();
    this.connections = [];
  }
}
