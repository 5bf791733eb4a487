// --optimize and --sweep end to end through the CLI: against the search stand-in in approximate
// mode (its recall rule is exact, so the minimal ef_search is known in advance), against a real
// valkey-server for a key-value test, and against a real valkey-search when
// VSB_SEARCH_SERVER_DIR names the directory of start-search-server.sh.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as v from "valibot";
import { generateDataset } from "../../src/dataset/tools/generate.ts";
import { JsonTestSchema } from "../../src/report/json-schema.ts";
import type { OptimizeReport } from "../../src/optimize/report-json.ts";
import { shellSplit } from "../../src/config/shell-split.ts";
import { approximateRecall, defaultRecallAtEf, startSearchCluster, startSearchServer, type SearchServer } from "../support/search-server.ts";
import { describeRun, expectExit, parseJsonReport, runBench } from "../support/run-cli.ts";
import { startValkey, type ValkeyServer } from "../support/valkey.ts";
import { REAL_SEARCH_SERVER, startRealSearchServer } from "../support/search-module.ts";

const TIMEOUT = 90_000;
let dir: string;
let dataset: string;
let standIn: SearchServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "vsb-opt-e2e-"));
  dataset = join(dir, "d.bin");
  await generateDataset({ path: dataset, dim: 8, numVectors: 400, numQueries: 20, k: 10, metric: "L2", seed: 3, workers: 1 });
  standIn = await startSearchServer({ approximate: true });
});
afterAll(async () => {
  await standIn?.stop();
  rmSync(dir, { recursive: true, force: true });
});

let names = 0;
function target(s: { host?: string; port: number }): string[] {
  names++;
  return ["-h", s.host ?? "127.0.0.1", "-p", String(s.port), "--search-index", `opt${names}`, "--search-prefix", `opt${names}:`];
}

function readReport(path: string): OptimizeReport {
  return JSON.parse(readFileSync(path, "utf8")) as OptimizeReport;
}

/** The smallest ef_search in 1..max whose stand-in recall@10 meets `target` (stand-in rule). */
function knownMinimalEf(targetRecall: number, max: number): number {
  for (let ef = 1; ef <= max; ef++) if (approximateRecall(10, defaultRecallAtEf(ef)) >= targetRecall) return ef;
  throw new Error("unreachable");
}

