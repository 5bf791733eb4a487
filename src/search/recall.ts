/**
 * Recall accounting for vector queries: one RecallAccumulator per worker per test, snapshots
 * merged on the main thread.
 *
 * Definitions, per query (returned = result ids in rank order, GT = ground-truth ids, nearest
 * first; only the first k of each are looked at):
 * - Padding in GT (2^32-1, 2^64-1 or -1, as datasets write "no neighbour") and entries past the
 *   end of a short GT row are not neighbours. relevant = the real GT ids among the first k;
 *   if there are none the query is not scored and counts as `noGroundTruth`.
 * - recall@k = |distinct returned ids among the first min(count, k)  ∩  relevant| / |relevant|.
 *   With a full GT row |relevant| = k: we divide by k, never by the number returned, so a short
 *   reply costs recall. A duplicate id in the reply counts once.
 * - MRR: 1 / (1-based rank of the first returned id equal to the true nearest neighbour, the
 *   first real GT id), looking at the first min(count, k) returned ids; 0 if it is not there.
 * - NDCG@k, binary relevance: DCG = Σ 1/log2(rank + 1) over the returned ranks (1-based, first
 *   min(count, k)) holding a relevant id not already seen earlier in the reply; ideal DCG = the
 *   same sum over ranks 1..|relevant|. Undecodable ids (-1) are never relevant.
 * - shortReplies: count < |relevant| (the server returned fewer results than it could have).
 * - perfect: recall 1; zero: recall 0.
 *
 * Percentiles come from a histogram of recall rounded to 1/1000 (1001 bins), so they merge
 * exactly across workers and are exact for k dividing 1000; mean, min and max are exact.
 *
 * add() allocates nothing for k up to 1000 (scratch grows once for larger k).
 */
import { keepOutOfFtl } from "../jit-tiers.ts";

export const RECALL_HISTOGRAM_BINS = 1001;

/** addScored flags: the query had no ground truth (not scored); the reply was short. */
export const SCORE_NO_GROUND_TRUTH = 1;
export const SCORE_SHORT = 2;

/** One accumulator's state, structured-cloneable (and JSON-safe: no NaN, no Infinity). */
export interface RecallSnapshot {
  /** Largest k added (0 before any query). */
  k: number;
  queries: number;
  recallSum: number;
  /** Meaningful only when queries > 0. */
  recallMin: number;
  recallMax: number;
  mrrSum: number;
  ndcgSum: number;
  perfect: number;
  zero: number;
  shortReplies: number;
  noGroundTruth: number;
  /** histogram[b] = queries whose recall rounds to b / 1000. */
  histogram: number[];
}

/** Merged recall of a test. Ratios are NaN when no query was scored (JSON: null). */
export interface RecallSummary {
  queries: number;
  k: number;
  mean: number;
  min: number;
  max: number;
  /** 1% of scored queries have recall at or below p1 (resolution 0.001). */
  p1: number;
  p5: number;
  p50: number;
  perfect: number;
  zero: number;
  shortReplies: number;
  noGroundTruth: number;
  mrr: number;
  ndcg: number;
  /**
   * Set when the numbers cannot be trusted (the vectors on the server were rewritten and no
   * longer match the dataset's ground truth): reports withhold them and print this instead.
   */
  invalidReason?: string;
}

const PAD_U32 = 2 ** 32 - 1;
const PAD_U64 = 2n ** 64n - 1n;

/** The id of a ground-truth entry, or -1 for padding. */
function groundTruthId(v: number | bigint): number {
  if (typeof v === "bigint") return v === PAD_U64 || v < 0n ? -1 : Number(v);
  return v === PAD_U32 || v < 0 ? -1 : v;
}

export class RecallAccumulator {
  private k = 0;
  private queries = 0;
  private recallSum = 0;
  private recallMin = 1;
  private recallMax = 0;
  private mrrSum = 0;
  private ndcgSum = 0;
  private perfect = 0;
  private zero = 0;
  private shortReplies = 0;
  private noGroundTruth = 0;
  private readonly histogram = new Float64Array(RECALL_HISTOGRAM_BINS);

  // Open-addressing set of this query's relevant ids. A slot belongs to the current query only
  // when its stamp equals `generation`, so the set never needs clearing between queries.
  private capacity = 0;
  private mask = 0;
  private setIds = new Float64Array(0);
  private setStamp = new Uint32Array(0);
  /** Stamp of the query in which the slot's id was already found in the reply (duplicates). */
  private hitStamp = new Uint32Array(0);
  private generation = 0;
  /** idealDcg[n] = Σ_{r=1..n} 1/log2(r+1). */
  private idealDcg = new Float64Array(1);
  /** gain[r] = 1/log2(r+2) for 0-based rank r. */
  private gain = new Float64Array(0);

  constructor(expectedK = 1000) {
    this.ensureK(expectedK);
  }

