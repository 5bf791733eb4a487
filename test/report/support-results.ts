// Building TestResults for report tests.
import { createLatencyHistogram, initHistograms } from "../../src/metrics/histogram.ts";
import type { TestResult } from "../../src/metrics/types.ts";

await initHistograms();

export function histogramOf(valuesUs: number[]) {
  const h = createLatencyHistogram();
  for (const v of valuesUs) h.recordValue(v);
  return h;
}

/** A plausible SET run: 20000 replies between 56 µs and ~9 ms, a few slow ones. */
export function sampleLatencies(): number[] {
  const out: number[] = [];
  let x = 42;
  for (let i = 0; i < 20_000; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const u = x / 2147483648;
    out.push(Math.round(56 + 400 * u * u + (u > 0.995 ? 8000 * (u - 0.995) * 200 : 0)));
  }
  return out;
}

export function result(overrides: Partial<TestResult> = {}): TestResult {
  const latencyUs = overrides.latencyUs ?? histogramOf(sampleLatencies());
  return {
    title: "SET",
    issued: 20_000,
    completed: 20_000,
    errors: 0,
    errorsByType: {},
    durationSec: 0.1734,
    throughput: 20_000 / 0.1734,
    errorRate: 0,
    clients: 50,
    dataSize: 3,
    threads: 1,
    keepalive: true,
    ...overrides,
    latencyUs,
  };
}
