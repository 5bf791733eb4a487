// The HTML report in a real browser: headless Chromium (Debian's `chromium` package, which
// scripts/lib/ensure-deps.sh installs) driven by playwright-core opens a report made from real
// runs, shows no console errors, and every chart has drawn points. The screenshot is kept in
// .tmp/test-artifacts/ (ignored by git) for a human to look at.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { REPO_ROOT, expectExit, runBench } from "../../support/run-cli.ts";
import { startValkey, type ValkeyServer } from "../../support/valkey.ts";
import { tempDir } from "../../results/support.ts";
import { writeFileSync } from "node:fs";
import { encodeHistogram } from "../../../src/metrics/histogram.ts";
import { renderHtmlReport } from "../../../src/report/html/html-page.ts";
import { buildReportModel, type OptimizeDocument } from "../../../src/report/html/report-model.ts";
import type { JsonReport } from "../../../src/report/json.ts";
import { configOf, histogramOf, latencies, reportOf, result } from "../../results/support.ts";

const CHROMIUM = process.env.VSB_CHROMIUM ?? "/usr/bin/chromium";
const ARTIFACTS = join(REPO_ROOT, ".tmp", "test-artifacts");
const dir = tempDir("html");
let server: ValkeyServer;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: scripts/lib/ensure-deps.sh installs Debian's chromium (or set VSB_CHROMIUM)`);
  server = await startValkey();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Opens `file`, collects console errors, and reads every chart's drawn points and pixels. */
async function inspect(file: string, screenshot: string) {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("request", (r) => {
    if (!r.url().startsWith("file:")) requests.push(r.url());
  });
  await page.goto(`file://${file}`);
  // The page script marks the body when it finished; if it threw, say why.
  await page.waitForSelector("body[data-charts]", { state: "attached", timeout: 15_000 }).catch((e: Error) => {
    throw new Error(`the report did not finish drawing (${e.message.split("\n")[0]}); page errors: ${errors.join(" | ") || "none"}`);
  });
  const charts = await page.$$eval(".chart", (boxes) =>
    boxes.map((box) => {
      const canvas = box.querySelector("canvas");
      let inked = 0;
      // Pixels in the first run's colour (PALETTE[0], #1f77b4): its series, not the axes.
      let firstRunInk = 0;
      if (canvas) {
        const ctx = canvas.getContext("2d")!;
        const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 3; i < px.length; i += 4) {
          if (px[i]! > 0) inked++;
          if (px[i]! > 200 && Math.abs(px[i - 3]! - 0x1f) < 24 && Math.abs(px[i - 2]! - 0x77) < 24 && Math.abs(px[i - 1]! - 0xb4) < 24) firstRunInk++;
        }
      }
      const empty = box.querySelector(".note.empty")?.textContent ?? null;
      return { id: box.id, title: box.querySelector("h4")?.textContent ?? "", points: Number(box.getAttribute("data-points")), inked, firstRunInk, empty };
    }),
  );
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, screenshot), fullPage: true });
  await page.close();
  return { errors, requests, charts };
}

