// Each key pattern's empirical distribution over 1M draws (fixed seed) against its definition.
// Thresholds are chi-square / Kolmogorov-Smirnov critical values at a 0.1% false-alarm rate, and
// each test also shows that a generator off by a little (zipf exponent 0.1 off, stddev 10% off)
// fails the same threshold, so the tests can catch a wrong generator.

import { describe, expect, test } from "bun:test";
import type { KeyPatternKind, KeyPatternOptions } from "../../src/config/types.ts";
import { Rng } from "../../src/engine/rng.ts";
import { createKeyStream } from "../../src/workload/key-patterns/key-pattern.ts";
import { ZipfSampler } from "../../src/workload/key-patterns/zipf.ts";

const DRAWS = 1_000_000;
const SEED = 20261206;

function options(over: Partial<KeyPatternOptions>): KeyPatternOptions {
  return { set: "R", get: "R", minimum: 0, maximum: 999, median: 500, stddev: 1000 / 6, zipfExponent: 0.99, ...over };
}

function histogram(kind: KeyPatternKind, keys: KeyPatternOptions, draws = DRAWS): Float64Array {
  const counts = new Float64Array(keys.maximum - keys.minimum + 1);
  let seq = 0;
  const stream = createKeyStream(kind, keys, new Rng(SEED, 0), () => seq++);
  for (let i = 0; i < draws; i++) {
    const k = stream.next();
    if (!(k >= keys.minimum && k <= keys.maximum) || !Number.isInteger(k)) throw new Error(`draw ${k} outside ${keys.minimum}..${keys.maximum}`);
    counts[k - keys.minimum]!++;
  }
  return counts;
}

/** Pearson's chi-square of observed counts against probabilities. */
function chiSquare(observed: Float64Array, p: Float64Array): number {
  const n = observed.reduce((a, b) => a + b, 0);
  let x = 0;
  for (let i = 0; i < p.length; i++) {
    const e = n * p[i]!;
    x += (observed[i]! - e) ** 2 / e;
  }
  return x;
}

/** Upper 0.1% critical value of chi-square with `df` degrees of freedom (Wilson-Hilferty). */
function chiSquareCritical(df: number): number {
  const z = 3.09;
  return df * (1 - 2 / (9 * df) + z * Math.sqrt(2 / (9 * df))) ** 3;
}

function zipfPmf(n: number, s: number): Float64Array {
  const p = new Float64Array(n);
  let total = 0;
  for (let k = 1; k <= n; k++) total += p[k - 1] = k ** -s;
  return p.map((x) => x / total);
}

