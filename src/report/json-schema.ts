/**
 * The JSON report's schema (schemaVersion 2) as a valibot schema: what docs/json-schema.md
 * describes, checked by the tests against every report they read (test/support/run-cli.ts).
 * Objects accept fields added later (a reader ignores what it does not know); every field listed
 * here is required with its type.
 */
import * as v from "valibot";
import { JSON_SCHEMA_VERSION } from "./json.ts";

const num = v.number();
const ratio = v.nullable(v.pipe(v.number(), v.minValue(0), v.maxValue(1)));

export const JsonLatencySchema = v.object({
  mean: num, min: num, max: num, p50: num, p90: num, p95: num, p99: num, p99_9: num, p99_99: num,
});

export const JsonRecallSchema = v.object({
  k: num,
  valid: v.boolean(),
  invalidReason: v.optional(v.string()),
  queries: num,
  mean: ratio,
  min: ratio,
  p1: ratio,
  p5: ratio,
  p50: ratio,
  max: ratio,
  perfect: num,
  zero: num,
  shortReplies: num,
  noGroundTruth: num,
  errorReplies: num,
  unscoredReplies: num,
  redirectedReplies: num,
});

export const JsonTestSchema = v.object({
  title: v.string(),
  requests: v.object({ issued: num, completed: num, errors: num }),
  errorsByType: v.record(v.string(), num),
  durationSec: num,
  throughput: num,
  errorRate: num,
  latencyMs: v.nullable(JsonLatencySchema),
  rate: v.nullable(v.object({ targetRps: num, achievedRps: num })),
  clients: num,
  dataSize: num,
  threads: num,
  keepalive: v.boolean(),
  extra: v.record(v.string(), v.unknown()),
  histogram: v.string(),
  timeline: v.optional(v.record(v.string(), v.unknown())),
  recall: v.optional(JsonRecallSchema),
  mrr: v.optional(ratio),
  ndcg: v.optional(ratio),
  replyOrder: v.optional(v.nullable(v.object({ checked: num, disagreements: num, farthestFirst: num, rankedByScores: num, rankedBy: v.string() }))),
  /** Present (true) on the test a stop signal cut short (src/report/report-file.ts). */
  interrupted: v.optional(v.literal(true)),
  /** The --loop round the test ran in (1, 2, ...); absent without --loop. */
  round: v.optional(num),
});

export const JsonReportSchema = v.object({
  tool: v.literal("valkey-search-benchmark"),
  version: v.string(),
  schemaVersion: v.literal(JSON_SCHEMA_VERSION),
  startedAt: v.pipe(v.string(), v.isoTimestamp()),
  finishedAt: v.pipe(v.string(), v.isoTimestamp()),
  units: v.object({ latency: v.literal("ms"), histogram: v.literal("us"), throughput: v.literal("requests/s"), duration: v.literal("s") }),
  config: v.record(v.string(), v.unknown()),
  servers: v.array(v.object({ address: v.string(), save: v.optional(v.string()), appendonly: v.optional(v.string()) })),
  tests: v.array(JsonTestSchema),
  /** How far the run got when the document was written (-o is rewritten after every test). */
  status: v.optional(v.picklist(["running", "complete", "interrupted", "failed"])),
  /** Why a "failed" or "interrupted" run stopped: the error, or the signal. */
  statusReason: v.optional(v.string()),
  /** Tests dropped from the start of a long --loop run to bound the file. */
  droppedTests: v.optional(num),
});

/** Problems of a parsed document against the schema ([] when it conforms), one line each. */
export function jsonReportProblems(doc: unknown): string[] {
  const r = v.safeParse(JsonReportSchema, doc);
  if (r.success) return [];
  return r.issues.map((i) => `${v.getDotPath(i) ?? "(root)"}: ${i.message}`);
}
