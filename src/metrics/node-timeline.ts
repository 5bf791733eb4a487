/**
 * The server side of a test's timeline (--metrics-interval): every node's readings during the
 * test turned into one sample per node per interval (rates over the interval, gauges at its
 * end), a min/avg/max summary per node, and imbalance flags: a node whose rate deviates more
 * than the threshold from the median of the nodes of its role in the same interval: a hot or
 * stalled shard that only shows up mid-run. The median rather than the mean, so that one stalled
 * node among three does not make the healthy ones deviate too. Pure: readings in, values out.
 *
 * Nodes are sampled independently (a node blocked by a slow command must not delay the others),
 * so each reading carries the tick that asked for it: samples of the same tick are compared.
 */
import type { MetricDef } from "./metric-def.ts";
import { evaluateMetric, round, type NodeReading, type NodeRole } from "./metric-eval.ts";
import type { NodeSample } from "./timeline.ts";

export interface NamedDef {
  /** The sample key for an exact definition (`ops_per_sec`); families use each series' name. */
  name?: string;
  def: MetricDef;
}

export interface NodeSampleAt {
  address: string;
  role: NodeRole;
  /** Epoch ms (client clock) when the reading arrived: the end of the interval it describes. */
  atMs: number;
  /** Seconds the interval lasted for this node (since its previous reading). */
  seconds: number;
  tick: number;
  values: NodeSample;
}

export interface NodeRange {
  address: string;
  role: NodeRole;
  min: number;
  avg: number;
  max: number;
  intervals: number;
}

export interface ImbalanceFlag {
  metric: string;
  address: string;
  /** Seconds from the test's start to the end of the interval. */
  atSec: number;
  value: number;
  /** Median over the nodes of the same role in that interval (with two nodes: their mean). */
  median: number;
  /** (value - median) / median in percent (negative: slower than the others). */
  deviationPct: number;
}

export interface TimelineSummary {
  intervalSec: number;
  /** Per metric: each node's min/avg/max over the full intervals. */
  ranges: { metric: string; rate: boolean; nodes: NodeRange[] }[];
  flags: ImbalanceFlag[];
  /** Samples a node could not give in time (its previous reading was still pending). */
  skippedSamples: number;
}

/** The middle value (the mean of the two middle ones): one stalled node does not move it. */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** A role group whose median is below this fraction of the busiest node is not flagged. */
const IDLE_FRACTION = 0.05;

function isRate(def: MetricDef): boolean {
  return def.diff === "rate" || def.diff === "memory";
}

export class NodeTimeline {
  private readonly last = new Map<string, NodeReading>();
  readonly samples: NodeSampleAt[] = [];
  private readonly rateNames = new Set<string>();
  /** Keys that come from a family definition (one per matched field). */
  private readonly familyNames = new Set<string>();
  private readonly names: string[] = [];
  skipped = 0;

  constructor(
    private readonly defs: readonly NamedDef[],
    private readonly intervalMs: number,
    start: ReadonlyMap<string, NodeReading>,
  ) {
    for (const r of start.values()) this.last.set(r.address, r);
  }

  /** A node's reading for `tick`; undefined when the node has no earlier reading to diff with. */
  add(reading: NodeReading, tick: number): NodeSampleAt | undefined {
    const prev = this.last.get(reading.address);
    this.last.set(reading.address, reading);
    if (!prev) return undefined;
    const values: NodeSample = {};
    for (const { name, def } of this.defs) {
      const result = evaluateMetric(def, [{ before: prev, after: reading }]);
      for (const s of result.series) {
        const key = name ?? s.name;
        values[key] = s.nodes[0]?.value ?? null;
        if (!this.names.includes(key)) this.names.push(key);
        if (isRate(def)) this.rateNames.add(key);
        if (def.field.kind !== "exact") this.familyNames.add(key);
      }
    }
    const sample: NodeSampleAt = {
      address: reading.address,
      role: reading.role,
      atMs: performance.timeOrigin + reading.takenAtMs,
      seconds: round((reading.takenAtMs - prev.takenAtMs) / 1000, 3),
      tick,
      values,
    };
    this.samples.push(sample);
    return sample;
  }

  /** min/avg/max and flags over the intervals at least half as long as the nominal one. */
  summary(thresholdPct: number, startEpochMs: number): TimelineSummary {
    const full = this.samples.filter((s) => s.seconds * 1000 >= this.intervalMs / 2);
    const ranges = this.names.map((metric) => {
      const byNode = new Map<string, { role: NodeRole; values: number[] }>();
      for (const s of full) {
        const v = s.values[metric];
        if (v === null || v === undefined) continue;
        const entry = byNode.get(s.address) ?? { role: s.role, values: [] };
        entry.values.push(v);
        byNode.set(s.address, entry);
      }
      // In the order the nodes were given (the report's), not the order their samples came in.
      const order = [...this.last.keys()];
      const ordered = [...byNode].sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0]));
      const nodes = ordered.map(([address, { role, values }]) => ({
        address,
        role,
        min: Math.min(...values),
        avg: round(values.reduce((a, b) => a + b, 0) / values.length),
        max: Math.max(...values),
        intervals: values.length,
      }));
      return { metric, rate: this.rateNames.has(metric), nodes };
    });
    // A family's series that never moved (commands the test did not send) are noise here too.
    const shown = ranges.filter((r) => !this.familyNames.has(r.metric) || r.nodes.some((n) => n.max !== 0 || n.min !== 0));
    const flags: ImbalanceFlag[] = [];
    const ticks = [...new Set(full.map((s) => s.tick))].sort((a, b) => a - b);
    for (const metric of this.rateNames) {
      for (const tick of ticks) {
        // Nodes nearly idle next to the busiest (replicas of a read test served by primaries)
        // are not compared: a few commands per second of noise would be huge percentages.
        const busiest = Math.max(0, ...full.filter((s) => s.tick === tick).map((s) => (typeof s.values[metric] === "number" ? (s.values[metric] as number) : 0)));
        for (const role of ["primary", "replica"] as const) {
          const group = full.filter((s) => s.tick === tick && s.role === role && typeof s.values[metric] === "number");
          if (group.length < 2) continue;
          const mid = median(group.map((s) => s.values[metric] as number));
          if (mid <= 0 || mid < busiest * IDLE_FRACTION) continue;
          for (const s of group) {
            const value = s.values[metric] as number;
            const deviationPct = ((value - mid) / mid) * 100;
            if (Math.abs(deviationPct) > thresholdPct) {
              flags.push({ metric, address: s.address, atSec: round((s.atMs - startEpochMs) / 1000, 1), value, median: round(mid), deviationPct: round(deviationPct, 1) });
            }
          }
        }
      }
    }
    return { intervalSec: this.intervalMs / 1000, ranges: shown, flags, skippedSamples: this.skipped };
  }
}
