/**
 * Wires the server-metrics features into a run: INFO readings around each test (default and
 * --track-metric definitions), the --metrics-interval sampler feeding the test's timeline, the
 * warning for tracked fields no node reports, FT.INFO of the run's index, and at the end the
 * --metrics-snapshot file and the --compare-snapshot comparison. run-benchmark.ts calls it.
 */
import type { Deployment } from "./cluster/discovery.ts";
import type { BenchConfig } from "./config/types.ts";
import type { RunHooks } from "./engine/orchestrator.ts";
import { ServerMetricsMonitor } from "./engine/server-metrics-monitor.ts";
import { TIMELINE_METRICS } from "./metrics/default-metrics.ts";
import { passesFilter, type NodeReading, type NodeRole } from "./metrics/metric-eval.ts";
import { NodeTimeline, type NamedDef } from "./metrics/node-timeline.ts";
import type { ServerMetrics } from "./metrics/server-diff.ts";
import { buildSnapshot, compareSnapshots, loadSnapshot, type SnapshotComparison, type SnapshotTest } from "./metrics/snapshot-file.ts";
import { attachNodeSample } from "./metrics/timeline.ts";
import type { TestResult } from "./metrics/types.ts";
import type { PlannedTest } from "./engine/workload-api.ts";

export interface ServerMetricsSession {
  hooks: Pick<RunHooks, "beforeTest" | "afterTest">;
  /** After the last test: writes --metrics-snapshot, returns the --compare-snapshot comparison. */
  finish(results: readonly TestResult[], toolVersion: string): Promise<SnapshotComparison | undefined>;
  close(): void;
}

/** The timeline's sample keys: short names for the defaults, series names for tracked ones. */
const TIMELINE_NAMES: Record<keyof typeof TIMELINE_METRICS, string> = {
  opsPerSec: "ops_per_sec",
  usedMemory: "used_memory",
  searchUsedMemory: "search_used_memory",
};

