import { describe, expect, test } from "bun:test";
import * as v from "valibot";
import { parseCli } from "../../src/cli/parse-cli.ts";
import type { BenchConfig } from "../../src/config/types.ts";
import { decodeHistogram } from "../../src/metrics/histogram.ts";
import { buildJsonReport, formatJsonReport } from "../../src/report/json.ts";
import { latencyStats } from "../../src/report/latency-stats.ts";
import { JsonReportSchema } from "../../src/report/json-schema.ts";
import { redactConfig, redactString, REDACTED } from "../../src/report/redact.ts";
import { histogramOf, result } from "./support-results.ts";

const PASSWORD = "s3cr3t-Pa55word!";

// The configuration the CLI builds, so these tests follow every config field the CLI adds.
const parsed = await parseCli(["--user", "bench", "-a", PASSWORD, "--key-prefix", "key:", "--output-format", "json", "--seed", "42"]);
if (parsed.kind !== "bench") throw new Error("expected a bench configuration");
const baseConfig = parsed.config;

function config(overrides: Partial<BenchConfig> = {}): BenchConfig {
  return { ...baseConfig, ...overrides };
}

const meta = {
  version: "0.1.0",
  startedAt: new Date("2026-01-02T03:04:05.000Z"),
  finishedAt: new Date("2026-01-02T03:04:15.500Z"),
  servers: [{ address: "127.0.0.1:6379", save: "", appendonly: "no" }],
};

const ReportSchema = JsonReportSchema;

describe("JSON report", () => {
  test("the document follows the published schema after a round trip through JSON", () => {
    const report = buildJsonReport(config(), [result(), result({ title: "GET", rate: { targetRps: 1000, achievedRps: 999.123 } })], meta);
    const parsed: unknown = JSON.parse(formatJsonReport(report));
    const check = v.safeParse(ReportSchema, parsed);
    if (!check.success) throw new Error(JSON.stringify(v.flatten(check.issues)));
    expect(check.output.tests).toHaveLength(2);
    expect(check.output.tests[1]!.rate).toEqual({ targetRps: 1000, achievedRps: 999.12 });
    expect(check.output.tests[0]!.rate).toBeNull();
  });

  test("per test it carries counts, latency in ms and a histogram that decodes to the same latencies", () => {
    const values = Array.from({ length: 999 }, (_, i) => i + 1);
    const r = result({ latencyUs: histogramOf(values), issued: 1003, completed: 999, errors: 4, errorsByType: { ERR: 4 }, durationSec: 0.5, throughput: 2006 });
    const t = buildJsonReport(config(), [r], meta).tests[0]!;
    expect(t.requests).toEqual({ issued: 1003, completed: 999, errors: 4 });
    expect(t.errorsByType).toEqual({ ERR: 4 });
    expect(t.latencyMs).toEqual({ mean: 0.5, min: 0.001, max: 0.999, p50: 0.5, p90: 0.899, p95: 0.949, p99: 0.989, p99_9: 0.998, p99_99: 0.999 });
    expect(latencyStats(decodeHistogram(t.histogram))).toEqual(latencyStats(r.latencyUs));
  });

  test("timestamps and version come from the run metadata", () => {
    const report = buildJsonReport(config(), [], meta);
    expect(report.startedAt).toBe("2026-01-02T03:04:05.000Z");
    expect(report.finishedAt).toBe("2026-01-02T03:04:15.500Z");
    expect(report.version).toBe("0.1.0");
    expect(report.config.clients).toBe(50);
  });

  test("an empty test has null latency rather than NaN (which JSON cannot carry)", () => {
    const t = buildJsonReport(config(), [result({ latencyUs: histogramOf([]) })], meta).tests[0]!;
    expect(t.latencyMs).toBeNull();
  });
});

describe("secrets", () => {
  test("no password appears anywhere in the JSON output, wherever it was", () => {
    const c = config({
      command: ["AUTH", "bench", PASSWORD],
      commandSequence: [{ repeat: 1, args: ["AUTH", "bench", PASSWORD] }],
      keyPrefix: `valkey://bench:${PASSWORD}@10.0.0.1:6379/0`,
    });
    const r = result({ extra: { uri: `rediss://:${PASSWORD}@h:1`, note: `pw=${PASSWORD}` } });
    const servers = [{ address: `valkey://u:${PASSWORD}@127.0.0.1:6379` }];
    const text = formatJsonReport(buildJsonReport(c, [r], { ...meta, servers }));
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain("s3cr3t");
    const parsed = JSON.parse(text) as { config: BenchConfig; tests: Array<{ extra: Record<string, string> }> };
    expect(parsed.config.connection.password).toBe(REDACTED);
    expect(parsed.config.command).toEqual(["AUTH", "bench", REDACTED]);
    expect(parsed.config.keyPrefix).toBe("valkey://bench:***@10.0.0.1:6379/0");
    expect(parsed.tests[0]!.extra.uri).toBe("rediss://:***@h:1");
    expect(parsed.config.connection.user).toBe("bench"); // the user name is not a secret
  });

  test("redactConfig hides the password without touching the original configuration", () => {
    const c = config();
    const redacted = redactConfig(c);
    expect(redacted.connection.password).toBe("***");
    expect(c.connection.password).toBe(PASSWORD);
    expect(redactConfig(config({ connection: { ...c.connection, password: undefined } })).connection.password).toBeUndefined();
  });

  test("URI passwords are hidden even when the configured password is unknown", () => {
    expect(redactString("valkeys://user:hunter2@host:6380/1", [])).toBe("valkeys://user:***@host:6380/1");
    expect(redactString("redis://host:6379", [])).toBe("redis://host:6379");
    expect(redactString("redis://user@host:6379", [])).toBe("redis://user@host:6379");
  });

  test("a very short password is redacted where it is a whole value, not inside every word", () => {
    expect(redactString("abc", ["abc"])).toBe("***");
    expect(redactString("abcdef", ["abc"])).toBe("abcdef");
  });

  test("the histogram encoding is never rewritten by redaction", () => {
    const r = result();
    const report = buildJsonReport(config(), [r], meta);
    const t = report.tests[0]!;
    // Even a password that happens to be a substring of the base64 text leaves it intact.
    const secret = t.histogram.slice(10, 20);
    const again = buildJsonReport(config({ connection: { ...config().connection, password: secret } }), [r], meta);
    expect(again.tests[0]!.histogram).toBe(t.histogram);
  });
});
