/**
 * valibot schemas that turn one flag's text into its typed value. Their messages are fragments
 * ("must be at least 1"); the caller prefixes the flag as the user spelled it and appends the
 * offending text, giving `-P must be at least 1 (got 0)`.
 */
import * as v from "valibot";
import type { TextSchema } from "./text-schema.ts";
import { MetricSpecError, parseMetricDef, type MetricDef } from "../metrics/metric-def.ts";
import type { ErrorBudget, NumericFilter, OutputFormat, ReadFrom, SearchAlgorithm, SearchDistance, Warmup } from "./types.ts";

export type { TextSchema };

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
/** Timers hold at most 2^31-1 ms (about 24.8 days). */
const MAX_SECONDS = 2_147_483;

export const secondsText: TextSchema<number> = v.pipe(
  v.string(),
  v.regex(/^(\d+\.?\d*|\.\d+)s?$/, "must be a number of seconds greater than 0, like 30 or 30s"),
  v.transform((text) => Number(text.replace(/s$/, ""))),
  v.check((seconds) => seconds > 0, "must be a number of seconds greater than 0, like 30 or 30s"),
  v.check((seconds) => seconds <= MAX_SECONDS, `must be at most ${MAX_SECONDS} seconds (about 24 days)`),
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

/** `--max-errors 100` (errors per test) or `--max-errors 0.5%` (of the test's issued requests). */
export const errorBudgetText: TextSchema<ErrorBudget> = v.pipe(
  v.string(),
  v.regex(/^\d+$|^(\d+\.?\d*|\.\d+)%$/, "must be an error count (100) or a percentage of the requests (0.5%)"),
  v.transform((text): ErrorBudget => (text.endsWith("%") ? { kind: "percent", percent: Number(text.slice(0, -1)) } : { kind: "count", count: Number(text) })),
  v.check((b) => b.kind === "count" || b.percent <= 100, "must be a percentage between 0% and 100%"),
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
  ["text", "json", "csv", "html"],
  "must be text, json, csv or html (html needs -o FILE)",
);

/** `true|false|1|0|yes|no`, for `--flag=value` on boolean flags. */
export const booleanText: TextSchema<boolean> = v.pipe(
  v.string(),
  v.picklist(["true", "false", "1", "0", "yes", "no"], "takes no value (or true/false)"),
  v.transform((text) => text === "true" || text === "1" || text === "yes"),
);

// Vector search (issue 5)

export const searchAlgorithmText: TextSchema<SearchAlgorithm> = v.pipe(
  v.string(),
  v.transform((t) => t.toUpperCase()),
  v.picklist(["HNSW", "FLAT"], "must be HNSW or FLAT"),
) as TextSchema<SearchAlgorithm>;

export const searchDistanceText: TextSchema<SearchDistance> = v.pipe(
  v.string(),
  v.transform((t) => t.toUpperCase()),
  v.picklist(["L2", "IP", "COSINE"], "must be L2, IP or COSINE"),
) as TextSchema<SearchDistance>;

export const SEARCH_ENGINES = ["valkey-search", "elasticache", "elasticache-serverless", "memorydb", "redisearch"] as const;
export type SearchEngine = (typeof SEARCH_ENGINES)[number];

export const searchEngineText: TextSchema<SearchEngine> = v.pipe(
  v.string(),
  v.transform((t) => t.toLowerCase()),
  v.picklist(SEARCH_ENGINES, `must be one of ${SEARCH_ENGINES.join(", ")}`),
) as TextSchema<SearchEngine>;

/** `a,b,c` → ["a", "b", "c"]; empty items are rejected. */
export const commaListText: TextSchema<string[]> = v.pipe(
  v.string(),
  v.transform((t) => t.split(",").map((s) => s.trim())),
  v.check((items) => items.length > 0 && items.every((s) => s !== ""), "must be a comma-separated list of names, like a,b"),
);

/** A field name for FT.CREATE / a hash field: no spaces, braces or query syntax characters. */
export const fieldNameText: TextSchema<string> = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, "must be a field name (letters, digits, _ . -; starting with a letter or _)"),
);

/** `price,year`: field names (as fieldNameText), each once. */
export const fieldListText: TextSchema<string[]> = v.pipe(
  v.string(),
  v.transform((t) => t.split(",").map((s) => s.trim())),
  v.check(
    (items) => items.every((s) => /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(s)),
    "must be field names separated by commas (letters, digits, _ . -; each starting with a letter or _), like price,year",
  ),
  v.check((items) => new Set(items).size === items.length, "must name each field once"),
);

/** A key prefix for SCAN MATCH and FT.CREATE PREFIX: no spaces, braces or glob characters. */
export const searchPrefixText: TextSchema<string> = v.pipe(
  v.string(),
  v.regex(/^[^\s{}*?\[\]\\]+$/, "must be a key prefix without spaces, braces or glob characters"),
);

