/**
 * What the HTML report shows, computed from one or more JSON reports (ordinary runs, merged
 * shards, optimizer and sweep documents): a summary table per test, charts per test, the
 * recall-vs-QPS view, and the configurations side by side with their differences marked.
 */
import type { NodeResult } from "../../metrics/node-results.ts";
import type { Timeline } from "../../metrics/timeline.ts";
import type { JsonReport, JsonTestReport } from "../json.ts";
import { configTable } from "../config-diff.ts";
import { recallOf } from "../test-recall.ts";
import { align, nodeBars, PALETTE, spectrumPoints, timelinePoints, type ChartSpec } from "./charts.ts";

export interface RunInput {
  path: string;
  /** A JSON report, or an optimizer/sweep document (`kind: "optimize"`). */
  report: JsonReport | OptimizeDocument;
}

/** The parts of the optimizer's document (src/optimize/report-json.ts) the report reads. */
export interface OptimizeDocument {
  tool: string;
  kind: "optimize";
  mode: "optimize" | "sweep";
  startedAt: string;
  test: string;
  settings: { key: string; qps: { mean: number }; p99Ms: { mean: number }; recall: number | null; feasible: boolean; failed: string | null }[];
  paretoFront: string[];
  chosen: { key: string } | null;
  config: unknown;
}

export interface SummaryRow {
  run: string;
  throughput: number;
  p50: number | null;
  p99: number | null;
  p999: number | null;
  errors: number;
  recall: number | null;
}

export interface ReportModel {
  generatedAt: string;
  runs: { label: string; path: string; startedAt: string; kind: string; color: string }[];
  summaries: { test: string; rows: SummaryRow[] }[];
  sections: { title: string; charts: ChartSpec[] }[];
  config: { labels: string[]; rows: { path: string; values: string[]; differs: boolean }[] };
}

const MAX_SERVER_METRIC_CHARTS = 12;

function isOptimize(r: RunInput["report"]): r is OptimizeDocument {
  return (r as OptimizeDocument).kind === "optimize";
}

function labelOf(path: string, i: number, all: RunInput[]): string {
  const base = path.replace(/^.*[\\/]/, "").replace(/\.json$/i, "");
  return all.filter((r) => r.path.replace(/^.*[\\/]/, "").replace(/\.json$/i, "") === base).length > 1 ? `${i + 1}:${base}` : base;
}

export function buildReportModel(inputs: RunInput[], now = new Date()): ReportModel {
  const runs = inputs.map((r, i) => ({
    label: labelOf(r.path, i, inputs),
    path: r.path,
    startedAt: r.report.startedAt,
    kind: isOptimize(r.report) ? r.report.mode : (r.report as { merged?: unknown }).merged ? "merged shards" : "run",
    color: PALETTE[i % PALETTE.length]!,
  }));
  const plain = inputs.map((r, i) => ({ run: runs[i]!, report: isOptimize(r.report) ? undefined : r.report })).filter((r) => r.report !== undefined) as { run: (typeof runs)[number]; report: JsonReport }[];
  const titles = [...new Set(plain.flatMap((p) => p.report.tests.map((t) => t.title)))];
  const summaries = titles.map((test) => ({
    test,
    rows: plain.flatMap(({ run, report }) => {
      const t = report.tests.find((x) => x.title === test);
      if (!t) return [];
      return [{ run: run.label, throughput: t.throughput, p50: t.latencyMs?.p50 ?? null, p99: t.latencyMs?.p99 ?? null, p999: t.latencyMs?.p99_9 ?? null, errors: t.requests.errors, recall: recallOf(t)?.mean ?? null }];
    }),
  }));
  const sections: ReportModel["sections"] = [];
  for (const [ti, test] of titles.entries()) {
    const withTest = plain.map((p) => ({ ...p, t: p.report.tests.find((x) => x.title === test) })).filter((p): p is typeof p & { t: JsonTestReport } => p.t !== undefined);
    sections.push({ title: test, charts: testCharts(`t${ti}`, withTest) });
  }
  const recallCharts = recallVsQps(plain, inputs, runs);
  if (recallCharts.length > 0) sections.push({ title: "Recall vs throughput", charts: recallCharts });
  const configs = inputs.map((r) => r.report.config);
  return {
    generatedAt: now.toISOString(),
    runs,
    summaries,
    sections,
    config: { labels: runs.map((r) => r.label), rows: configTable(configs) },
  };
}

type RunTest = { run: { label: string; color: string }; t: JsonTestReport };

/** Is the point long enough for its rate to be plotted next to full intervals? */
function fullEnough(t: Timeline, p: Timeline["points"][number]): boolean {
  return p.endMs - p.startMs >= t.intervalMs / 4;
}

/**
 * The note of the over-time charts: which points the throughput chart leaves out, and for a
 * test shorter than one --interval, that its one point is the whole test.
 */
