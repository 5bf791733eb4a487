// The composition root and the catalog: every kind listed once, planned in one order, and a
// test's before() step changing one round without changing the planned test.

import { describe, expect, test } from "bun:test";
import type { Deployment } from "../../src/cluster/discovery.ts";
import type { BenchConfig } from "../../src/config/types.ts";
import { applyPatch } from "../../src/engine/orchestrator.ts";
import type { PlannedTest, WorkloadModule } from "../../src/engine/workload-api.ts";
import { createCatalog, planTests, reportOf } from "../../src/engine/workload-catalog.ts";
import { WORKLOADS } from "../../src/workloads/index.ts";

const SILENT = { info() {}, warn() {}, progress() {}, clearProgress() {} };
const STANDALONE = { mode: "standalone", nodes: [] } as unknown as Deployment;

function module(kind: string, tests: Partial<PlannedTest>[], extra: Partial<WorkloadModule> = {}): WorkloadModule {
  return {
    kind,
    plan: () => tests.map((t, i) => ({ title: `${kind}-${i}`, workload: { kind, params: {} }, readOnly: true, repliesPerUnit: 1, ...t })),
    create: () => ({ forConnection: () => { throw new Error("not used"); } }),
    ...extra,
  };
}

describe("the composition root", () => {
  test("lists every kind the tool runs, once", () => {
    expect(WORKLOADS.modules.map((m) => m.kind)).toEqual(["kv", "vec-load", "vec-query", "vec-update", "vec-delete", "mix"]);
    expect(() => createCatalog([module("a", []), module("a", [])])).toThrow("listed twice");
    expect(() => WORKLOADS.module("nope")).toThrow("unknown workload kind 'nope'");
  });

  test("key-value tests alone plan valkey-benchmark's catalog; --mix without -t plans no key-value test", async () => {
    const config = { tests: ["set", "get"], search: {}, keyspaceLen: 0, keyPrefix: "", valueSizes: { kind: "fixed", bytes: 3 }, addressType: { kind: "key" } } as unknown as BenchConfig;
    const titles = (await planTests(WORKLOADS, config, STANDALONE, SILENT)).map((t) => t.title);
    expect(titles).toEqual(["SET", "GET"]);
    const kv = WORKLOADS.module("kv");
    expect(await kv.plan({ config: { ...config, tests: [], search: { mix: [{ test: "get", weight: 1 }] } } as unknown as BenchConfig, deployment: STANDALONE, log: SILENT, once: async (_k, f) => f() })).toEqual([]);
  });
});

describe("planTests", () => {
  test("modules' tests are sorted by order, stably, whatever the catalog order", async () => {
    const catalog = createCatalog([module("kv", [{}, {}]), module("b", [{ order: 2 }]), module("c", [{ order: 1 }, { order: 3 }])]);
    const tests = await planTests(catalog, {} as BenchConfig, STANDALONE, SILENT);
    expect(tests.map((t) => t.title)).toEqual(["kv-0", "kv-1", "c-0", "b-0", "c-1"]);
  });

  test("a shared planning step runs once for all modules that ask for it", async () => {
    let runs = 0;
    const shared = (kind: string): WorkloadModule =>
      module(kind, [], {
        plan: async (ctx) => {
          const all = await ctx.once("shared", async () => {
            runs++;
            return ["x", "y"];
          });
          return all.filter((k) => k === kind).map((k) => ({ title: k, workload: { kind: k, params: {} }, readOnly: true, repliesPerUnit: 1 }));
        },
      });
    const tests = await planTests(createCatalog([shared("x"), shared("y")]), {} as BenchConfig, STANDALONE, SILENT);
    expect(tests.map((t) => t.title)).toEqual(["x", "y"]);
    expect(runs).toBe(1);
  });
});

describe("applyPatch (a plan is a value)", () => {
  const planned: PlannedTest = { title: "VEC-LOAD", workload: { kind: "vec-load", params: { a: 1 } }, readOnly: false, repliesPerUnit: 1, totalRequests: 100 };

  test("the round gets the patch's params and request count; the planned test keeps its own", () => {
    const round = applyPatch(planned, { params: { a: 2 }, totalRequests: 40 });
    expect(round.workload).toEqual({ kind: "vec-load", params: { a: 2 } });
    expect(round.totalRequests).toBe(40);
    expect(planned.workload.params).toEqual({ a: 1 });
    expect(planned.totalRequests).toBe(100);
  });

  test("no patch, or an empty one, runs the planned test as it is", () => {
    expect(applyPatch(planned, undefined)).toBe(planned);
    expect(applyPatch(planned, {})).toEqual(planned);
    expect(applyPatch(planned, { totalRequests: 0 }).totalRequests).toBe(0);
  });
});

describe("reportOf", () => {
  test("a report object shared by several kinds contributes once; tests without one add nothing", () => {
    const report = { sections: () => ["line"], csvColumns: ["c1"], csvCells: () => ["v1"] };
    const catalog = createCatalog([module("kv", []), module("p", [], { report }), module("q", [], { report })]);
    const t = (kind: string): PlannedTest => ({ title: kind, workload: { kind, params: {} }, readOnly: true, repliesPerUnit: 1 });
    expect(reportOf(catalog, [t("kv")])).toEqual({});
    const r = reportOf(catalog, [t("kv"), t("p"), t("q")]);
    expect(r.csvExtraColumns?.names).toEqual(["c1"]);
    expect(r.sections?.({} as never)).toEqual(["line"]);
  });
});

describe("commandNames (for --server-metrics)", () => {
  test("built-in tests and custom commands: the names INFO commandstats uses", () => {
    expect(WORKLOADS.commandNames({ kind: "kv", params: { unit: { kind: "commands", commands: [["SET", "key:{tag}", "xxx"]] } } })).toEqual(["set"]);
    expect(WORKLOADS.commandNames({ kind: "kv", params: { unit: { kind: "inline", text: "PING\r\n" } } })).toEqual(["ping"]);
    // Container commands are counted per subcommand (CONFIG GET -> config|get); others are not.
    const sequence = [["CONFIG", "GET", "save"], ["INCR", "counter"], ["INCR", "other"]];
    expect(WORKLOADS.commandNames({ kind: "kv", params: { unit: { kind: "commands", commands: sequence } } })).toEqual(["config|get", "incr"]);
  });

  test("vector workloads send HSET, DEL or FT.SEARCH; a mix is unknown (the report shows the busiest commands)", () => {
    expect(WORKLOADS.commandNames({ kind: "vec-query", params: {} })).toEqual(["ft.search"]);
    expect(WORKLOADS.commandNames({ kind: "vec-load", params: {} })).toEqual(["hset"]);
    expect(WORKLOADS.commandNames({ kind: "mix", params: {} })).toEqual([]);
    expect(WORKLOADS.commandNames({ kind: "kv", params: null })).toEqual([]);
  });
});