describe("HTML report in headless Chromium", () => {
  test("two real runs: every chart drew points, no console error, no network", async () => {
    const a = join(dir, "p1.json");
    const b = join(dir, "p8.json");
    for (const [file, pipeline] of [[a, "1"], [b, "8"]] as const) {
      const run = await runBench(["-p", String(server.port), "-t", "set,get", "-n", "40000", "-r", "1000", "-c", "10", "-P", pipeline, "--interval", "0.2", "-q", "-o", file], { timeoutMs: 40_000 });
      expectExit(run, 0);
    }
    const html = join(dir, "report.html");
    const report = await runBench(["report", a, b, "-o", html]);
    expectExit(report, 0);
    const seen = await inspect(html, "report-two-runs.png");
    expect(seen.errors).toEqual([]);
    expect(seen.requests).toEqual([]);
    const titles = seen.charts.map((c) => c.title);
    expect(titles).toContain("Throughput over time");
    expect(titles).toContain("Latency by percentile (HdrHistogram log axis)");
    for (const c of seen.charts) {
      expect({ chart: c.id, points: c.points > 1 }).toEqual({ chart: c.id, points: true });
      // An empty uPlot canvas still has axes; a drawn series inks far more pixels.
      expect({ chart: c.id, inked: c.inked > 2000 }).toEqual({ chart: c.id, inked: true });
    }
    expect(statSync(join(ARTIFACTS, "report-two-runs.png")).size).toBeGreaterThan(10_000);
  }, 120_000);

  test("-o x.html on a run writes the report directly", async () => {
    const html = join(dir, "direct.html");
    // Paced to 2 s: on a quiet machine 20000 unpaced requests end before the first quarter
    // interval, and the over-time charts would rightly have no point to draw.
    const run = await runBench(["-p", String(server.port), "-t", "ping_mbulk", "-n", "20000", "--rps", "10000", "-q", "-o", html], { timeoutMs: 40_000 });
    expectExit(run, 0);
    const seen = await inspect(html, "report-direct.png");
    expect(seen.errors).toEqual([]);
    expect(seen.charts.length).toBeGreaterThanOrEqual(3);
    for (const c of seen.charts) expect(c.points).toBeGreaterThan(0);
    const bad = await runBench(["-p", String(server.port), "--output-format", "html"]);
    expectExit(bad, 2);
    expect(bad.stderr).toContain("html writes a file: add -o FILE.html");
  }, 60_000);

  test("a run shorter than a quarter of --interval: its over-time charts draw its one point (they were empty)", async () => {
    const html = join(dir, "short.html");
    const run = await runBench(["-p", String(server.port), "-t", "set", "-n", "2000", "--interval", "10", "-q", "-o", html]);
    expectExit(run, 0);
    const seen = await inspect(html, "report-short-run.png");
    expect(seen.errors).toEqual([]);
    for (const title of ["Throughput over time", "Latency over time: p50 (solid) and p99 (dashed)"]) {
      const c = seen.charts.find((x) => x.title === title)!;
      expect({ title, points: c.points > 0, drawn: c.firstRunInk > 10, empty: c.empty }).toEqual({ title, points: true, drawn: true, empty: null });
    }
  }, 60_000);

  test("a chart with nothing to draw shows the reason instead of empty axes", async () => {
    const t0 = 1_800_000_000_000;
    const points = [0, 1].map((i) => ({ startMs: t0 + i * 1000, endMs: t0 + (i + 1) * 1000, client: { requests: 5, completed: 0, errors: 5, errorsByType: { ERR: 5 }, throughput: 0, errorRate: 5, latencyMs: null } }));
    const report = reportOf(await configOf(["-t", "set"]), [result({ title: "SET", timeline: { intervalMs: 1000, points } })]) as JsonReport;
    const html = join(dir, "empty.html");
    writeFileSync(html, renderHtmlReport(buildReportModel([{ path: "errors.json", report }])));
    const seen = await inspect(html, "report-empty-chart.png");
    expect(seen.errors).toEqual([]);
    const latency = seen.charts.find((x) => x.title.startsWith("Latency over time"))!;
    expect(latency.points).toBe(0);
    expect(latency.empty).toBe("Nothing to draw: no request was answered successfully in any interval: no latency to draw");
  }, 60_000);

  test("every chart kind draws: per-node bars, server metrics, recall, optimizer Pareto front", async () => {
    const t0 = 1_800_000_000_000;
    const points = Array.from({ length: 5 }, (_, i) => {
      const h = histogramOf(latencies(1000, 500 + 100 * i));
      const p = {
        startMs: t0 + i * 1000,
        endMs: t0 + (i + 1) * 1000,
        client: { requests: 1000, completed: 1000, errors: 0, errorsByType: {}, throughput: 1000, errorRate: 0, latencyMs: { p50: 0.5, p99: 0.9, max: 1, mean: 0.6 }, recall: { k: 10, mean: 0.9 + i / 100, queries: 1000 }, histogram: encodeHistogram(h) },
        nodes: { "10.0.0.1:6379": { ops_per_sec: 900 + i }, "10.0.0.2:6379": { ops_per_sec: 400 - i } },
      };
      h.destroy();
      return p;
    });
    const nodes = ["10.0.0.1:6379", "10.0.0.2:6379", "10.0.0.3:6379"].map((address, i) => ({ address, role: "primary", completed: 1000 * (i + 1), errors: 0, redirects: 0, throughput: 200 * (i + 1), p50Ms: 0.4, p99Ms: 0.9 + i }));
    const config = await configOf(["-t", "get"]);
    const report = reportOf(config, [result({ title: "VEC-QUERY (k=10)", timeline: { intervalMs: 1000, points }, extra: { nodes, imbalance: { maxMinRatio: 3, maxDeviationPct: 50, warning: true } } })]) as JsonReport;
    (report.tests[0] as unknown as Record<string, unknown>).recall = { k: 10, valid: true, queries: 5000, mean: 0.92, min: 0.5, p1: 0.6, p5: 0.7, p50: 0.95, max: 1 };
    const optimize: OptimizeDocument = {
      tool: "valkey-search-benchmark",
      kind: "optimize",
      mode: "sweep",
      startedAt: new Date(t0).toISOString(),
      test: "vec-query",
      settings: [10, 20, 40, 80].map((ef, i) => ({ key: `ef_search=${ef}`, qps: { mean: 4000 / (i + 1) }, p99Ms: { mean: 1 + i }, recall: 0.8 + i * 0.05, feasible: true, failed: null })),
      paretoFront: ["ef_search=10", "ef_search=20", "ef_search=40", "ef_search=80"],
      chosen: { key: "ef_search=40" },
      config,
    };
    const html = join(dir, "kinds.html");
    writeFileSync(html, renderHtmlReport(buildReportModel([{ path: "vector.json", report }, { path: "sweep.json", report: optimize }])));
    const seen = await inspect(html, "report-chart-kinds.png");
    expect(seen.errors).toEqual([]);
    const titles = seen.charts.map((c) => c.title);
    for (const want of ["Per node (vector): throughput, with the mean", "Per node (vector): p99 latency", "Server: ops_per_sec", "Recall@10 distribution over queries", "Recall over time"]) {
      expect(titles).toContain(want);
    }
    expect(titles.some((t) => t.startsWith("Recall vs QPS (sweep, sweep of vec-query)"))).toBe(true);
    for (const c of seen.charts) {
      expect({ chart: c.title, points: c.points > 1 }).toEqual({ chart: c.title, points: true });
      expect({ chart: c.title, inked: c.inked > 2000 }).toEqual({ chart: c.title, inked: true });
    }
  }, 60_000);
});
