/**
 * `merge shard-*.json -o all.json`: the JSON reports of the shards of one run (`--shard I/N`)
 * combined into the report one process would have written:
 * - counts and errors by type summed; latency histograms added exactly (percentiles recomputed
 *   from the sum, never averaged); per-node tables merged the same way (their histograms);
 * - throughput over the common window: the span from the first shard's start to the last
 *   shard's end of each test (from the timelines; without them, the longest shard duration);
 * - recall: the mean over all queries of all shards (Σ mean·queries / Σ queries), min and max;
 *   shard percentiles cannot be combined and are left out;
 * - timelines: points of the same interval (counted from each shard's test start) merged like
 *   the test; server metrics are per shard and are not merged (listed in `merged.notMerged`).
 * Files from different configurations (other than the shard index, seed and output paths),
 * duplicate shards or different tests are refused with a UserError naming the difference.
 */
import { UserError } from "../errors.ts";
import { createLatencyHistogram, encodeHistogram, mergeEncodedInto, type Histogram } from "../metrics/histogram.ts";
import type { NodeResult } from "../metrics/node-results.ts";
import { imbalanceOf } from "../metrics/node-results.ts";
import type { Timeline, TimelinePoint } from "../metrics/timeline.ts";
import { clientInterval, mergeLatency } from "../metrics/timeline-merge.ts";
import { jsonLatencyMs, type JsonRecall, type JsonReport, type JsonTestReport } from "../report/json.ts";
import { flattenConfig } from "../report/config-diff.ts";
import { recallOf, type RunFile } from "./run-file.ts";

/** Config paths allowed to differ between shards. */
const PER_SHARD = /^(shard\.index|seed|outputFile|hdrLogFile)$/;

function checkSameRun(files: RunFile[]): void {
  const first = files[0]!;
  const base = flattenConfig(first.report.config);
  for (const f of files.slice(1)) {
    const other = flattenConfig(f.report.config);
    for (const path of [...new Set([...Object.keys(base), ...Object.keys(other)])].sort()) {
      if (PER_SHARD.test(path)) continue;
      if (base[path] !== other[path]) {
        throw new UserError(
          `${f.path} is not a shard of the same run as ${first.path}: config.${path} differs (${base[path] ?? "unset"} vs ${other[path] ?? "unset"}); merge only the shards of one command line`,
        );
      }
    }
    const titles = (r: JsonReport) => r.tests.map((t) => t.title).join(", ");
    if (titles(f.report) !== titles(first.report)) {
      throw new UserError(`${f.path} ran other tests than ${first.path} (${titles(f.report)} vs ${titles(first.report)})`);
    }
  }
  // The same run given twice (the same file, or a copy) would count its requests twice: two
  // runs never record the same start, end and latency histograms. (--shard files are told
  // apart by their index, below.)
  const runs = new Map<string, string>();
  for (const f of files) {
    if ((f.report.config as { shard?: unknown }).shard !== undefined) continue;
    const id = [f.report.startedAt, f.report.finishedAt, ...f.report.tests.map((t) => t.histogram)].join(" ");
    const twin = runs.get(id);
    if (twin !== undefined) throw new UserError(`${f.path} and ${twin} are the same run (started ${f.report.startedAt}); give each shard's file once`);
    runs.set(id, f.path);
  }
  const seen = new Map<number, string>();
  for (const f of files) {
    const index = (f.report.config as { shard?: { index: number } }).shard?.index;
    if (index === undefined) continue;
    const dup = seen.get(index);
    if (dup) throw new UserError(`${f.path} and ${dup} are both shard ${index}; give each shard's file once`);
    seen.set(index, f.path);
  }
}

/** Epoch ms span of a test from its timeline, if it has one. */
function spanOf(t: JsonTestReport): { startMs: number; endMs: number } | undefined {
  const points = t.timeline?.points;
  if (!points || points.length === 0) return undefined;
  return { startMs: points[0]!.startMs, endMs: points[points.length - 1]!.endMs };
}

