/**
 * Seeded randomness for the RESP property tests: a PRNG, random RespValue trees, random
 * chunkings of a byte stream and random corruptions. Every failure message should include the
 * seed so the case can be replayed.
 */
import { RespError, RespMap, RespPush, type RespValue } from "../../src/resp/types.ts";

/** mulberry32: tiny, fast, good enough to drive tests reproducibly. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)];
  }
}

const WORDS = ["", "OK", "foo", "bar baz", "héllo", "日本語", "emoji 🚀", "with\r\nCRLF", "tab\tand space", "x".repeat(300)];
const ERROR_CODES = ["ERR", "WRONGTYPE", "MOVED", "ASK", "NOSCRIPT", "CLUSTERDOWN"];

function randomText(rng: Rng): string {
  if (rng.next() < 0.6) return rng.pick(WORDS);
  let text = "";
  const n = rng.int(0, 40);
  for (let i = 0; i < n; i++) text += String.fromCharCode(rng.int(32, 126));
  return text;
}

export interface ValueShape {
  /** Deepest aggregate nesting generated. */
  maxDepth: number;
  /** Generate Uint8Array bulk strings (for a decoder in binary mode). */
  binary: boolean;
}

export function randomValue(rng: Rng, shape: ValueShape, depth = 0): RespValue {
  const leafOnly = depth >= shape.maxDepth;
  const kind = rng.int(0, leafOnly ? 8 : 11);
  switch (kind) {
    case 0:
    case 1:
      return randomText(rng);
    case 2:
      return rng.pick([0, 1, -1, 42, 1_000_000, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, rng.int(-1e9, 1e9)]);
    case 3:
      return rng.pick([0.5, -2.25, 1e21, 1.5e-7, 3.141592653589793, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN]);
    case 4:
      return rng.pick([2n ** 64n, -(2n ** 70n), 12345678901234567890123n, BigInt(Number.MAX_SAFE_INTEGER) + 2n]);
    case 5:
      return rng.next() < 0.5;
    case 6:
      return null;
    case 7:
      return new RespError(`${rng.pick(ERROR_CODES)} ${randomText(rng)}`.trimEnd());
    case 8:
      if (shape.binary) return Uint8Array.from({ length: rng.int(0, 20) }, () => rng.int(0, 255));
      return randomText(rng);
    case 9:
    case 10: {
      const items: RespValue[] = [];
      const n = rng.int(0, 6);
      for (let i = 0; i < n; i++) items.push(randomValue(rng, shape, depth + 1));
      return items;
    }
    default: {
      const map = new RespMap();
      const n = rng.int(0, 4);
      for (let i = 0; i < n; i++) map.set(rng.next() < 0.8 ? randomText(rng) : rng.int(0, 99), randomValue(rng, shape, depth + 1));
      return map;
    }
  }
}

/** A stream's top-level values: mostly replies, some push messages (as client tracking sends). */
export function randomStream(rng: Rng, shape: ValueShape, count: number): RespValue[] {
  const values: RespValue[] = [];
  for (let i = 0; i < count; i++) {
    if (rng.next() < 0.1) values.push(new RespPush(["invalidate", [randomText(rng)]]));
    else values.push(randomValue(rng, shape));
  }
  return values;
}

/** Split points [0, ..., length]: 1-byte chunks, small chunks, or a few random cuts. */
export function randomChunking(rng: Rng, length: number): number[] {
  const mode = rng.int(0, 3);
  const cuts = [0];
  let pos = 0;
  while (pos < length) {
    const size =
      mode === 0 ? 1 : mode === 1 ? rng.int(1, 7) : mode === 2 ? rng.int(1, 64) : rng.int(1, Math.max(1, length));
    pos = Math.min(length, pos + size);
    cuts.push(pos);
  }
  return cuts;
}

const SIGNIFICANT_BYTES = [13, 10, 36, 42, 37, 43, 45, 58, 62, 124, 63, 48, 57, 0, 255];

/** Returns a corrupted copy: byte flips, protocol-significant bytes, truncation, deletion. */
export function corrupt(rng: Rng, bytes: Uint8Array): Uint8Array {
  let out = Uint8Array.from(bytes);
  const edits = rng.int(1, 4);
  for (let e = 0; e < edits && out.byteLength > 0; e++) {
    const at = rng.int(0, out.byteLength - 1);
    const kind = rng.int(0, 3);
    if (kind === 0) out[at] = rng.int(0, 255);
    else if (kind === 1) out[at] = rng.pick(SIGNIFICANT_BYTES);
    else if (kind === 2) out = out.slice(0, at);
    else out = Uint8Array.from([...out.subarray(0, at), ...out.subarray(Math.min(out.byteLength, at + rng.int(1, 8)))]);
  }
  return out;
}
