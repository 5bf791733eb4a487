/**
 * valibot schemas for the workload-shape flags: --key-pattern, --data-size-range,
 * --data-size-pattern, --data-size-list and --address-type (messages as in value-schemas.ts).
 */
import * as v from "valibot";
import type { AddressType, KeyPatternKind } from "./types.ts";
import { MAX_DATA_SIZE_BYTES, type TextSchema } from "./value-schemas.ts";

/** memtier_benchmark's letters and the seed's names (--iteration). */
const KEY_PATTERN_NAMES: Record<string, KeyPatternKind> = {
  r: "R",
  random: "R",
  uniform: "R",
  s: "S",
  sequential: "S",
  g: "G",
  gaussian: "G",
  z: "Z",
  zipf: "Z",
  zipfian: "Z",
};

const PATTERN_MESSAGE = "must be R, S, G or Z (uniform, sequential, gaussian, zipfian), or SET:GET like S:R";

/** `Z` or `S:R` (writes:reads); letters in any case or the seed's names. */
export const keyPatternText: TextSchema<{ set: KeyPatternKind; get: KeyPatternKind }> = v.pipe(
  v.string(),
  v.transform((t) => t.trim().toLowerCase().split(":")),
  v.check((parts) => parts.length <= 2 && parts.every((p) => KEY_PATTERN_NAMES[p] !== undefined), PATTERN_MESSAGE),
  v.transform((parts) => ({ set: KEY_PATTERN_NAMES[parts[0]!]!, get: KEY_PATTERN_NAMES[parts[parts.length - 1]!]! })),
);

const SIZE = `between 1 and ${MAX_DATA_SIZE_BYTES}`;

/** `32-1024`: inclusive byte range. */
export const sizeRangeText: TextSchema<{ min: number; max: number }> = v.pipe(
  v.string(),
  v.regex(/^\d+-\d+$/, "must be MIN-MAX in bytes, like 32-1024"),
  v.transform((t) => {
    const [min, max] = t.split("-").map(Number);
    return { min: min!, max: max! };
  }),
  v.check((r) => r.min >= 1 && r.max <= MAX_DATA_SIZE_BYTES, `must have sizes ${SIZE}`),
  v.check((r) => r.min <= r.max, "must have MIN <= MAX"),
);

export const sizePatternText: TextSchema<"R" | "S"> = v.pipe(
  v.string(),
  v.transform((t) => t.toUpperCase()),
  v.picklist(["R", "S"], "must be R (random sizes in the range) or S (each size in turn)"),
) as TextSchema<"R" | "S">;

/** `32:60,1024:30,65536:10`: size:weight pairs. */
export const sizeListText: TextSchema<{ bytes: number; weight: number }[]> = v.pipe(
  v.string(),
  v.regex(/^\s*\d+:\d+\s*(,\s*\d+:\d+\s*)*$/, "must be SIZE:WEIGHT pairs, like 32:60,1024:30,65536:10"),
  v.transform((t) =>
    t.split(",").map((pair) => {
      const [bytes, weight] = pair.split(":").map((x) => Number(x.trim()));
      return { bytes: bytes!, weight: weight! };
    }),
  ),
  v.check((list) => list.every((e) => e.bytes >= 1 && e.bytes <= MAX_DATA_SIZE_BYTES), `must have sizes ${SIZE}`),
  v.check((list) => list.every((e) => e.weight > 0), "must have weights greater than 0"),
  v.check((list) => new Set(list.map((e) => e.bytes)).size === list.length, "must name each size once"),
);

/** `key` or `hash:f1,f2` (the seed's spelling). */
export const addressTypeText: TextSchema<AddressType> = v.pipe(
  v.string(),
  v.regex(/^(key|hash:[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+)*)$/, "must be key or hash:FIELD1,FIELD2 (field names of letters, digits, _ . -)"),
  v.transform((t): AddressType => (t === "key" ? { kind: "key" } : { kind: "hash", fields: t.slice(5).split(",") })),
  v.check((a) => a.kind === "key" || new Set(a.fields).size === a.fields.length, "must name each field once"),
);