  // What the last add() made of its reply (a caller that sees the same reply again passes them
  // to addScored instead of scoring it again: src/search/reply-memo.ts).
  lastRecall = 0;
  lastReciprocalRank = 0;
  lastNdcg = 0;
  lastFlags = 0;

  /** Scores one query: returned[0, count) against the first k of groundTruth. */
  add(returned: Float64Array, count: number, groundTruth: ArrayLike<number | bigint>, k: number): void {
    if (k > this.gain.length) this.ensureK(k);
    const generation = this.nextGeneration();
    const setIds = this.setIds;
    const setStamp = this.setStamp;
    const mask = this.mask;

    const gtLength = Math.min(k, groundTruth.length);
    let relevant = 0;
    let nearest = -1;
    for (let g = 0; g < gtLength; g++) {
      const id = groundTruthId(groundTruth[g]!);
      if (id < 0) continue;
      let slot = hashSlot(id, mask);
      while (setStamp[slot] === generation) {
        if (setIds[slot] === id) break;
        slot = (slot + 1) & mask;
      }
      if (setStamp[slot] === generation) continue; // duplicate GT id: one neighbour
      setStamp[slot] = generation;
      setIds[slot] = id;
      if (relevant === 0) nearest = id;
      relevant++;
    }
    if (relevant === 0) {
      this.addScored(0, 0, 0, SCORE_NO_GROUND_TRUTH, k);
      return;
    }

    const hitStamp = this.hitStamp;
    const gain = this.gain;
    const n = Math.min(count, k);
    let hits = 0;
    let dcg = 0;
    let reciprocalRank = 0;
    for (let r = 0; r < n; r++) {
      const id = returned[r]!;
      if (id < 0) continue;
      if (reciprocalRank === 0 && id === nearest) reciprocalRank = 1 / (r + 1);
      let slot = hashSlot(id, mask);
      while (setStamp[slot] === generation && setIds[slot] !== id) slot = (slot + 1) & mask;
      if (setStamp[slot] !== generation || hitStamp[slot] === generation) continue;
      hitStamp[slot] = generation;
      hits++;
      dcg += gain[r]!;
    }

    // recall is exactly 1 when hits === relevant and exactly 0 when hits === 0.
    this.addScored(hits / relevant, reciprocalRank, dcg / this.idealDcg[relevant]!, count < relevant ? SCORE_SHORT : 0, k);
  }

  /** Counts one query's score, as add() computed it (the last* fields after it). */
  addScored(recall: number, reciprocalRank: number, ndcg: number, flags: number, k: number): void {
    this.lastRecall = recall;
    this.lastReciprocalRank = reciprocalRank;
    this.lastNdcg = ndcg;
    this.lastFlags = flags;
    if (k > this.k) this.k = k;
    if ((flags & SCORE_NO_GROUND_TRUTH) !== 0) {
      this.noGroundTruth++;
      return;
    }
    this.queries++;
    this.recallSum += recall;
    if (recall < this.recallMin) this.recallMin = recall;
    if (recall > this.recallMax) this.recallMax = recall;
    this.mrrSum += reciprocalRank;
    this.ndcgSum += ndcg;
    if (recall === 1) this.perfect++;
    if (recall === 0) this.zero++;
    if ((flags & SCORE_SHORT) !== 0) this.shortReplies++;
    this.histogram[Math.round(recall * 1000)]!++;
  }

  /** Running totals for per-interval recall (read off the hot path). */
  totals(): { k: number; queries: number; recallSum: number } {
    return { k: this.k, queries: this.queries, recallSum: this.recallSum };
  }

  toJSON(): RecallSnapshot {
    return {
      k: this.k,
      queries: this.queries,
      recallSum: this.recallSum,
      recallMin: this.recallMin,
      recallMax: this.recallMax,
      mrrSum: this.mrrSum,
      ndcgSum: this.ndcgSum,
      perfect: this.perfect,
      zero: this.zero,
      shortReplies: this.shortReplies,
      noGroundTruth: this.noGroundTruth,
      histogram: Array.from(this.histogram),
    };
  }

  /** Combines worker snapshots into the test's recall. */
  static merge(parts: readonly RecallSnapshot[]): RecallSummary {
    let k = 0;
    let queries = 0;
    let recallSum = 0;
    let min = 1;
    let max = 0;
    let mrrSum = 0;
    let ndcgSum = 0;
    let perfect = 0;
    let zero = 0;
    let shortReplies = 0;
    let noGroundTruth = 0;
    const histogram = new Float64Array(RECALL_HISTOGRAM_BINS);
    for (const p of parts) {
      k = Math.max(k, p.k);
      noGroundTruth += p.noGroundTruth;
      if (p.queries === 0) continue;
      queries += p.queries;
      recallSum += p.recallSum;
      min = Math.min(min, p.recallMin);
      max = Math.max(max, p.recallMax);
      mrrSum += p.mrrSum;
      ndcgSum += p.ndcgSum;
      perfect += p.perfect;
      zero += p.zero;
      shortReplies += p.shortReplies;
      for (let b = 0; b < RECALL_HISTOGRAM_BINS; b++) histogram[b]! += p.histogram[b] ?? 0;
    }
    const none = queries === 0;
    return {
      queries,
      k,
      mean: none ? NaN : recallSum / queries,
      min: none ? NaN : min,
      max: none ? NaN : max,
      p1: percentile(histogram, queries, 1),
      p5: percentile(histogram, queries, 5),
      p50: percentile(histogram, queries, 50),
      perfect,
      zero,
      shortReplies,
      noGroundTruth,
      mrr: none ? NaN : mrrSum / queries,
      ndcg: none ? NaN : ndcgSum / queries,
    };
  }

