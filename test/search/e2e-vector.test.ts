// End-to-end runs of the vector workloads through the CLI, against the search stand-in (or a real
// server with VSB_TEST_SEARCH_URL; tests named "(stand-in only)" are skipped then). Datasets are
// generated with exact ground truth, so recall has a known answer.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parquetWriteFile } from "hyparquet-writer";
import { convertToLegacy } from "../../src/dataset/tools/convert.ts";
import { openDataset } from "../../src/dataset/index.ts";
import { openParquetDirectory } from "../../src/dataset/sources/parquet/source.ts";
import type { JsonReport } from "../../src/report/json.ts";
import type { RecallSummary } from "../../src/search/recall.ts";
import { approximateRecall, defaultRecallAtEf, startSearchServer, type SearchServer } from "../support/search-server.ts";
import { collectRun, describeRun, expectExit, parseJsonReport, runBench, spawnBench, type RunResult, waitFor } from "../support/run-cli.ts";
import { startValkey, type ValkeyServer } from "../support/valkey.ts";
import { randomFloats, vdbbListSchema } from "../dataset/support.ts";
import { call, countKeys, makeDatasets, numDocs, searchTarget, standInTest, uniqueNames, type Datasets, type SearchTarget } from "./e2e-target.ts";

const TIMEOUT = 60_000;
let target: SearchTarget;
let data: Datasets;

beforeAll(async () => {
  [target, data] = await Promise.all([searchTarget(), makeDatasets()]);
});
afterAll(async () => {
  await target.stop();
  data.remove();
});

function base(t: { host: string; port: number }): string[] {
  return ["-h", t.host, "-p", String(t.port), "-c", "4"];
}

async function jsonRun(args: string[]): Promise<{ run: RunResult; report: JsonReport }> {
  const run = await runBench([...args, "--output-format", "json"], { timeoutMs: 45_000 });
  expectExit(run, 0);
  return { run, report: parseJsonReport(run.stdout) };
}

function recallOf(report: JsonReport, title: string): RecallSummary {
  const t = report.tests.find((x) => x.title.startsWith(title));
  if (!t) throw new Error(`no test ${title} in ${report.tests.map((x) => x.title).join(", ")}`);
  return t.extra["vec-query"] as RecallSummary;
}

