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
  /** Answered requests (completed + errors) per second over durationSec. */
  throughput: number;
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
