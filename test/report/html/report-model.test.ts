// The HTML report's over-time charts as data (no browser): a test shorter than a quarter of
// --interval still draws its one point, a sliver next to full intervals is left out, and a chart
// with nothing to draw carries the reason instead of empty axes.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { encodeHistogram } from "../../../src/metrics/histogram.ts";
import type { Timeline } from "../../../src/metrics/timeline.ts";
import { buildReportModel } from "../../../src/report/html/report-model.ts";
import type { JsonReport } from "../../../src/report/json.ts";
import { configOf, histogramOf, latencies, reportOf, result, tempDir } from "../../results/support.ts";
import { expectExit, runBench } from "../../support/run-cli.ts";
import { startValkey, type ValkeyServer } from "../../support/valkey.ts";

let server: ValkeyServer;
const dir = tempDir("report-model");
beforeAll(async () => {
  server = await startValkey();
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

const chart = (model: ReturnType<typeof buildReportModel>, title: string) => model.sections[0]!.charts.find((c) => c.title.startsWith(title))!;
const drawn = (data: (number | null)[][]) => data.slice(1).flat().filter((y) => y !== null);

/** A timeline of points lasting `lengthsMs` each, back to back, with `completed` replies each. */
function timeline(lengthsMs: number[], completed: number): Timeline {
  const t0 = 1_800_000_000_000;
  let at = t0;
  const h = histogramOf(latencies(completed, 500));
  const points = lengthsMs.map((len) => {
    const p = {
      startMs: at,
      endMs: at + len,
      client: { requests: completed, completed, errors: 0, errorsByType: {}, throughput: completed / (len / 1000), errorRate: 0, latencyMs: completed > 0 ? { p50: 0.5, p99: 0.7, max: 0.75, mean: 0.5 } : null, histogram: encodeHistogram(h) },
    };
    at += len;
    return p;
  });
  h.destroy();
  return { intervalMs: 1000, points };
}

async function modelOf(t: Timeline, durationSec: number) {
  const report = reportOf(await configOf(["-t", "set"]), [result({ timeline: t, durationSec })]) as JsonReport;
  return buildReportModel([{ path: "run.json", report }]);
}

describe("over-time charts", () => {
  test("a real run shorter than a quarter of --interval: the JSON timeline has its point and the charts draw it", async () => {
    const file = join(dir, "short.json");
    const run = await runBench(["-p", String(server.port), "-t", "set", "-n", "2000", "--interval", "10", "-q", "-o", file]);
    expectExit(run, 0);
    const report = JSON.parse(readFileSync(file, "utf8")) as JsonReport;
    const t = report.tests[0]!;
    expect(t.durationSec).toBeLessThan(2.5);
    // The JSON: one point with every request of the test.
    expect(t.timeline!.points).toHaveLength(1);
    const point = t.timeline!.points[0]!;
    expect(point.client.requests).toBe(2000);
    expect(point.endMs - point.startMs).toBeLessThan(2500);
    // The charts: that point, and a note saying the test was shorter than one interval.
    const model = buildReportModel([{ path: file, report }]);
    const tput = chart(model, "Throughput over time");
    expect(drawn(tput.data)).toEqual([point.client.throughput]);
    expect(tput.note).toContain("less than one --interval (10 s): its single point covers the whole test");
    expect(drawn(chart(model, "Latency over time").data)).toEqual([point.client.latencyMs!.p50, point.client.latencyMs!.p99]);
  });

  test("next to full intervals, a last sliver shorter than a quarter interval is still left out of the throughput chart", async () => {
    const model = await modelOf(timeline([1000, 1000, 100], 1000), 2.1);
    expect(chart(model, "Throughput over time").data[1]).toEqual([1000, 1000, null]);
    expect(chart(model, "Throughput over time").note).not.toContain("single point");
    // Latency has no rate to be noisy: every point is drawn.
    expect(drawn(chart(model, "Latency over time").data)).toHaveLength(6);
  });

  test("a chart with nothing to draw says why instead of showing empty axes", async () => {
    const model = await modelOf(timeline([1000, 1000], 0), 2);
    const latency = chart(model, "Latency over time");
    expect(drawn(latency.data)).toEqual([]);
    expect(latency.empty).toBe("no request was answered successfully in any interval: no latency to draw");
    expect(chart(model, "Throughput over time").empty).toBeUndefined();
  });
});
