/**
 * Which tests a run executes: the key-value tests of valkey-benchmark (src/workload/plan.ts),
 * then the vector search tests named in -t and the --mix (src/search/plan.ts).
 */
import type { Deployment } from "./cluster/discovery.ts";
import type { BenchConfig } from "./config/types.ts";
import { SILENT_LOG, type SearchLog } from "./search/index-manager.ts";
import { planVectorTests, wantsVectorTests } from "./search/plan.ts";
import { planKvTests, type PlannedTest } from "./workload/plan.ts";

export async function planRun(config: BenchConfig, deployment: Deployment, log: SearchLog = SILENT_LOG): Promise<PlannedTest[]> {
  if (!wantsVectorTests(config)) return planKvTests(config, deployment.mode === "cluster");
  // With vector tests, key-value tests run only when -t names them (no -t = none, not all).
  const kv = config.tests.length > 0 ? planKvTests(config, deployment.mode === "cluster") : [];
  return [...kv, ...(await planVectorTests(config, deployment, log))];
}