function overTimeNote(timed: RunTest[]): string {
  const notes = ["Intervals shorter than a quarter of --interval (usually the test's last) are left out of the throughput chart when the test has longer ones; the JSON has them."];
  for (const i of timed) {
    const t = i.t.timeline!;
    if (t.points.length !== 1) continue;
    const who = timed.length > 1 ? `${i.run.label}: the test` : "The test";
    notes.push(`${who} lasted ${formatSeconds(i.t.durationSec)}, less than one --interval (${formatSeconds(t.intervalMs / 1000)}): its single point covers the whole test.`);
  }
  return notes.join(" ");
}

function formatSeconds(s: number): string {
  return `${s >= 10 ? s.toFixed(0) : s >= 1 ? s.toFixed(1) : s.toFixed(3)} s`;
}

/** The over-time charts' reason when no interval has a value (nothing answered). */
function withoutPoints(chart: ChartSpec, reason: string): ChartSpec {
  return chart.data.slice(1).some((ys) => ys.some((y) => y !== null)) ? chart : { ...chart, empty: reason };
}

function testCharts(id: string, items: RunTest[]): ChartSpec[] {
  const charts: ChartSpec[] = [];
  const timed = items.filter((i) => i.t.timeline && i.t.timeline.points.length > 0);
  if (timed.length > 0) {
    const note = overTimeNote(timed);
    charts.push({
      id: `${id}-tput`,
      title: "Throughput over time",
      kind: "line",
      x: { label: "seconds" },
      y: { label: "requests/s" },
      series: timed.map((i) => ({ label: i.run.label, color: i.run.color })),
      // A sliver of an interval (the test's last few ms) has a rate too noisy to plot next to
      // full intervals. A test shorter than a quarter interval has only its sliver, whose rate
      // is the test's own over its length: kept, so a short run still shows its point.
      data: align(
        timed.map((i) => {
          const t = i.t.timeline!;
          const anyFull = t.points.some((p) => fullEnough(t, p));
          return timelinePoints(t, (p) => (!anyFull || fullEnough(t, p) ? p.client.throughput : null));
        }),
      ),
      note,
    });
    charts.push(
      withoutPoints(
        {
          id: `${id}-lat`,
          title: "Latency over time: p50 (solid) and p99 (dashed)",
          kind: "line",
          x: { label: "seconds" },
          y: { label: "ms", log: true },
          series: timed.flatMap((i) => [
            { label: `${i.run.label} p50`, color: i.run.color },
            { label: `${i.run.label} p99`, color: i.run.color, dash: true },
          ]),
          data: align(timed.flatMap((i) => [timelinePoints(i.t.timeline!, (p) => p.client.latencyMs?.p50), timelinePoints(i.t.timeline!, (p) => p.client.latencyMs?.p99)])),
        },
        "no request was answered successfully in any interval: no latency to draw",
      ),
    );
  }
  const spectra = items.filter((i) => i.t.requests.completed + i.t.requests.errors > 0);
  if (spectra.length > 0) {
    charts.push({
      id: `${id}-spec`,
      title: "Latency by percentile (HdrHistogram log axis)",
      kind: "line",
      x: { label: "percentile", log: true, percentile: true },
      y: { label: "ms", log: true },
      series: spectra.map((i) => ({ label: i.run.label, color: i.run.color })),
      data: align(spectra.map((i) => spectrumPoints(i.t.histogram))),
    });
  }
  for (const [k, i] of items.entries()) {
    const nodes = i.t.extra?.nodes as NodeResult[] | undefined;
    if (!Array.isArray(nodes) || nodes.length < 2) continue;
    const bars = nodeBars(nodes);
    const imbalance = i.t.extra?.imbalance as { maxMinRatio: number; maxDeviationPct: number; warning: boolean } | undefined;
    const mean = bars.throughput.reduce((a, b) => a + b, 0) / bars.throughput.length;
    const xs = bars.names.map((_, n) => n);
    const note = imbalance
      ? `busiest / least busy node: ${Number.isFinite(imbalance.maxMinRatio) ? imbalance.maxMinRatio.toFixed(2) : "∞"}, largest deviation from the mean ${imbalance.maxDeviationPct.toFixed(1)}%${imbalance.warning ? " - IMBALANCED (above --imbalance-threshold)" : ""}`
      : undefined;
    charts.push({
      id: `${id}-nodes${k}`,
      title: `Per node (${i.run.label}): throughput, with the mean`,
      kind: "bars",
      x: { label: "node", names: bars.names },
      y: { label: "requests/s" },
      series: [
        { label: "throughput", color: imbalance?.warning ? "#d62728" : i.run.color },
        { label: "mean", color: "#333333", dash: true },
      ],
      data: [xs, bars.throughput, xs.map(() => mean)],
      note,
    });
    charts.push({
      id: `${id}-nodesp99${k}`,
      title: `Per node (${i.run.label}): p99 latency`,
      kind: "bars",
      x: { label: "node", names: bars.names },
      y: { label: "ms" },
      series: [{ label: "p99", color: i.run.color }],
      data: [xs, bars.p99],
    });
  }
  charts.push(...serverMetricCharts(id, timed));
  charts.push(...recallCharts(id, items));
  return charts;
}

