/**
 * What the reports add for vector tests, read from TestResult.extra (filled by the workloads'
 * mergers and by the plan's after() steps):
 * - text: lines after valkey-benchmark's Summary block (vectors written and their rate, time until
 *   indexed, recall, per-part numbers of a --mix);
 * - CSV: extra columns after valkey-benchmark's, empty for tests they do not apply to, so one
 *   header fits every row of a run.
 * JSON needs nothing here: extra is written as is.
 */
import { decodeHistogram } from "../metrics/histogram.ts";
import type { TestResult } from "../metrics/types.ts";
import { latencyStats, usToMs } from "../report/latency-stats.ts";
import type { MixPartSummary } from "./extras.ts";
import type { VecLoadIndexExtra } from "./plan.ts";
import { formatRecallText, RECALL_CSV_COLUMNS, recallCsvCells, type RecallSummary } from "./recall.ts";

type Counters = Record<string, number>;

function counters(v: unknown): Counters | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Counters) : undefined;
}

type ScoredCounts = {
  errorReplies?: number;
  unscoredReplies?: number;
  redirectedReplies?: number;
  orderChecked?: number;
  orderDisagreements?: number;
  farthestFirst?: number;
  rankedByScores?: number;
};

function isRecall(v: unknown): v is RecallSummary & ScoredCounts {
  return v !== null && typeof v === "object" && "queries" in v && "mean" in v && "k" in v;
}

const MB = 1_000_000;

function fixed(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : "0";
}

/** "vectors: 1000 written, 52341.20 vectors/s, 26.80 MB/s of vector data; indexed after 0.012 s" */
function writeLine(verb: string, c: Counters, durationSec: number, index?: VecLoadIndexExtra): string {
  const written = c.vectorsWritten ?? 0;
  const bytes = c.vectorBytesWritten ?? 0;
  let line = `  vectors: ${written} ${verb}, ${fixed(durationSec > 0 ? written / durationSec : 0, 2)} vectors/s, ${fixed(durationSec > 0 ? bytes / MB / durationSec : 0, 2)} MB/s of vector data`;
  if (index) line += `; indexed after ${index.indexedAfterSec.toFixed(3)} s`;
  return line;
}

function recallLines(s: RecallSummary & ScoredCounts, indent: string): string[] {
  const lines = formatRecallText(s)
    .split("\n")
    .map((l) => indent + l);
  if ((s.errorReplies ?? 0) > 0 || (s.unscoredReplies ?? 0) > 0 || (s.redirectedReplies ?? 0) > 0) {
    const redirected = (s.redirectedReplies ?? 0) > 0 ? `, ${s.redirectedReplies} redirected by the cluster` : "";
    lines.push(`${indent}  not scored: ${s.errorReplies ?? 0} error replies, ${s.unscoredReplies ?? 0} replies without their query${redirected}`);
  }
  if (s.invalidReason === undefined && (s.orderChecked ?? 0) > 0) {
    const farthest = (s.farthestFirst ?? 0) > 0 ? ` (${s.farthestFirst} farthest-first)` : "";
    const byScores = s.rankedByScores ?? 0;
    const basis = byScores === 0 ? "" : byScores === s.orderChecked ? " (by the scores the server returned)" : ` (${byScores} by the scores the server returned, the rest by true distance)`;
    lines.push(`${indent}  reply order: ${s.orderDisagreements ?? 0} of ${s.orderChecked} replies list a farther result before a nearer one${farthest}${basis}`);
  }
  return lines;
}

/** The vec-query summary of a test: its own, or its --mix's vec-query part's. */
export function querySummaryOf(r: TestResult): (RecallSummary & ScoredCounts) | undefined {
  const extra = r.extra ?? {};
  if (isRecall(extra["vec-query"])) return extra["vec-query"];
  const mix = extra.mix as { parts?: MixPartSummary[] } | undefined;
  const part = mix?.parts?.find((p) => p.kind === "vec-query" && isRecall(p.extra));
  return part ? (part.extra as RecallSummary & ScoredCounts) : undefined;
}

/** What ranked the replies: the dataset's true distances, the server's returned scores, or both. */
function rankedBy(byScores: number, checked: number): string {
  if (byScores === 0) return "true distance";
  return byScores === checked ? "returned scores" : "returned scores and true distance";
}

const ratioOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

/**
 * The JSON report's self-describing search fields of a test (schemaVersion 2, docs/json-schema.md):
 * `recall`, `mrr`, `ndcg` and `replyOrder`; {} for tests without vector queries.
 */
