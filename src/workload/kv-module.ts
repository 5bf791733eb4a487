/**
 * The key-value workload as a module of the catalog (src/workloads/index.ts): valkey-benchmark's
 * tests and custom commands (plan: src/workload/plan.ts; requests: src/workload/kv-workload.ts).
 */
import type { WorkloadModule } from "../engine/workload-api.ts";
import { createKvWorkload, type KvExtra, type KvParams } from "./kv-workload.ts";
import { planKvTests } from "./plan.ts";
import { kvReport, mergeKvExtras } from "./kv-report.ts";

/** Commands INFO commandstats counts per subcommand ("client|setname", "config|get"). */
const CONTAINER_COMMANDS = new Set(["acl", "client", "cluster", "command", "config", "function", "latency", "memory", "module", "object", "pubsub", "script", "slowlog", "xgroup", "xinfo"]);

/** The commandstats names of a unit's commands ("set", "lrange", "config|get"). */
export function kvCommandNames(params: KvParams): string[] {
  const u = params?.unit;
  if (!u) return [];
  const lines = u.kind === "inline" ? [u.text.trim().split(/\s+/)] : u.commands;
  const names: string[] = [];
  for (const args of lines) {
    const first = args[0]?.toLowerCase();
    if (!first) continue;
    const name = CONTAINER_COMMANDS.has(first) && args[1] !== undefined ? `${first}|${args[1].toLowerCase()}` : first;
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

export const kvModule: WorkloadModule<KvParams, KvExtra, KvExtra | undefined> = {
  kind: "kv",
  plan({ config, deployment }) {
    // `--mix` without -t runs the mix alone; with -t, key-value tests run when -t names them.
    if (config.tests.length === 0 && config.search.mix !== undefined) return [];
    return planKvTests(config, deployment.mode === "cluster", deployment);
  },
  create: createKvWorkload,
  mergeExtras: mergeKvExtras,
  report: kvReport,
  commandNames: kvCommandNames,
};
