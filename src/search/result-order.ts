/**
 * Rank metrics must not depend on the order a server happens to list its results in (valkey-search
 * 1.0.x in cluster mode lists KNN results farthest-first). So before a reply is scored, its result
 * ids are put in the order of their true distance to the query, computed from the mapped dataset
 * (the vectors vec-load wrote), and the reply's own order is checked against it: replies that list
 * a farther result before a nearer one are counted, as a property of the server users want to
 * know.
 *
 * Distances are the metric's (squared L2, negative inner product, 1 - cosine) in float64 over the
 * float32 (or widened float16) values; the server computes in float32, so two results whose
 * distances differ by less than a relative 1e-5 count as tied: neither order disagrees.
 *
 * Most replies need few distances or none: the query's ground-truth row (read up to GT_WINDOW
 * entries deep) already holds the true order of the returned ids found in it, and every id not in
 * it is at least as far as all that are. So a reply listing the found ids in increasing row
 * position and then the others is nearest-first as it stands (only the others' distances are
 * computed, to check their order among themselves), and the mirror image is farthest-first unless
 * its two ends tie, and is reversed. Any other reply pays for the distances of all its results
 * (about 1 us per 100 dimensions per result). Ten distances of
 * 768 dimensions per query cost more client CPU than the rest of a query together, so this matters
 * for `vec-query` throughput (scripts/bench-vs-valkey-benchmark.ts). The shortcut is taken only
 * when the ground truth was computed for the metric in use (the dataset's own metric, or none
 * stated).
 *
 * With --with-scores the server's own scores can rank instead (rankByScores): the order is then
 * checked against the distances the server itself reported.
 *
 * A query's replies are often the same list again (queries repeat across passes, and an index that
 * does not change answers a query the same way): each query keeps its last reply and verdict
 * (RANK_MEMO_BYTES per worker), and the same ids in the same order get that verdict back without a
 * distance. rank() is a function of (query, ids), so the memo changes no result.
 *
 * rank() allocates nothing once a query's memo slot exists: scratch is sized for k once.
 */
import type { DistanceMetric, VectorDataset } from "../dataset/index.ts";
import { distance, queryNorm } from "../dataset/tools/knn.ts";
import { NO_NEIGHBOR } from "../dataset/index.ts";
import { keepOutOfFtl } from "../jit-tiers.ts";

/** Relative difference below which two distances count as equal (float32 rounding on the server). */
const TIE_TOLERANCE = 1e-5;

/** How deep into a ground-truth row a returned id is looked for (rows are often 100 long). */
const GT_WINDOW = 100;
/** Memory for cached ground-truth rows, per worker. */
const GT_CACHE_BYTES = 64 * 1024 * 1024;
/** Memory for each query's last reply and verdict (rank()'s memo), per worker. */
const RANK_MEMO_BYTES = 32 * 1024 * 1024;

/** What rank() found about the reply's own order. */
export const ORDER_NEAREST_FIRST = 0;
/** Some farther result precedes a nearer one (and the whole list is not simply reversed). */
export const ORDER_DISAGREES = 1;
/** The list is farthest-first: non-increasing distances, at least one strict step. */
export const ORDER_FARTHEST_FIRST = 2;

export class TrueDistanceRanker {
  private readonly queryScratch: Float32Array;
  private readonly vectorScratch: Float32Array;
  private dist = new Float64Array(0);
  private order = new Int32Array(0);
  private idsCopy = new Float64Array(0);
  /** Ground-truth rows read so far, gtWidth ids each (NaN: padding), one per query asked. */
  private readonly gtRows: (Float64Array | undefined)[];
  private readonly gtWidth: number;
  /**
   * rank()'s memo, per query below memoQueries: the reply's ids as received (memoIn), as ranked
   * (memoOut), their count (0: none yet) and the verdict.
   */
  private readonly memoQueries: number;
  private readonly memoWidth: number;
  private readonly memoIn: (Float64Array | undefined)[];
  private readonly memoOut: (Float64Array | undefined)[];
  private readonly memoCount: Int32Array;
  private readonly memoOrder: Int8Array;

  /**
   * @param ds     the dataset slice the run loaded (vector i of the slice is dataset id offset + i)
   * @param offset the slice's first dataset id (--vector-offset)
   */
  constructor(
    private readonly ds: VectorDataset,
    private readonly offset: number,
    private readonly metric: DistanceMetric,
    k: number,
  ) {
    this.queryScratch = new Float32Array(ds.dim);
    this.vectorScratch = new Float32Array(ds.dim);
    const sameMetric = ds.metricHint === undefined || ds.metricHint === metric;
    // Rows are kept per query (queries repeat); the window narrows for huge query sets so the
    // cache stays under GT_CACHE_BYTES, but never below k.
    const affordable = Math.floor(GT_CACHE_BYTES / 8 / Math.max(1, ds.numQueries));
    this.gtWidth = sameMetric ? Math.min(ds.neighborsPerQuery ?? 0, Math.max(k, Math.min(GT_WINDOW, affordable))) : 0;
    this.gtRows = new Array<Float64Array | undefined>(this.gtWidth > 0 ? ds.numQueries : 0);
    this.memoWidth = Math.max(1, k);
    this.memoQueries = Math.min(ds.numQueries, Math.floor(RANK_MEMO_BYTES / (16 * this.memoWidth + 8)));
    this.memoIn = new Array<Float64Array | undefined>(this.memoQueries);
    this.memoOut = new Array<Float64Array | undefined>(this.memoQueries);
    this.memoCount = new Int32Array(this.memoQueries);
    this.memoOrder = new Int8Array(this.memoQueries);
    this.ensure(k);
  }

