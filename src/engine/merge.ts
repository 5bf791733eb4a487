/** Combines the per-worker results of one test into the TestResult the reports print. */
import type { BenchConfig } from "../config/types.ts";
import { createLatencyHistogram, mergeEncodedInto } from "../metrics/histogram.ts";
import type { TestResult } from "../metrics/types.ts";
import type { WorkerResult } from "./messages.ts";

export function mergeResults(title: string, parts: WorkerResult[], config: BenchConfig, workers: number, wallStartMs: number): TestResult {
  const hist = createLatencyHistogram(config.precision);
  let issued = 0;
  let completed = 0;
  let errors = 0;
  const errorsByType: Record<string, number> = {};
  let start = Infinity;
  let end = 0;
  for (const p of parts) {
    issued += p.issued;
    completed += p.completed;
    errors += p.errors;
    for (const [k, v] of Object.entries(p.errorsByType)) errorsByType[k] = (errorsByType[k] ?? 0) + v;
    mergeEncodedInto(hist, p.histogram);
    if (p.issued > 0) {
      start = Math.min(start, p.startedAtMs);
      end = Math.max(end, p.finishedAtMs);
    }
  }
  if (start === Infinity) {
    start = wallStartMs;
    end = wallStartMs;
  }
  const durationSec = Math.max(0, (end - start) / 1000);
  const answered = completed + errors;
  const result: TestResult = {
    title,
    issued,
    completed,
    errors,
    errorsByType,
    durationSec,
    throughput: durationSec > 0 ? answered / durationSec : 0,
    latencyUs: hist,
    clients: config.clients,
    dataSize: config.dataSize,
    threads: workers,
    keepalive: config.keepalive,
  };
  if (config.rps > 0) result.rate = { targetRps: config.rps, achievedRps: result.throughput };
  return result;
}
