import type { Histogram } from "hdr-histogram-js";
import type { Timeline } from "./timeline.ts";

/**
 * The outcome of one test (one workload) of a run, merged over all workers. Latencies are in
 * microseconds inside `latencyUs`; reports convert to milliseconds.
 */
export interface TestResult {
  /** valkey-benchmark's title: "SET", "LRANGE_100 (first 100 elements)", or the custom command line. */
  title: string;
  /** Requests sent (claimed and written). issued = completed + errors, always. */
  issued: number;
  /** Requests answered with a non-error reply. */
  completed: number;
  /** Requests answered with an error reply, or lost to a dropped connection / timeout. */
  errors: number;
  /** Error count by type: the error reply's first word ("ERR", "WRONGTYPE", "MOVED"), or
   *  "TIMEOUT" / "CONNECTION" for requests lost without a reply. */
  errorsByType: Record<string, number>;
  /** Measured window in seconds (after warmup). */
  durationSec: number;
  /** Successful replies (completed) per second over durationSec. */
  throughput: number;
  /** Errors (error replies and lost requests) per second over durationSec. */
  errorRate: number;
  /** Per-request latency, microseconds. */
  latencyUs: Histogram;
  /** Present when `--rps` paced the run. */
  rate?: { targetRps: number; achievedRps: number };
  /** Run parameters valkey-benchmark prints in its header. */
  clients: number;
  dataSize: number;
  threads: number;
  keepalive: boolean;
  /** Extra per-test sections (cluster nodes, recall...) added by later issues. */
  extra?: Record<string, unknown>;
  /** Per-interval results (--interval), with server samples attached when sampled. */
  timeline?: Timeline;
}

/**
 * Error types of requests that got no reply at all: lost with their connection, unanswered
 * within --request-timeout, cut off by a malformed reply, or still unanswered when the run had
 * to end (--duration's deadline, Ctrl-C). Any of these fails the run unless --max-errors allows.
 */
export const LOST_REQUEST_TYPES = ["CONNECTION", "TIMEOUT", "PROTOCOL", "UNANSWERED"] as const;

/** Requests of `r` that got no reply (see LOST_REQUEST_TYPES). */
export function lostRequests(r: Pick<TestResult, "errorsByType">): number {
  let n = 0;
  for (const t of LOST_REQUEST_TYPES) n += r.errorsByType[t] ?? 0;
  return n;
}

/** What the report header prints about the server ("save", "appendonly"), per node. */
export interface ServerConfigInfo {
  address: string;
  save?: string;
  appendonly?: string;
}

/** One update of the live progress line (engine → report). */
export interface ProgressSnapshot {
  title: string;
  completed: number;
  /** Error replies so far (included in completed's count of answered requests). */
  errors?: number;
  /** Requests to run (`-n`); shown as "N/TOTAL requests". */
  total?: number;
  elapsedSec: number;
  /** Test length (`--duration`); shown as "E/D seconds" instead of requests. */
  durationSec?: number;
  /** Requests per second over the last interval. */
  intervalRate: number;
  /** Requests per second since the test started. */
  overallRate: number;
  intervalAvgMs: number;
  overallAvgMs: number;
  /** During `--warmup`: the line starts with "Warming up ". */
  warmup?: boolean;
}
