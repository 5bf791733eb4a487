/**
 * Turns the configuration into the list of tests to run: valkey-benchmark's catalog filtered by
 * -t, or the custom command (sequence) given after the options.
 */
import type { BenchConfig } from "../config/types.ts";
import type { UnitSpec } from "../engine/messages.ts";
import { DATA, selectTests } from "./catalog.ts";

export interface PlannedTest {
  title: string;
  unit: UnitSpec;
  readOnly: boolean;
  /** Replies one unit produces: -n is rounded up to a whole number of units. */
  repliesPerUnit: number;
}

export function planTests(config: BenchConfig): PlannedTest[] {
  if (config.command && config.command.length > 0) {
    const seq = config.commandSequence ?? [{ repeat: 1, args: config.command }];
    const commands: string[][] = [];
    for (const step of seq) for (let i = 0; i < step.repeat; i++) commands.push([...step.args]);
    return [{ title: config.command.join(" "), unit: { kind: "commands", commands }, readOnly: false, repliesPerUnit: commands.length }];
  }
  const prefix = config.keyPrefix;
  return selectTests(config.tests, config.keyspaceLen > 0).map((t) => {
    if (t.inline !== undefined) return { title: t.title, unit: { kind: "inline", text: t.inline }, readOnly: t.readOnly, repliesPerUnit: 1 };
    // Keys are the arguments that carry the {tag} marker; --key-prefix goes in front of them.
    const args = t.args!.map((a) => (prefix && a.includes("{tag}") ? prefix + a : a));
    return {
      title: t.title,
      unit: { kind: "commands", commands: [args], constantDataMarker: DATA },
      readOnly: t.readOnly,
      repliesPerUnit: 1,
    };
  });
}
