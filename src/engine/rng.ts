/**
 * A small, fast seeded PRNG (mulberry32) for keys and payloads. Deterministic per (seed, stream)
 * so runs with the same --seed send the same keys. Not cryptographic.
 */
export class Rng {
  private state: number;
  constructor(seed: number, stream = 0) {
    this.state = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(stream + 1, 0x85ebca6b)) >>> 0;
    for (let i = 0; i < 4; i++) this.nextU32();
  }
  nextU32(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** Uniform integer in [0, n) for n up to 2^53. */
  below(n: number): number {
    if (n <= 0x100000000) return Math.floor((this.nextU32() / 0x100000000) * n);
    const hi = this.nextU32() * 0x200000 + (this.nextU32() >>> 11);
    return hi % n;
  }
  /** Uniform double in [0, 1) with 53 random bits. */
  nextFloat(): number {
    return ((this.nextU32() >>> 5) * 0x4000000 + (this.nextU32() >>> 6)) / 0x20000000000000;
  }
}
