/** The recall summary of one test of a JSON report, whichever schema version wrote it. */
import type { JsonTestReport } from "./json.ts";

/** Recall summary of a vector-query test (schema 2's `recall`, or schema 1's vec-query extra). */
export interface RecallOfTest {
  k: number;
  mean: number;
  queries: number;
  min?: number;
  p1?: number;
  p5?: number;
  p50?: number;
  max?: number;
}

/**
 * Undefined when the test has no recall, or when it was withheld (`valid: false` /
 * `invalidReason`: the ground truth did not hold for the run). The vec-query extra keeps the
 * mean that was computed anyway; compare and the HTML report must not show it as measured.
 */
export function recallOf(t: JsonTestReport): RecallOfTest | undefined {
  const candidates: unknown[] = [(t as unknown as { recall?: unknown }).recall, t.extra?.["vec-query"]];
  const mix = t.extra?.mix as { parts?: { kind: string; extra?: unknown }[] } | undefined;
  for (const part of mix?.parts ?? []) if (part.kind === "vec-query") candidates.push(part.extra);
  for (const c of candidates) {
    const r = c as (Partial<RecallOfTest> & { valid?: boolean; invalidReason?: string }) | null | undefined;
    if (r && (r.valid === false || typeof r.invalidReason === "string")) return undefined;
    if (r && typeof r.mean === "number" && typeof r.queries === "number" && r.queries > 0) {
      return { k: r.k ?? 0, mean: r.mean, queries: r.queries, min: r.min, p1: r.p1, p5: r.p5, p50: r.p50, max: r.max };
    }
  }
  return undefined;
}
