/**
 * Zipf-distributed integers in [1, n] with exponent s > 0: P(k) is proportional to 1 / k^s.
 *
 * Rejection-inversion sampling: W. Hörmann and G. Derflinger, "Rejection-inversion to generate
 * variates from monotone discrete distributions", ACM Transactions on Modeling and Computer
 * Simulation 6(3), 169-184 (1996). The formulation follows Apache Commons RNG's
 * RejectionInversionZipfSampler (Apache License 2.0). Each draw is O(1) expected time (the
 * acceptance rate is above 90% for every n and s) and the sampler keeps three numbers, never a
 * table the size of the keyspace, so n can be as large as 2^53.
 */

/** Uniform doubles in [0, 1). */
export interface UniformSource {
  nextFloat(): number;
}

export class ZipfSampler {
  private readonly hIntegralX1: number;
  private readonly hIntegralN: number;
  private readonly sCut: number;

  constructor(
    readonly n: number,
    readonly exponent: number,
  ) {
    if (!(n >= 1) || !Number.isInteger(n)) throw new RangeError(`zipf: n must be a whole number >= 1 (got ${n})`);
    if (!(exponent > 0)) throw new RangeError(`zipf: the exponent must be > 0 (got ${exponent})`);
    this.hIntegralX1 = this.hIntegral(1.5) - 1;
    this.hIntegralN = this.hIntegral(n + 0.5);
    this.sCut = 2 - this.hIntegralInverse(this.hIntegral(2.5) - this.h(2));
  }

  /** One draw in [1, n]. */
  sample(rng: UniformSource): number {
    const n = this.n;
    for (;;) {
      // u is uniform in (H(n + 1/2), H(3/2) - 1]: the area under the hat function.
      const u = this.hIntegralN + rng.nextFloat() * (this.hIntegralX1 - this.hIntegralN);
      const x = this.hIntegralInverse(u);
      let k = Math.floor(x + 0.5);
      if (k < 1) k = 1;
      else if (k > n) k = n;
      // Accept when the point lies under the histogram bar of k (the first test is the quick
      // squeeze: it accepts most draws without evaluating H again).
      if (k - x <= this.sCut || u >= this.hIntegral(k + 0.5) - this.h(k)) return k;
    }
  }

  /** h(x) = 1 / x^s, the hat function's density. */
  private h(x: number): number {
    return Math.exp(-this.exponent * Math.log(x));
  }

  /** H(x) = integral of h: (x^(1-s) - 1) / (1 - s), continuous at s = 1 (log x). */
  private hIntegral(x: number): number {
    const logX = Math.log(x);
    return helper2((1 - this.exponent) * logX) * logX;
  }

  private hIntegralInverse(x: number): number {
    let t = x * (1 - this.exponent);
    if (t < -1) t = -1; // rounding can push it just below -1
    return Math.exp(helper1(t) * x);
  }
}

/** log(1 + x) / x, accurate near 0. */
function helper1(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1 - x * (0.5 - x * (1 / 3 - 0.25 * x));
}

/** (exp(x) - 1) / x, accurate near 0. */
function helper2(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1 + x * 0.5 * (1 + (x / 3) * (1 + 0.25 * x));
}