export async function openServerMetrics(
  config: BenchConfig,
  deployment: Deployment,
  opts: {
    warn: (m: string) => void;
    /** The nodes serving a test (totals are over them); throws when none can. */
    servingNodes: (t: PlannedTest) => string[];
    testCommands: (t: PlannedTest) => string[];
    ftIndex?: string;
  },
): Promise<ServerMetricsSession> {
  const monitor = await ServerMetricsMonitor.open(config.connection, deployment.nodes, opts.warn, { tracked: config.trackMetrics, ftIndex: opts.ftIndex });
  const intervalMs = config.metricsIntervalSec !== undefined ? config.metricsIntervalSec * 1000 : undefined;
  const timelineDefs: NamedDef[] = [
    ...(Object.keys(TIMELINE_METRICS) as (keyof typeof TIMELINE_METRICS)[]).map((k) => ({ name: TIMELINE_NAMES[k], def: TIMELINE_METRICS[k] })),
    ...config.trackMetrics.map((def) => ({ def })),
  ];
  const warnedAbsent = new Set<string>();
  let sampler: { timeline: NodeTimeline; timer: ReturnType<typeof setInterval>; stopped: boolean; tick: number; startEpochMs: number } | undefined;

  function startSampler(start: Map<string, NodeReading>): void {
    if (intervalMs === undefined) return;
    const timeline = new NodeTimeline(timelineDefs, intervalMs, start);
    const s = { timeline, stopped: false, tick: 0, startEpochMs: performance.timeOrigin + performance.now(), timer: undefined as unknown as ReturnType<typeof setInterval> };
    s.timer = setInterval(() => {
      const tick = ++s.tick;
      const skipped = monitor.sampleEach((r) => {
        if (!s.stopped) timeline.add(r, tick);
      });
      timeline.skipped += skipped;
    }, intervalMs);
    sampler = s;
  }

  /** Ends the sampler with the after-test readings; the samples go into the test's timeline. */
  function finishSampler(after: Map<string, NodeReading>, metrics: ServerMetrics | undefined, result: TestResult): void {
    const s = sampler;
    sampler = undefined;
    if (!s) return;
    clearInterval(s.timer);
    s.stopped = true;
    for (const r of after.values()) s.timeline.add(r, s.tick + 1);
    if (!metrics) return;
    const summary = s.timeline.summary(config.cluster.imbalanceThresholdPct, s.startEpochMs);
    if (result.timeline) {
      // Placed by the middle of the interval a sample describes: the sampler's grid starts a few
      // ms before the client's (the reading before the test), so a sample's arrival time can
      // fall just past the client's boundary. Intervals shorter than half the nominal one (the
      // reading right after the test) are left out, as in the summary.
      for (const sample of s.timeline.samples) {
        if (sample.seconds * 1000 < intervalMs! / 2) continue;
        attachNodeSample(result.timeline, sample.atMs - (sample.seconds * 1000) / 2, sample.address, sample.values);
      }
      metrics.timeline = summary;
    } else {
      metrics.timeline = { ...summary, samples: s.timeline.samples };
    }
  }

  function warnAbsent(metrics: ServerMetrics, readings: ReadonlyMap<string, NodeReading>): void {
    for (const m of metrics.tracked ?? []) {
      if (m.series.length > 0 || warnedAbsent.has(m.spec)) continue;
      warnedAbsent.add(m.spec);
      // No series because the node filter left no node (@replicas without replicas): the field is not at fault.
      const roles = [...readings.values()].map((r) => r.role);
      if (!roles.some((role) => passesFilter(role, m.nodeFilter))) {
        opts.warn(`--track-metric ${m.spec}: its node filter @${m.nodeFilter} matches no node (this deployment has ${roleCounts(roles)}): nothing to report`);
      } else {
        opts.warn(`--track-metric ${m.spec}: no node reports this field (check the section and field names in INFO ${m.spec.split(":")[0]})`);
      }
    }
  }

  return {
    hooks: {
      async beforeTest() {
        startSampler(await monitor.beforeTest());
      },
      async afterTest(t, result) {
        let serving: string[];
        try {
          serving = opts.servingNodes(t);
        } catch {
          serving = [];
        }
        let after = new Map<string, NodeReading>();
        const metrics = await monitor.afterTest({ durationSec: result.durationSec, serving, testCommands: opts.testCommands(t) }, (r) => {
          after = r;
        });
        finishSampler(after, metrics, result);
        if (metrics) {
          warnAbsent(metrics, after);
          result.extra = { ...result.extra, serverMetrics: metrics };
        }
      },
    },
    async finish(results, toolVersion) {
      if (config.metricsSnapshotFile === undefined && config.compareSnapshotFile === undefined) return undefined;
      const readings = await monitor.readEverything();
      const slots = new Map(deployment.nodes.map((n) => [n.address, n.slots] as const));
      const tests: SnapshotTest[] = results.map((r) => {
        const m = (r.extra as { serverMetrics?: ServerMetrics } | undefined)?.serverMetrics;
        return { title: r.title, throughput: r.throughput, tracked: m?.tracked ?? [], ...(m?.searchMetrics ? { searchMetrics: m.searchMetrics } : {}) };
      });
      const now = buildSnapshot({ toolVersion, readings, slotsOf: (a) => slots.get(a) ?? [], tracked: config.trackMetrics, tests });
      if (opts.ftIndex !== undefined) {
        const ft = await monitor.ftInfoAll(opts.ftIndex);
        if (ft.length > 0) now.ftInfo = ft;
      }
      // The earlier snapshot is read before the new one is written: the same file for both is a
      // rolling baseline (compare with the last run, then become the baseline of the next).
      const earlier = config.compareSnapshotFile === undefined ? undefined : loadSnapshot(config.compareSnapshotFile, "--compare-snapshot");
      if (config.metricsSnapshotFile !== undefined) await Bun.write(config.metricsSnapshotFile, JSON.stringify(now, null, 2) + "\n");
      if (config.compareSnapshotFile === undefined || earlier === undefined) return undefined;
      return compareSnapshots(config.compareSnapshotFile, earlier, now);
    },
    close() {
      if (sampler) clearInterval(sampler.timer);
      monitor.close();
    },
  };
}

/** "3 primaries and no replica", "1 primary and 2 replicas". */
function roleCounts(roles: readonly NodeRole[]): string {
  const count = (role: NodeRole, one: string, many: string) => {
    const n = roles.filter((r) => r === role).length;
    return n === 0 ? `no ${one}` : `${n} ${n === 1 ? one : many}`;
  };
  return `${count("primary", "primary", "primaries")} and ${count("replica", "replica", "replicas")}`;
}
