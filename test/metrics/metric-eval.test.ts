// Evaluating a definition over nodes: each diff kind, aggregation, node filters, families,
// counter resets, and the per-interval timeline with its imbalance flags.

import { describe, expect, test } from "bun:test";
import { parseInfoSections } from "../../src/metrics/info-text.ts";
import { parseMetricDef } from "../../src/metrics/metric-def.ts";
import { evaluateMetric, type NodeReading, type NodeRole } from "../../src/metrics/metric-eval.ts";
import { NodeTimeline } from "../../src/metrics/node-timeline.ts";

function reading(address: string, role: NodeRole, takenAtMs: number, lines: string[], ownCalls: Record<string, number> = {}): NodeReading {
  return { address, role, takenAtMs, info: parseInfoSections(lines.join("\r\n")), ownCalls };
}

const stats = (processed: number, mem: string) => ["# Stats", `total_commands_processed:${processed}`, "# Memory", `used_memory:${mem}`];

describe("evaluateMetric", () => {
  const pairs = [
    { before: reading("a:1", "primary", 0, stats(1000, "1000")), after: reading("a:1", "primary", 2000, stats(3000, "3000")) },
    { before: reading("b:1", "primary", 0, stats(1000, "4000")), after: reading("b:1", "primary", 2000, stats(2000, "2000")) },
    { before: reading("a:2", "replica", 0, stats(0, "1000")), after: reading("a:2", "replica", 2000, stats(100, "1000")) },
  ];
  const value = (spec: string, elapsed?: number) => {
    const r = evaluateMetric(parseMetricDef(spec), pairs, elapsed);
    return { nodes: r.series[0]!.nodes.map((n) => n.value), aggregate: r.series[0]!.aggregate };
  };

  test("rate over the given seconds (else the time between readings); delta; memory; percent; none", () => {
    expect(value("stats:total_commands_processed:sum:rate")).toEqual({ nodes: [1000, 500, 50], aggregate: 1550 });
    expect(value("stats:total_commands_processed:sum:rate", 4)).toEqual({ nodes: [500, 250, 25], aggregate: 775 });
    expect(value("stats:total_commands_processed:max:delta")).toEqual({ nodes: [2000, 1000, 100], aggregate: 2000 });
    expect(value("memory:used_memory:sum:memory")).toEqual({ nodes: [1000, -1000, 0], aggregate: 0 });
    expect(value("memory:used_memory:avg:percent")).toEqual({ nodes: [200, -50, 0], aggregate: 50 });
    expect(value("memory:used_memory:min:none")).toEqual({ nodes: [3000, 2000, 1000], aggregate: 1000 });
    expect(value("memory:used_memory:none:none").aggregate).toBeUndefined();
  });

  test("the search module's own ACL GETUSER calls are not in the ops/s rate (the --metrics-interval timeline and --track-metric read it too)", () => {
    const at = (t: number, processed: number, acl: number) =>
      reading("s:1", "primary", t, ["# Stats", `total_commands_processed:${processed}`, "# search_query", "search_successful_requests_count:0", "# Commandstats", `cmdstat_acl|getuser:calls=${acl},usec=1,usec_per_call=1.00,rejected_calls=0,failed_calls=0`]);
    const r = evaluateMetric(parseMetricDef("stats:total_commands_processed:sum:rate"), [{ before: at(0, 100, 50), after: at(1000, 2100, 1050) }]);
    expect(r.series[0]!.aggregate).toBe(1000);
    // The ACL GETUSER counter itself is what the server counted.
    expect(evaluateMetric(parseMetricDef("commandstats:cmdstat_acl|getuser:calls:sum:delta"), [{ before: at(0, 100, 50), after: at(1000, 2100, 1050) }]).series[0]!.aggregate).toBe(1000);
  });

  test("node filters choose the nodes that are evaluated and aggregated", () => {
    expect(value("stats:total_commands_processed:sum:delta@primaries")).toEqual({ nodes: [2000, 1000], aggregate: 3000 });
    expect(value("stats:total_commands_processed:sum:delta@replicas")).toEqual({ nodes: [100], aggregate: 100 });
  });

  test("a rate counter that went down was reset: it counts from the reset; our own calls are taken out", () => {
    const reset = [{ before: reading("a:1", "primary", 0, stats(5000, "0"), { info: 3 }), after: reading("a:1", "primary", 1000, stats(300, "0"), { info: 4, "ft.info": 2 }) }];
    expect(evaluateMetric(parseMetricDef("stats:total_commands_processed"), reset).series[0]!.aggregate).toBe(297);
  });

  test("a family gives one series per field; an absent field gives no series (the caller warns)", () => {
    const cs = (set: number, get: number) => ["# Commandstats", `cmdstat_set:calls=${set},usec=1`, ...(get > 0 ? [`cmdstat_get:calls=${get},usec=1`] : [])];
    const fam = [{ before: reading("a:1", "primary", 0, cs(10, 0)), after: reading("a:1", "primary", 1000, cs(15, 7)) }];
    const r = evaluateMetric(parseMetricDef("commandstats:cmdstat_*:calls:sum:delta"), fam);
    expect(r.series.map((s) => [s.name, s.aggregate])).toEqual([
      ["commandstats:cmdstat_set:calls", 5],
      ["commandstats:cmdstat_get:calls", 7],
    ]);
    expect(evaluateMetric(parseMetricDef("stats:no_such_field"), fam).series).toEqual([]);
  });
});

describe("NodeTimeline", () => {
  test("samples per node per tick; min/avg/max over full intervals; a node far from its role's mean is flagged", () => {
    const start = new Map([
      ["a:1", reading("a:1", "primary", 0, stats(0, "100"))],
      ["b:1", reading("b:1", "primary", 0, stats(0, "100"))],
      ["c:1", reading("c:1", "primary", 0, stats(0, "100"))],
    ]);
    const t = new NodeTimeline([{ name: "ops_per_sec", def: parseMetricDef("stats:total_commands_processed:sum:rate") }, { name: "used_memory", def: parseMetricDef("memory:used_memory:sum:none") }], 1000, start);
    const counts = { "a:1": 0, "b:1": 0, "c:1": 0 } as Record<string, number>;
    for (let tick = 1; tick <= 3; tick++) {
      for (const addr of ["a:1", "b:1", "c:1"]) {
        // c:1 stalls in the second interval (DEBUG SLEEP): 100 commands instead of 1000.
        counts[addr]! += addr === "c:1" && tick === 2 ? 100 : 1000;
        t.add(reading(addr, "primary", tick * 1000, stats(counts[addr]!, "200")), tick);
      }
    }
    // A last reading right after the test: too short an interval to count.
    t.add(reading("a:1", "primary", 3100, stats(counts["a:1"]! + 100, "200")), 4);
    expect(t.samples.find((s) => s.address === "c:1" && s.tick === 2)!.values).toEqual({ ops_per_sec: 100, used_memory: 200 });
    const summary = t.summary(20, performance.timeOrigin);
    const ops = summary.ranges.find((r) => r.metric === "ops_per_sec")!;
    expect(ops.rate).toBe(true);
    expect(ops.nodes.find((n) => n.address === "c:1")).toMatchObject({ min: 100, max: 1000, avg: 700, intervals: 3 });
    expect(summary.flags.map((f) => [f.address, f.metric, f.atSec])).toEqual([["c:1", "ops_per_sec", 2]]);
    expect(summary.flags[0]!.deviationPct).toBe(-90);
    // Gauges are summarised, never flagged.
    expect(summary.ranges.find((r) => r.metric === "used_memory")!.rate).toBe(false);
  });
});
