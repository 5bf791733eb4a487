/**
 * `-q`: one line per test, byte for byte valkey-benchmark 8.0.1's
 * ("SET: 41666.67 requests per second, p50=0.647 msec"). On a terminal the progress line is
 * cleared first by progress.ts; this line then takes its place.
 */
import type { TestResult } from "../metrics/types.ts";
import { latencyStats, usToMs } from "./latency-stats.ts";
import { formatFixed } from "./printf.ts";

export function formatQuietLine(r: TestResult): string {
  const s = latencyStats(r.latencyUs);
  return `${r.title}: ${formatFixed(r.throughput, 2)} requests per second, p50=${formatFixed(usToMs(s.p50), 3)} msec\n`;
}