describe("stand-in, approximate mode", () => {
  test(
    "finds the known minimal ef_search for recall >= 0.9 within its budget; the JSON has every trial's full result and a reproducing command that meets the target",
    async () => {
      const out = join(dir, "opt.json");
      const t = target(standIn);
      const run = await runBench([...t, "--dataset", dataset, "-t", "vec-load,vec-query", "-n", "40", "-c", "2", "--optimize", "--tune", "ef_search:1..300", "--constraint", "recall>=0.9", "--max-optimize-iterations", "12", "-o", out], { timeoutMs: 60_000 });
      expectExit(run, 0);
      const expected = knownMinimalEf(0.9, 300);
      expect(expected).toBe(61); // 0.5 + 61/200 = 0.805 -> 1 of 10 replaced -> recall 0.9
      const r = readReport(out);
      expect(r.kind).toBe("optimize");
      expect(r.outcome).toBe("met");
      expect(r.chosen?.setting.ef_search).toBe(expected);
      expect(r.chosen?.recall).toBeCloseTo(0.9, 9);
      expect(r.trials.length).toBeLessThanOrEqual(12);
      expect(r.gridPoints).toBe(300);
      for (const trial of r.trials) {
        // Each trial's result is a normal report's tests[] entry, recall in its documented place.
        expect(v.safeParse(JsonTestSchema, trial.result).issues).toBeUndefined();
        expect(trial.result?.recall?.mean).toBeCloseTo(trial.recall!, 6);
        expect(trial.result?.histogram.length).toBeGreaterThan(0);
        expect(trial.result?.requests.issued).toBe(40); // 2 whole passes over 20 queries
      }
      expect(r.load?.title).toBe("VEC-LOAD");
      expect(r.paretoFront.length).toBeGreaterThan(0);
      expect(run.stdout).toContain("Trials (in the order run):");
      expect(run.stdout).toContain(`Chosen: ef_search=${expected}`);
      // The reproducing command is an ordinary run that gives the same recall.
      expect(r.reproduce).toContain(`--ef-search ${expected}`);
      const again = await runBench([...shellSplit(r.reproduce!, "reproduce").slice(1), "--output-format", "json"]);
      expectExit(again, 0);
      expect(parseJsonReport(again.stdout).tests[0]!.recall!.mean!).toBeGreaterThanOrEqual(0.9 - 1e-9);
    },
    TIMEOUT,
  );

  test(
    "an unreachable recall target: exit 1, the closest trial, and what it misses",
    async () => {
      const t = target(standIn);
      const out = join(dir, "unmet.json");
      const run = await runBench([...t, "--dataset", dataset, "-t", "vec-load,vec-query", "-n", "20", "-c", "1", "--optimize", "--tune", "ef_search:1..50", "--constraint", "recall>=0.9", "-o", out]);
      expectExit(run, 1);
      expect(run.stderr).toContain("no configuration meets recall>=0.9; closest: ef_search=50");
      expect(run.stdout).toContain("No configuration met recall>=0.9.");
      expect(run.stdout).toContain("misses recall 0.8000 (needs >= 0.9)");
      const r = readReport(out);
      expect(r.outcome).toBe("unmet");
      expect(r.chosen).toBeNull();
      expect(r.closest?.setting).toEqual({ ef_search: 50 });
      expect(r.trials.length).toBe(1); // the largest ef_search missed: nothing smaller can meet it
    },
    TIMEOUT,
  );

  test(
    "a sweep measures every grid point and reports the recall/QPS Pareto front",
    async () => {
      const t = target(standIn);
      const run = await runBench([...t, "--dataset", dataset, "-t", "vec-load,vec-query", "-n", "20", "-c", "1", "--sweep", "ef_search=10,100", "--sweep", "clients=1,2", "--output-format", "json"]);
      expectExit(run, 0);
      const r = JSON.parse(run.stdout) as OptimizeReport;
      expect(r.mode).toBe("sweep");
      expect(r.trials.map((x) => x.setting)).toEqual([
        { ef_search: 10, clients: 1 },
        { ef_search: 10, clients: 2 },
        { ef_search: 100, clients: 1 },
        { ef_search: 100, clients: 2 },
      ]);
      expect(r.trials.map((x) => x.recall)).toEqual([0.6, 0.6, 1, 1]);
      expect(r.frontAxes).toBe("recall-qps");
      // The front: no setting has both more recall and more QPS than a front member, and every
      // other setting is beaten on both by some front member.
      const front = r.paretoFront.map((k) => r.settings.find((s) => s.key === k)!);
      const beats = (a: (typeof front)[0], b: (typeof front)[0]) => a.recall! >= b.recall! && a.qps.mean >= b.qps.mean && (a.recall! > b.recall! || a.qps.mean > b.qps.mean);
      expect(front.some((f) => f.recall === 1)).toBe(true);
      for (const f of front) expect(r.settings.some((s) => beats(s, f))).toBe(false);
      for (const s of r.settings.filter((x) => !r.paretoFront.includes(x.key))) expect(front.some((f) => beats(f, s))).toBe(true);
    },
    TIMEOUT,
  );

  test(
    "--tune-rebuild re-creates the index per m and reports each build's time, documents and memory",
    async () => {
      const t = target(standIn);
      const out = join(dir, "rebuild.json");
      const run = await runBench([...t, "--dataset", dataset, "-t", "vec-load,vec-query", "-n", "20", "-c", "1", "--sweep", "m=8,16", "--sweep", "ef_search=100", "--tune-rebuild", "-o", out]);
      expectExit(run, 0);
      const r = readReport(out);
      expect(r.builds.map((b) => b.setting)).toEqual([{ m: 8 }, { m: 16 }]);
      for (const b of r.builds) {
        expect(b.numDocs).toBe(400);
        expect(b.indexMemoryBytes).toBeGreaterThan(0);
        expect(b.buildSec).toBeGreaterThanOrEqual(0);
      }
      expect(r.reproduce).toContain("--hnsw-m");
      expect(r.reproduce).toContain("--recreate-index");
      expect(run.stdout).toContain("Index builds (--tune-rebuild");
    },
    TIMEOUT,
  );

  test(
    "failing trials are never chosen: a server answering errors ends the search after the first trial (exit 1)",
    async () => {
      const t = target(standIn);
      const load = await runBench([...t, "--dataset", dataset, "-t", "vec-load", "-c", "1"]);
      expectExit(load, 0);
      standIn.setFaults({ errorRate: 0.5 });
      try {
        const run = await runBench([...t, "--dataset", dataset, "-t", "vec-query", "-n", "20", "-c", "1", "--optimize", "--tune", "clients:1..4", "--output-format", "json"]);
        expectExit(run, 1);
        const r = JSON.parse(run.stdout) as OptimizeReport;
        expect(r.outcome).toBe("failed");
        expect(r.stopped).toBe("first-trial-failed");
        expect(r.trials[0]!.failed).toContain("requests failed");
        expect(r.chosen).toBeNull();
      } finally {
        standIn.setFaults({});
      }
    },
    TIMEOUT,
  );
});

