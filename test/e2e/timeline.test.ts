// Per-interval results (--interval) in the JSON timeline, and --hdr-log files that
// hdr-histogram-js's own log reader reads back.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HistogramLogReader } from "hdr-histogram-js";
import { decodeHistogram } from "../../src/metrics/histogram.ts";
import { expectExit, parseJsonReport, runBench } from "../support/run-cli.ts";
import { startValkey, type ValkeyServer } from "../support/valkey.ts";

let server: ValkeyServer;
let dir: string;

beforeAll(async () => {
  server = await startValkey();
  dir = mkdtempSync(join(tmpdir(), "vsb-timeline-"));
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("per-interval results", () => {
  test("the timeline's intervals add up to the test: requests, histogram counts, grid", async () => {
    const log = join(dir, "run.hlog");
    const run = await runBench(
      ["-p", String(server.port), "-t", "set,get", "-n", "30000", "-c", "8", "--threads", "2", "-r", "1000", "--rps", "20000", "--interval", "0.25", "--output-format", "json", "--hdr-log", log],
      { timeoutMs: 40_000 },
    );
    expectExit(run, 0);
    const report = parseJsonReport(run.stdout);
    for (const t of report.tests) {
      const tl = t.timeline!;
      expect(tl.intervalMs).toBe(250);
      // 30000 requests at 20000/s take 1.5 s: about 6 intervals of 250 ms.
      expect(tl.points.length).toBeGreaterThanOrEqual(4);
      let requests = 0;
      let counted = 0;
      for (const [i, p] of tl.points.entries()) {
        expect(p.endMs).toBeGreaterThan(p.startMs);
        if (i > 0) expect(p.startMs).toBeGreaterThanOrEqual(tl.points[i - 1]!.startMs);
        requests += p.client.requests;
        const h = decodeHistogram(p.client.histogram!);
        counted += h.totalCount;
        if (p.client.requests > 0) {
          expect(p.client.latencyMs!.p50).toBeLessThanOrEqual(p.client.latencyMs!.p99);
          expect(p.client.latencyMs!.p99).toBeLessThanOrEqual(p.client.latencyMs!.max);
          const rate = p.client.completed / ((p.endMs - p.startMs) / 1000);
          expect(Math.abs(p.client.throughput - rate) / rate).toBeLessThan(0.001);
        }
        h.destroy();
      }
      expect(requests).toBe(t.requests.completed + t.requests.errors);
      expect(counted).toBe(30000);
    }

    // The HdrHistogram log: one tagged interval per timeline point, read by hdr-histogram-js's reader.
    const text = readFileSync(log, "utf8");
    const reader = new HistogramLogReader(text);
    const perTag = new Map<string, number>();
    let intervals = 0;
    for (let h = reader.nextIntervalHistogram(); h !== null; h = reader.nextIntervalHistogram()) {
      perTag.set(h.tag!, (perTag.get(h.tag!) ?? 0) + h.totalCount);
      intervals++;
    }
    expect(perTag.get("SET")).toBe(30000);
    expect(perTag.get("GET")).toBe(30000);
    expect(intervals).toBe(report.tests.reduce((n, t) => n + t.timeline!.points.length, 0));
  }, 60_000);

  test("warmups record no timeline; --interval out of range is one line, exit 2", async () => {
    const run = await runBench(["-p", String(server.port), "-t", "ping_mbulk", "-n", "2000", "--warmup", "500r", "--output-format", "json"]);
    expectExit(run, 0);
    const t = parseJsonReport(run.stdout).tests[0]!;
    expect(t.timeline!.points.reduce((n, p) => n + p.client.requests, 0)).toBe(2000);

    const bad = await runBench(["-p", String(server.port), "--interval", "0.01"]);
    expectExit(bad, 2);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toContain("--interval must be between 0.1 and 3600 seconds");
  }, 30_000);
});
