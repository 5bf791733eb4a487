// End-to-end: a dataset with numeric metadata (dataset generate --numeric) loaded with vec-load and
// queried with --filtered-search against the search stand-in (or VSB_TEST_SEARCH_URL). The
// per-query ranges come from the dataset and its ground truth is the exact filtered k-NN, so an
// exact (FLAT) index must give recall 1.0.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDataset } from "../../src/dataset/index.ts";
import { generateDataset } from "../../src/dataset/tools/generate.ts";
import { formatNumericValue } from "../../src/dataset/numeric-value.ts";
import type { JsonReport } from "../../src/report/json.ts";
import { ID_WIDTH } from "../../src/search/key-id.ts";
import type { RecallSummary } from "../../src/search/recall.ts";
import { expectExit, parseJsonReport, runBench } from "../support/run-cli.ts";
import { call, countKeys, searchTarget, type SearchTarget, uniqueNames } from "./e2e-target.ts";

const TIMEOUT = 60_000;
let target: SearchTarget;
let dir: string;
let dataset: string;
/** Two attributes: the generated queries range over price or year, round-robin. */
let twoFields: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "vsb-e2e-numeric-"));
  dataset = join(dir, "priced.bin");
  twoFields = join(dir, "priced-dated.bin");
  [target] = await Promise.all([
    searchTarget(),
    generateDataset({
      path: dataset, dim: 8, numVectors: 500, numQueries: 20, k: 10, metric: "L2", seed: 9, workers: 1,
      numeric: [{ name: "price", distribution: "uniform", min: 0, max: 100 }], numericFilterSelectivity: 0.2,
    }),
    generateDataset({
      path: twoFields, dim: 8, numVectors: 500, numQueries: 20, k: 10, metric: "L2", seed: 11, workers: 1,
      numeric: [
        { name: "price", distribution: "uniform", min: 0, max: 100 },
        { name: "year", distribution: "int", min: 1990, max: 2024 },
      ],
      numericFilterSelectivity: 0.1,
    }),
  ]);
});
afterAll(async () => {
  await target.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("numeric metadata end to end", () => {
  test(
    "--filtered-search sends each query's numeric range, the index has a NUMERIC field, and recall is exactly 1.0",
    async () => {
      const n = uniqueNames();
      const run = await runBench(
        ["-h", target.host, "-p", String(target.port), "-c", "4", ...n.args, "--dataset", dataset, "--search-algorithm", "FLAT",
          "-t", "vec-load,vec-query", "--filtered-search", "-n", "40", "--output-format", "json"],
        { timeoutMs: 45_000 },
      );
      expectExit(run, 0);
      const report: JsonReport = parseJsonReport(run.stdout);
      expect(report.tests[1]!.title).toBe("VEC-QUERY (k=10, filtered)");
      const recall = report.tests[1]!.extra["vec-query"] as RecallSummary;
      expect(recall).toMatchObject({ mean: 1, min: 1, queries: 40, shortReplies: 0 });
      expect(run.stderr).toContain("NUMERIC price");
      try {
        // The index declares price as NUMERIC.
        const info = JSON.stringify(await call(target, "FT.INFO", n.index));
        expect(info).toMatch(/"identifier","price".*"NUMERIC"|"price".*"type","NUMERIC"/);
        // Each hash holds the dataset's value, as its exact shortest text.
        const ds = openDataset(dataset);
        try {
          for (const i of [0, 17, 499]) {
            const key = `${n.prefix}${String(i).padStart(ID_WIDTH, "0")}`;
            const stored = await call(target, "HGET", key, "price");
            const text = typeof stored === "string" ? stored : new TextDecoder().decode(stored as Uint8Array);
            expect(text).toBe(formatNumericValue(ds.vectorNumeric(i, "price")!));
            expect(Number(text)).toBe(ds.vectorNumeric(i, "price")!);
          }
        } finally {
          ds.close();
        }
      } finally {
        await call(target, "FT.DROPINDEX", n.index, "DD");
      }
    },
    TIMEOUT,
  );

  test(
    "with two numeric attributes both are indexed NUMERIC and written, queries filter on either, and recall is exactly 1.0",
    async () => {
      const n = uniqueNames();
      const run = await runBench(
        ["-h", target.host, "-p", String(target.port), "-c", "4", ...n.args, "--dataset", twoFields, "--search-algorithm", "FLAT",
          "-t", "vec-load,vec-query", "--filtered-search", "-n", "40", "--output-format", "json"],
        { timeoutMs: 45_000 },
      );
      expectExit(run, 0);
      const report: JsonReport = parseJsonReport(run.stdout);
      expect(report.tests[0]!.extra["index"]).toMatchObject({ numericFields: ["price", "year"] });
      const recall = report.tests[1]!.extra["vec-query"] as RecallSummary;
      expect(recall).toMatchObject({ mean: 1, min: 1, queries: 40, shortReplies: 0 });
      expect(run.stderr).toContain("NUMERIC price, year");
      const ds = openDataset(twoFields);
      try {
        // The generated queries really range over both attributes.
        const fields = new Set<string>();
        for (let q = 0; q < ds.numQueries; q++) for (const r of ds.queryNumericRanges(q)) fields.add(r.field);
        expect([...fields].sort()).toEqual(["price", "year"]);
        const info = JSON.stringify(await call(target, "FT.INFO", n.index));
        for (const f of ["price", "year"]) expect(info).toContain(`"identifier","${f}","attribute","${f}","type","NUMERIC"`);
        for (const i of [0, 17, 499]) {
          const key = `${n.prefix}${String(i).padStart(ID_WIDTH, "0")}`;
          for (const f of ["price", "year"]) {
            const stored = await call(target, "HGET", key, f);
            const text = typeof stored === "string" ? stored : new TextDecoder().decode(stored as Uint8Array);
            expect(text).toBe(formatNumericValue(ds.vectorNumeric(i, f)!));
          }
        }
      } finally {
        ds.close();
        await call(target, "FT.DROPINDEX", n.index, "DD");
      }
    },
    TIMEOUT,
  );

  test(
    "--numeric-field naming only one of the attributes the queries range over is refused before the run",
    async () => {
      const n = uniqueNames();
      const run = await runBench(
        ["-h", target.host, "-p", String(target.port), ...n.args, "--dataset", twoFields, "--search-algorithm", "FLAT",
          "-t", "vec-load,vec-query", "--filtered-search", "--numeric-field", "price", "-n", "10"],
        { timeoutMs: 45_000 },
      );
      expectExit(run, 2);
      expect(run.stderr).toContain("the dataset's queries filter on numeric attribute 'year' but the index's NUMERIC fields are price; pass --numeric-field price,year");
      // Refused before anything was created.
      expect(await call(target, "FT._LIST")).not.toContain(n.index);
    },
    TIMEOUT,
  );

  test(
    "without --filtered-search, a dataset whose ground truth used per-query filters is refused before any request (recall would be silently wrong)",
    async () => {
      const n = uniqueNames();
      const run = await runBench(
        ["-h", target.host, "-p", String(target.port), "-c", "4", ...n.args, "--dataset", dataset, "--search-algorithm", "FLAT",
          "-t", "vec-load,vec-query", "-n", "20", "--output-format", "json", "--cleanup"],
        { timeoutMs: 45_000 },
      );
      expectExit(run, 2);
      expect(run.stdout).toBe("");
      expect(run.stderr.trim()).toMatch(/^error: 20 of the 20 queries in \S+ carry filters \(tags or numeric ranges\) and their ground truth was computed with them; pass --filtered-search/);
      expect(run.stderr.trim().split("\n")).toHaveLength(1);
      expect(await countKeys(target, n.prefix)).toBe(0);
    },
    TIMEOUT,
  );
});

describe("--numeric-filter / --tag-filter against ground truth computed without them", () => {
  let plain: string;
  let names: ReturnType<typeof uniqueNames>;
  beforeAll(async () => {
    // Unfiltered queries: the stored ground truth is the plain k-NN over all 500 vectors.
    plain = join(dir, "plain-priced.bin");
    await generateDataset({
      path: plain, dim: 8, numVectors: 500, numQueries: 20, k: 10, metric: "L2", seed: 21, workers: 1,
      numeric: [{ name: "price", distribution: "uniform", min: 0, max: 100 }], tags: [{ name: "red", probability: 0.3 }], filteredQueryFraction: 0,
    });
    names = uniqueNames();
    const load = await runBench(
      ["-h", target.host, "-p", String(target.port), "-c", "4", ...names.args, "--dataset", plain, "--search-algorithm", "FLAT", "-t", "vec-load", "-q"],
      { timeoutMs: 45_000 },
    );
    expectExit(load, 0);
  }, TIMEOUT);
  afterAll(async () => {
    await call(target, "FT.DROPINDEX", names.index, "DD");
  });

  const query = (dataset: string, ...flags: string[]) =>
    runBench(
      ["-h", target.host, "-p", String(target.port), "-c", "4", ...names.args, "--dataset", dataset, "--search-algorithm", "FLAT",
        "-t", "vec-query", "-n", "40", "--output-format", "json", ...flags],
      { timeoutMs: 45_000 },
    );

  test(
    "a --numeric-filter the ground truth was not computed with: recall is withheld, naming the ground-truth command that fixes it",
    async () => {
      const run = await query(plain, "--numeric-filter", "price:[0 10]");
      expectExit(run, 0);
      const recall = parseJsonReport(run.stdout).tests[0]!.extra["vec-query"] as RecallSummary & { invalidReason?: string };
      expect(recall.invalidReason).toMatch(/^the ground truth of \d+ of the 20 queries in \S+plain-priced\.bin names vectors that --numeric-filter "price:\[0 10\]" excludes \(query \d+: neighbour \d+, vector \d+\), so it was not computed with this filter; compute it with `dataset ground-truth --numeric-filter "price:\[0 10\]"` to score recall$/);
      expect(run.stderr).toContain(`recall withheld: ${recall.invalidReason}`);
    },
    TIMEOUT,
  );

  test(
    "the same filter with ground truth computed for it (dataset ground-truth --numeric-filter): recall is scored, exactly 1.0 on FLAT",
    async () => {
      const filtered = join(dir, "plain-priced-0-10.bin");
      const gt = await runBench(["dataset", "ground-truth", plain, "--k", "10", "--numeric-filter", "price:[0 10]", "-o", filtered, "--workers", "1"], { timeoutMs: 45_000 });
      expectExit(gt, 0);
      const run = await query(filtered, "--numeric-filter", "price:[0 10]");
      expectExit(run, 0);
      const recall = parseJsonReport(run.stdout).tests[0]!.extra["vec-query"] as RecallSummary & { invalidReason?: string };
      expect(recall.invalidReason).toBeUndefined();
      expect(recall).toMatchObject({ mean: 1, min: 1, queries: 40 });
      expect(run.stderr).not.toContain("recall withheld");
    },
    TIMEOUT,
  );

  test(
    "an id filter (--numeric-filter on a field the dataset has no attribute for) over vectors loaded without it is refused, naming the reload that writes it",
    async () => {
      // The index is re-created with NUMERIC id over the keys loaded above, which have no id field.
      const refused = await query(plain, "--numeric-filter", "id:[100 +inf]", "--recreate-index");
      expectExit(refused, 2);
      expect(refused.stderr.trim().split("\n").at(-1)).toMatch(
        new RegExp(`^error: --numeric-filter id: the vectors under ${names.prefix} have no 'id' field \\(${names.prefix}\\d{${ID_WIDTH}} lacks it: they were loaded before the index declared id NUMERIC\\), so every filtered query would find nothing; write it with -t vec-load --reload$`),
      );
      const reload = await runBench(["-h", target.host, "-p", String(target.port), "-c", "4", ...names.args, "--dataset", plain, "--search-algorithm", "FLAT", "-t", "vec-load", "--reload", "--numeric-filter", "id:[100 +inf]", "-q"], { timeoutMs: 45_000 });
      expectExit(reload, 0);
      const run = await query(plain, "--numeric-filter", "id:[100 +inf]");
      expectExit(run, 0);
      // Every query now finds k results (its recall is withheld: the ground truth has no id filter).
      expect(parseJsonReport(run.stdout).tests[0]!.extra["vec-query"]).toMatchObject({ shortReplies: 0 });
      // Back to the index the other tests use.
      expectExit(await query(plain, "--recreate-index"), 0);
    },
    TIMEOUT,
  );

  test(
    "a --tag-filter on ground truth without it: recall is withheld, saying which ground truth would do",
    async () => {
      const run = await query(plain, "--tag-filter", "red");
      expectExit(run, 0);
      const recall = parseJsonReport(run.stdout).tests[0]!.extra["vec-query"] as RecallSummary & { invalidReason?: string };
      expect(recall.invalidReason).toContain(`names vectors that --tag-filter "red" excludes`);
      expect(recall.invalidReason).toContain("use a dataset whose ground truth was computed with this tag filter");
    },
    TIMEOUT,
  );
});
