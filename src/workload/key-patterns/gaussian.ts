/**
 * Normally distributed key numbers, rounded to integers and kept inside [minimum, maximum] by
 * drawing again (memtier_benchmark's G pattern). Marsaglia's polar method; its second variate is
 * kept for the next draw, so a draw costs about one uniform pair and one log/sqrt per two keys.
 */
import type { UniformSource } from "./zipf.ts";

export class GaussianKeys {
  private spare = 0;
  private hasSpare = false;

  constructor(
    private readonly rng: UniformSource,
    readonly minimum: number,
    readonly maximum: number,
    readonly median: number,
    readonly stddev: number,
  ) {}

  next(): number {
    for (;;) {
      const k = Math.round(this.median + this.stddev * this.standardNormal());
      if (k >= this.minimum && k <= this.maximum) return k;
    }
  }

  private standardNormal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = this.rng.nextFloat() * 2 - 1;
      v = this.rng.nextFloat() * 2 - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const m = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * m;
    this.hasSpare = true;
    return u * m;
  }
}
