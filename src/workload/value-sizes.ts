/**
 * Value sizes for SET/HSET payloads and `__data__`: fixed (-d), a range (--data-size-range
 * MIN-MAX with --data-size-pattern R = random or S = stepping through it) or a weighted list
 * (--data-size-list 32:60,1024:30,...), as memtier_benchmark spells them. One stream per
 * connection; a draw allocates nothing.
 */
import type { ValueSizeOptions } from "../config/types.ts";
import type { Rng } from "../engine/rng.ts";

export interface SizeStream {
  next(): number;
}

export function createSizeStream(sizes: ValueSizeOptions, rng: Rng, start = 0): SizeStream {
  switch (sizes.kind) {
    case "fixed": {
      const bytes = sizes.bytes;
      return { next: () => bytes };
    }
    case "range": {
      const { min, max } = sizes;
      const span = max - min + 1;
      if (sizes.pattern === "R") return { next: () => min + rng.below(span) };
      // S: min, min+1, ... max, min, ...; each connection starts at its own offset.
      let i = start % span;
      return {
        next: () => {
          const size = min + i;
          i = i + 1 === span ? 0 : i + 1;
          return size;
        },
      };
    }
    case "list": {
      const n = sizes.entries.length;
      const bytes = Float64Array.from(sizes.entries, (e) => e.bytes);
      const cumulative = new Float64Array(n);
      let total = 0;
      sizes.entries.forEach((e, i) => (cumulative[i] = total += e.weight));
      return {
        next: () => {
          const u = rng.nextFloat() * total;
          for (let i = 0; i < n - 1; i++) if (u < cumulative[i]!) return bytes[i]!;
          return bytes[n - 1]!;
        },
      };
    }
  }
}

export function maxSize(sizes: ValueSizeOptions): number {
  if (sizes.kind === "fixed") return sizes.bytes;
  if (sizes.kind === "range") return sizes.max;
  return Math.max(...sizes.entries.map((e) => e.bytes));
}

export function minSize(sizes: ValueSizeOptions): number {
  if (sizes.kind === "fixed") return sizes.bytes;
  if (sizes.kind === "range") return sizes.min;
  return Math.min(...sizes.entries.map((e) => e.bytes));
}

/** Expected size of one value (the report header's "bytes payload"). */
export function meanSize(sizes: ValueSizeOptions): number {
  if (sizes.kind === "fixed") return sizes.bytes;
  if (sizes.kind === "range") return (sizes.min + sizes.max) / 2;
  const total = sizes.entries.reduce((s, e) => s + e.weight, 0);
  return sizes.entries.reduce((s, e) => s + (e.bytes * e.weight) / total, 0);
}

/** "32-96 random", "32:60,1024:30" for reports. */
export function describeSizes(sizes: ValueSizeOptions): string {
  if (sizes.kind === "fixed") return `${sizes.bytes}`;
  if (sizes.kind === "range") return `${sizes.min}-${sizes.max} ${sizes.pattern === "R" ? "random" : "sequential"}`;
  return sizes.entries.map((e) => `${e.bytes}:${e.weight}`).join(",");
}