function mergeTimelines(tests: JsonTestReport[], precision: number): Timeline | undefined {
  const withTimeline = tests.filter((t) => t.timeline && t.timeline.points.length > 0);
  if (withTimeline.length !== tests.length) return undefined;
  const intervalMs = withTimeline[0]!.timeline!.intervalMs;
  const groups = new Map<number, TimelinePoint[]>();
  for (const t of withTimeline) {
    // Point i > 0 of a shard covers about [end of point 0 + (i-1) * interval, + interval): its
    // middle says which interval it is (boundaries jitter by far less than half an interval).
    const points = t.timeline!.points;
    const firstEnd = points[0]!.endMs;
    for (const [i, p] of points.entries()) {
      const index = i === 0 ? 0 : Math.floor(((p.startMs + p.endMs) / 2 - firstEnd) / intervalMs) + 1;
      let g = groups.get(index);
      if (!g) groups.set(index, (g = []));
      g.push(p);
    }
  }
  const merged: TimelinePoint[] = [];
  for (const index of [...groups.keys()].sort((a, b) => a - b)) {
    const g = groups.get(index)!;
    const errorsByType: Record<string, number> = {};
    let completed = 0;
    let errors = 0;
    let recall: { k: number; queries: number; recallSum: number } | undefined;
    for (const p of g) {
      completed += p.client.completed;
      errors += p.client.errors;
      for (const [code, n] of Object.entries(p.client.errorsByType)) errorsByType[code] = (errorsByType[code] ?? 0) + n;
      if (p.client.recall) {
        recall ??= { k: 0, queries: 0, recallSum: 0 };
        recall.k = Math.max(recall.k, p.client.recall.k);
        recall.queries += p.client.recall.queries;
        recall.recallSum += p.client.recall.mean * p.client.recall.queries;
      }
    }
    const startMs = Math.min(...g.map((p) => p.startMs));
    const endMs = Math.max(...g.map((p) => p.endMs));
    const latency = mergeLatency(g.map((p) => p.client), precision);
    merged.push({ startMs, endMs, client: clientInterval({ completed, errors, errorsByType }, endMs - startMs, latency, recall) });
  }
  return { intervalMs, points: merged };
}

function mergeNodes(tests: JsonTestReport[], durationSec: number, precision: number): { nodes: NodeResult[]; notExact: boolean } | undefined {
  const lists = tests.map((t) => t.extra?.nodes as NodeResult[] | undefined).filter((x): x is NodeResult[] => Array.isArray(x));
  if (lists.length === 0) return undefined;
  const byAddress = new Map<string, { node: NodeResult; hist: Histogram; exact: boolean }>();
  for (const list of lists) {
    for (const n of list) {
      let acc = byAddress.get(n.address);
      if (!acc) byAddress.set(n.address, (acc = { node: { ...n, completed: 0, errors: 0, redirects: 0 }, hist: createLatencyHistogram(precision), exact: true }));
      acc.node.completed += n.completed;
      acc.node.errors += n.errors;
      acc.node.redirects += n.redirects;
      if (n.histogram) mergeEncodedInto(acc.hist, n.histogram);
      else if (n.completed + n.errors > 0) acc.exact = false;
    }
  }
  let notExact = false;
  const nodes = [...byAddress.values()].map(({ node, hist, exact }) => {
    const has = hist.totalCount > 0 && exact;
    if (!exact) notExact = true;
    const merged: NodeResult = {
      ...node,
      throughput: durationSec > 0 ? node.completed / durationSec : 0,
      p50Ms: has ? hist.getValueAtPercentile(50) / 1000 : 0,
      p99Ms: has ? hist.getValueAtPercentile(99) / 1000 : 0,
      ...(hist.totalCount > 0 ? { histogram: encodeHistogram(hist) } : {}),
    };
    hist.destroy();
    return merged;
  });
  return { nodes, notExact };
}

