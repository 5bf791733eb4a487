/**
 * Key number streams for `__rand_int__` (--key-pattern): uniform (R), sequential (S), gaussian
 * (G) and zipfian (Z) over [minimum, maximum]. One stream per connection, seeded from --seed and
 * the connection's index, so a run is reproducible; the sequential stream shares one counter
 * between every connection of every worker, so each key of the range is visited exactly once
 * per pass. A draw allocates nothing.
 */
import type { KeyPatternKind, KeyPatternOptions } from "../../config/types.ts";
import type { Rng } from "../../engine/rng.ts";
import { GaussianKeys } from "./gaussian.ts";
import { ZipfSampler } from "./zipf.ts";

export interface KeyStream {
  /** The next key number, in [minimum, maximum]. */
  next(): number;
}

/** Which side of `SET:GET` a test uses: reads take the GET pattern, everything else the SET one. */
export function patternFor(keys: KeyPatternOptions, readOnly: boolean): KeyPatternKind {
  return readOnly ? keys.get : keys.set;
}

export function createKeyStream(kind: KeyPatternKind, keys: KeyPatternOptions, rng: Rng, nextSequence: () => number): KeyStream {
  const min = keys.minimum;
  const count = keys.maximum - keys.minimum + 1;
  switch (kind) {
    case "R":
      return { next: () => min + rng.below(count) };
    case "S":
      return { next: () => min + (nextSequence() % count) };
    case "G":
      return new GaussianKeys(rng, keys.minimum, keys.maximum, keys.median, keys.stddev);
    case "Z": {
      // Rank 1 (the hottest key) is the range's minimum.
      const zipf = new ZipfSampler(count, keys.zipfExponent);
      return { next: () => min + zipf.sample(rng) - 1 };
    }
  }
}

export function describeKeyPattern(kind: KeyPatternKind, keys: KeyPatternOptions): string {
  switch (kind) {
    case "R":
      return "uniform";
    case "S":
      return "sequential";
    case "G":
      return `gaussian (median ${+keys.median.toPrecision(6)}, stddev ${+keys.stddev.toPrecision(6)})`;
    case "Z":
      return `zipfian (exponent ${keys.zipfExponent})`;
  }
}