test(
  "on a 3-shard cluster the clients range starts at one client per node, and the minimal ef_search is found through the fan-out",
  async () => {
    const cluster = await startSearchCluster({ shards: 3, approximate: true });
    try {
      const t = target(cluster.servers[0]!);
      const run = await runBench([...t, "--dataset", dataset, "-t", "vec-load,vec-query", "-n", "40", "-c", "3", "--optimize", "--tune", "ef_search:1..200", "--tune", "clients:1..8", "--constraint", "recall>=0.9", "--output-format", "json"], { timeoutMs: 60_000 });
      expect(run.code, describeRun(run)).toBe(0);
      expect(run.stderr).toContain("clients below 3 left out of clients:1..8");
      const r = JSON.parse(run.stdout) as OptimizeReport;
      expect(r.trials.every((x) => x.failed === null && x.setting.clients! >= 3)).toBe(true);
      expect(r.chosen?.setting.ef_search).toBe(knownMinimalEf(0.9, 200));
    } finally {
      await cluster.stop();
    }
  },
  TIMEOUT,
);

test(
  "a first trial the server cannot run is bad input (exit 2) naming the trial's setting",
  async () => {
    const t = target(standIn);
    expectExit(await runBench([...t, "--dataset", dataset, "-t", "vec-load", "-c", "1"]), 0);
    const run = await runBench([...t, "--dataset", dataset, "-t", "vec-query", "-n", "20", "-c", "1", "--optimize", "--tune", "ef_search:1..100000", "--constraint", "recall>=0.9"]);
    expectExit(run, 2);
    expect(run.stderr).toContain("first trial (ef_search=100000): --ef-search 100000 is above the maximum");
  },
  TIMEOUT,
);

test(
  "recall the search module withholds (vectors rewritten by vec-update) fails the trial instead of steering the search",
  async () => {
    const t = target(standIn);
    expectExit(await runBench([...t, "--dataset", dataset, "-t", "vec-load", "-c", "1"]), 0);
    expectExit(await runBench([...t, "--dataset", dataset, "--mix", "vec-query:50,vec-update:50", "-n", "40", "-c", "1"]), 0);
    const run = await runBench([...t, "--dataset", dataset, "-t", "vec-query", "-n", "20", "-c", "1", "--optimize", "--tune", "clients:1..2", "--output-format", "json"]);
    expectExit(run, 1);
    const r = JSON.parse(run.stdout) as OptimizeReport;
    expect(r.trials[0]!.failed).toContain("recall withheld");
    expect(r.outcome).toBe("failed");
  },
  TIMEOUT,
);

describe("key-value test on valkey-server", () => {
  let server: ValkeyServer;
  beforeAll(async () => {
    server = await startValkey();
  });
  afterAll(async () => {
    await server?.stop();
  });

  test(
    "--optimize tunes clients for -t set under a p99 bound; the chosen setting meets it",
    async () => {
      const run = await runBench(["-p", String(server.port), "-t", "set", "-n", "2000", "-r", "1000", "--optimize", "--tune", "clients:1..32", "--constraint", "p99<=1s", "--output-format", "json"], { timeoutMs: 60_000 });
      expect(run.code, describeRun(run)).toBe(0);
      const r = JSON.parse(run.stdout) as OptimizeReport;
      expect(r.frontAxes).toBe("qps-p99");
      expect(r.chosen?.setting.clients).toBeGreaterThanOrEqual(1);
      expect(r.chosen!.p99Ms.mean).toBeLessThanOrEqual(1000);
      expect(r.trials[0]!.phase).toBe("concurrency");
      expect(r.reproduce).toContain("-t set");
    },
    TIMEOUT,
  );
});

const realTest = REAL_SEARCH_SERVER ? test : test.skip;

describe("real valkey-search (VSB_SEARCH_SERVER_DIR)", () => {
  realTest(
    "the chosen ef_search's recall, re-measured by a separate ordinary run, meets the constraint",
    async () => {
      const real = await startRealSearchServer();
      try {
        const data = join(dir, "real.bin");
        await generateDataset({ path: data, dim: 32, numVectors: 3000, numQueries: 50, k: 10, metric: "L2", seed: 9, workers: 1 });
        const t = target(real);
        const out = join(dir, "real.json");
        const run = await runBench([...t, "--dataset", data, "-t", "vec-load,vec-query", "-n", "100", "-c", "2", "--optimize", "--tune", "ef_search:1..256", "--constraint", "recall>=0.95", "-o", out], { timeoutMs: 80_000 });
        expect(run.code, describeRun(run)).toBe(0);
        const r = readReport(out);
        const ef = r.chosen!.setting.ef_search!;
        const again = await runBench([...t, "--dataset", data, "-t", "vec-query", "-n", "200", "-c", "1", "--ef-search", String(ef), "--output-format", "json"]);
        expectExit(again, 0);
        const recall = parseJsonReport(again.stdout).tests[0]!.recall!.mean!;
        expect(recall).toBeGreaterThanOrEqual(0.95);
      } finally {
        await real.stop();
      }
    },
    TIMEOUT,
  );
});
