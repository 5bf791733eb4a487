/**
 * The default report of one test, in valkey-benchmark 8.0.1's layout line for line, so scripts
 * that parse valkey-benchmark keep working. Lines we add (errors, rate target) come after
 * valkey-benchmark's block, each with its own label; they are printed only when relevant.
 *
 * Differences from valkey-benchmark 8.0.1 on purpose:
 * - no progress residue (" \r", spaces) before "======": progress.ts clears its line itself and
 *   writes nothing when stdout is not a terminal;
 * - numbers are computed in double precision from the exact measured duration (valkey-benchmark
 *   divides by whole milliseconds in single precision);
 * - the histogram's lowest unit is 1 µs (valkey-benchmark's is 8 µs, so its values end in 3 or 7).
 */
import type { ServerConfigInfo, TestResult } from "../metrics/types.ts";
import { toJsHistogram } from "../metrics/histogram.ts";
import { cumulativeDistribution, percentileDistribution, type DistributionPoint } from "./hdr-iterate.ts";
import { latencyStats, usToMs } from "./latency-stats.ts";
import { formatFixed, formatFixedWidth } from "./printf.ts";

export interface TextReportOptions {
  /** Server settings printed in the header; one entry standalone, one per primary in a cluster. */
  servers: ServerConfigInfo[];
  /** Worker threads; defaults to the result's. More than 1 prints "multi-thread: yes". */
  threads?: number;
  /** Cluster header ("cluster mode: yes (N primaries)"); defaults to servers.length > 1. */
  cluster?: boolean;
  /**
   * Accepted for call-site compatibility and ignored: valkey-benchmark's `--precision` sets the
   * histogram's significant digits (see createLatencyHistogram), never the printed decimals,
   * which are always 3.
   */
  precision?: number;
  /** Lines a workload adds after the Summary block (vector search: vectors written, recall). */
  sections?: (r: TestResult) => string[];
}

const LATENCY_DECIMALS = 3;

export function formatTextReport(r: TestResult, opts: TextReportOptions): string {
  const lines: string[] = [];
  lines.push(`====== ${r.title} ======`);
  lines.push(`  ${r.completed} requests completed in ${formatFixed(r.durationSec, 2)} seconds`);
  lines.push(`  ${r.clients} parallel clients`);
  lines.push(`  ${r.dataSize} bytes payload`);
  lines.push(`  keep alive: ${r.keepalive ? 1 : 0}`);
  lines.push(...serverLines(opts.servers, opts.cluster ?? opts.servers.length > 1));
  const threads = opts.threads ?? r.threads;
  lines.push(`  multi-thread: ${threads > 1 ? "yes" : "no"}`);
  if (threads > 1) lines.push(`  threads: ${threads}`);
  lines.push("");

  const h = toJsHistogram(r.latencyUs);
  if (h.totalCount === 0) {
    // Nothing measured (a vec-load with every vector already present): zeros would read as numbers.
    lines.push("Summary:");
    lines.push(`  ${unmeasured(r)}`);
    lines.push(...additionLines(r));
    if (opts.sections) lines.push(...opts.sections(r));
    return lines.join("\n") + "\n";
  }
  lines.push("Latency by percentile distribution:");
  lines.push(...percentileDistribution(h).map(formatDistributionLine));
  lines.push("");
  lines.push("Cumulative distribution of latencies:");
  lines.push(...cumulativeDistribution(h).map(formatDistributionLine));
  lines.push("");

  const s = latencyStats(h);
  const empty = s.count === 0;
  const ms = (us: number): string => formatFixedWidth(empty ? 0 : usToMs(us), 9, LATENCY_DECIMALS);
  lines.push("Summary:");
  lines.push(`  throughput summary: ${formatFixed(r.throughput, 2)} requests per second`);
  lines.push("  latency summary (msec):");
  lines.push("    " + ["avg", "min", "p50", "p95", "p99", "max"].map((column) => column.padStart(9)).join(" "));
  lines.push("    " + [s.mean, s.min, s.p50, s.p95, s.p99, s.max].map(ms).join(" "));
  lines.push(...additionLines(r));
  if (opts.sections) lines.push(...opts.sections(r));
  return lines.join("\n") + "\n";
}

/** Why a test without one measured request has no throughput or latency lines. */
export function unmeasured(r: TestResult): string {
  if (r.issued === 0) return "no requests sent: the test had nothing to send (the messages above say why); throughput and latency withheld";
  return `no request was measured: none of the ${r.issued} sent got a successful reply; throughput and latency withheld`;
}

/** "50.000% <= 0.207 milliseconds (cumulative count 11152)" */
export function formatDistributionLine(p: DistributionPoint): string {
  return (
    `${formatFixed(p.percentile, 3)}% <= ${formatFixed(usToMs(p.valueUs), LATENCY_DECIMALS)} ` +
    `milliseconds (cumulative count ${p.cumulativeCount})`
  );
}

function serverLines(servers: ServerConfigInfo[], cluster: boolean): string[] {
  const known = (s: ServerConfigInfo): boolean => s.save !== undefined || s.appendonly !== undefined;
  if (!cluster) {
    const s = servers[0];
    if (s === undefined || !known(s)) return [];
    return [
      `  host configuration "save": ${s.save ?? ""}`,
      `  host configuration "appendonly": ${s.appendonly ?? ""}`,
    ];
  }
  const lines = [`  cluster mode: yes (${servers.length} primaries)`];
  servers.forEach((s, i) => {
    if (!known(s)) return; // valkey-benchmark skips nodes whose CONFIG GET failed
    lines.push(`  node [${i}] configuration:`);
    lines.push(`    save: ${s.save ? s.save : "NONE"}`);
    lines.push(`    appendonly: ${s.appendonly ?? ""}`);
  });
  return lines;
}

/** Our additions, after valkey-benchmark's summary: errors and the rate target. */
function additionLines(r: TestResult): string[] {
  const lines: string[] = [];
  if (r.errors > 0 || r.issued !== r.completed + r.errors) {
    const types = formatErrorTypes(r.errorsByType);
    lines.push(`  errors: ${r.errors}${types ? ` (${types})` : ""}`);
    lines.push(`  issued = completed + errors: ${r.issued} = ${r.completed} + ${r.errors}`);
    lines.push(`  error rate: ${formatFixed(r.errorRate, 2)} errors per second (the throughput above counts successful replies only)`);
  }
  if (r.rate) {
    lines.push(
      `  rate: target ${formatFixed(r.rate.targetRps, 2)} requests per second, ` +
        `achieved ${formatFixed(r.rate.achievedRps, 2)} requests per second`,
    );
  }
  return lines;
}

/** "ERR: 3, WRONGTYPE: 2": most frequent first, ties by name; "" when there are none. */
export function formatErrorTypes(byType: Record<string, number>): string {
  const entries = Object.entries(byType)
    .filter(([, n]) => n > 0)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  return entries.map(([type, n]) => `${type}: ${n}`).join(", ");
}