/** Normal CDF (Abramowitz & Stegun 7.1.26 erf, error < 1.5e-7). */
function phi(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** Rounded normal restricted to [min, max], as the G pattern defines it. */
function gaussianPmf(min: number, max: number, mu: number, sigma: number): Float64Array {
  const p = new Float64Array(max - min + 1);
  let total = 0;
  for (let k = min; k <= max; k++) total += p[k - min] = phi((k + 0.5 - mu) / sigma) - phi((k - 0.5 - mu) / sigma);
  return p.map((x) => x / total);
}

/** Kolmogorov-Smirnov distance between observed counts and a pmf. */
function ksDistance(observed: Float64Array, p: Float64Array): number {
  const n = observed.reduce((a, b) => a + b, 0);
  let fo = 0;
  let fe = 0;
  let d = 0;
  for (let i = 0; i < p.length; i++) {
    fo += observed[i]! / n;
    fe += p[i]!;
    d = Math.max(d, Math.abs(fo - fe));
  }
  return d;
}
const KS_CRITICAL = 1.95 / Math.sqrt(DRAWS); // alpha = 0.001

describe("zipfian (rejection-inversion)", () => {
  test("1M draws over 1000 keys with exponent 0.99 fit P(k) ~ 1/k^0.99 (chi-square)", () => {
    const counts = histogram("Z", options({}));
    expect(chiSquare(counts, zipfPmf(1000, 0.99))).toBeLessThan(chiSquareCritical(999));
  });

  test("the same test rejects a sampler whose exponent is 0.1 off", () => {
    const counts = histogram("Z", options({ zipfExponent: 0.89 }));
    expect(chiSquare(counts, zipfPmf(1000, 0.99))).toBeGreaterThan(chiSquareCritical(999));
    const steeper = histogram("Z", options({ zipfExponent: 1.09 }));
    expect(chiSquare(steeper, zipfPmf(1000, 0.99))).toBeGreaterThan(chiSquareCritical(999));
  });

  test("exponents below, at and above 1 fit too (0.5, 1.0, 1.5)", () => {
    for (const s of [0.5, 1.0, 1.5]) {
      const counts = histogram("Z", options({ zipfExponent: s, maximum: 199 }), 400_000);
      expect(chiSquare(counts, zipfPmf(200, s))).toBeLessThan(chiSquareCritical(199));
    }
  });

  test("the range's minimum is the hottest key (subset range via --key-minimum)", () => {
    const counts = histogram("Z", options({ minimum: 500, maximum: 999 }), 100_000);
    expect(counts.indexOf(Math.max(...counts))).toBe(0);
  });

  test("O(1) with no table: 10^12 keys draw inside the range, rank 1 is about 1/zeta(s) of the draws", () => {
    const zipf = new ZipfSampler(1e12, 1.5);
    const rng = new Rng(SEED, 1);
    let ones = 0;
    for (let i = 0; i < 200_000; i++) {
      const k = zipf.sample(rng);
      expect(k >= 1 && k <= 1e12).toBe(true);
      if (k === 1) ones++;
    }
    // zeta(1.5) = 2.6124: P(1) = 0.3828 (the tail beyond 10^12 is negligible).
    expect(Math.abs(ones / 200_000 - 1 / 2.6124)).toBeLessThan(0.005);
  });

  test("bad parameters are refused", () => {
    expect(() => new ZipfSampler(0, 1)).toThrow();
    expect(() => new ZipfSampler(10, 0)).toThrow();
  });
});

describe("uniform, gaussian, sequential", () => {
  test("uniform: 1M draws over 1000 keys are flat (chi-square), and a subset range stays inside it", () => {
    const counts = histogram("R", options({}));
    expect(chiSquare(counts, new Float64Array(1000).fill(1 / 1000))).toBeLessThan(chiSquareCritical(999));
    const subset = histogram("R", options({ minimum: 200, maximum: 299 }), 100_000);
    expect(chiSquare(subset, new Float64Array(100).fill(1 / 100))).toBeLessThan(chiSquareCritical(99));
  });

  test("gaussian: 1M draws fit the rounded normal inside the range (Kolmogorov-Smirnov); 10% off in stddev fails", () => {
    const keys = options({ median: 400, stddev: 120 });
    const expected = gaussianPmf(0, 999, 400, 120);
    expect(ksDistance(histogram("G", keys), expected)).toBeLessThan(KS_CRITICAL);
    expect(ksDistance(histogram("G", { ...keys, stddev: 132 }), expected)).toBeGreaterThan(KS_CRITICAL);
    expect(ksDistance(histogram("G", { ...keys, median: 404 }), expected)).toBeGreaterThan(KS_CRITICAL);
  });

  test("gaussian: a centre near the edge is truncated by redrawing, never clamped", () => {
    const keys = options({ median: 0, stddev: 100 });
    const counts = histogram("G", keys);
    expect(ksDistance(counts, gaussianPmf(0, 999, 0, 100))).toBeLessThan(KS_CRITICAL);
  });

  test("sequential: streams sharing one counter visit every key of the range exactly once per pass", () => {
    const keys = options({ minimum: 100, maximum: 1099 });
    let seq = 0;
    const next = () => seq++;
    const streams = [0, 1, 2].map((i) => createKeyStream("S", keys, new Rng(SEED, i), next));
    const counts = new Int32Array(1000);
    for (let i = 0; i < 3000; i++) counts[streams[i % 3]!.next() - 100]!++;
    expect(counts.every((c) => c === 3)).toBe(true);
  });

  test("the same seed and stream give the same keys (reproducible runs); another stream differs", () => {
    const draw = (stream: number) => {
      const s = createKeyStream("Z", options({}), new Rng(SEED, stream), () => 0);
      return Array.from({ length: 50 }, () => s.next());
    };
    expect(draw(3)).toEqual(draw(3));
    expect(draw(3)).not.toEqual(draw(4));
  });
});
