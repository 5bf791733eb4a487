/**
 * Where the worker finds the code for a workload kind named in a TestSpec. Add new kinds here.
 */
import { createKvWorkload } from "../workload/kv-workload.ts";
import type { WorkloadFactory } from "./workload-api.ts";

const factories: Record<string, WorkloadFactory> = {
  kv: createKvWorkload,
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
const mergers: Record<string, ExtraMerger> = {};

export function registerExtraMerger(kind: string, merge: ExtraMerger): void {
  mergers[kind] = merge;
}

export function mergeExtras(kind: string, parts: unknown[]): unknown {
  const m = mergers[kind];
  return m ? m(parts) : parts;
}
