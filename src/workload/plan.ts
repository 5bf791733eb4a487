/**
 * Turns the configuration into the list of tests to run: valkey-benchmark's catalog filtered by
 * -t, or the custom command (sequence) given after the options. Vector workloads plan their own
 * tests (src/search/plan.ts).
 */
import type { BenchConfig } from "../config/types.ts";
import type { PlannedTest } from "../engine/workload-api.ts";
import type { UnitSpec } from "./kv-workload.ts";
import { DATA, selectTests } from "./catalog.ts";

function kv(title: string, unit: UnitSpec, readOnly: boolean, repliesPerUnit: number, clusterTags: boolean): PlannedTest {
  return { title, workload: { kind: "kv", params: { unit, clusterTags } }, readOnly, repliesPerUnit };
}

export function planKvTests(config: BenchConfig, cluster: boolean): PlannedTest[] {
  if (config.command && config.command.length > 0) {
    const seq = config.commandSequence ?? [{ repeat: 1, args: config.command }];
    const commands: string[][] = [];
    for (const step of seq) for (let i = 0; i < step.repeat; i++) commands.push([...step.args]);
    return [kv(config.commandTitle ?? config.command.join(" "), { kind: "commands", commands }, false, commands.length, cluster)];
  }
  const prefix = config.keyPrefix;
  return selectTests(config.tests, config.keyspaceLen > 0).map((t) => {
    if (t.inline !== undefined) return kv(t.title, { kind: "inline", text: t.inline }, t.readOnly, 1, cluster);
    // Keys are the arguments that carry the {tag} marker; --key-prefix goes in front of them.
    const args = t.args!.map((a) => (prefix && a.includes("{tag}") ? prefix + a : a));
    return kv(t.title, { kind: "commands", commands: [args], constantDataMarker: DATA }, t.readOnly, 1, cluster);
  });
}