function serverMetricCharts(id: string, timed: RunTest[]): ChartSpec[] {
  const charts: ChartSpec[] = [];
  const metrics = new Set<string>();
  for (const i of timed) for (const p of i.t.timeline!.points) for (const sample of Object.values(p.nodes ?? {})) for (const [m, v] of Object.entries(sample)) if (typeof v === "number") metrics.add(m);
  for (const metric of [...metrics].slice(0, MAX_SERVER_METRIC_CHARTS)) {
    const series: ChartSpec["series"] = [];
    const points: [number, number | null][][] = [];
    let color = 0;
    for (const i of timed) {
      const addresses = [...new Set(i.t.timeline!.points.flatMap((p) => Object.keys(p.nodes ?? {})))];
      for (const address of addresses) {
        series.push({ label: timed.length > 1 ? `${i.run.label} ${address}` : address, color: PALETTE[color++ % PALETTE.length]! });
        points.push(timelinePoints(i.t.timeline!, (p) => p.nodes?.[address]?.[metric]));
      }
    }
    charts.push({ id: `${id}-srv-${charts.length}`, title: `Server: ${metric}`, kind: "line", x: { label: "seconds" }, y: { label: metric }, series, data: align(points) });
  }
  return charts;
}

function recallCharts(id: string, items: RunTest[]): ChartSpec[] {
  const charts: ChartSpec[] = [];
  const withRecall = items.map((i) => ({ ...i, r: recallOf(i.t) })).filter((i) => i.r !== undefined);
  if (withRecall.length === 0) return charts;
  const quantiles = ["min", "p1", "p5", "p50", "mean", "max"] as const;
  charts.push({
    id: `${id}-rdist`,
    title: `Recall@${withRecall[0]!.r!.k} distribution over queries`,
    kind: "bars",
    x: { label: "quantile", names: [...quantiles] },
    y: { label: "recall" },
    series: withRecall.map((i) => ({ label: i.run.label, color: i.run.color })),
    data: [quantiles.map((_, n) => n), ...withRecall.map((i) => quantiles.map((q) => i.r![q] ?? null))],
  });
  const timed = withRecall.filter((i) => i.t.timeline?.points.some((p) => p.client.recall));
  if (timed.length > 0) {
    charts.push({
      id: `${id}-rtime`,
      title: "Recall over time",
      kind: "line",
      x: { label: "seconds" },
      y: { label: "recall" },
      series: timed.map((i) => ({ label: i.run.label, color: i.run.color })),
      data: align(timed.map((i) => timelinePoints(i.t.timeline!, (p) => p.client.recall?.mean))),
    });
  }
  return charts;
}

function recallVsQps(plain: { run: { label: string }; report: JsonReport }[], inputs: RunInput[], runs: { label: string; color: string }[]): ChartSpec[] {
  const charts: ChartSpec[] = [];
  const runPoints: [number, number | null][] = [];
  for (const { report } of plain) {
    for (const t of report.tests) {
      const r = recallOf(t);
      if (r) runPoints.push([Math.round(t.throughput * 100) / 100, r.mean]);
    }
  }
  if (runPoints.length > 1) {
    charts.push({ id: "rq-runs", title: "Recall vs QPS: the runs given", kind: "line", x: { label: "queries/s" }, y: { label: "recall" }, series: [{ label: "runs", color: PALETTE[0]!, points: true }], data: align([runPoints]) });
  }
  for (const [i, input] of inputs.entries()) {
    if (!isOptimize(input.report)) continue;
    const doc = input.report;
    const measured = doc.settings.filter((s) => s.recall !== null && !s.failed);
    if (measured.length === 0) continue;
    const all: [number, number | null][] = measured.map((s) => [Math.round(s.qps.mean * 100) / 100, s.recall]);
    const front = doc.paretoFront.map((k) => measured.find((s) => s.key === k)).filter((s) => s !== undefined).map((s): [number, number | null] => [Math.round(s.qps.mean * 100) / 100, s.recall]);
    const chosen = doc.chosen ? measured.filter((s) => s.key === doc.chosen!.key).map((s): [number, number | null] => [Math.round(s.qps.mean * 100) / 100, s.recall]) : [];
    charts.push({
      id: `rq-opt${i}`,
      title: `Recall vs QPS (${runs[i]!.label}, ${doc.mode} of ${doc.test}): every setting, the Pareto front${chosen.length ? " and the choice" : ""}`,
      kind: "line",
      x: { label: "queries/s" },
      y: { label: "recall" },
      series: [
        { label: "settings", color: "#7f7f7f", points: true },
        { label: "Pareto front", color: runs[i]!.color },
        ...(chosen.length ? [{ label: "chosen", color: "#d62728", points: true }] : []),
      ],
      data: align(chosen.length ? [all, front, chosen] : [all, front]),
    });
  }
  return charts;
}
