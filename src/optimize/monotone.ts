/**
 * Search over a sorted list of candidate values for a property that is monotone in it (recall in
 * ef_search, latency in concurrency): doubling steps and bisection over list indices. When
 * noise breaks monotonicity near the boundary, bisection still ends on a measured pair
 * (fails at i-1, holds at i), so what it returns was observed to hold.
 */

/** Indices of values at roughly doubling values: v0, the first >= 2*v0, ..., always ending at the last. */
export function doublingIndices(values: readonly number[]): number[] {
  if (values.length === 0) return [];
  const out = [0];
  let i = 0;
  while (i < values.length - 1) {
    const want = values[i]! * 2;
    let j = i + 1;
    while (j < values.length - 1 && values[j]! < want) j++;
    out.push(j);
    i = j;
  }
  return out;
}

/** Smallest index in (lo, hi] where `holds` is true, given it is false at lo and true at hi. */
export async function firstHolding(lo: number, hi: number, holds: (i: number) => Promise<boolean>): Promise<number> {
  while (hi - lo > 1) {
    const mid = lo + ((hi - lo) >> 1);
    if (await holds(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Largest index in [lo, hi) where `holds` is true, given it is true at lo and false at hi. */
export async function lastHolding(lo: number, hi: number, holds: (i: number) => Promise<boolean>): Promise<number> {
  while (hi - lo > 1) {
    const mid = lo + ((hi - lo) >> 1);
    if (await holds(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}
