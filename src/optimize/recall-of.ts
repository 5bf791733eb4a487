/**
 * A trial's recall, read through the search module's own accessor (src/search/report.ts), so the
 * optimizer follows wherever the result keeps it. Recall the search module withholds (vectors
 * rewritten since the dataset was loaded) or that no query scored is no recall at all.
 */
import type { TestResult } from "../metrics/types.ts";
import { querySummaryOf } from "../search/report.ts";

/** Mean recall@k of the scored queries, or why there is none. */
export function recallOf(result: TestResult): { mean: number } | { missing: string } {
  const s = querySummaryOf(result);
  if (s === undefined || s.queries <= 0 || !Number.isFinite(s.mean)) return { missing: "recall not measured (no scored query)" };
  if (s.invalidReason !== undefined) return { missing: `recall withheld: ${s.invalidReason}` };
  return { mean: s.mean };
}
