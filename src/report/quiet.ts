/**
 * `-q`: one line per test, byte for byte valkey-benchmark 8.0.1's
 * ("SET: 41666.67 requests per second, p50=0.647 msec"). On a terminal the progress line is
 * cleared first by progress.ts; this line then takes its place.
 */
import type { TestResult } from "../metrics/types.ts";
import { latencyStats, usToMs } from "./latency-stats.ts";
import { formatFixed } from "./printf.ts";
import { formatErrorTypes, unmeasured } from "./text.ts";

/** valkey-benchmark's line; a test with errors gets a second, labelled line (the rate above
 *  counts successful replies only). */
export function formatQuietLine(r: TestResult): string {
  const s = latencyStats(r.latencyUs);
  const line = s.count === 0 ? `${r.title}: ${unmeasured(r)}\n` : `${r.title}: ${formatFixed(r.throughput, 2)} requests per second, p50=${formatFixed(usToMs(s.p50), 3)} msec\n`;
  if (r.errors === 0) return line;
  return line + `  errors: ${r.errors} of ${r.issued} requests, ${formatFixed(r.errorRate, 2)} errors per second (${formatErrorTypes(r.errorsByType)})\n`;
}
