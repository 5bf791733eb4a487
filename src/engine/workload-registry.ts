/**
 * Where the worker finds the code for a workload kind named in a TestSpec. Add new kinds here.
 */
import { mergeMixExtras, sumCounters } from "../search/extras.ts";
import { createMixWorkload } from "../search/mix-workload.ts";
import { createVecDeleteWorkload } from "../search/vec-delete-workload.ts";
import { createVecLoadWorkload } from "../search/vec-load-workload.ts";
import { createVecQueryWorkload, mergeVecQueryExtras } from "../search/vec-query-workload.ts";
import { createVecUpdateWorkload } from "../search/vec-update-workload.ts";
import { createKvWorkload } from "../workload/kv-workload.ts";
import type { WorkloadFactory } from "./workload-api.ts";

// The search modules import this one back (mix builds its parts through workloadFactory); only
// function declarations cross the cycle, and they are initialised before any module body runs.
const factories: Record<string, WorkloadFactory> = {
  kv: createKvWorkload,
  "vec-load": createVecLoadWorkload,
  "vec-query": createVecQueryWorkload,
  "vec-update": createVecUpdateWorkload,
  "vec-delete": createVecDeleteWorkload,
  mix: createMixWorkload,
};

export function workloadFactory(kind: string): WorkloadFactory {
  const f = factories[kind];
  if (!f) throw new Error(`unknown workload kind '${kind}'`);
  return f;
}

export function registerWorkload(kind: string, factory: WorkloadFactory): void {
  factories[kind] = factory;
}

/**
 * Main-thread side: combines the workers' WorkerWorkload.extra() values of one test into what
 * the reports show under TestResult.extra[kind]. Kinds without a merger keep the raw list.
 */
export type ExtraMerger = (parts: unknown[]) => unknown;
const mergers: Record<string, ExtraMerger> = {
  "vec-load": sumCounters,
  "vec-update": sumCounters,
  "vec-delete": sumCounters,
  "vec-query": mergeVecQueryExtras,
  mix: mergeMixExtras,
};

export function registerExtraMerger(kind: string, merge: ExtraMerger): void {
  mergers[kind] = merge;
}

export function mergeExtras(kind: string, parts: unknown[]): unknown {
  const m = mergers[kind];
  return m ? m(parts) : parts;
}
