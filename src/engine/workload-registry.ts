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