export function vectorJsonFields(r: TestResult): Record<string, unknown> {
  const s = querySummaryOf(r);
  if (!s) return {};
  const withheld = s.invalidReason !== undefined;
  const n = (v: number): number | null => (withheld ? null : ratioOrNull(v));
  return {
    recall: {
      k: s.k,
      valid: !withheld,
      ...(withheld ? { invalidReason: s.invalidReason } : {}),
      queries: s.queries,
      mean: n(s.mean),
      min: n(s.min),
      p1: n(s.p1),
      p5: n(s.p5),
      p50: n(s.p50),
      max: n(s.max),
      perfect: s.perfect,
      zero: s.zero,
      shortReplies: s.shortReplies,
      noGroundTruth: s.noGroundTruth,
      errorReplies: s.errorReplies ?? 0,
      unscoredReplies: s.unscoredReplies ?? 0,
      redirectedReplies: s.redirectedReplies ?? 0,
    },
    mrr: n(s.mrr),
    ndcg: n(s.ndcg),
    replyOrder: withheld
      ? null
      : {
          checked: s.orderChecked ?? 0,
          disagreements: s.orderDisagreements ?? 0,
          farthestFirst: s.farthestFirst ?? 0,
          rankedByScores: s.rankedByScores ?? 0,
          rankedBy: rankedBy(s.rankedByScores ?? 0, s.orderChecked ?? 0),
        },
  };
}

function mixLines(parts: MixPartSummary[]): string[] {
  const lines = ["  mix parts:"];
  for (const p of parts) {
    const h = decodeHistogram(p.histogram);
    try {
      const s = latencyStats(h);
      const ms = (us: number) => (s.count === 0 ? "0.000" : usToMs(us).toFixed(3));
      lines.push(`    ${p.title} (weight ${p.weight}): ${p.replies} replies, ${p.errors} errors, latency avg ${ms(s.mean)} p50 ${ms(s.p50)} p99 ${ms(s.p99)} ms`);
    } finally {
      h.destroy();
    }
    if (p.kind === "vec-query" && isRecall(p.extra)) lines.push(...recallLines(p.extra, "      "));
  }
  return lines;
}

/** Lines printed after the Summary block of a vector test ([] for other tests). */
export function vectorReportLines(r: TestResult): string[] {
  const extra = r.extra ?? {};
  const lines: string[] = [];
  const load = counters(extra["vec-load"]);
  if (load) {
    const index = extra.index as VecLoadIndexExtra | undefined;
    lines.push(writeLine("written", load, r.durationSec, index));
    if (index && index.alreadyPresent > 0) lines.push(`  already on the server (skipped): ${index.alreadyPresent} vectors`);
    if (index && index.hashIndexingFailures > 0) lines.push(`  index: ${index.hashIndexingFailures} documents failed to index (FT.INFO hash_indexing_failures)`);
  }
  const update = counters(extra["vec-update"]);
  if (update) lines.push(writeLine("rewritten", update, r.durationSec));
  const del = counters(extra["vec-delete"]);
  if (del) {
    lines.push(`  deletes: ${del.deletesAcknowledged ?? 0} acknowledged; ${del.protectedIds ?? 0} ids kept (in some query's ground truth)`);
    const missing = del.targetsMissing ?? 0;
    if (missing > 0) lines.push(`  WARNING: ${missing} of ${del.targetsChecked ?? 0} keys checked before the test were not on the server: their DEL removed nothing (load them again with -t vec-load)`);
  }
  const query = extra["vec-query"];
  if (isRecall(query)) lines.push(...recallLines(query, "  "));
  const mix = extra.mix as { parts?: MixPartSummary[] } | undefined;
  if (mix?.parts && mix.parts.length > 0) lines.push(...mixLines(mix.parts));
  return lines;
}

/** CSV columns appended for runs with vector tests. */
export const VECTOR_CSV_COLUMNS: readonly string[] = [...RECALL_CSV_COLUMNS, "vectors_written", "vector_mb_per_sec", "indexed_after_sec"];

/** The cells for VECTOR_CSV_COLUMNS: recall of a vec-query (or of a mix's vec-query part), load numbers of a vec-load. */
export function vectorCsvCells(r: TestResult): string[] {
  const extra = r.extra ?? {};
  const recall = querySummaryOf(r);
  const cells = recall ? recallCsvCells(recall) : RECALL_CSV_COLUMNS.map(() => "");
  const written = counters(extra["vec-load"]) ?? counters(extra["vec-update"]);
  const index = extra.index as VecLoadIndexExtra | undefined;
  if (written) {
    cells.push(String(written.vectorsWritten ?? 0), fixed(r.durationSec > 0 ? (written.vectorBytesWritten ?? 0) / MB / r.durationSec : 0, 3));
  } else {
    cells.push("", "");
  }
  cells.push(index ? index.indexedAfterSec.toFixed(3) : "");
  return cells;
}