function mergeRecall(tests: JsonTestReport[]): Record<string, unknown> | undefined {
  const parts = tests.map(recallOf);
  if (parts.every((p) => p === undefined)) return undefined;
  let queries = 0;
  let sum = 0;
  let k = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const p of parts) {
    if (!p) continue;
    queries += p.queries;
    sum += p.mean * p.queries;
    k = Math.max(k, p.k);
    if (p.min !== undefined) min = Math.min(min, p.min);
    if (p.max !== undefined) max = Math.max(max, p.max);
  }
  return { k, queries, mean: queries > 0 ? sum / queries : null, min: Number.isFinite(min) ? min : null, max: Number.isFinite(max) ? max : null };
}

/**
 * The test-level recall / mrr / ndcg / replyOrder (schema 2) over all shards: counts summed, means
 * weighted by each shard's scored queries, percentiles null (shards carry no recall histograms).
 * Without this the merged test kept the first shard's, and compare / report read those.
 */
function mergeTopLevelQuality(merged: JsonTestReport, tests: JsonTestReport[]): void {
  const withRecall = tests.filter((t) => t.recall);
  if (withRecall.length === 0) return;
  if (withRecall.length !== tests.length) {
    delete merged.recall;
    delete merged.mrr;
    delete merged.ndcg;
    delete merged.replyOrder;
    return;
  }
  const rs = withRecall.map((t) => t.recall!);
  const sum = (f: (r: JsonRecall) => number) => rs.reduce((n, r) => n + f(r), 0);
  const queries = sum((r) => r.queries);
  const valid = rs.every((r) => r.valid);
  const weighted = (values: (number | null | undefined)[]): number | null => {
    let total = 0;
    let weight = 0;
    for (const [i, v] of values.entries()) {
      if (typeof v !== "number") return null;
      total += v * rs[i]!.queries;
      weight += rs[i]!.queries;
    }
    return weight > 0 ? total / weight : null;
  };
  const extreme = (pick: (r: JsonRecall) => number | null, f: (...xs: number[]) => number): number | null => {
    const xs = rs.map(pick).filter((x): x is number => typeof x === "number");
    return valid && xs.length > 0 ? f(...xs) : null;
  };
  const invalid = rs.find((r) => !r.valid);
  merged.recall = {
    k: Math.max(...rs.map((r) => r.k)),
    valid,
    ...(invalid?.invalidReason !== undefined ? { invalidReason: invalid.invalidReason } : {}),
    queries,
    mean: valid ? weighted(rs.map((r) => r.mean)) : null,
    min: extreme((r) => r.min, Math.min),
    p1: null,
    p5: null,
    p50: null,
    max: extreme((r) => r.max, Math.max),
    perfect: sum((r) => r.perfect),
    zero: sum((r) => r.zero),
    shortReplies: sum((r) => r.shortReplies),
    noGroundTruth: sum((r) => r.noGroundTruth),
    errorReplies: sum((r) => r.errorReplies),
    unscoredReplies: sum((r) => r.unscoredReplies),
    redirectedReplies: sum((r) => r.redirectedReplies),
  };
  merged.mrr = valid ? weighted(withRecall.map((t) => t.mrr)) : null;
  merged.ndcg = valid ? weighted(withRecall.map((t) => t.ndcg)) : null;
  const orders = withRecall.map((t) => t.replyOrder);
  merged.replyOrder = orders.every((o) => o)
    ? {
        checked: orders.reduce((n, o) => n + o!.checked, 0),
        disagreements: orders.reduce((n, o) => n + o!.disagreements, 0),
        farthestFirst: orders.reduce((n, o) => n + o!.farthestFirst, 0),
        rankedByScores: orders.reduce((n, o) => n + o!.rankedByScores, 0),
        rankedBy: orders[0]!.rankedBy,
      }
    : null;
}