describe("vec-load then vec-query", () => {
  test(
    "an exact (FLAT) index gives recall 1.0 for every query, and vec-load reports what it wrote",
    async () => {
      const n = uniqueNames();
      const { run, report } = await jsonRun([...base(target), ...n.args, "--dataset", data.plain, "--search-algorithm", "FLAT", "-t", "vec-load,vec-query", "-n", "100", "--cleanup"]);
      const [load, query] = report.tests;
      expect(load!.title).toBe("VEC-LOAD");
      expect(load!.requests.completed).toBe(500);
      expect(load!.extra["vec-load"]).toMatchObject({ vectorsWritten: 500, vectorBytesWritten: 500 * 8 * 4, errors: 0 });
      expect(load!.extra.index).toMatchObject({ index: n.index, alreadyPresent: 0, hashIndexingFailures: 0 });
      expect((load!.extra.index as { numDocs: number }).numDocs).toBeGreaterThanOrEqual(500);
      expect(query!.title).toBe("VEC-QUERY (k=10)");
      const r = recallOf(report, "VEC-QUERY");
      expect(r).toMatchObject({ k: 10, queries: 100, mean: 1, min: 1, p1: 1, p5: 1, p50: 1, perfect: 100, zero: 0, shortReplies: 0, mrr: 1, ndcg: 1 });
      // schemaVersion 2: recall has a self-describing place at the test's top level.
      expect(report.schemaVersion).toBe(2);
      expect(query!.recall).toMatchObject({ k: 10, valid: true, queries: 100, mean: 1, min: 1, p50: 1, max: 1, perfect: 100, shortReplies: 0 });
      expect(query!.mrr).toBe(1);
      expect(query!.ndcg).toBe(1);
      // A standalone server lists results nearest first.
      expect(query!.replyOrder).toEqual({ checked: 100, disagreements: 0, farthestFirst: 0, rankedByScores: 0, rankedBy: "true distance" });
      expect(load!.recall).toBeUndefined();
      expect(run.stderr).toContain(`index ${n.index}: created`);
      expect(run.stderr).toContain("metric: L2 (dataset hint");
    },
    TIMEOUT,
  );

  test(
    "the text report prints vectors written and recall after the Summary; CSV appends the recall columns",
    async () => {
      const n = uniqueNames();
      const text = await runBench([...base(target), ...n.args, "--dataset", data.plain, "--search-algorithm", "FLAT", "-t", "vec-load,vec-query", "-n", "40"], { timeoutMs: 45_000 });
      expectExit(text, 0);
      expect(text.stdout).toMatch(/Summary:[\s\S]*  vectors: 500 written, [\d.]+ vectors\/s, [\d.]+ MB\/s of vector data; indexed after [\d.]+ s/);
      expect(text.stdout).toContain("====== VEC-QUERY (k=10) ======");
      expect(text.stdout).toContain("Recall@10: mean 1.0000, min 1.0000");
      const csv = await runBench([...base(target), ...n.args, "--dataset", data.plain, "--search-algorithm", "FLAT", "-t", "vec-query", "-n", "40", "--csv", "--cleanup"], { timeoutMs: 45_000 });
      expectExit(csv, 0);
      const [header, row] = csv.stdout.trim().split("\n");
      const columns = header!.split(",").map((c) => c.replaceAll('"', ""));
      expect(columns.slice(0, 8)).toEqual(["test", "rps", "avg_latency_ms", "min_latency_ms", "p50_latency_ms", "p95_latency_ms", "p99_latency_ms", "max_latency_ms"]);
      const cells = row!.split(",").map((c) => c.replaceAll('"', ""));
      expect(cells.length).toBe(columns.length);
      expect(cells[columns.indexOf("recall_mean")]).toBe("1.000000");
      expect(cells[columns.indexOf("recall_queries")]).toBe("40");
    },
    TIMEOUT,
  );

  test(
    "a second run finds the vectors already loaded and reuses the index",
    async () => {
      const n = uniqueNames();
      await jsonRun([...base(target), ...n.args, "--dataset", data.plain, "--search-algorithm", "FLAT", "-t", "vec-load", "--num-vectors", "200"]);
      const { run, report } = await jsonRun([...base(target), ...n.args, "--dataset", data.plain, "--search-algorithm", "FLAT", "-t", "vec-load,vec-query", "-n", "40", "--cleanup"]);
      expect(run.stderr).toContain(`index ${n.index}: reusing the existing index (same definition)`);
      expect(run.stderr).toContain("200 of 500 vectors are already on the server");
      expect(report.tests[0]!.extra["vec-load"]).toMatchObject({ vectorsWritten: 300 });
      expect(report.tests[0]!.extra.index).toMatchObject({ alreadyPresent: 200 });
      expect(recallOf(report, "VEC-QUERY").mean).toBe(1);
    },
    TIMEOUT,
  );
});

describe("vectors that hold NaN or infinity", () => {
  test(
    "vec-load and vec-query refuse them before any request, naming the first (valkey-search indexes them without a word)",
    async () => {
      const ds = openDataset(data.plain);
      const vectors = ds.sections.find((x) => x.name === "vectors")!.offset;
      const queries = ds.sections.find((x) => x.name === "queries")!.offset;
      const dim = ds.dim;
      ds.close();
      const bytes = readFileSync(data.plain);
      bytes.writeFloatLE(Number.NaN, vectors + 7 * dim * 4 + 8);
      const badVector = join(data.dir, "nan-vector.bin");
      writeFileSync(badVector, bytes);
      const n = uniqueNames();
      const load = await runBench([...base(target), ...n.args, "--dataset", badVector, "-t", "vec-load"]);
      expectExit(load, 2);
      expect(load.stderr.trim().split("\n").at(-1)).toBe(
        `error: ${badVector}: 1 of 500 checked vectors hold NaN or infinity (first: vector 7); distances to them are undefined, so fix or drop them (\`dataset info --full\` lists the count)`,
      );
      expect(await countKeys(target, n.prefix)).toBe(0);
      const good = readFileSync(data.plain);
      good.writeFloatLE(Number.POSITIVE_INFINITY, queries + 3 * dim * 4);
      const badQuery = join(data.dir, "inf-query.bin");
      writeFileSync(badQuery, good);
      const query = await runBench([...base(target), ...n.args, "--dataset", badQuery, "-t", "vec-query", "-n", "10"]);
      expectExit(query, 2);
      expect(query.stderr).toContain(`error: ${badQuery}: 1 of 20 queries hold NaN or infinity (first: query 3)`);
    },
    TIMEOUT,
  );
});

