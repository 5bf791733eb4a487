/**
 * Where a test result keeps its recall. One accessor, so the optimizer follows the JSON schema's
 * evolution in one place: the workload's summary under extra["vec-query"] today, a top-level
 * `recall` section when the result carries one.
 */
import type { TestResult } from "../metrics/types.ts";

function meanOf(v: unknown): number | undefined {
  if (v === null || typeof v !== "object") return undefined;
  const o = v as { mean?: unknown; queries?: unknown };
  if (typeof o.mean !== "number" || !Number.isFinite(o.mean)) return undefined;
  if (typeof o.queries === "number" && o.queries <= 0) return undefined;
  return o.mean;
}

/** Mean recall@k of the result's scored queries; undefined when none was scored. */
export function recallMean(result: TestResult): number | undefined {
  const r = result as TestResult & { recall?: unknown };
  return meanOf(r.recall) ?? meanOf(result.extra?.recall) ?? meanOf(result.extra?.["vec-query"]);
}
