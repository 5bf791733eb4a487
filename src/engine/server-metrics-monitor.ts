/**
 * Takes the per-node INFO snapshots around each test (--server-metrics) over its own control
 * connections, one per node, opened once for the run: the benchmark's connections never carry
 * INFO, so the measured traffic is exactly the test's. A node that cannot be reached or stops
 * answering has no metrics (a warning, once per node); the run goes on.
 */
import type { DeployedNode } from "../cluster/discovery.ts";
import type { ConnectionConfig } from "../config/types.ts";
import { diffSnapshots, type ServerMetrics } from "../metrics/server-diff.ts";
import { takeSnapshot, type ServerSnapshot } from "../metrics/server-snapshot.ts";
import { ControlClient } from "../net/control-client.ts";
import { targetOf } from "./bench-connection.ts";

/** A snapshot is a round trip of a few KB; a node slower than this is treated as not answering. */
const SNAPSHOT_TIMEOUT_MS = 5_000;

interface Watched {
  node: DeployedNode;
  client?: ControlClient;
  /** Warned already: later failures of this node are silent. */
  warned: boolean;
}

export class ServerMetricsMonitor {
  private before = new Map<string, ServerSnapshot>();
  private readonly timeoutMs: number;

  private constructor(
    private readonly watched: Watched[],
    private readonly conn: ConnectionConfig,
    private readonly warn: (message: string) => void,
  ) {
    this.timeoutMs = conn.requestTimeoutMs > 0 ? Math.min(conn.requestTimeoutMs, SNAPSHOT_TIMEOUT_MS) : SNAPSHOT_TIMEOUT_MS;
  }

  /** Connects to every node (in parallel); nodes that refuse are reported and left out. */
  static async open(conn: ConnectionConfig, nodes: readonly DeployedNode[], warn: (message: string) => void): Promise<ServerMetricsMonitor> {
    // Reports list each shard's primary, then its replicas.
    const ordered = [...nodes].sort((a, b) => a.shard - b.shard || Number(a.role === "replica") - Number(b.role === "replica"));
    const monitor = new ServerMetricsMonitor(
      ordered.map((node) => ({ node, warned: false })),
      conn,
      warn,
    );
    await Promise.all(monitor.watched.map((w) => monitor.connect(w)));
    return monitor;
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

  private async snapshotOne(w: Watched): Promise<ServerSnapshot | undefined> {
    // A node whose connection dropped gets a new one, unless it already failed (warned): a node
    // that does not answer is not retried before every test.
    if (!w.client?.isOpen) {
      if (w.warned) return undefined;
      await this.connect(w);
    }
    const client = w.client;
    if (!client) return undefined;
    try {
      return await takeSnapshot(client, w.node, this.timeoutMs);
    } catch (e) {
      this.failed(w, e);
      return undefined;
    }
  }

  /** Every node at once; the map keeps the report order whatever order the replies came in. */
  private async snapshotAll(): Promise<Map<string, ServerSnapshot>> {
    const snapshots = await Promise.all(this.watched.map((w) => this.snapshotOne(w)));
    const out = new Map<string, ServerSnapshot>();
    for (const s of snapshots) if (s) out.set(s.address, s);
    return out;
  }

  /** Snapshot right before a measured run. */
  async beforeTest(): Promise<void> {
    this.before = await this.snapshotAll();
  }

  /**
   * Snapshot right after the run and the diff against the one before it; undefined when no
   * node answered both times.
   */
  async afterTest(opts: { durationSec: number; serving: readonly string[]; testCommands: string[] }): Promise<ServerMetrics | undefined> {
    const after = await this.snapshotAll();
    const metrics = diffSnapshots(this.before, after, opts);
    this.before = new Map();
    return metrics.nodes.length > 0 ? metrics : undefined;
  }

  close(): void {
    for (const w of this.watched) w.client?.close();
  }
}
