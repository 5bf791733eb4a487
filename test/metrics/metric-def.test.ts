// The --track-metric grammar: the seed's section:field[:agg[:diff]], families, sub-fields and
// node filters; every malformed definition is one message naming the problem.

import { describe, expect, test } from "bun:test";
import { fieldMatches, parseMetricDef } from "../../src/metrics/metric-def.ts";

describe("parseMetricDef", () => {
  test("the seed's form, with its defaults (sum, rate, all nodes)", () => {
    expect(parseMetricDef("stats:total_commands_processed:sum:rate")).toEqual({
      spec: "stats:total_commands_processed:sum:rate",
      section: "stats",
      field: { kind: "exact", names: ["total_commands_processed"] },
      aggregation: "sum",
      diff: "rate",
      nodes: "all",
    });
    expect(parseMetricDef("Memory:used_memory")).toMatchObject({ section: "memory", aggregation: "sum", diff: "rate", nodes: "all" });
    expect(parseMetricDef("memory:used_memory:max")).toMatchObject({ aggregation: "max", diff: "rate" });
  });

  test("sub-fields of k=v values, alternatives, families and node filters", () => {
    expect(parseMetricDef("commandstats:cmdstat_set:calls")).toMatchObject({ field: { kind: "exact", names: ["cmdstat_set"] }, sub: "calls", aggregation: "sum", diff: "rate" });
    expect(parseMetricDef("keyspace:db0:keys:sum:none@primaries")).toMatchObject({ sub: "keys", diff: "none", nodes: "primaries" });
    expect(parseMetricDef("memory:used_memory_dataset,used_memory:avg:delta")).toMatchObject({ field: { kind: "exact", names: ["used_memory_dataset", "used_memory"] }, aggregation: "avg", diff: "delta" });
    const prefix = parseMetricDef("commandstats:cmdstat_*:calls:sum:delta@replica");
    expect(prefix).toMatchObject({ field: { kind: "prefix", prefix: "cmdstat_" }, nodes: "replicas" });
    expect(fieldMatches(prefix, "cmdstat_get")).toBe(true);
    const regex = parseMetricDef("commandstats:/^cmdstat_ft\\./:usec:max:percent");
    expect(regex).toMatchObject({ field: { kind: "regex", source: "^cmdstat_ft\\." }, sub: "usec", aggregation: "max", diff: "percent" });
    expect([fieldMatches(regex, "cmdstat_ft.search"), fieldMatches(regex, "cmdstat_set")]).toEqual([true, false]);
    // A definition is plain data: it goes into the JSON report's config as written.
    expect(JSON.parse(JSON.stringify(regex)).field).toEqual({ kind: "regex", source: "^cmdstat_ft\\." });
    expect(parseMetricDef("latencystats:latency_percentiles_usec_get:p99:max:none").sub).toBe("p99");
  });

  const bad: [string, string][] = [
    ["", "empty definition"],
    ["stats", "a section and a field are required"],
    ["stats:", "the field name is empty"],
    ["st ats:x", "is not an INFO section name"],
    ["stats:total:sum:speed", "unknown diff 'speed'"],
    ["stats:total:calls:median", "unknown aggregation 'median'"],
    ["stats:total:sum:rate:extra", "unexpected ':extra'"],
    ["stats:total@masters", "unknown node filter '@masters'"],
    ["commandstats:/cmdstat_(/", "not a valid regular expression"],
    ["commandstats:/cmdstat", "no closing /"],
    ["stats:a b", "must be letters, digits"],
  ];
  for (const [spec, message] of bad) {
    test(`refused: '${spec}' (${message})`, () => {
      expect(() => parseMetricDef(spec)).toThrow(message);
      expect(() => parseMetricDef(spec)).toThrow("the form is section:field");
    });
  }
});
