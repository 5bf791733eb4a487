/**
 * Turns the configuration into the list of tests to run: valkey-benchmark's catalog filtered by
 * -t, or the custom command (sequence) given after the options. Vector workloads add their own
 * planned tests (src/search/).
 */
import type { BenchConfig } from "../config/types.ts";
import type { TestResult } from "../metrics/types.ts";
import type { UnitSpec } from "../engine/messages.ts";
import { DATA, selectTests } from "./catalog.ts";

export interface PlannedTest {
  title: string;
  /** The workload kind (workload-registry.ts) and its serializable parameters. */
  workload: { kind: string; params: unknown };
  readOnly: boolean;
  /** Replies one unit produces: -n is rounded up to a whole number of units. */
  repliesPerUnit: number;
  /** Requests this test sends instead of -n (vec-load: one per vector); absent = -n/--duration. */
  totalRequests?: number;
  /** Main-thread steps around the test (create an index; wait until it has caught up...). */
  before?(): Promise<void>;
  /** Runs after the test; may add to the result's extra (e.g. time until indexed). */
  after?(result: TestResult): Promise<void>;
  /** Skip the warmup pass for this test (loads must write each vector once). */
  noWarmup?: boolean;
  /** Bytes of payload per request for the report header, when not -d (vectors: dim x 4). */
  payloadBytes?: number;
}

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