  private nextGeneration(): number {
    this.generation++;
    if (this.generation === 0xffffffff) {
      // Stamps would wrap: clear them once every 4 billion queries.
      this.setStamp.fill(0);
      this.hitStamp.fill(0);
      this.generation = 1;
    }
    return this.generation;
  }

  /** Sizes the scratch for queries up to k (the set at most half full). */
  private ensureK(k: number): void {
    let capacity = 16;
    while (capacity < 2 * k) capacity *= 2;
    if (capacity > this.capacity) {
      this.capacity = capacity;
      this.mask = capacity - 1;
      this.setIds = new Float64Array(capacity);
      this.setStamp = new Uint32Array(capacity);
      this.hitStamp = new Uint32Array(capacity);
    }
    if (k > this.gain.length) {
      this.gain = new Float64Array(k);
      this.idealDcg = new Float64Array(k + 1);
      for (let r = 0; r < k; r++) {
        this.gain[r] = 1 / Math.log2(r + 2);
        this.idealDcg[r + 1] = this.idealDcg[r]! + this.gain[r]!;
      }
    }
  }
}

/** Mixes an id (an integer up to 2^53) into a slot; ids are often consecutive. */
function hashSlot(id: number, mask: number): number {
  const low = id >>> 0;
  const high = (id / 4294967296) >>> 0;
  const h = Math.imul(low ^ Math.imul(high, 0x85ebca6b), 0x9e3779b1);
  return (h ^ (h >>> 16)) & mask;
}

/** Smallest recall r (to 0.001) such that at least pct% of the queries have recall <= r. */
function percentile(histogram: Float64Array, queries: number, pct: number): number {
  if (queries === 0) return NaN;
  const rank = Math.max(1, Math.ceil((queries * pct) / 100));
  let seen = 0;
  for (let b = 0; b < RECALL_HISTOGRAM_BINS; b++) {
    seen += histogram[b]!;
    if (seen >= rank) return b / 1000;
  }
  return 1;
}

const ratio = (v: number): string => (Number.isNaN(v) ? "n/a" : v.toFixed(4));

/** A few lines for the text report. */
export function formatRecallText(s: RecallSummary): string {
  if (s.invalidReason !== undefined) return `Recall@${s.k}: withheld: ${s.invalidReason}`;
  if (s.queries === 0) {
    return `Recall@${s.k}: no query scored (${s.noGroundTruth} without ground truth)`;
  }
  const lines = [
    `Recall@${s.k}: mean ${ratio(s.mean)}, min ${ratio(s.min)}, p1 ${ratio(s.p1)}, p5 ${ratio(s.p5)}, p50 ${ratio(s.p50)}, max ${ratio(s.max)}`,
    `  perfect ${s.perfect}/${s.queries}, zero ${s.zero}/${s.queries}; short replies ${s.shortReplies}` +
      (s.noGroundTruth > 0 ? `; ${s.noGroundTruth} queries without ground truth (not scored)` : ""),
    `  MRR ${ratio(s.mrr)}; NDCG@${s.k} ${ratio(s.ndcg)} (results ranked by their true distance to the query)`,
  ];
  return lines.join("\n");
}

/** CSV extension columns, in the order recallCsvCells() fills them. */
export const RECALL_CSV_COLUMNS = [
  "recall_k",
  "recall_queries",
  "recall_mean",
  "recall_min",
  "recall_p1",
  "recall_p5",
  "recall_p50",
  "recall_max",
  "recall_perfect",
  "recall_zero",
  "recall_short_replies",
  "recall_no_ground_truth",
  "mrr",
  "ndcg",
] as const;

/** The cells for RECALL_CSV_COLUMNS; ratios with 6 decimals, empty when undefined. */
export function recallCsvCells(s: RecallSummary): string[] {
  const withheld = s.invalidReason !== undefined;
  const r = (v: number): string => (withheld || Number.isNaN(v) ? "" : v.toFixed(6));
  return [
    String(s.k),
    String(s.queries),
    r(s.mean),
    r(s.min),
    r(s.p1),
    r(s.p5),
    r(s.p50),
    r(s.max),
    String(s.perfect),
    String(s.zero),
    String(s.shortReplies),
    String(s.noGroundTruth),
    r(s.mrr),
    r(s.ndcg),
  ];
}

keepOutOfFtl(RecallAccumulator);
