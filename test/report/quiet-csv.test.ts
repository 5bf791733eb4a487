import { describe, expect, test } from "bun:test";
import { csvField, formatCsv, formatCsvHeader, formatCsvRow } from "../../src/report/csv.ts";
import { formatQuietLine } from "../../src/report/quiet.ts";
import { RUN_TRAILER } from "../../src/report/run.ts";
import { histogramOf, result } from "./support-results.ts";
import { fixture, withoutProgress } from "./valkey-output.ts";

const QUIET_LINE = /^(.+): \d+\.\d{2} requests per second, p50=\d+\.\d{3} msec$/;
const CSV_ROW = /^"(?:[^"]|"")*"(?:,"\d+\.\d{2}")(?:,"\d+\.\d{3}"){6}$/;

describe("-q", () => {
  test("every line of valkey-benchmark -q output has the shape we print", () => {
    const lines = withoutProgress(fixture("quiet.txt")).split("\n");
    expect(lines.at(-1)).toBe("");
    expect(lines.at(-2)).toBe(""); // the run's trailing empty line
    for (const line of lines.slice(0, -2)) expect(line).toMatch(QUIET_LINE);
  });

  test("the quiet line is exactly TITLE: rps requests per second, p50=X msec", () => {
    const values = Array.from({ length: 999 }, (_, i) => i + 1);
    const line = formatQuietLine(result({ latencyUs: histogramOf(values), throughput: 41666.666 }));
    expect(line).toBe("SET: 41666.67 requests per second, p50=0.500 msec\n");
    expect(line.trimEnd()).toMatch(QUIET_LINE);
  });

  test("a test that sent nothing prints no p50 of zero", () => {
    const line = formatQuietLine(result({ latencyUs: histogramOf([]), completed: 0, issued: 0, throughput: 0 }));
    expect(line).toBe("SET: no requests sent: the test had nothing to send (the messages above say why); throughput and latency withheld\n");
  });

  test("a text or quiet run ends with one empty line, as valkey-benchmark's does", () => {
    expect(RUN_TRAILER).toBe("\n");
    expect(fixture("default.txt").endsWith("\n\n")).toBe(true);
  });
});

describe("--csv", () => {
  test("the header is byte-identical to valkey-benchmark's", () => {
    const theirs = fixture("csv.txt").split("\n")[0] + "\n";
    expect(formatCsvHeader()).toBe(theirs);
  });

  test("valkey-benchmark's rows and ours have the same quoting and decimals, whatever --precision", () => {
    for (const file of ["csv.txt", "precision1.csv.txt"]) {
      const rows = fixture(file).split("\n").slice(1, -1);
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(row).toMatch(CSV_ROW);
      expect(fixture(file).endsWith('"\n')).toBe(true); // no trailing empty line in CSV mode
    }
    expect(formatCsvRow(result()).trimEnd()).toMatch(CSV_ROW);
  });

  test("a row carries title, rps, avg, min, p50, p95, p99, max", () => {
    const values = Array.from({ length: 999 }, (_, i) => i + 1);
    const row = formatCsvRow(result({ title: "LRANGE_100 (first 100 elements)", latencyUs: histogramOf(values), throughput: 79051.3834 }));
    expect(row).toBe('"LRANGE_100 (first 100 elements)","79051.38","0.500","0.001","0.500","0.949","0.989","0.999"\n');
  });

  test("quotes inside a title are doubled so the row stays valid CSV", () => {
    expect(csvField('SET "a b" 1')).toBe('"SET ""a b"" 1"');
    expect(formatCsvRow(result({ title: 'ECHO "x"' }))).toStartWith('"ECHO ""x""",');
  });

  test("the extended file form appends errors and issued columns after valkey-benchmark's", () => {
    expect(formatCsvHeader({ extended: true })).toBe(
      '"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms","errors","issued","errors_per_sec"\n',
    );
    const row = formatCsvRow(result({ issued: 20_003, errors: 3, errorRate: 17.3 }), { extended: true });
    expect(row.endsWith(',"3","20003","17.30"\n')).toBe(true);
    const plain = formatCsvRow(result({ issued: 20_003, errors: 3, errorRate: 17.3 }));
    expect(row.startsWith(plain.trimEnd())).toBe(true);
  });

  test("formatCsv is the header followed by one row per test", () => {
    const csv = formatCsv([result({ title: "SET" }), result({ title: "GET" })]);
    const lines = csv.split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[1]).toStartWith('"SET",');
    expect(lines[2]).toStartWith('"GET",');
    expect(lines[3]).toBe("");
  });
});
