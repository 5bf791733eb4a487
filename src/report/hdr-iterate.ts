/**
 * The statistics valkey-benchmark prints, computed the way HdrHistogram_c (which valkey-benchmark
 * links) computes them, so that the same counts give the same lines.
 *
 * hdr-histogram-js follows the Java implementation, which differs in small ways: it rounds the
 * percentile count up (C rounds to nearest) and its iterators visit different steps. We therefore
 * walk the counts array ourselves with the C rules: a percentile iterator with 1 tick per half
 * distance ("Latency by percentile distribution") and a linear iterator of 100 µs steps that
 * widens to 1 ms past 2 ms ("Cumulative distribution of latencies").
 *
 * All values are in the histogram's unit (microseconds).
 */
import type { JsHistogram } from "hdr-histogram-js";

/** One "P% <= V milliseconds (cumulative count N)" line, before formatting. */
export interface DistributionPoint {
  percentile: number;
  valueUs: number;
  cumulativeCount: number;
}

/** hdr_iter: the cursor over the counts array shared by both iterators. */
class CountsCursor {
  index = -1;
  count = 0;
  cumulative = 0;
  value = 0;
  highestEquivalent = 0;
  readonly total: number;
  readonly length: number;

  constructor(private readonly h: JsHistogram) {
    this.total = h.totalCount;
    this.length = h.countsArrayLength;
  }

  hasNext(): boolean {
    return this.cumulative < this.total;
  }

  hasBuckets(): boolean {
    return this.index < this.length;
  }

  /** move_next: step one bucket; false (index past the end, state kept) when out of buckets. */
  moveNext(): boolean {
    this.index++;
    if (!this.hasBuckets()) return false;
    this.count = this.h.getCountAtIndex(this.index);
    this.cumulative += this.count;
    this.value = this.h.valueFromIndex(this.index);
    this.highestEquivalent = this.h.highestEquivalentValue(this.value);
    return true;
  }

  /** basic_iter_next */
  basicNext(): boolean {
    if (!this.hasNext() || this.index >= this.length) return false;
    this.moveNext();
    return true;
  }

  peekNextValue(): number {
    return this.h.valueFromIndex(this.index + 1);
  }
}

/**
 * hdr_iter_percentile_init(h, ticks) + valkey-benchmark's filter: a line is printed when the
 * cumulative count changed, and always once the count reached the total (the final 100% line).
 */
export function percentileDistribution(h: JsHistogram, ticksPerHalfDistance = 1): DistributionPoint[] {
  const cursor = new CountsCursor(h);
  const points: DistributionPoint[] = [];
  if (cursor.total === 0) return points;
  let seenLastValue = false;
  let percentileToIterateTo = 0;
  let percentile = 0;

  const next = (): boolean => {
    if (!cursor.hasNext()) {
      if (seenLastValue) return false;
      seenLastValue = true;
      percentile = 100;
      return true;
    }
    if (cursor.index === -1 && !cursor.basicNext()) return false;
    do {
      const current = (100 * cursor.cumulative) / cursor.total;
      if (cursor.count !== 0 && percentileToIterateTo <= current) {
        percentile = percentileToIterateTo;
        // Each halving of the remaining distance to 100% gets `ticks` reporting points.
        const exponent = Math.trunc(Math.log(100 / (100 - percentileToIterateTo)) / Math.log(2)) + 1;
        const halfDistance = Math.trunc(Math.pow(2, exponent));
        percentileToIterateTo += 100 / (ticksPerHalfDistance * halfDistance);
        return true;
      }
    } while (cursor.basicNext());
    return false;
  };

  let previousCumulative = -1;
  while (next()) {
    if (previousCumulative !== cursor.cumulative || cursor.cumulative === cursor.total) {
      points.push({ percentile, valueUs: cursor.highestEquivalent, cumulativeCount: cursor.cumulative });
    }
    previousCumulative = cursor.cumulative;
  }
  return points;
}

/** Bucket width of the cumulative distribution: 100 µs, then 1 ms once past 2 ms. */
const FINE_STEP_US = 100;
const COARSE_STEP_US = 1000;
const COARSE_AFTER_US = 2000;

/**
 * hdr_iter_linear_init(h, 100) as valkey-benchmark drives it: after each reported step whose
 * bucket ends above 2 ms the step becomes 1 ms (the level already scheduled is kept, hence the
 * first coarse level is 100 µs after the last fine one). Lines whose cumulative count did not
 * change are skipped, except at the total.
 */
export function cumulativeDistribution(h: JsHistogram): DistributionPoint[] {
  const cursor = new CountsCursor(h);
  const points: DistributionPoint[] = [];
  if (cursor.total === 0) return points;
  let step = FINE_STEP_US;
  let nextLevel = step;
  let nextLevelLowest = h.lowestEquivalentValue(nextLevel);

  const next = (): boolean => {
    const more =
      cursor.hasBuckets() &&
      (cursor.hasNext() || (cursor.index < cursor.length && cursor.peekNextValue() > nextLevelLowest));
    if (!more) return false;
    for (;;) {
      if (cursor.value >= nextLevelLowest) {
        nextLevel += step;
        nextLevelLowest = h.lowestEquivalentValue(nextLevel);
        return true;
      }
      if (!cursor.moveNext()) return true;
    }
  };

  let previousCumulative = -1;
  while (next()) {
    if (previousCumulative !== cursor.cumulative || cursor.cumulative === cursor.total) {
      points.push({
        percentile: (cursor.cumulative / cursor.total) * 100,
        valueUs: cursor.highestEquivalent,
        cumulativeCount: cursor.cumulative,
      });
    }
    if (cursor.highestEquivalent > COARSE_AFTER_US) step = COARSE_STEP_US;
    previousCumulative = cursor.cumulative;
  }
  return points;
}

/** hdr_value_at_percentile: the count is rounded to nearest (Java rounds up). */
export function valueAtPercentile(h: JsHistogram, percentile: number): number {
  const requested = percentile < 100 ? percentile : 100;
  const countAtPercentile = Math.max(1, Math.trunc((requested / 100) * h.totalCount + 0.5));
  let countToIndex = 0;
  for (let i = 0; i < h.countsArrayLength; i++) {
    countToIndex += h.getCountAtIndex(i);
    if (countToIndex >= countAtPercentile) {
      const value = h.valueFromIndex(i);
      return percentile === 0 ? h.lowestEquivalentValue(value) : h.highestEquivalentValue(value);
    }
  }
  return 0;
}

/** hdr_mean: counts weighted by each bucket's median equivalent value. NaN when empty. */
export function meanValue(h: JsHistogram): number {
  let total = 0;
  let seen = 0;
  for (let i = 0; i < h.countsArrayLength && seen < h.totalCount; i++) {
    const count = h.getCountAtIndex(i);
    if (count === 0) continue;
    seen += count;
    total += count * h.medianEquivalentValue(h.valueFromIndex(i));
  }
  return total / h.totalCount;
}

/** hdr_min: 0 if zeros were recorded, else the lowest equivalent of the smallest value. */
export function minValue(h: JsHistogram): number {
  for (let i = 0; i < h.countsArrayLength; i++) {
    if (h.getCountAtIndex(i) > 0) return h.lowestEquivalentValue(h.valueFromIndex(i));
  }
  return 0;
}

/** hdr_max: the highest equivalent of the largest recorded value; 0 when empty. */
export function maxValue(h: JsHistogram): number {
  for (let i = h.countsArrayLength - 1; i >= 0; i--) {
    if (h.getCountAtIndex(i) > 0) return h.highestEquivalentValue(h.valueFromIndex(i));
  }
  return 0;
}
