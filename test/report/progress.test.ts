import { expect, test } from "bun:test";
import { createProgress, formatProgressLine, type ProgressSnapshot } from "../../src/report/progress.ts";

function fakeStream(isTTY: boolean, columns?: number) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns, write: (s: string) => writes.push(s) } };
}

const snapshot: ProgressSnapshot = {
  title: "SET",
  completed: 20_000,
  total: 100_000,
  elapsedSec: 0.2,
  intervalRate: 123456,
  overallRate: 120000,
  intervalAvgMs: 0.4,
  overallAvgMs: 0.41,
};

test("the progress line has valkey-benchmark's fields followed by the request count", () => {
  expect(formatProgressLine(snapshot)).toBe(
    "SET: rps=123456.0 (overall: 120000.0) avg_msec=0.400 (overall: 0.410)  20000/100000 requests",
  );
});

test("a --duration run shows elapsed and total seconds; warmup is labelled", () => {
  const line = formatProgressLine({ ...snapshot, total: undefined, durationSec: 30, elapsedSec: 12.34, warmup: true });
  expect(line).toBe("Warming up SET: rps=123456.0 (overall: 120000.0) avg_msec=0.400 (overall: 0.410)  12.3/30 seconds");
});

test("before any reply the averages print as -nan, as valkey-benchmark's do", () => {
  expect(formatProgressLine({ ...snapshot, intervalAvgMs: NaN, overallAvgMs: NaN })).toContain("avg_msec=-nan (overall: -nan)");
});

test("on a terminal each update rewrites the line in place and clear() blanks it", () => {
  const { writes, stream } = fakeStream(true);
  const progress = createProgress({ enabled: true, stream });
  progress.update(snapshot);
  progress.update({ ...snapshot, title: "S" });
  progress.clear();
  const first = formatProgressLine(snapshot);
  const second = formatProgressLine({ ...snapshot, title: "S" });
  expect(writes[0]).toBe(`\r${first}\r`);
  // The shorter line is padded so no character of the longer one survives.
  expect(writes[1]).toBe(`\r${second}${" ".repeat(first.length - second.length)}\r`);
  expect(writes[2]).toBe(`\r${" ".repeat(second.length)}\r`);
  progress.clear();
  expect(writes).toHaveLength(3);
});

test("nothing is written when stdout is not a terminal or progress is disabled (--csv)", () => {
  const pipe = fakeStream(false);
  const p1 = createProgress({ enabled: true, stream: pipe.stream });
  p1.update(snapshot);
  p1.clear();
  expect(pipe.writes).toEqual([]);

  const tty = fakeStream(true);
  const p2 = createProgress({ enabled: false, stream: tty.stream });
  p2.update(snapshot);
  p2.clear();
  expect(tty.writes).toEqual([]);
});

test("a line wider than the terminal is cut so that \\r can still rewrite it", () => {
  const { writes, stream } = fakeStream(true, 40);
  createProgress({ enabled: true, stream }).update(snapshot);
  expect(writes[0]).toBe(`\r${formatProgressLine(snapshot).slice(0, 39)}\r`);
});