function mergeTest(tests: JsonTestReport[], precision: number, thresholdPct: number, notMerged: Set<string>): JsonTestReport {
  const first = tests[0]!;
  const hist = createLatencyHistogram(precision);
  const requests = { issued: 0, completed: 0, errors: 0 };
  const errorsByType: Record<string, number> = {};
  for (const t of tests) {
    requests.issued += t.requests.issued;
    requests.completed += t.requests.completed;
    requests.errors += t.requests.errors;
    for (const [code, n] of Object.entries(t.errorsByType)) errorsByType[code] = (errorsByType[code] ?? 0) + n;
    mergeEncodedInto(hist, t.histogram);
  }
  const spans = tests.map(spanOf);
  const durationSec = spans.every((s) => s !== undefined)
    ? (Math.max(...spans.map((s) => s!.endMs)) - Math.min(...spans.map((s) => s!.startMs))) / 1000
    : Math.max(...tests.map((t) => t.durationSec));
  const extra: Record<string, unknown> = {};
  const nodes = mergeNodes(tests, durationSec, precision);
  if (nodes) {
    extra.nodes = nodes.nodes;
    const imbalance = imbalanceOf(nodes.nodes, thresholdPct);
    if (imbalance) extra.imbalance = imbalance;
    if (nodes.notExact) notMerged.add("per-node percentiles of files written before per-node histograms (p50Ms/p99Ms are 0)");
  }
  const recall = mergeRecall(tests);
  if (recall) {
    extra.recall = recall;
    notMerged.add("recall percentiles (shards carry summaries, not recall histograms)");
  }
  for (const t of tests) {
    for (const key of Object.keys(t.extra ?? {})) {
      if (key === "nodes" || key === "imbalance") continue;
      if (key === "redirects") {
        const r = (extra.redirects ??= {}) as Record<string, number>;
        for (const [code, n] of Object.entries(t.extra.redirects as Record<string, number>)) r[code] = (r[code] ?? 0) + n;
      } else {
        notMerged.add(`extra.${key} (per shard)`);
      }
    }
  }
  const timeline = mergeTimelines(tests, precision);
  if (!timeline && tests.some((t) => t.timeline)) notMerged.add("timelines (not every shard has one)");
  const throughput = durationSec > 0 ? requests.completed / durationSec : 0;
  const targets = tests.map((t) => t.rate?.targetRps ?? 0);
  const merged: JsonTestReport = {
    ...first,
    requests,
    errorsByType,
    durationSec: Math.round(durationSec * 1e6) / 1e6,
    throughput: Math.round(throughput * 100) / 100,
    errorRate: durationSec > 0 ? Math.round((requests.errors / durationSec) * 100) / 100 : 0,
    latencyMs: jsonLatencyMs(hist),
    rate: first.rate ? { targetRps: targets.reduce((a, b) => a + b, 0), achievedRps: Math.round(throughput * 100) / 100 } : null,
    clients: tests.reduce((n, t) => n + t.clients, 0),
    threads: tests.reduce((n, t) => n + t.threads, 0),
    extra,
    histogram: encodeHistogram(hist),
  };
  mergeTopLevelQuality(merged, tests);
  delete merged.timeline;
  if (timeline) merged.timeline = timeline;
  hist.destroy();
  return merged;
}

export interface MergedReport extends JsonReport {
  merged: { files: string[]; shards: number; notMerged: string[] };
}

export function mergeRuns(files: RunFile[]): MergedReport {
  if (files.length < 2) throw new UserError(`merge needs at least two shard files (got ${files.length}); a single run needs no merge`);
  checkSameRun(files);
  const first = files[0]!.report;
  const precision = (first.config as { precision?: number }).precision ?? 3;
  const thresholdPct = (first.config as { cluster?: { imbalanceThresholdPct?: number } }).cluster?.imbalanceThresholdPct ?? 20;
  const notMerged = new Set<string>();
  const tests = first.tests.map((_, i) => mergeTest(files.map((f) => f.report.tests[i]!), precision, thresholdPct, notMerged));
  const starts = files.map((f) => f.report.startedAt).sort();
  const ends = files.map((f) => f.report.finishedAt).sort();
  const config = { ...(first.config as unknown as Record<string, unknown>) };
  delete config.shard;
  return {
    ...first,
    startedAt: starts[0]!,
    finishedAt: ends[ends.length - 1]!,
    config: config as unknown as JsonReport["config"],
    servers: [...new Map(files.flatMap((f) => f.report.servers).map((s) => [s.address, s])).values()],
    tests,
    merged: { files: files.map((f) => f.path), shards: files.length, notMerged: [...notMerged] },
  };
}