describe("index definition checks", () => {
  test(
    "an index with another metric is an error naming it, unless --recreate-index",
    async () => {
      const n = uniqueNames();
      await jsonRun([...base(target), ...n.args, "--dataset", data.plain, "--search-algorithm", "FLAT", "-t", "vec-load"]);
      const mismatch = await runBench([...base(target), ...n.args, "--dataset", data.plain, "--search-algorithm", "FLAT", "--search-distance", "IP", "-t", "vec-query", "-n", "10"]);
      expect(mismatch.code).toBe(2);
      expect(mismatch.stderr).toContain(`index '${n.index}' exists with a different definition (DISTANCE_METRIC: index has L2, this run needs IP); pass --recreate-index`);
      const { run, report } = await jsonRun([...base(target), ...n.args, "--dataset", data.plain, "--search-algorithm", "FLAT", "--search-distance", "IP", "--recreate-index", "-t", "vec-query", "-n", "10", "--cleanup"]);
      expect(run.stderr).toContain(`index ${n.index}: recreated`);
      // The dataset's ground truth is the L2 k-NN: scored against an IP index, recall would be wrong.
      const reason = (recallOf(report, "VEC-QUERY") as RecallSummary & { invalidReason?: string }).invalidReason;
      expect(reason).toMatch(/^the ground truth of \d+ of 20 sampled queries in \S+plain\.bin is not ordered by IP distance \(the index's metric, from --search-distance\), so it was computed with another metric; it is ordered by L2: pass --search-distance L2$/);
      expect(run.stderr).toContain(`recall withheld: ${reason}`);
    },
    TIMEOUT,
  );

  test(
    "a run that fails after it started says why in the -o JSON (statusReason), as the text file's last line does",
    async () => {
      const n = uniqueNames();
      const file = join(data.dir, `${n.index}.json`);
      const run = await runBench([...base(target), ...n.args, "--dataset", data.plain, "-t", "vec-query", "-n", "10", "--skip-index-create", "-o", file]);
      expectExit(run, 2);
      const doc = JSON.parse(readFileSync(file, "utf8")) as { status: string; statusReason?: string };
      expect(doc.status).toBe("failed");
      expect(doc.statusReason).toStartWith(`--skip-index-create: index '${n.index}' does not exist on `);
      expect(run.stderr).toContain(`error: ${doc.statusReason}`);
    },
    TIMEOUT,
  );

  test(
    "--cleanup drops the index and deletes the run's keys",
    async () => {
      const n = uniqueNames();
      await jsonRun([...base(target), ...n.args, "--dataset", data.plain, "-t", "vec-load", "--cleanup"]);
      expect(await countKeys(target, n.prefix)).toBe(0);
      const list = (await call(target, "FT._LIST")) as string[];
      expect(list).not.toContain(n.index);
      if (target.standIn) {
        // Nothing else used this stand-in's keyspace under other names either.
        expect(await call(target, "DBSIZE")).toBe(0);
      }
    },
    TIMEOUT,
  );
});

describe("filters", () => {
  test(
    "--filtered-search uses each query's tag filter; its filtered ground truth gives recall 1.0",
    async () => {
      const n = uniqueNames();
      const { report } = await jsonRun([...base(target), ...n.args, "--dataset", data.tagged, "--search-algorithm", "FLAT", "-t", "vec-load,vec-query", "--filtered-search", "-n", "40", "--cleanup"]);
      expect(report.tests[1]!.title).toBe("VEC-QUERY (k=10, filtered)");
      expect(recallOf(report, "VEC-QUERY")).toMatchObject({ mean: 1, queries: 40, shortReplies: 0 });
    },
    TIMEOUT,
  );

  test(
    "a numeric field is indexed and a range covering every vector keeps recall 1.0",
    async () => {
      const n = uniqueNames();
      const { report } = await jsonRun([
        ...base(target), ...n.args, "--dataset", data.plain, "--search-algorithm", "FLAT", "-t", "vec-load,vec-query", "-n", "20",
        "--numeric-field", "num", "--numeric-filter", "num:[-inf +inf]", "--cleanup",
      ]);
      expect(recallOf(report, "VEC-QUERY").mean).toBe(1);
    },
    TIMEOUT,
  );

  test(
    "an exclusive numeric range that excludes true neighbours lowers recall and counts short replies",
    async () => {
      const n = uniqueNames();
      // The numeric field holds the dataset id; ids 0..99 only: most true neighbours are outside.
      const { report } = await jsonRun([
        ...base(target), ...n.args, "--dataset", data.plain, "--search-algorithm", "FLAT", "-t", "vec-load,vec-query", "-n", "20",
        "--numeric-field", "num", "--numeric-filter", "num:[0 (100]", "--cleanup",
      ]);
      expect(recallOf(report, "VEC-QUERY").mean).toBeLessThan(1);
    },
    TIMEOUT,
  );
});

describe("update and delete", () => {
  test(
    "vec-update with shift 0 and vec-delete outside the ground truth keep recall at 1.0",
    async () => {
      const n = uniqueNames();
      const { report } = await jsonRun([
        ...base(target), ...n.args, "--dataset", data.plain, "--search-algorithm", "FLAT",
        "-t", "vec-load,vec-update,vec-delete,vec-query", "-n", "50", "--update-shift", "0",
      ]);
      const titles = report.tests.map((t) => t.title);
      expect(titles).toEqual(["VEC-LOAD", "VEC-UPDATE", "VEC-DELETE", "VEC-QUERY (k=10)"]);
      expect(report.tests[1]!.extra["vec-update"]).toMatchObject({ vectorsWritten: 50, errors: 0 });
      expect(report.tests[2]!.extra["vec-delete"]).toMatchObject({ deletesAcknowledged: 50, errors: 0 });
      expect(await countKeys(target, n.prefix)).toBe(450);
      expect(await numDocs(target, n.index)).toBe(450);
      expect(recallOf(report, "VEC-QUERY")).toMatchObject({ mean: 1, shortReplies: 0 });
      await jsonRun([...base(target), ...n.args, "--dataset", data.plain, "--search-algorithm", "FLAT", "-t", "vec-load", "--reload", "--cleanup"]);
    },
    TIMEOUT,
  );

  test(
    "a second vec-delete finds its keys already gone: warned on stderr and in the report, not passed off as deletes",
    async () => {
      const n = uniqueNames();
      const flat = [...base(target), ...n.args, "--dataset", data.plain, "--search-algorithm", "FLAT"];
      const first = await jsonRun([...flat, "-t", "vec-load,vec-delete", "-n", "30"]);
      expect(first.report.tests[1]!.extra["vec-delete"]).toMatchObject({ deletesAcknowledged: 30, targetsChecked: 30, targetsMissing: 0 });
      expect(first.run.stderr).not.toContain("are not on the server");
      expect(await countKeys(target, n.prefix)).toBe(470);
      // The same 30 ids again, plus 10 that are still there.
      const again = await runBench([...flat, "-t", "vec-delete", "-n", "40", "-q"], { timeoutMs: 45_000 });
      expectExit(again, 0);
      expect(again.stderr).toContain("warning: vec-delete: 30 of the 40 keys this test deletes are not on the server (an earlier vec-delete removed them?); their DEL removes nothing and costs the index nothing: load them again with -t vec-load");
      expect(await countKeys(target, n.prefix)).toBe(460);
      const text = await runBench([...flat, "-t", "vec-delete", "-n", "40", "--cleanup"], { timeoutMs: 45_000 });
      expectExit(text, 0);
      expect(text.stdout).toContain("  WARNING: 40 of 40 keys checked before the test were not on the server: their DEL removed nothing (load them again with -t vec-load)");
    },
    TIMEOUT,
  );

  test(
    "a --mix of queries and updates reports each part, with recall for the query part",
    async () => {
      const n = uniqueNames();
      await jsonRun([...base(target), ...n.args, "--dataset", data.plain, "--search-algorithm", "FLAT", "-t", "vec-load"]);
      const { report } = await jsonRun([...base(target), ...n.args, "--dataset", data.plain, "--search-algorithm", "FLAT", "--mix", "vec-query:3,vec-update:1", "--update-shift", "0", "-n", "200", "--cleanup"]);
      expect(report.tests.map((t) => t.title)).toEqual(["MIX (vec-query:3,vec-update:1)"]);
      const parts = (report.tests[0]!.extra.mix as { parts: { kind: string; replies: number; extra?: RecallSummary }[] }).parts;
      expect(parts.map((p) => p.kind)).toEqual(["vec-query", "vec-update"]);
      expect(parts[0]!.replies + parts[1]!.replies).toBe(200);
      expect(parts[0]!.extra!.mean).toBe(1);
    },
    TIMEOUT,
  );
});

describe("recall after vectors were rewritten", () => {
  test(
    "a mix with --update-shift 1 withholds its recall and leaves a marker, so later runs withhold it too until a full --reload",
    async () => {
      const n = uniqueNames();
      const flat = [...base(target), ...n.args, "--dataset", data.plain, "--search-algorithm", "FLAT"];
      await jsonRun([...flat, "-t", "vec-load"]);
      const mix = await jsonRun([...flat, "--mix", "vec-query:50,vec-update:50", "-n", "200"]);
      const mixTest = mix.report.tests[0]!;
      expect(mixTest.recall).toMatchObject({ k: 10, valid: false, mean: null, min: null });
      expect(mixTest.recall!.invalidReason).toContain("vec-update --update-shift 1");
      expect(mixTest.mrr).toBeNull();
      expect(mixTest.replyOrder).toBeNull();
      expect(await call(target, "GET", `${n.prefix}vsb-rewritten`)).toMatch(/^vec-update --update-shift 1 rewrote them at /);

      // A later run on the same keys: the FLAT index is exact, yet recall would be below 1.
      const later = await runBench([...flat, "-t", "vec-query", "-n", "40"], { timeoutMs: 45_000 });
      expectExit(later, 0);
      expect(later.stdout).toContain(`Recall@10: withheld: the vectors under ${n.prefix} no longer match the dataset (vec-update --update-shift 1 rewrote them at `);
      expect(later.stdout).not.toContain("Recall@10: mean");
      expect(later.stderr).toContain("recall withheld:");

      // Rewriting every vector restores them: the marker goes and recall is scored again.
      await jsonRun([...flat, "-t", "vec-load", "--reload"]);
      expect(await call(target, "GET", `${n.prefix}vsb-rewritten`)).toBeNull();
      const again = await jsonRun([...flat, "-t", "vec-query", "-n", "40"]);
      expect(again.report.tests[0]!.recall).toMatchObject({ valid: true, mean: 1 });

      // The marker lives under the prefix: --cleanup takes it with the vectors.
      await jsonRun([...flat, "-t", "vec-update", "-n", "10"]);
      expect(await call(target, "GET", `${n.prefix}vsb-rewritten`)).not.toBeNull();
      await jsonRun([...flat, "-t", "vec-query", "-n", "10", "--cleanup"]);
      expect(await countKeys(target, n.prefix)).toBe(0);
    },
    TIMEOUT,
  );

  test(
    "vec-update before vec-query in one run withholds the query's recall; --update-shift 0 does not",
    async () => {
      const n = uniqueNames();
      const flat = [...base(target), ...n.args, "--dataset", data.plain, "--search-algorithm", "FLAT"];
      const shifted = await jsonRun([...flat, "-t", "vec-load,vec-update,vec-query", "-n", "40"]);
      expect(shifted.report.tests[2]!.recall).toMatchObject({ valid: false, mean: null });
      // A later run's CSV leaves the recall cells empty rather than printing a wrong number.
      const csv = await runBench([...flat, "-t", "vec-query", "-n", "40", "--csv"], { timeoutMs: 45_000 });
      expectExit(csv, 0);
      const [header, row] = csv.stdout.trim().split("\n");
      const column = header!.split(",").indexOf('"recall_mean"');
      expect(column).toBeGreaterThan(0);
      expect(row!.split(",")[column]).toBe('""');
      const unchanged = await jsonRun([...flat, "-t", "vec-load,vec-update,vec-query", "-n", "40", "--update-shift", "0", "--reload", "--cleanup"]);
      expect(unchanged.report.tests[2]!.recall).toMatchObject({ valid: true, mean: 1 });
    },
    TIMEOUT,
  );
});

describe("recall after a partial load", () => {
  test(
    "vec-query withholds recall when ground-truth vectors were never loaded (--num-vectors below the dataset), scores it once they are",
    async () => {
      const n = uniqueNames();
      const flat = [...base(target), ...n.args, "--dataset", data.plain, "--search-algorithm", "FLAT"];
      await jsonRun([...flat, "-t", "vec-load", "--num-vectors", "200"]);
      expect(await numDocs(target, n.index)).toBe(200);
      const partial = await runBench([...flat, "-t", "vec-query", "-n", "40"], { timeoutMs: 45_000 });
      expectExit(partial, 0);
      expect(partial.stdout).toMatch(/Recall@10: withheld: \d+ of \d+ sampled ground-truth vectors are not on the server under /);
      expect(partial.stdout).toContain("run -t vec-load with the full dataset, or --num-vectors covering the ground truth");
      expect(partial.stdout).not.toContain("Recall@10: mean");
      const json = await jsonRun([...flat, "-t", "vec-query", "-n", "40", "--skip-load"]);
      const t = json.report.tests[0]!;
      expect(t.recall).toMatchObject({ valid: false, mean: null });
      expect(t.recall!.invalidReason).toMatch(/^\d+ of \d+ sampled ground-truth vectors are not on the server/);
      expect(t.mrr).toBeNull();
      // Loading the rest makes every ground-truth vector present: recall is scored again.
      await jsonRun([...flat, "-t", "vec-load"]);
      const full = await jsonRun([...flat, "-t", "vec-query", "-n", "40", "--cleanup"]);
      expect(full.report.tests[0]!.recall).toMatchObject({ valid: true, mean: 1 });
    },
    TIMEOUT,
  );
});

describe("approximate search (stand-in only)", () => {
  let approx: SearchServer;
  beforeAll(async () => {
    if (target.standIn) approx = await startSearchServer({ approximate: true });
  });
  afterAll(async () => {
    await approx?.stop();
  });

  standInTest(
    "HNSW at EF_RUNTIME 10 returns the stand-in's known recall; at 100 it is exact (stand-in only)",
    async () => {
      const n = uniqueNames();
      const t = { host: approx.host, port: approx.port };
      await jsonRun([...base(t), ...n.args, "--dataset", data.plain, "-t", "vec-load"]);
      const low = await jsonRun([...base(t), ...n.args, "--dataset", data.plain, "-t", "vec-query", "-n", "40", "--ef-search", "10"]);
      expect(low.report.tests[0]!.title).toBe("VEC-QUERY (k=10, ef=10)");
      const expected = approximateRecall(10, defaultRecallAtEf(10), 500);
      expect(expected).toBeCloseTo(0.6, 10);
      const low10 = recallOf(low.report, "VEC-QUERY");
      // Every query gets exactly 6 of its 10 neighbours: min and max are that, the mean is up to float sums.
      expect(low10).toMatchObject({ min: expected, max: expected, perfect: 0, zero: 0, queries: 40 });
      expect(low10.mean).toBeCloseTo(expected, 12);
      const high = await jsonRun([...base(t), ...n.args, "--dataset", data.plain, "-t", "vec-query", "-n", "40", "--ef-search", "100"]);
      expect(recallOf(high.report, "VEC-QUERY").mean).toBe(1);
    },
    TIMEOUT,
  );
});

describe("a vec-load with nothing to write", () => {
  test(
    "every vector already present: no request sent, no latency numbers of zero (text and -q)",
    async () => {
      const n = uniqueNames();
      await jsonRun([...base(target), ...n.args, "--dataset", data.plain, "-t", "vec-load"]);
      const text = await runBench([...base(target), ...n.args, "--dataset", data.plain, "-t", "vec-load"], { timeoutMs: 45_000 });
      expectExit(text, 0);
      expect(text.stderr).toContain("all 500 vectors are already on the server");
      expect(text.stdout).toContain("  no requests sent: the test had nothing to send (the messages above say why); throughput and latency withheld");
      expect(text.stdout).not.toContain("latency summary");
      expect(text.stdout).not.toContain("Latency by percentile distribution");
      const quiet = await runBench([...base(target), ...n.args, "--dataset", data.plain, "-t", "vec-load", "-q", "--cleanup"], { timeoutMs: 45_000 });
      expectExit(quiet, 0);
      expect(quiet.stdout).toContain("VEC-LOAD: no requests sent:");
      expect(quiet.stdout).not.toContain("p50=");
    },
    TIMEOUT,
  );
});

describe("waiting for the index (stand-in only)", () => {
  standInTest(
    "a new index over existing keys is waited for until its backfill ends (stand-in only)",
    async () => {
      const s = await startSearchServer();
      try {
        const n = uniqueNames();
        const t = { host: s.host, port: s.port };
        await jsonRun([...base(t), ...n.args, "--dataset", data.plain, "-t", "vec-load"]);
        expect(await call(t, "FT.DROPINDEX", n.index)).toBe("OK");
        s.setFaults({ backfillMs: 800 });
        const before = s.stats().commands["FT.INFO"] ?? 0;
        const { run, report } = await jsonRun([...base(t), ...n.args, "--dataset", data.plain, "-t", "vec-load"]);
        expect(run.stderr).toContain(`index ${n.index}: created`);
        expect(run.stderr).toContain("all 500 vectors are already on the server");
        // Readiness was polled more than once (the backfill was reported in progress), and the
        // load's wait saw every document.
        expect((s.stats().commands["FT.INFO"] ?? 0) - before).toBeGreaterThan(3);
        expect(report.tests[0]!.extra.index).toMatchObject({ numDocs: 500 });
      } finally {
        await s.stop();
      }
    },
    TIMEOUT,
  );

  standInTest(
    "a vec-load whose server goes away still reports the load it measured, in stdout and -o, then fails (stand-in only)",
    async () => {
      const s = await startSearchServer();
      const n = uniqueNames();
      const file = join(data.dir, `${n.index}-gone.json`);
      // Slow HSETs: the server is stopped mid-load; the index wait after the load then fails.
      s.setFaults({ hsetDelayMs: 20 });
      const args = [...base(s), ...n.args, "--dataset", data.plain, "-t", "vec-load", "-o", file];
      const proc = spawnBench(args, { timeoutMs: 45_000 });
      await waitFor("HSETs on the stand-in", () => (s.stats().commands.HSET ?? 0) > 40, 20_000);
      await s.stop();
      const run = await collectRun(proc, args);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain("====== VEC-LOAD ======");
      const doc = JSON.parse(readFileSync(file, "utf8")) as { status: string; statusReason?: string; tests: { title: string; requests: { completed: number } }[] };
      expect(doc.status).toBe("failed");
      expect(doc.statusReason).toContain(`cannot connect to 127.0.0.1:${s.port}`);
      expect(doc.tests.map((x) => x.title)).toEqual(["VEC-LOAD"]);
      expect(doc.tests[0]!.requests.completed).toBeGreaterThan(0);
    },
    TIMEOUT,
  );

  standInTest(
    "an index that does not catch up within --index-wait-timeout is an error (stand-in only)",
    async () => {
      const s = await startSearchServer();
      try {
        const n = uniqueNames();
        const t = { host: s.host, port: s.port };
        await jsonRun([...base(t), ...n.args, "--dataset", data.plain, "-t", "vec-load"]);
        await call(t, "FT.DROPINDEX", n.index);
        s.setFaults({ backfillMs: 60_000 });
        const run = await runBench([...base(t), ...n.args, "--dataset", data.plain, "-t", "vec-query", "-n", "10", "--index-wait-timeout", "0.3"]);
        expect(run.code).toBe(2);
        expect(run.stderr).toContain(`index '${n.index}' did not catch up within 0.3 s`);
        expect(run.stderr).toContain("raise --index-wait-timeout");
      } finally {
        await s.stop();
      }
    },
    TIMEOUT,
  );
});

describe("refusals before any request", () => {
  let plain: ValkeyServer;
  beforeAll(async () => {
    plain = await startValkey();
  });
  afterAll(async () => {
    await plain.stop();
  });

  test("a server without the search module is refused with the fix", async () => {
    const run = await runBench(["-p", String(plain.port), "--dataset", data.plain, "-t", "vec-query", "-n", "10"]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(`search module not loaded on 127.0.0.1:${plain.port}: FT.CREATE unavailable`);
    expect(await plain.cli("DBSIZE")).toBe("0");
  });

  test("vector tests without a dataset, -k above the ground truth, --skip-load with vec-load", async () => {
    const cases: [string[], string][] = [
      [["-t", "vec-query"], "-t vec-query needs a dataset: add --dataset FILE"],
      [["--dataset", data.plain, "-t", "vec-query", "-k", "20"], "-k 20 is more than the 10 ground-truth neighbours per query"],
      [["--dataset", data.plain, "-t", "vec-load", "--skip-load"], "--skip-load: -t vec-load loads the vectors"],
      [["--dataset", data.plain, "--mix", "vec-query:90,vec-nope:10"], "--mix: unknown test 'vec-nope'"],
      [["--dataset", data.plain, "--mix", "vec-query:0"], "--mix weights must be greater than 0"],
      [["--dataset", data.plain, "-t", "vec-query", "--search-algorithm", "FLAT", "--ef-search", "10"], "--ef-search applies to HNSW indexes only"],
      [["--dataset", data.plain, "-t", "vec-query", "--numeric-filter", "price:[1 x]"], "--numeric-filter must be FIELD:[LOW HIGH]"],
    ];
    for (const [args, message] of cases) {
      const run = await runBench([...base(target), ...args, "-n", "10"]);
      expect(run.code, describeRun(run)).toBe(2);
      expect(run.stderr, describeRun(run)).toContain(message);
      expect(run.stderr.trim().split("\n").length, describeRun(run)).toBe(1);
    }
  }, TIMEOUT);
});

describe("queries need vectors", () => {
  test("vec-query against an empty index is refused instead of scoring zero recall", async () => {
    const n = uniqueNames();
    const run = await runBench([...base(target), ...n.args, "--dataset", data.plain, "-t", "vec-query", "-n", "10", "--cleanup"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`index '${n.index}' has no documents under ${n.prefix}: load the vectors first (-t vec-load)`);
    await call(target, "FT.DROPINDEX", n.index);
  }, TIMEOUT);
});

describe("VectorDBBench label-filter case", () => {
  /**
   * A converted VectorDBBench directory: shuffled train rows, scalar_labels.parquet, and
   * neighbors_labels_label_10p.parquet holding the exact k-NN among the vectors labelled
   * label_10p, as VectorDBBench computes it for `labels == "label_10p"`.
   */
  async function labelledDataset(dir: string): Promise<string> {
    const N = 400, Q = 12, D = 8, K = 10;
    const vectors = randomFloats(N * D, 31);
    const queries = randomFloats(Q * D, 32);
    const labelOf = (id: number) => (id % 10 === 3 ? "label_10p" : id % 100 === 7 ? "label_1p" : "label_89p");
    const order = Array.from({ length: N }, (_, i) => (i * 157) % N);
    const listSchema = vdbbListSchema;
    const row = (v: Float32Array, r: number) => Array.from(v.subarray(r * D, (r + 1) * D));
    const queryIds = Array.from({ length: Q }, (_, q) => BigInt(q));
    const distance = (q: number, id: number) => {
      let s = 0;
      for (let d = 0; d < D; d++) s += (queries[q * D + d]! - vectors[id * D + d]!) ** 2;
      return s;
    };
    const labelled = Array.from({ length: N }, (_, id) => id).filter((id) => labelOf(id) === "label_10p");
    const truth = queryIds.map((_, q) => [...labelled].sort((a, b) => distance(q, a) - distance(q, b)).slice(0, K).map(BigInt));
    parquetWriteFile({ filename: `${dir}/shuffle_train.parquet`, columnData: [{ name: "id", data: order.map(BigInt) }, { name: "emb", data: order.map((r) => row(vectors, r)) }], schema: listSchema("emb", "FLOAT") });
    parquetWriteFile({ filename: `${dir}/test.parquet`, columnData: [{ name: "id", data: queryIds }, { name: "emb", data: queryIds.map((_, q) => row(queries, q)) }], schema: listSchema("emb", "FLOAT") });
    parquetWriteFile({ filename: `${dir}/neighbors_labels_label_10p.parquet`, columnData: [{ name: "id", data: queryIds }, { name: "neighbors_id", data: truth }], schema: listSchema("neighbors_id", "INT64") });
    parquetWriteFile({
      filename: `${dir}/scalar_labels.parquet`,
      columnData: [{ name: "id", data: order.map(BigInt) }, { name: "labels", data: order.map(labelOf), encoding: "RLE_DICTIONARY" }],
      schema: [{ name: "root", num_children: 2 }, { name: "id", type: "INT64", repetition_type: "REQUIRED" }, { name: "labels", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" }],
    });
    const p = await openParquetDirectory(dir, "emb", { neighbors: "neighbors_labels_label_10p.parquet" });
    const output = `${dir}.bin`;
    try {
      await convertToLegacy(p, { output, metric: "L2" });
    } finally {
      for (const src of [p.base, p.queries, p.groundTruth]) src?.close();
    }
    return output;
  }

  test(
    "labels become a TAG field and --tag-filter label_10p gives exact recall against the label case's ground truth",
    async () => {
      const tmp = mkdtempSync(join(tmpdir(), "vsb-e2e-labels-"));
      try {
        const dir = join(tmp, "sift_labels");
        mkdirSync(dir);
        const dataset = await labelledDataset(dir);
        const n = uniqueNames();
        const { run, report } = await jsonRun([
          ...base(target), ...n.args, "--dataset", dataset, "--search-algorithm", "FLAT", "-t", "vec-load,vec-query",
          "--tag-field", "labels", "--tag-filter", "label_10p", "-n", "12", "--cleanup",
        ]);
        expect(recallOf(report, "VEC-QUERY")).toMatchObject({ k: 10, queries: 12, mean: 1, min: 1, shortReplies: 0 });
        expect(run.stderr).toContain("TAG labels");
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
    },
    TIMEOUT,
  );
});
