import { expect, test } from "bun:test";
import type { BenchConfig } from "../../src/config/types.ts";
import { consoleMode, createConsoleReporter } from "../../src/report/console.ts";
import { formatCsvHeader } from "../../src/report/csv.ts";
import { formatOutputFile } from "../../src/report/output-file.ts";
import { result } from "./support-results.ts";
import { shapeOf, testBlocks } from "./valkey-output.ts";

function sink(isTTY: boolean) {
  let out = "";
  return { read: () => out, stream: { isTTY, write: (s: string) => (out += s) } };
}

const servers = [{ address: "127.0.0.1:6379", save: "", appendonly: "no" }];
const tick = { completed: 1, total: 2, elapsedSec: 0.1, intervalRate: 10, overallRate: 10, intervalAvgMs: 0.2, overallAvgMs: 0.2 };

test("--csv wins over -q, as in valkey-benchmark", () => {
  expect(consoleMode({ csv: true, quiet: true })).toBe("csv");
  expect(consoleMode({ csv: false, quiet: true })).toBe("quiet");
  expect(consoleMode({ csv: false, quiet: false })).toBe("text");
});

test("a CSV run prints the header, one row per test and nothing else, even on a terminal", () => {
  const out = sink(true);
  const reporter = createConsoleReporter({ mode: "csv", stream: out.stream, servers });
  reporter.runStarted();
  reporter.progress.update({ title: "SET", ...tick });
  reporter.testFinished(result({ title: "SET" }));
  reporter.testFinished(result({ title: "GET" }));
  reporter.runFinished();
  const lines = out.read().split("\n");
  expect(out.read().startsWith(formatCsvHeader())).toBe(true);
  expect(lines).toHaveLength(4);
  expect(out.read()).not.toContain("\r");
});

test("a quiet run on a terminal replaces the progress line with the result line and ends with an empty line", () => {
  const out = sink(true);
  const reporter = createConsoleReporter({ mode: "quiet", stream: out.stream });
  reporter.runStarted();
  reporter.progress.update({ title: "SET", ...tick });
  reporter.testFinished(result({ title: "SET" }));
  reporter.runFinished();
  const visible = out.read().split("\n").map((l) => l.slice(l.lastIndexOf("\r") + 1));
  expect(visible[0]).toMatch(/^SET: \d+\.\d{2} requests per second, p50=\d+\.\d{3} msec$/);
  expect(visible.slice(1)).toEqual(["", ""]);
});

test("a text run piped to a file has clean report blocks and the trailing empty line", () => {
  const out = sink(false);
  const reporter = createConsoleReporter({ mode: "text", stream: out.stream, servers });
  reporter.runStarted();
  reporter.progress.update({ title: "SET", ...tick });
  reporter.testFinished(result({ title: "SET" }));
  reporter.testFinished(result({ title: "GET" }));
  reporter.runFinished();
  const text = out.read();
  expect(text).not.toContain("\r");
  expect(text.startsWith("====== SET ======\n")).toBe(true);
  expect(text.endsWith("\n\n")).toBe(true);
  expect(testBlocks(text).map((b) => shapeOf(b)[0])).toEqual(["TITLE", "TITLE"]);
});

test("-o files: text equals the console's text, csv is the extended CSV, json parses", () => {
  const config = { connection: { password: undefined } } as unknown as BenchConfig;
  const results = [result({ title: "SET" })];
  const meta = { version: "0.1.0", startedAt: new Date(0), finishedAt: new Date(1000), servers };
  const out = sink(false);
  const reporter = createConsoleReporter({ mode: "text", stream: out.stream, servers });
  reporter.testFinished(results[0]!);
  reporter.runFinished();
  expect(formatOutputFile("text", config, results, meta)).toBe(out.read());
  expect(formatOutputFile("csv", config, results, meta).split("\n")[0]).toEndWith(',"errors","issued","errors_per_sec"');
  expect(JSON.parse(formatOutputFile("json", config, results, meta)).tests[0].title).toBe("SET");
});
