/**
 * The run's workload modules by kind (src/engine/workload-api.ts WorkloadCatalog), built from
 * the list of the composition root (src/workloads/index.ts), and the steps the main thread
 * takes over every module: planning the run, combining its report contributions.
 */
import type { Deployment } from "../cluster/discovery.ts";
import type { BenchConfig } from "../config/types.ts";
import type { TestResult } from "../metrics/types.ts";
import type { PlanContext, PlanLog, PlannedTest, WorkerContext, WorkerWorkload, WorkloadCatalog, WorkloadModule, WorkloadReport } from "./workload-api.ts";

export function createCatalog(modules: readonly WorkloadModule[]): WorkloadCatalog {
  const byKind = new Map<string, WorkloadModule>();
  for (const m of modules) {
    if (byKind.has(m.kind)) throw new Error(`workload kind '${m.kind}' is listed twice`);
    byKind.set(m.kind, m);
  }
  const module = (kind: string): WorkloadModule => {
    const m = byKind.get(kind);
    if (!m) throw new Error(`unknown workload kind '${kind}'`);
    return m;
  };
  const catalog: WorkloadCatalog = {
    modules,
    module,
    async create(kind: string, params: unknown, ctx: WorkerContext): Promise<WorkerWorkload> {
      return module(kind).create(params, ctx);
    },
    mergeExtras(kind: string, parts: unknown[]): unknown {
      const m = module(kind);
      return m.mergeExtras ? m.mergeExtras(parts, catalog) : parts;
    },
    commandNames(workload: { kind: string; params: unknown }): string[] {
      const m = byKind.get(workload.kind);
      return m?.commandNames ? m.commandNames(workload.params) : [];
    },
  };
  return catalog;
}

/** Every module's tests for the run, sorted (stably) by PlannedTest.order. */
export async function planTests(catalog: WorkloadCatalog, config: BenchConfig, deployment: Deployment, log: PlanLog): Promise<PlannedTest[]> {
  const memo = new Map<string, Promise<unknown>>();
  const ctx: PlanContext = {
    config,
    deployment,
    log,
    once<T>(key: string, make: () => Promise<T>): Promise<T> {
      let p = memo.get(key);
      if (!p) {
        p = make();
        memo.set(key, p);
      }
      return p as Promise<T>;
    },
  };
  const tests: PlannedTest[] = [];
  for (const m of catalog.modules) tests.push(...(await m.plan(ctx)));
  return tests.map((t, i) => ({ t, i })).sort((a, b) => (a.t.order ?? 0) - (b.t.order ?? 0) || a.i - b.i).map((x) => x.t);
}

/** The report contributions of the modules the tests use, each once, combined. */
export function reportOf(
  catalog: WorkloadCatalog,
  tests: readonly PlannedTest[],
): {
  sections?: (r: TestResult) => string[];
  csvExtraColumns?: { names: readonly string[]; cells: (r: TestResult) => string[] };
  testFields?: (r: TestResult) => Record<string, unknown>;
  failures?: (r: TestResult) => string[];
} {
  const reports: WorkloadReport[] = [];
  for (const t of tests) {
    const r = catalog.module(t.workload.kind).report;
    if (r && !reports.includes(r)) reports.push(r);
  }
  if (reports.length === 0) return {};
  const testFields = (x: TestResult): Record<string, unknown> => Object.assign({}, ...reports.map((r) => r.jsonFields?.(x) ?? {}));
  const failures = (x: TestResult) => reports.flatMap((r) => r.failures?.(x) ?? []);
  if (reports.length === 1) {
    const r = reports[0]!;
    return { sections: (x) => r.sections(x), csvExtraColumns: { names: r.csvColumns, cells: (x) => r.csvCells(x) }, testFields, failures };
  }
  return {
    sections: (x) => reports.flatMap((r) => r.sections(x)),
    csvExtraColumns: { names: reports.flatMap((r) => r.csvColumns), cells: (x) => reports.flatMap((r) => r.csvCells(x)) },
    testFields,
    failures,
  };
}
