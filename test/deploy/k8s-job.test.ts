// deploy/k8s/benchmark-job.yaml is a Kubernetes Indexed Job whose command line our CLI accepts
// for every completion index: parsed as YAML, checked for the fields that make it work, and its
// benchmark arguments run through the real argument parser.

import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseCli } from "../../src/cli/parse-cli.ts";
import { REPO_ROOT } from "../support/run-cli.ts";

interface Job {
  apiVersion: string;
  kind: string;
  spec: {
    completionMode: string;
    completions: number;
    parallelism: number;
    template: { spec: { restartPolicy: string; containers: { command: string[]; args: string[]; env: { name: string; value: string }[] }[] } };
  };
}

const job = Bun.YAML.parse(readFileSync(join(REPO_ROOT, "deploy/k8s/benchmark-job.yaml"), "utf8")) as Job;

/** The shell command line with the pod's environment substituted, split like /bin/sh would. */
function argvFor(index: number): string[] {
  const c = job.spec.template.spec.containers[0]!;
  const env: Record<string, string> = { JOB_COMPLETION_INDEX: String(index) };
  for (const e of c.env) env[e.name] = e.value;
  const line = c.args[0]!.replace(/\$([A-Z_]+)/g, (_, name: string) => env[name] ?? `<unset ${name}>`);
  const words = [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
  expect(words.slice(0, 2)).toEqual(["exec", "valkey-search-benchmark"]);
  return words.slice(2);
}

describe("Kubernetes Indexed Job manifest", () => {
  test("kind, completion mode and counts", () => {
    expect(job.apiVersion).toBe("batch/v1");
    expect(job.kind).toBe("Job");
    expect(job.spec.completionMode).toBe("Indexed");
    expect(job.spec.parallelism).toBe(job.spec.completions);
    expect(job.spec.template.spec.restartPolicy).toBe("Never");
    expect(job.spec.template.spec.containers[0]!.args[0]).toContain("$JOB_COMPLETION_INDEX");
  });

  test("every index's command line parses into shard i/N with the barrier of N", async () => {
    const n = job.spec.completions;
    for (let i = 0; i < n; i++) {
      const parsed = await parseCli(argvFor(i), { stdin: async () => "" });
      if (parsed.kind !== "bench") throw new Error(`index ${i}: not a benchmark command line`);
      expect(parsed.config.shard).toEqual({ index: i, count: n });
      expect(parsed.config.barrier?.count).toBe(n);
      expect(parsed.config.outputFormat).toBe("json");
    }
  });
});
