// Reading the valkey-benchmark 8.0.1 outputs captured in fixtures/ (see fixtures/README.md).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { build, JsHistogram } from "hdr-histogram-js";

export function fixture(name: string): string {
  return readFileSync(join(import.meta.dir, "fixtures", name), "utf8");
}

/** The text as a terminal would leave it: per line, what follows the last "\r". */
export function withoutProgress(text: string): string {
  return text
    .split("\n")
    .map((line) => line.slice(line.lastIndexOf("\r") + 1))
    .join("\n");
}

/** The per-test blocks of a default report, each starting at its "====== T ======" line. */
export function testBlocks(text: string): string[] {
  const clean = withoutProgress(text);
  return clean
    .split(/(?=^====== )/m)
    .filter((b) => b.startsWith("====== "))
    .map((b) => b.replace(/\n+$/, "\n"));
}

export function section(block: string, heading: string): string[] {
  const lines = block.split("\n");
  const start = lines.indexOf(heading);
  if (start < 0) throw new Error(`no section ${heading}`);
  const end = lines.indexOf("", start);
  return lines.slice(start + 1, end);
}

const DIST_LINE = /^(\d+\.\d{3})% <= (\d+\.\d{3}) milliseconds \(cumulative count (\d+)\)$/;

/**
 * A histogram with valkey-benchmark's layout (10 µs .. 3 s, `significantDigits`) that has the
 * same cumulative counts at every value the block prints. Counts are lumped at the printed
 * values; both distributions are then determined by those points (see report tests).
 */
export function reconstructHistogram(block: string, significantDigits: 1 | 2 | 3 | 4): JsHistogram {
  const points = new Map<number, number>();
  for (const line of [...section(block, "Latency by percentile distribution:"), ...section(block, "Cumulative distribution of latencies:")]) {
    const m = DIST_LINE.exec(line);
    if (!m) throw new Error(`not a distribution line: ${line}`);
    points.set(Math.round(Number(m[2]) * 1000), Number(m[3]));
  }
  const h = build({
    lowestDiscernibleValue: 10,
    highestTrackableValue: 3_000_000,
    numberOfSignificantValueDigits: significantDigits,
    bitBucketSize: 64,
    useWebAssembly: false,
  });
  if (!(h instanceof JsHistogram)) throw new Error("expected a JS histogram");
  let previous = 0;
  for (const [valueUs, cumulative] of [...points].sort((a, b) => a[0] - b[0])) {
    if (cumulative > previous) h.recordValueWithCount(valueUs, cumulative - previous);
    previous = Math.max(previous, cumulative);
  }
  return h;
}

/**
 * The line grammar of a default-report block: each line mapped to a token, runs of
 * distribution lines collapsed to one "DIST" token. Two blocks with the same shape parse alike.
 */
export function shapeOf(block: string): string[] {
  const rules: Array<[RegExp, string]> = [
    [/^====== .+ ======$/, "TITLE"],
    [/^  \d+ requests completed in \d+\.\d{2} seconds$/, "COMPLETED"],
    [/^  \d+ parallel clients$/, "CLIENTS"],
    [/^  \d+ bytes payload$/, "PAYLOAD"],
    [/^  keep alive: [01]$/, "KEEPALIVE"],
    [/^  host configuration "save": .*$/, "SAVE"],
    [/^  host configuration "appendonly": .*$/, "APPENDONLY"],
    [/^  multi-thread: (yes|no)$/, "MULTITHREAD"],
    [/^  threads: \d+$/, "THREADS"],
    [/^$/, "BLANK"],
    [/^Latency by percentile distribution:$/, "PERCENTILES"],
    [/^Cumulative distribution of latencies:$/, "CUMULATIVE"],
    [DIST_LINE, "DIST"],
    [/^Summary:$/, "SUMMARY"],
    [/^  throughput summary: \d+\.\d{2} requests per second$/, "THROUGHPUT"],
    [/^  latency summary \(msec\):$/, "LATENCY_HEADING"],
    [/^ {10}avg {7}min {7}p50 {7}p95 {7}p99 {7}max$/, "LATENCY_COLUMNS"],
    [/^ {4}(?: {0,8}\d+\.\d{3}(?: |$)){6}$/, "LATENCY_VALUES"],
  ];
  const tokens: string[] = [];
  for (const line of block.replace(/\n$/, "").split("\n")) {
    const rule = rules.find(([re]) => re.test(line));
    const token = rule ? rule[1] : `UNKNOWN(${line})`;
    if (token === "DIST" && tokens.at(-1) === "DIST") continue;
    tokens.push(token);
  }
  return tokens;
}
