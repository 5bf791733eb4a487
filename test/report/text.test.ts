import { describe, expect, test } from "bun:test";
import { cumulativeDistribution, percentileDistribution } from "../../src/report/hdr-iterate.ts";
import { formatDistributionLine, formatErrorTypes, formatTextReport } from "../../src/report/text.ts";
import { histogramOf, result } from "./support-results.ts";
import { fixture, reconstructHistogram, section, shapeOf, testBlocks } from "./valkey-output.ts";

const STANDALONE = [{ address: "127.0.0.1:6379", save: "", appendonly: "no" }];

describe("text report distributions follow valkey-benchmark's iteration rules", () => {
  const cases: Array<[string, 1 | 3]> = [
    ["default.txt", 3],
    ["threads2.txt", 3],
    ["precision1.txt", 1],
  ];
  for (const [file, digits] of cases) {
    test(`the same counts print the same percentile and cumulative lines as valkey-benchmark (${file})`, () => {
      const blocks = testBlocks(fixture(file));
      expect(blocks.length).toBeGreaterThan(0);
      for (const block of blocks) {
        const h = reconstructHistogram(block, digits);
        expect(percentileDistribution(h).map(formatDistributionLine)).toEqual(
          section(block, "Latency by percentile distribution:"),
        );
        expect(cumulativeDistribution(h).map(formatDistributionLine)).toEqual(
          section(block, "Cumulative distribution of latencies:"),
        );
      }
    });
  }
});

describe("text report layout", () => {
  test("a single-thread report has exactly valkey-benchmark's line structure", () => {
    const ours = formatTextReport(result(), { servers: STANDALONE });
    const theirs = testBlocks(fixture("default.txt"))[0]!;
    expect(shapeOf(ours)).toEqual(shapeOf(theirs));
    expect(shapeOf(ours).some((t) => t.startsWith("UNKNOWN"))).toBe(false);
  });

  test("a multi-thread report adds the threads line like valkey-benchmark --threads", () => {
    const ours = formatTextReport(result({ threads: 2 }), { servers: STANDALONE });
    expect(shapeOf(ours)).toEqual(shapeOf(testBlocks(fixture("threads2.txt"))[0]!));
    expect(ours).toContain("  multi-thread: yes\n  threads: 2\n");
  });

  test("header lines carry the run parameters and server settings verbatim", () => {
    const text = formatTextReport(result({ title: "LRANGE_100 (first 100 elements)", clients: 8, dataSize: 100, keepalive: false }), {
      servers: [{ address: "h:1", save: "3600 1 300 100", appendonly: "yes" }],
    });
    expect(text.split("\n").slice(0, 9)).toEqual([
      "====== LRANGE_100 (first 100 elements) ======",
      "  20000 requests completed in 0.17 seconds",
      "  8 parallel clients",
      "  100 bytes payload",
      "  keep alive: 0",
      '  host configuration "save": 3600 1 300 100',
      '  host configuration "appendonly": yes',
      "  multi-thread: no",
      "",
    ]);
  });

  test("the summary prints throughput with 2 decimals and avg/min/p50/p95/p99/max in %9.3f columns", () => {
    const values = Array.from({ length: 999 }, (_, i) => i + 1);
    const text = formatTextReport(result({ latencyUs: histogramOf(values), throughput: 115606.9364 }), { servers: STANDALONE });
    const lines = text.split("\n");
    const at = lines.indexOf("Summary:");
    expect(lines.slice(at, at + 5)).toEqual([
      "Summary:",
      "  throughput summary: 115606.94 requests per second",
      "  latency summary (msec):",
      "          avg       min       p50       p95       p99       max",
      "        0.500     0.001     0.500     0.949     0.989     0.999",
    ]);
    expect(text.endsWith("0.999\n")).toBe(true);
  });

  test("--precision does not change the printed decimals (valkey-benchmark uses it for the histogram)", () => {
    const r = result();
    expect(formatTextReport(r, { servers: STANDALONE, precision: 1 })).toBe(formatTextReport(r, { servers: STANDALONE }));
  });

  test("server settings are omitted when they could not be read", () => {
    const text = formatTextReport(result(), { servers: [{ address: "h:1" }] });
    expect(text).not.toContain("host configuration");
    expect(text).toContain("  keep alive: 1\n  multi-thread: no\n");
  });

  test("a cluster prints one configuration block per primary as valkey-benchmark --cluster does", () => {
    const text = formatTextReport(result(), {
      servers: [
        { address: "a:1", save: "", appendonly: "no" },
        { address: "b:2", save: "3600 1", appendonly: "yes" },
        { address: "c:3" },
      ],
    });
    expect(text).toContain(
      "  cluster mode: yes (3 primaries)\n" +
        "  node [0] configuration:\n    save: NONE\n    appendonly: no\n" +
        "  node [1] configuration:\n    save: 3600 1\n    appendonly: yes\n" +
        "  multi-thread: no\n",
    );
  });

  test("a test that sent nothing (vec-load with every vector present) says so and prints no latency numbers", () => {
    const text = formatTextReport(result({ latencyUs: histogramOf([]), completed: 0, issued: 0, throughput: 0 }), { servers: STANDALONE });
    expect(text).toContain("\nSummary:\n  no requests sent: the test had nothing to send (the messages above say why); throughput and latency withheld\n");
    expect(text).not.toContain("0.000");
    expect(text).not.toContain("latency summary");
    expect(text).not.toContain("throughput summary");
    expect(text).not.toContain("distribution");
  });

  test("a test whose every request failed has no latency numbers either, and keeps its error lines", () => {
    const text = formatTextReport(result({ latencyUs: histogramOf([]), completed: 0, issued: 5, errors: 5, errorsByType: { ERR: 5 }, throughput: 0 }), { servers: STANDALONE });
    expect(text).toContain("  no request was measured: none of the 5 sent got a successful reply; throughput and latency withheld\n  errors: 5 (ERR: 5)\n");
    expect(text).not.toContain("latency summary");
  });
});

describe("text report additions", () => {
  test("nothing is added to a clean unpaced run", () => {
    const text = formatTextReport(result(), { servers: STANDALONE });
    expect(text).not.toContain("errors");
    expect(text).not.toContain("rate:");
  });

  test("errors are reported by type after the summary with the issued = completed + errors identity", () => {
    const text = formatTextReport(
      result({ issued: 20_005, completed: 20_000, errors: 5, errorsByType: { WRONGTYPE: 2, ERR: 3 }, errorRate: 28.8 }),
      { servers: STANDALONE },
    );
    expect(text.endsWith(
      "  errors: 5 (ERR: 3, WRONGTYPE: 2)\n  issued = completed + errors: 20005 = 20000 + 5\n" +
        "  error rate: 28.80 errors per second (the throughput above counts successful replies only)\n",
    )).toBe(true);
  });

  test("a paced run reports the target and the achieved rate", () => {
    const text = formatTextReport(result({ rate: { targetRps: 10_000, achievedRps: 9998.5 } }), { servers: STANDALONE });
    expect(text.endsWith("  rate: target 10000.00 requests per second, achieved 9998.50 requests per second\n")).toBe(true);
  });
});

test("error types are listed most frequent first, ties by name", () => {
  expect(formatErrorTypes({ WRONGTYPE: 2, ERR: 3, MOVED: 2, TIMEOUT: 0 })).toBe("ERR: 3, MOVED: 2, WRONGTYPE: 2");
  expect(formatErrorTypes({})).toBe("");
});
