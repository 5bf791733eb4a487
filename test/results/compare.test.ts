import { afterAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { compareRuns, parseLimits } from "../../src/results/compare.ts";
import { loadRunFile } from "../../src/results/run-file.ts";
import { expectExit, runBench } from "../support/run-cli.ts";
import { configOf, histogramOf, latencies, reportOf, result, tempDir, writeReport } from "./support.ts";

const dir = tempDir("compare");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(name: string, opts: { throughput: number; centerUs: number; argv?: string[]; titles?: string[]; recall?: number }): Promise<string> {
  const config = await configOf(opts.argv ?? ["-t", "set"]);
  const results = (opts.titles ?? ["SET"]).map((title) =>
    result({
      title,
      throughput: opts.throughput,
      latencyUs: histogramOf(latencies(10_000, opts.centerUs)),
      ...(opts.recall === undefined ? {} : { extra: { "vec-query": { k: 10, mean: opts.recall, queries: 1000 } } }),
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

  test("runs on different datasets are refused, naming both", async () => {
    const a = loadRunFile(await run("da.json", { throughput: 1000, centerUs: 1000 }));
    const b = loadRunFile(await run("db.json", { throughput: 1000, centerUs: 1000 }));
    (a.report.config as unknown as { search: { datasetPath: string } }).search.datasetPath = "/data/sift-128.bin";
    (b.report.config as unknown as { search: { datasetPath: string } }).search.datasetPath = "/data/gist-960.bin";
    expect(() => compareRuns(a, b, parseLimits("p99=10%"))).toThrow("used different datasets (sift-128.bin vs gist-960.bin)");
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
