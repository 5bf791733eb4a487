/**
 * `--output-format json` / `-o FILE`: the run as one JSON document. Everything a later
 * comparison needs: the resolved configuration (secrets redacted), server settings, and per test
 * the counts, rates, latency summary in ms and the full latency histogram (HdrHistogram V2
 * compressed base64, microseconds), from which any other percentile can be recomputed.
 */
import type { BenchConfig } from "../config/types.ts";
import type { ServerConfigInfo, TestResult } from "../metrics/types.ts";
import { encodeHistogram, type Histogram } from "../metrics/histogram.ts";
import type { SnapshotComparison } from "../metrics/snapshot-file.ts";
import type { Timeline } from "../metrics/timeline.ts";
import { latencyStats, usToMs, type LatencyStatsUs } from "./latency-stats.ts";
import { configSecrets, redactConfig, redactValue } from "./redact.ts";

/**
 * 2: vector query tests carry `recall` ({k, valid, mean, min, p1, p5, p50, max, ...}), `mrr`,
 * `ndcg` and `replyOrder` at the test's top level (docs/json-schema.md).
 */
export const JSON_SCHEMA_VERSION = 2;

/** The same statistics as LatencyStatsUs, in milliseconds. */
export type JsonLatencyMs = Omit<LatencyStatsUs, "count">;

export interface JsonTestReport {
  title: string;
  requests: { issued: number; completed: number; errors: number };
  errorsByType: Record<string, number>;
  durationSec: number;
  /** Successful replies (completed) per second. */
  throughput: number;
  /** Errors (error replies and lost requests) per second. */
  errorRate: number;
  /** null when no latency was recorded. */
  latencyMs: JsonLatencyMs | null;
  rate: { targetRps: number; achievedRps: number } | null;
  clients: number;
  dataSize: number;
  threads: number;
  keepalive: boolean;
  extra: Record<string, unknown>;
  /** HdrHistogram V2 compressed, base64; values in microseconds. */
  histogram: string;
  /** Per-interval client results and server samples (src/metrics/timeline.ts). */
  timeline?: Timeline;
  /** Vector query tests (and mixes with a vec-query part): recall@k, withheld (null) when not valid. */
  recall?: JsonRecall;
  mrr?: number | null;
  ndcg?: number | null;
  /** How the server ordered its results, checked against true distances (null when withheld). */
  replyOrder?: { checked: number; disagreements: number; farthestFirst: number; rankedByScores: number; rankedBy: string } | null;
}

export interface JsonRecall {
  k: number;
  /** false when the vectors on the server no longer match the dataset (numbers are null then). */
  valid: boolean;
  invalidReason?: string;
  queries: number;
  mean: number | null;
  min: number | null;
  p1: number | null;
  p5: number | null;
  p50: number | null;
  max: number | null;
  perfect: number;
  zero: number;
  shortReplies: number;
  noGroundTruth: number;
  errorReplies: number;
  unscoredReplies: number;
  redirectedReplies: number;
}

export interface JsonReport {
  tool: "valkey-search-benchmark";
  version: string;
  schemaVersion: number;
  startedAt: string;
  finishedAt: string;
  units: { latency: "ms"; histogram: "us"; throughput: "requests/s"; duration: "s" };
  config: BenchConfig;
  servers: ServerConfigInfo[];
  tests: JsonTestReport[];
  /** --compare-snapshot: this run's node state against the earlier snapshot. */
  snapshotComparison?: SnapshotComparison;
}

export interface JsonReportMeta {
  version: string;
  startedAt: Date;
  finishedAt: Date;
  servers: ServerConfigInfo[];
  /** Fields a workload family adds to each test (vector search: recall, mrr, ndcg, replyOrder). */
  testFields?: (r: TestResult) => Record<string, unknown>;
  snapshotComparison?: SnapshotComparison;
}

/** Round to `decimals` places (µs resolution for ms values) so the file has no float noise. */
function round(x: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
}

/** The latency summary of a histogram (µs) in ms; null when it is empty. */
export function jsonLatencyMs(hist: Histogram): JsonLatencyMs | null {
  const s = latencyStats(hist);
  const ms = (us: number): number => round(usToMs(us), 3);
  return s.count === 0
    ? null
    : { mean: ms(s.mean), min: ms(s.min), max: ms(s.max), p50: ms(s.p50), p90: ms(s.p90), p95: ms(s.p95), p99: ms(s.p99), p99_9: ms(s.p99_9), p99_99: ms(s.p99_99) };
}

function testReport(r: TestResult, testFields?: (r: TestResult) => Record<string, unknown>): JsonTestReport {
  return {
    title: r.title,
    requests: { issued: r.issued, completed: r.completed, errors: r.errors },
    errorsByType: { ...r.errorsByType },
    durationSec: round(r.durationSec, 6),
    throughput: round(r.throughput, 2),
    errorRate: round(r.errorRate, 2),
    latencyMs: jsonLatencyMs(r.latencyUs),
    rate: r.rate ? { targetRps: r.rate.targetRps, achievedRps: round(r.rate.achievedRps, 2) } : null,
    clients: r.clients,
    dataSize: r.dataSize,
    threads: r.threads,
    keepalive: r.keepalive,
    extra: r.extra ?? {},
    histogram: encodeHistogram(r.latencyUs),
    ...(r.timeline ? { timeline: r.timeline } : {}),
    ...(testFields?.(r) ?? {}),
  };
}

export function buildJsonReport(config: BenchConfig, results: TestResult[], meta: JsonReportMeta): JsonReport {
  const report: JsonReport = {
    tool: "valkey-search-benchmark",
    version: meta.version,
    schemaVersion: JSON_SCHEMA_VERSION,
    startedAt: meta.startedAt.toISOString(),
    finishedAt: meta.finishedAt.toISOString(),
    units: { latency: "ms", histogram: "us", throughput: "requests/s", duration: "s" },
    config: redactConfig(config),
    servers: meta.servers,
    tests: results.map((r) => testReport(r, meta.testFields)),
    ...(meta.snapshotComparison ? { snapshotComparison: meta.snapshotComparison } : {}),
  };
  // Defence in depth: a password may also hide in server addresses or a test's `extra`.
  return redactValue(report, configSecrets(config));
}

/** The document as written to a file: 2-space indented, newline-terminated. */
export function formatJsonReport(report: JsonReport): string {
  return JSON.stringify(report, null, 2) + "\n";
}

/** One test's JSON entry, for documents built a test at a time (report-file.ts). */
export { testReport as jsonTestReport };