  /**
   * The reply's order told from ground-truth positions: ORDER_NEAREST_FIRST, or
   * ORDER_FARTHEST_FIRST with ids reversed into nearest-first order, or -1 when every distance is
   * needed. An id found in the row's first gtWidth entries (a member) has its true rank there; an id
   * not found is at least as far as every member, so only non-members need their distances
   * computed, to order them among themselves.
   */
  private rankByGroundTruth(q: number, ids: Float64Array, count: number): number {
    const width = this.gtWidth;
    if (width === 0) return -1;
    const row = this.gtRows[q] ?? this.readRow(q);
    const dist = this.dist;
    // Nearest-first shape: members in increasing position, then non-members.
    let near = true;
    let nearPrev = -1;
    let nonMemberSeen = false;
    // Farthest-first shape: non-members, then members in decreasing position.
    let far = true;
    let farPrev = Infinity;
    let memberSeen = false;
    let nonMembers = 0;
    for (let r = 0; r < count; r++) {
      const id = ids[r]!;
      let j = 0;
      while (j < width && row[j] !== id) j++;
      if (j < width) {
        if (nonMemberSeen || j <= nearPrev) near = false;
        nearPrev = j;
        if (j >= farPrev) far = false;
        farPrev = j;
        memberSeen = true;
        dist[r] = -1; // a member: distance not needed
      } else {
        nonMemberSeen = true;
        if (memberSeen) far = false;
        nonMembers++;
        dist[r] = NaN; // computed below if the shape holds
      }
      if (!near && !far) return -1;
    }
    if (nonMembers === count) return -1;
    if (near && nonMembers < 2) return ORDER_NEAREST_FIRST; // no distance needed at all
    const dim = this.ds.dim;
    const query = this.ds.queryF32(q, this.queryScratch);
    const qNorm = this.metric === "COSINE" ? queryNorm(query, 0, dim) : 0;
    if (nonMembers > 1) {
      // Non-members must be in the shape's order among themselves (ties never decide).
      let prev = NaN;
      for (let r = 0; r < count; r++) {
        if (dist[r] !== dist[r]) {
          const d = this.distanceOf(ids[r]!, query, qNorm);
          if (d === Infinity) return -1;
          dist[r] = d;
          if (prev === prev) {
            const tol = TIE_TOLERANCE * Math.max(Math.abs(prev), Math.abs(d), 1e-12);
            if (near && prev - d > tol) near = false;
            if (far && d - prev > tol) far = false;
          }
          prev = d;
        }
      }
      if (!near && !far) return -1;
    }
    if (near) return ORDER_NEAREST_FIRST;
    // Farthest-first shape: distances never increase along the reply. The two ends tell whether any
    // step is strict (else every result ties and no order disagrees).
    const first = this.distanceOf(ids[0]!, query, qNorm);
    const last = this.distanceOf(ids[count - 1]!, query, qNorm);
    if (first === Infinity || last === Infinity) return -1;
    if (first - last <= TIE_TOLERANCE * Math.max(Math.abs(first), Math.abs(last), 1e-12)) return ORDER_NEAREST_FIRST;
    for (let a = 0, b = count - 1; a < b; a++, b--) {
      const t = ids[a]!;
      ids[a] = ids[b]!;
      ids[b] = t;
    }
    return ORDER_FARTHEST_FIRST;
  }

  private readRow(q: number): Float64Array {
    const row = new Float64Array(this.gtWidth);
    for (let j = 0; j < row.length; j++) {
      const n = this.ds.neighborId(q, j);
      row[j] = n === NO_NEIGHBOR || n > Number.MAX_SAFE_INTEGER ? NaN : n;
    }
    this.gtRows[q] = row;
    return row;
  }

  private distanceOf(id: number, query: Float32Array, qNorm: number): number {
    const i = id - this.offset;
    if (!(i >= 0 && i < this.ds.numVectors)) return Infinity;
    return distance(this.metric, query, 0, this.ds.vectorF32(i, this.vectorScratch), this.ds.dim, qNorm);
  }

