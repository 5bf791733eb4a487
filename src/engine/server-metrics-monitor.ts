/**
 * Takes the per-node INFO snapshots around each test (--server-metrics) over its own control
 * connections, one per node, opened once for the run: the benchmark's connections never carry
 * INFO, so the measured traffic is exactly the test's. A node that cannot be reached or stops
 * answering has no metrics (a warning, once per node); the run goes on.
 */
import type { DeployedNode } from "../cluster/discovery.ts";
import type { ConnectionConfig } from "../config/types.ts";
import { sectionsFor } from "../metrics/default-metrics.ts";
import { ftInfoScalars } from "../metrics/ft-info-scalars.ts";
import type { MetricDef } from "../metrics/metric-def.ts";
import type { NodeReading } from "../metrics/metric-eval.ts";
import { CountingSource, takeReading } from "../metrics/node-reading.ts";
import { diffSnapshots, type ServerMetrics } from "../metrics/server-diff.ts";
import { ControlClient } from "../net/control-client.ts";
import { targetOf } from "../net/transport.ts";

/** A snapshot is a round trip of a few KB; a node slower than this is treated as not answering. */
const SNAPSHOT_TIMEOUT_MS = 5_000;

interface Watched {
  node: DeployedNode;
  client?: ControlClient;
  /** Counts every command sent to the node over its control connections (reconnects included). */
  source: CountingSource;
  /** Warned already: later failures of this node are silent. */
  warned: boolean;
  /** A reading of this node is under way (the sampler skips a tick rather than queue one). */
  busy: boolean;
}

export interface MonitorOptions {
  /** --track-metric definitions (their sections are read too). */
  tracked?: readonly MetricDef[];
  /** The index whose FT.INFO is read on every primary after each test. */
  ftIndex?: string;
}

export class ServerMetricsMonitor {
  private before = new Map<string, NodeReading>();
  private readonly timeoutMs: number;
  private readonly sections: string[];
  readonly tracked: readonly MetricDef[];

  private constructor(
    private readonly watched: Watched[],
    private readonly conn: ConnectionConfig,
    private readonly warn: (message: string) => void,
    private readonly opts: MonitorOptions,
  ) {
    this.timeoutMs = conn.requestTimeoutMs > 0 ? Math.min(conn.requestTimeoutMs, SNAPSHOT_TIMEOUT_MS) : SNAPSHOT_TIMEOUT_MS;
    this.tracked = opts.tracked ?? [];
    this.sections = sectionsFor(this.tracked);
  }

  /** Connects to every node (in parallel); nodes that refuse are reported and left out. */
  static async open(conn: ConnectionConfig, nodes: readonly DeployedNode[], warn: (message: string) => void, opts: MonitorOptions = {}): Promise<ServerMetricsMonitor> {
    // Reports list each shard's primary, then its replicas.
    const ordered = [...nodes].sort((a, b) => a.shard - b.shard || Number(a.role === "replica") - Number(b.role === "replica"));
    const monitor = new ServerMetricsMonitor(
      ordered.map((node) => {
        const w: Watched = { node, warned: false, busy: false, source: new CountingSource({ call: (args, t) => (w.client ? w.client.call(args, t) : Promise.reject(new Error("not connected"))) }) };
        return w;
      }),
      conn,
      warn,
      opts,
    );
    await Promise.all(monitor.watched.map((w) => monitor.connect(w)));
    return monitor;
  }

  /** The nodes watched, in report order. */
  get nodes(): DeployedNode[] {
    return this.watched.map((w) => w.node);
  }

  private async connect(w: Watched): Promise<void> {
    try {
      w.client = await ControlClient.connect(targetOf({ ...w.node }), this.conn, { select: false });
    } catch (e) {
      this.failed(w, e);
    }
  }

  private failed(w: Watched, e: unknown): void {
    w.client?.close();
    w.client = undefined;
    if (w.warned) return;
    w.warned = true;
    const why = e instanceof Error ? e.message : String(e);
    this.warn(`server metrics: no INFO from ${w.node.address} (${why}); its server metrics are left out`);
  }

  /** A node's client, reconnecting a dropped one unless the node already failed (warned). */
  private async ready(w: Watched): Promise<boolean> {
    if (!w.client?.isOpen) {
      if (w.warned) return false;
      await this.connect(w);
    }
    return w.client !== undefined;
  }

  private async readOne(w: Watched, sections: readonly string[]): Promise<NodeReading | undefined> {
    if (!(await this.ready(w))) return undefined;
    w.busy = true;
    try {
      return await takeReading(w.source, w.node, sections, this.timeoutMs);
    } catch (e) {
      this.failed(w, e);
      return undefined;
    } finally {
      w.busy = false;
    }
  }

  /** Every node at once; the map keeps the report order whatever order the replies came in. */
  async readAll(sections: readonly string[] = this.sections): Promise<Map<string, NodeReading>> {
    const readings = await Promise.all(this.watched.map((w) => this.readOne(w, sections)));
    const out = new Map<string, NodeReading>();
    for (const r of readings) if (r) out.set(r.address, r);
    return out;
  }

  /**
   * One reading of each node that is not still answering the previous one (a node blocked by a
   * slow command must not delay the others' samples); `onReading` gets each as it arrives.
   * Returns how many nodes were skipped because they were still busy.
   */
  sampleEach(onReading: (r: NodeReading) => void): number {
    let skipped = 0;
    for (const w of this.watched) {
      if (w.busy) {
        skipped++;
        continue;
      }
      void this.readOne(w, this.sections).then((r) => {
        if (r) onReading(r);
      });
    }
    return skipped;
  }

  /** Reading right before a measured run; returned for a timeline to start from. */
  async beforeTest(): Promise<Map<string, NodeReading>> {
    this.before = await this.readAll();
    return this.before;
  }

  /**
   * Reading right after the run and the evaluation against the one before it; undefined when
   * no node answered both times. `after` receives the readings (a timeline's last sample).
   */
  async afterTest(opts: { durationSec: number; serving: readonly string[]; testCommands: string[] }, after?: (readings: Map<string, NodeReading>) => void): Promise<ServerMetrics | undefined> {
    const readings = await this.readAll();
    after?.(readings);
    const metrics = diffSnapshots(this.before, readings, { ...opts, tracked: this.tracked });
    this.before = new Map();
    if (metrics.nodes.length === 0) return undefined;
    if (this.opts.ftIndex !== undefined) {
      const ft = await this.ftInfoAll(this.opts.ftIndex);
      if (ft.length > 0) metrics.ftInfo = ft;
    }
    return metrics;
  }

  /** FT.INFO of `index` on every primary that knows it (scalar fields only). */
  async ftInfoAll(index: string): Promise<{ address: string; index: string; fields: Record<string, string | number> }[]> {
    const primaries = this.watched.filter((w) => w.node.role === "primary");
    const out = await Promise.all(
      primaries.map(async (w) => {
        if (!(await this.ready(w))) return undefined;
        try {
          const reply = await w.source.call(["FT.INFO", index], this.timeoutMs);
          const fields = ftInfoScalars(reply);
          return fields ? { address: w.node.address, index, fields } : undefined;
        } catch {
          return undefined; // FT.INFO is a detail of the report: never a warning of its own
        }
      }),
    );
    return out.filter((x) => x !== undefined);
  }

  /** Every section of every node (`INFO everything`), for --metrics-snapshot. */
  async readEverything(): Promise<Map<string, NodeReading>> {
    return this.readAll(["everything"]);
  }

  close(): void {
    for (const w of this.watched) w.client?.close();
  }
}