/** `--tag-filter a|b`: tag values OR-ed inside `@field:{...}`. */
export const tagFilterText: TextSchema<string> = v.pipe(
  v.string(),
  v.transform((t) => t.split("|").map((s) => s.trim()).join("|")),
  v.check((t) => t.split("|").every((s) => s !== "" && !/[{}]/.test(s)), "must be tag values separated by |, like a|b"),
);

const BOUND = String.raw`\(?(?:[+-]?inf|[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)`;
const NUMERIC_FILTER = new RegExp(String.raw`^([A-Za-z_][A-Za-z0-9_.-]*):([\[(])\s*(${BOUND})\s*[ ,]\s*(${BOUND})\s*([\])])$`);
const NUMERIC_FILTER_MESSAGE = "must be FIELD:[LOW HIGH] (a ( before a bound or ( ) brackets make it exclusive; -inf/+inf allowed), like price:[10 (20]";

function bound(text: string): { value: number; exclusive: boolean } {
  const exclusive = text.startsWith("(");
  const t = exclusive ? text.slice(1) : text;
  const value = /^[+]?inf$/.test(t) ? Infinity : t === "-inf" ? -Infinity : Number(t);
  return { value, exclusive };
}

/** `--numeric-filter price:[10 (20]` (also the seed's `price:[10,20)`). */
export const numericFilterText: TextSchema<NumericFilter> = v.pipe(
  v.string(),
  v.regex(NUMERIC_FILTER, NUMERIC_FILTER_MESSAGE),
  v.transform((text): NumericFilter => {
    const m = NUMERIC_FILTER.exec(text)!;
    const lo = bound(m[3]!);
    const hi = bound(m[4]!);
    return {
      field: m[1]!,
      min: lo.value,
      max: hi.value,
      minExclusive: lo.exclusive || m[2] === "(",
      maxExclusive: hi.exclusive || m[5] === ")",
    };
  }),
  v.check((f) => f.min <= f.max, "must have LOW <= HIGH"),
);

/** `--mix vec-query:90,vec-update:10`: names are checked against -t's list in schema.ts. */
export const mixText: TextSchema<{ test: string; weight: number }[]> = v.pipe(
  v.string(),
  v.regex(/^\s*[A-Za-z0-9_-]+:\s*(\d+\.?\d*|\.\d+)\s*(,\s*[A-Za-z0-9_-]+:\s*(\d+\.?\d*|\.\d+)\s*)*$/, "must be TEST:WEIGHT pairs, like vec-query:90,vec-update:10"),
  v.transform((text) =>
    text.split(",").map((part) => {
      const [test, weight] = part.split(":");
      return { test: test!.trim().toLowerCase(), weight: Number(weight) };
    }),
  ),
  v.check((parts) => parts.every((p) => p.weight > 0), "weights must be greater than 0"),
  v.check((parts) => new Set(parts.map((p) => p.test)).size === parts.length, "names each test at most once"),
);

/** `--shard I/N`: 0-based part I of N (I < N). */
export const shardText: TextSchema<{ index: number; count: number }> = v.pipe(
  v.string(),
  v.regex(/^\d+\/\d+$/, "must be I/N with 0 <= I < N, like 0/3 (I is 0-based, as Kubernetes' JOB_COMPLETION_INDEX)"),
  v.transform((text) => {
    const [index, count] = text.split("/").map(Number) as [number, number];
    return { index, count };
  }),
  v.check((s) => s.count >= 1 && s.count <= 100_000, "must have N between 1 and 100000"),
  v.check((s) => s.index < s.count, "must have I below N (0-based: the shards of 3 are 0/3, 1/3 and 2/3)"),
);

/** `--start-at`: RFC 3339 date-time with a zone, or unix milliseconds; epoch ms. */
export const startAtText: TextSchema<number> = v.pipe(
  v.string(),
  v.check(
    (text) => /^\d{12,}$/.test(text) || (/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/i.test(text) && !Number.isNaN(Date.parse(text))),
    "must be an RFC 3339 time with a zone (2026-01-31T12:00:00Z) or unix milliseconds",
  ),
  v.transform((text) => (/^\d+$/.test(text) ? Number(text) : Date.parse(text))),
);

/** `--barrier NAME N` (the tokenizer joins the two tokens with a space). */
export const barrierText: TextSchema<{ name: string; count: number }> = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z0-9_.:-]{1,64} \d+$/, "must be NAME COUNT, like --barrier run42 3 (NAME: letters, digits, _ . : -)"),
  v.transform((text) => {
    const [name, count] = text.split(" ") as [string, string];
    return { name, count: Number(count) };
  }),
  v.check((b) => b.count >= 1 && b.count <= 100_000, "must have COUNT between 1 and 100000"),
);

/** `--track-metric section:field[:sub][:agg[:diff]][@nodes]` (metrics/metric-def.ts). */
export const metricDefText: TextSchema<MetricDef> = v.pipe(
  v.string(),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    try {
      return parseMetricDef(dataset.value);
    } catch (e) {
      if (!(e instanceof MetricSpecError)) throw e;
      addIssue({ message: `is not a metric definition: ${e.message}` });
      return NEVER;
    }
  }),
);
