// JSON reports built in memory for the results tests (compare, merge, report), written to a
// temp dir at run time.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCli } from "../../src/cli/parse-cli.ts";
import type { BenchConfig } from "../../src/config/types.ts";
import type { TestResult } from "../../src/metrics/types.ts";
import { buildJsonReport, type JsonReport } from "../../src/report/json.ts";
import { histogramOf, result } from "../report/support-results.ts";

export { histogramOf, result };

export async function configOf(argv: string[]): Promise<BenchConfig> {
  const parsed = await parseCli(argv, { stdin: async () => "" });
  if (parsed.kind !== "bench") throw new Error("not a benchmark command line");
  return parsed.config;
}

export function reportOf(config: BenchConfig, results: TestResult[]): JsonReport {
  const now = new Date(1_800_000_000_000);
  return buildJsonReport(config, results, { version: "test", startedAt: now, finishedAt: now, servers: [] });
}

/** Latencies around `centerUs`: `n` values spread ±50%. */
export function latencies(n: number, centerUs: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.round(centerUs * (0.5 + i / n)));
}

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `vsb-${label}-`));
}

export function writeReport(dir: string, name: string, report: JsonReport): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(report));
  return path;
}
