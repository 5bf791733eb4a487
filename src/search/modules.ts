/**
 * The vector search workloads as modules of the catalog (src/workloads/index.ts). They plan
 * together (one dataset check, one platform detection, one index: src/search/plan.ts) and share
 * one report contribution (src/search/report.ts); each kind builds its own requests.
 */
import type { PlanContext, PlannedTest, WorkloadModule, WorkloadReport } from "../engine/workload-api.ts";
import { mergeMixExtras, sumCounters, type MixSummary } from "./extras.ts";
import { createMixWorkload, type MixExtra } from "./mix-workload.ts";
import { planVectorTests, wantsVectorTests } from "./plan.ts";
import { VECTOR_CSV_COLUMNS, vectorCsvCells, vectorJsonFields, vectorReportLines } from "./report.ts";
import { createVecDeleteWorkload, type VectorDeleteExtra } from "./vec-delete-workload.ts";
import { createVecLoadWorkload, type VectorWriteExtra } from "./vec-load-workload.ts";
import { createVecQueryWorkload, mergeVecQueryExtras, type VecQueryExtra, type VecQuerySummary } from "./vec-query-workload.ts";
import { createVecUpdateWorkload } from "./vec-update-workload.ts";
import type { MixParams, VecDeleteParams, VecLoadParams, VecQueryParams, VecUpdateParams } from "./workload-params.ts";

const vectorReport: WorkloadReport = { sections: vectorReportLines, csvColumns: VECTOR_CSV_COLUMNS, csvCells: vectorCsvCells, jsonFields: vectorJsonFields };

/** This kind's share of the vector tests, planned once per run for all of them. */
async function vectorTestsOf(kind: string, ctx: PlanContext): Promise<PlannedTest[]> {
  if (!wantsVectorTests(ctx.config)) return [];
  const all = await ctx.once("search", () => planVectorTests(ctx.config, ctx.deployment, ctx.log));
  return all.filter((t) => t.workload.kind === kind);
}

export const vecLoadModule: WorkloadModule<VecLoadParams, VectorWriteExtra, Record<string, number>> = {
  kind: "vec-load",
  plan: (ctx) => vectorTestsOf("vec-load", ctx),
  create: createVecLoadWorkload,
  mergeExtras: sumCounters,
  report: vectorReport,
  commandNames: () => ["hset"],
};

export const vecQueryModule: WorkloadModule<VecQueryParams, VecQueryExtra, VecQuerySummary> = {
  kind: "vec-query",
  plan: (ctx) => vectorTestsOf("vec-query", ctx),
  create: createVecQueryWorkload,
  mergeExtras: mergeVecQueryExtras,
  report: vectorReport,
  commandNames: () => ["ft.search"],
};

export const vecUpdateModule: WorkloadModule<VecUpdateParams, VectorWriteExtra, Record<string, number>> = {
  kind: "vec-update",
  plan: (ctx) => vectorTestsOf("vec-update", ctx),
  create: createVecUpdateWorkload,
  mergeExtras: sumCounters,
  report: vectorReport,
  commandNames: () => ["hset"],
};

export const vecDeleteModule: WorkloadModule<VecDeleteParams, VectorDeleteExtra, Record<string, number>> = {
  kind: "vec-delete",
  plan: (ctx) => vectorTestsOf("vec-delete", ctx),
  create: createVecDeleteWorkload,
  mergeExtras: sumCounters,
  report: vectorReport,
  commandNames: () => ["del"],
};

/** Server metrics of a mix show the commands the server ran most (no commandNames). */
export const mixModule: WorkloadModule<MixParams, MixExtra, MixSummary> = {
  kind: "mix",
  plan: (ctx) => vectorTestsOf("mix", ctx),
  create: createMixWorkload,
  mergeExtras: mergeMixExtras,
  report: vectorReport,
};
