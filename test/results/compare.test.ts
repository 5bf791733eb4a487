import { afterAll, describe, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { compareRuns, formatComparison, parseLimits, workloadOf } from "../../src/results/compare.ts";
import { loadRunFile } from "../../src/results/run-file.ts";
import { expectExit, runBench } from "../support/run-cli.ts";
import { configOf, histogramOf, latencies, reportOf, result, tempDir, writeReport } from "./support.ts";

const dir = tempDir("compare");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(name: string, opts: { throughput: number; centerUs: number; argv?: string[]; titles?: string[]; recall?: number; withheld?: string }): Promise<string> {
  const config = await configOf(opts.argv ?? ["-t", "set"]);
  const results = (opts.titles ?? ["SET"]).map((title) =>
    result({
      title,
      throughput: opts.throughput,
      latencyUs: histogramOf(latencies(10_000, opts.centerUs)),
      ...(opts.recall === undefined ? {} : { extra: { "vec-query": { k: 10, mean: opts.recall, queries: 1000, ...(opts.withheld ? { invalidReason: opts.withheld } : {}) } } }),
    }),
  );
  return writeReport(dir, name, reportOf(config, results));
}

describe("compare", () => {
  test("limits: relative and absolute, per metric; bad ones are refused", () => {
    expect(parseLimits("throughput=5%,p99=2ms,recall=0.005")).toEqual([
      { metric: "throughput", kind: "relative", value: 0.05, text: "throughput=5%" },
      { metric: "p99", kind: "absolute", value: 2, text: "p99=2ms" },
      { metric: "recall", kind: "absolute", value: 0.005, text: "recall=0.005" },
    ]);
    expect(() => parseLimits("latency=5%")).toThrow("--max-regression latency=5% is invalid");
    expect(() => parseLimits("throughput=5ms")).toThrow("throughput is in req/s, not ms");
  });

  test("latency from the histograms: a 20% slower p99 crosses 10% and not 25%", async () => {
    const base = loadRunFile(await run("base.json", { throughput: 1000, centerUs: 1000 }));
    const slow = loadRunFile(await run("slow.json", { throughput: 1000, centerUs: 1200 }));
    const strict = compareRuns(base, slow, parseLimits("p99=10%"));
    const p99 = strict.tests[0]!.rows.find((r) => r.metric === "p99")!;
    expect(p99.change!).toBeCloseTo(0.2, 2);
    expect(p99.verdict).toBe("REGRESSION");
    expect(strict.regressions).toBe(1);
    expect(compareRuns(base, slow, parseLimits("p99=25%")).regressions).toBe(0);
    // Faster is never a regression.
    expect(compareRuns(slow, base, parseLimits("p99=1%")).regressions).toBe(0);
  });

  test("throughput and recall limits", async () => {
    const base = loadRunFile(await run("vb.json", { throughput: 1000, centerUs: 1000, recall: 0.95 }));
    const worse = loadRunFile(await run("vw.json", { throughput: 940, centerUs: 1000, recall: 0.94 }));
    const c = compareRuns(base, worse, parseLimits("throughput=5%,recall=0.005"));
    expect(c.tests[0]!.rows.find((r) => r.metric === "throughput")!.verdict).toBe("REGRESSION");
    expect(c.tests[0]!.rows.find((r) => r.metric === "recall")!.verdict).toBe("REGRESSION");
    expect(compareRuns(base, worse, parseLimits("throughput=7%,recall=0.02")).regressions).toBe(0);
  });

  test("a withheld recall is not compared as measured (the vec-query extra still holds the mean computed anyway)", async () => {
    const base = loadRunFile(await run("valid.json", { throughput: 1000, centerUs: 1000, recall: 0.95 }));
    const withheld = loadRunFile(await run("withheld.json", { throughput: 1000, centerUs: 1000, recall: 0.75, withheld: "the vectors under vec: no longer match the dataset" }));
    const c = compareRuns(base, withheld, parseLimits("recall=0.005"));
    // No recall to pass the gate with: the limit cannot be met.
    expect(c.tests[0]!.rows.find((r) => r.metric === "recall")).toMatchObject({ base: 0.95, new: null, verdict: "REGRESSION" });
    const both = compareRuns(withheld, withheld, parseLimits("throughput=5%"));
    expect(both.tests[0]!.rows.find((r) => r.metric === "recall")).toBeUndefined();
  });

  test("runs on different datasets are refused, naming both", async () => {
    const a = loadRunFile(await run("da.json", { throughput: 1000, centerUs: 1000 }));
    const b = loadRunFile(await run("db.json", { throughput: 1000, centerUs: 1000 }));
    (a.report.config as unknown as { search: { datasetPath: string } }).search.datasetPath = "/data/sift-128.bin";
    (b.report.config as unknown as { search: { datasetPath: string } }).search.datasetPath = "/data/gist-960.bin";
    expect(() => compareRuns(a, b, parseLimits("p99=10%"))).toThrow("used different datasets (sift-128.bin vs gist-960.bin)");
  });

  test("a test's workload leaves out ef= only: k and filtered are part of what is measured", () => {
    expect(workloadOf("VEC-QUERY (k=10, ef=64)")).toBe("VEC-QUERY (k=10)");
    expect(workloadOf("VEC-QUERY (k=10, ef=128, filtered)")).toBe("VEC-QUERY (k=10, filtered)");
    expect(workloadOf("VEC-QUERY (k=10)")).toBe("VEC-QUERY (k=10)");
    expect(workloadOf("LRANGE_100 (first 100 elements)")).toBe("LRANGE_100 (first 100 elements)");
    expect(workloadOf("SET")).toBe("SET");
  });

  test("vec-query runs that differ only in --ef-search are paired, with the ef difference in the configuration table", async () => {
    writeFileSync(`${dir}/d.bin`, ""); // --dataset must name a readable file; the runs are built in memory
    const vec = (ef: number) => ["-t", "vec-load,vec-query", "--dataset", `${dir}/d.bin`, "--ef-search", String(ef)];
    const ef64 = await run("ef64.json", { throughput: 1000, centerUs: 1000, recall: 0.9, argv: vec(64), titles: ["VEC-LOAD", "VEC-QUERY (k=10, ef=64)"] });
    const ef128 = await run("ef128.json", { throughput: 700, centerUs: 1400, recall: 0.97, argv: vec(128), titles: ["VEC-LOAD", "VEC-QUERY (k=10, ef=128)"] });
    const c = compareRuns(loadRunFile(ef64), loadRunFile(ef128), parseLimits("throughput=5%"));
    expect(c.tests.map((t) => [t.title, t.newTitle])).toEqual([
      ["VEC-LOAD", undefined],
      ["VEC-QUERY (k=10, ef=64)", "VEC-QUERY (k=10, ef=128)"],
    ]);
    const query = c.tests[1]!;
    expect(query.rows.find((r) => r.metric === "recall")).toMatchObject({ base: 0.9, new: 0.97, verdict: "better" });
    expect(query.rows.find((r) => r.metric === "throughput")!.verdict).toBe("REGRESSION");
    expect(c.configDifferences).toContainEqual({ path: "search.efSearch", base: "64", new: "128" });
    expect(formatComparison(c)).toContain("== VEC-QUERY (k=10, ef=64) vs VEC-QUERY (k=10, ef=128) (same workload;");
    // Without --ef-search on one side: the same workload too.
    const noEf = await run("noef.json", { throughput: 1000, centerUs: 1000, recall: 0.9, argv: ["-t", "vec-query", "--dataset", `${dir}/d.bin`], titles: ["VEC-QUERY (k=10)"] });
    const one128 = await run("one128.json", { throughput: 1000, centerUs: 1000, recall: 0.9, argv: vec(128), titles: ["VEC-QUERY (k=10, ef=128)"] });
    expect(compareRuns(loadRunFile(noEf), loadRunFile(one128), parseLimits("p99=10%")).tests[0]!.newTitle).toBe("VEC-QUERY (k=10, ef=128)");
    // Through the binary: compared (exit 1 on the throughput drop), not refused.
    const bin = await runBench(["compare", ef64, ef128]);
    expectExit(bin, 1);
    expect(bin.stdout).toContain("search.efSearch: 64 -> 128");
    expect(bin.stdout).toMatch(/recall\s+0\.9000\s+0\.9700/);
  }, 30_000);

  test("still refused: a different k or filter, or two candidates of one workload on a side", async () => {
    const k10 = loadRunFile(await run("k10.json", { throughput: 1000, centerUs: 1000, recall: 0.9, titles: ["VEC-QUERY (k=10, ef=64)"] }));
    const k100 = loadRunFile(await run("k100.json", { throughput: 1000, centerUs: 1000, recall: 0.9, titles: ["VEC-QUERY (k=100, ef=64)"] }));
    const filtered = loadRunFile(await run("filtered.json", { throughput: 1000, centerUs: 1000, recall: 0.9, titles: ["VEC-QUERY (k=10, ef=128, filtered)"] }));
    const two = loadRunFile(await run("two.json", { throughput: 1000, centerUs: 1000, recall: 0.9, titles: ["VEC-QUERY (k=10, ef=128)", "VEC-QUERY (k=10, ef=256)"] }));
    expect(() => compareRuns(k10, k100, parseLimits("p99=10%"))).toThrow("ran different tests");
    expect(() => compareRuns(k10, filtered, parseLimits("p99=10%"))).toThrow("ran different tests");
    expect(() => compareRuns(k10, two, parseLimits("p99=10%"))).toThrow("titles may differ only in ef=, with one such test per run");
  });

  test("the binary: exit 0 / 1, and exit 2 naming what differs", async () => {
    const a = await run("a.json", { throughput: 1000, centerUs: 1000 });
    const b = await run("b.json", { throughput: 800, centerUs: 1000 });
    const other = await run("other.json", { throughput: 1000, centerUs: 1000, argv: ["-t", "get"], titles: ["GET"] });
    const ok = await runBench(["compare", a, a]);
    expectExit(ok, 0);
    expect(ok.stdout).toContain("verdict: no regression");
    const bad = await runBench(["compare", a, b]);
    expectExit(bad, 1);
    expect(bad.stdout).toMatch(/throughput \(req\/s\)\s+1000\.00\s+800\.00\s+-20\.00%\s+throughput=5%\s+REGRESSION/);
    const different = await runBench(["compare", a, other]);
    expectExit(different, 2);
    expect(different.stderr).toContain("ran different tests");
    expect(different.stderr.trim().split("\n")).toHaveLength(1);
    const one = await runBench(["compare", a]);
    expectExit(one, 2);
    const missing = await runBench(["compare", a, `${dir}/nope.json`]);
    expectExit(missing, 2);
    expect(missing.stderr).toContain("no such file");
  }, 30_000);
});
