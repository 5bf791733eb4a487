/**
 * Which tests a run executes: the key-value tests of valkey-benchmark (src/workload/plan.ts).
 * Vector search workloads (src/search/) add theirs here.
 */
import type { Deployment } from "./cluster/discovery.ts";
import type { BenchConfig } from "./config/types.ts";
import { planKvTests, type PlannedTest } from "./workload/plan.ts";

export async function planRun(config: BenchConfig, deployment: Deployment): Promise<PlannedTest[]> {
  return planKvTests(config, deployment.mode === "cluster");
}
