/**
 * valibot schemas that turn one flag's text into its typed value. Their messages are fragments
 * ("must be at least 1"); the caller prefixes the flag as the user spelled it and appends the
 * offending text, giving `-P must be at least 1 (got 0)`.
 */
import * as v from "valibot";
import type { OutputFormat, Warmup, ReadFrom } from "./types.ts";

/** A schema from flag text to a typed value. */
export type TextSchema<T> = v.GenericSchema<string, T>;

export const MAX_DATA_SIZE_BYTES = 512 * 1024 * 1024;

/** Whole number in [min, max], plain digits only (no 1e3, no 1_000), so typos fail loudly. */
export function integerText(
  min: number,
  max: number = Number.MAX_SAFE_INTEGER,
  maxText: string = String(max),
): TextSchema<number> {
  const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `between ${min} and ${maxText}`;
  return v.pipe(
    v.string(),
    v.regex(/^[+-]?\d+$/, `must be a whole number ${range}`),
    v.transform(Number),
    v.minValue(min, `must be ${range}`),
    v.maxValue(max, `must be ${range}`),
  );
}

/** Finite decimal number >= min (used for rates and seconds). */
export function numberText(min: number, what = `a number >= ${min}`): TextSchema<number> {
  return v.pipe(
    v.string(),
    v.regex(/^[+]?(\d+\.?\d*|\.\d+)$|^-\d+\.?\d*$/, `must be ${what}`),
    v.transform(Number),
    v.minValue(min, `must be ${what}`),
  );
}

export const nonEmptyText: TextSchema<string> = v.pipe(v.string(), v.minLength(1, "must not be empty"));

/** Any text, including empty (`--key-prefix ""`). */
export const anyText: TextSchema<string> = v.string();

/** `--keepalive 0|1`, as valkey-benchmark's `-k`. */
export const keepaliveText: TextSchema<boolean> = v.pipe(
  v.string(),
  v.picklist(["0", "1"], "must be 1 (keep connections) or 0 (reconnect after each request)"),
  v.transform((text) => text === "1"),
);

/** `--threads N` or `auto` (every core: navigator.hardwareConcurrency). */
const THREADS_MESSAGE = "must be a whole number between 1 and 1024, or auto";
export const threadsText: TextSchema<number | "auto"> = v.pipe(
  v.string(),
  v.regex(/^(auto|\d+)$/, THREADS_MESSAGE),
  v.transform((text): number | "auto" => (text === "auto" ? "auto" : Number(text))),
  v.check((threads) => threads === "auto" || (threads >= 1 && threads <= 1024), THREADS_MESSAGE),
);

/** Seconds, with an optional `s` suffix: `30`, `30s`, `2.5`. Must be > 0. */
export const secondsText: TextSchema<number> = v.pipe(
  v.string(),
  v.regex(/^(\d+\.?\d*|\.\d+)s?$/, "must be a number of seconds greater than 0, like 30 or 30s"),
  v.transform((text) => Number(text.replace(/s$/, ""))),
  v.check((seconds) => seconds > 0, "must be a number of seconds greater than 0, like 30 or 30s"),
);

/** `--warmup`: `5` or `5s` = seconds, `1000r` or `1000req` = requests. */
export const warmupText: TextSchema<Warmup> = v.pipe(
  v.string(),
  v.regex(
    /^(\d+\.?\d*|\.\d+)s?$|^\d+(r|req)$/,
    "must be seconds (5 or 5s) or a request count (1000r or 1000req)",
  ),
  v.transform((text): Warmup => {
    const requests = /^(\d+)(r|req)$/.exec(text);
    if (requests) return { kind: "requests", requests: Number(requests[1]) };
    return { kind: "seconds", seconds: Number(text.replace(/s$/, "")) };
  }),
  v.check(
    (warmup) => (warmup.kind === "seconds" ? warmup.seconds > 0 : warmup.requests > 0),
    "must be greater than 0 (omit --warmup for no warmup)",
  ),
);

/** `--rfr`, with valkey-benchmark's no|yes|all as aliases. */
export const readFromText: TextSchema<ReadFrom> = v.pipe(
  v.string(),
  v.transform((t) => t.toLowerCase()),
  v.transform((t) => (t === "no" ? "primary" : t === "yes" ? "prefer-replica" : t === "all" ? "round-robin" : t)),
  v.picklist(
    ["primary", "prefer-replica", "round-robin", "az-affinity"],
    "must be primary, prefer-replica, round-robin or az-affinity (valkey-benchmark's no, yes, all also work)",
  ),
) as TextSchema<ReadFrom>;

export const outputFormatText: TextSchema<OutputFormat> = v.picklist(
  ["text", "json", "csv"],
  "must be text, json or csv",
);

/** `true|false|1|0|yes|no`, for `--flag=value` on boolean flags. */
export const booleanText: TextSchema<boolean> = v.pipe(
  v.string(),
  v.picklist(["true", "false", "1", "0", "yes", "no"], "takes no value (or true/false)"),
  v.transform((text) => text === "true" || text === "1" || text === "yes"),
);