  /**
   * Reorders ids[0, count) nearest-first by true distance to query q (stable among ties; ids that
   * are not vectors of the slice, such as -1 for undecodable keys, go last in their order) and
   * says how the reply's order compared (ORDER_*).
   */
  rank(q: number, ids: Float64Array, count: number): number {
    if (count < 2) return ORDER_NEAREST_FIRST;
    const memo = q >= 0 && q < this.memoQueries && count <= this.memoWidth;
    if (memo && this.memoCount[q] === count) {
      const seen = this.memoIn[q]!;
      let same = true;
      for (let r = 0; r < count; r++) {
        if (seen[r] !== ids[r]) {
          same = false;
          break;
        }
      }
      if (same) {
        const out = this.memoOut[q]!;
        for (let r = 0; r < count; r++) ids[r] = out[r]!;
        return this.memoOrder[q]!;
      }
    }
    let input: Float64Array | undefined;
    if (memo) {
      input = this.memoIn[q];
      if (input === undefined) {
        input = new Float64Array(this.memoWidth);
        this.memoIn[q] = input;
        this.memoOut[q] = new Float64Array(this.memoWidth);
      }
      for (let r = 0; r < count; r++) input[r] = ids[r]!;
    }
    const order = this.rankUncached(q, ids, count);
    if (memo) {
      const out = this.memoOut[q]!;
      for (let r = 0; r < count; r++) out[r] = ids[r]!;
      this.memoCount[q] = count;
      this.memoOrder[q] = order;
    }
    return order;
  }

  private rankUncached(q: number, ids: Float64Array, count: number): number {
    if (count > this.dist.length) this.ensure(count);
    const known = this.rankByGroundTruth(q, ids, count);
    if (known !== -1) return known;
    const dim = this.ds.dim;
    const query = this.ds.queryF32(q, this.queryScratch);
    const qNorm = this.metric === "COSINE" ? queryNorm(query, 0, dim) : 0;
    const dist = this.dist;
    const n = this.ds.numVectors;
    for (let r = 0; r < count; r++) {
      const i = ids[r]! - this.offset;
      dist[r] = i >= 0 && i < n ? distance(this.metric, query, 0, this.ds.vectorF32(i, this.vectorScratch), dim, qNorm) : Infinity;
    }
    return this.orderBy(ids, count);
  }

  /**
   * Like rank(), with the scores the server returned for the results (--with-scores: its own
   * distances, smaller is nearer) instead of distances computed from the dataset. A NaN score
   * (none returned) sorts last.
   */
  rankByScores(ids: Float64Array, scores: Float64Array, count: number): number {
    if (count < 2) return ORDER_NEAREST_FIRST;
    if (count > this.dist.length) this.ensure(count);
    const dist = this.dist;
    for (let r = 0; r < count; r++) {
      const v = scores[r]!;
      dist[r] = Number.isNaN(v) ? Infinity : v;
    }
    return this.orderBy(ids, count);
  }

  /** Classifies the order of dist[0, count) and sorts ids by it when it is not nearest-first. */
  private orderBy(ids: Float64Array, count: number): number {
    const dist = this.dist;
    // The reply's own order: ascending, descending or neither (ties never decide).
    let farther = false; // some step goes to a nearer result
    let nearer = false; // some step goes to a farther result
    let a = Infinity; // the previous result with a known distance
    for (let r = 0; r < count; r++) {
      const b = dist[r]!;
      if (b === Infinity) continue;
      if (a !== Infinity) {
        const tol = TIE_TOLERANCE * Math.max(Math.abs(a), Math.abs(b), 1e-12);
        if (a - b > tol) farther = true;
        else if (b - a > tol) nearer = true;
      }
      a = b;
    }
    if (!farther) return ORDER_NEAREST_FIRST;
    this.sortByDistance(ids, count);
    return nearer ? ORDER_DISAGREES : ORDER_FARTHEST_FIRST;
  }

  /** Stable insertion sort of ids by dist; a farthest-first list is reversed first (linear). */
  private sortByDistance(ids: Float64Array, count: number): void {
    const dist = this.dist;
    const order = this.order;
    for (let r = 0; r < count; r++) order[r] = r;
    let descending = true;
    for (let r = 1; r < count && descending; r++) if (dist[r]! > dist[r - 1]!) descending = false;
    if (descending) {
      // Reverse runs of equal distances back so ties keep the reply's order.
      for (let a = 0, b = count - 1; a < b; a++, b--) {
        const t = order[a]!;
        order[a] = order[b]!;
        order[b] = t;
      }
      let start = 0;
      for (let r = 1; r <= count; r++) {
        if (r === count || dist[order[r]!] !== dist[order[start]!]) {
          for (let a = start, b = r - 1; a < b; a++, b--) {
            const t = order[a]!;
            order[a] = order[b]!;
            order[b] = t;
          }
          start = r;
        }
      }
    } else {
      for (let r = 1; r < count; r++) {
        const o = order[r]!;
        const d = dist[o]!;
        let j = r - 1;
        while (j >= 0 && dist[order[j]!]! > d) {
          order[j + 1] = order[j]!;
          j--;
        }
        order[j + 1] = o;
      }
    }
    const copy = this.idsCopy;
    for (let r = 0; r < count; r++) copy[r] = ids[r]!;
    for (let r = 0; r < count; r++) ids[r] = copy[order[r]!]!;
  }

  private ensure(k: number): void {
    this.dist = new Float64Array(k);
    this.order = new Int32Array(k);
    this.idsCopy = new Float64Array(k);
  }
}

keepOutOfFtl(TrueDistanceRanker);
