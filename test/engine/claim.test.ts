// Request numbering: vector workloads map request numbers to queries and ids, so numbers must
// be unique and gapless across workers, with a total (-n) or without one (--duration).
import { describe, expect, test } from "bun:test";
import type { TestSpec } from "../../src/engine/messages.ts";
import { createSharedState } from "../../src/engine/shared-state.ts";
import { TestRun } from "../../src/engine/test-run.ts";
import { initHistograms } from "../../src/metrics/histogram.ts";

await initHistograms();

function runs(workers: number, totalRequests: number, pipeline: number, firstRequest = 0): TestRun[] {
  const shared = createSharedState(workers);
  const spec: TestSpec = {
    title: "T",
    workload: { kind: "kv", params: {} },
    nodes: [],
    totalRequests,
    firstRequest,
    rpsPerWorker: 0,
    warmup: false,
  };
  return Array.from({ length: workers }, (_, workerIndex) =>
    new TestRun(spec, { forConnection: () => { throw new Error("unused"); } }, shared, {
      pipeline,
      keepalive: true,
      workerIndex,
      workers,
      requestTimeoutMs: 1000,
      precision: 3,
      balanceTolerance: 0,
    }, undefined, undefined),
  );
}

/** Claims alternately from every run until `claims` batches were taken; returns the numbers. */
function claimNumbers(all: TestRun[], claims: number, pipeline: number): number[] {
  const seen: number[] = [];
  for (let c = 0; c < claims; c++) {
    const r = all[c % all.length]!;
    const units = r.schedule.claim(pipeline, 1);
    for (let i = 0; i < units; i++) seen.push(r.schedule.claimStart + i);
  }
  return seen;
}

describe("request numbers", () => {
  test("with --duration (no total), two workers with pipeline 10 number requests 0..N-1 exactly once", () => {
    const seen = claimNumbers(runs(2, Infinity, 10), 10, 10);
    expect(seen).toHaveLength(100);
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  test("with -n, claims stop at the total and the last batch is cut to what is left", () => {
    const seen = claimNumbers(runs(3, 95, 10), 20, 10);
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 95 }, (_, i) => i));
  });

  test("a later --shard numbers its requests from its first request", () => {
    const seen = claimNumbers(runs(2, 40, 10, 60), 10, 10);
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => 60 + i));
  });
});
