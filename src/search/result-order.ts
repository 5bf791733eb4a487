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
 * rank() allocates nothing: scratch is sized for k once.
 */
import type { DistanceMetric, VectorDataset } from "../dataset/dataset.ts";
import { distance, queryNorm } from "../dataset/knn.ts";

/** Relative difference below which two distances count as equal (float32 rounding on the server). */
const TIE_TOLERANCE = 1e-5;

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
    this.ensure(k);
  }

  /**
   * Reorders ids[0, count) nearest-first by true distance to query q (stable among ties; ids that
   * are not vectors of the slice, such as -1 for undecodable keys, go last in their order) and
   * says how the reply's order compared (ORDER_*).
   */
  rank(q: number, ids: Float64Array, count: number): number {
    if (count < 2) return ORDER_NEAREST_FIRST;
    if (count > this.dist.length) this.ensure(count);
    const dim = this.ds.dim;
    const query = this.ds.queryF32(q, this.queryScratch);
    const qNorm = this.metric === "COSINE" ? queryNorm(query, 0, dim) : 0;
    const dist = this.dist;
    const n = this.ds.numVectors;
    for (let r = 0; r < count; r++) {
      const i = ids[r]! - this.offset;
      dist[r] = i >= 0 && i < n ? distance(this.metric, query, 0, this.ds.vectorF32(i, this.vectorScratch), dim, qNorm) : Infinity;
    }
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
