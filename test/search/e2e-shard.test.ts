// vec-load split over 3 processes (--shard i/3, run one after the other) writes each
// dataset vector exactly once, as one process does; a later vec-query over 3 shards scores
// every query once (merge: recall over all queries).

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { readFileSync, rmSync } from "node:fs";
import { collectRun, expectExit, runBench, spawnBench } from "../support/run-cli.ts";
import { tempDir } from "../results/support.ts";
import { countKeys, makeDatasets, numDocs, searchTarget, uniqueNames, SERVER_KIND, type Datasets, type SearchTarget } from "./e2e-target.ts";

let target: SearchTarget;
let data: Datasets;
const dir = tempDir("vec-shard");

beforeAll(async () => {
  [target, data] = await Promise.all([searchTarget(), makeDatasets()]);
});
afterAll(async () => {
  await target.stop();
  data.remove();
  rmSync(dir, { recursive: true, force: true });
});

describe(`--shard with vector workloads (${SERVER_KIND})`, () => {
  test("3 vec-load shards write the dataset's 500 vectors once; 3 vec-query shards merge into one run's queries", async () => {
    const n = uniqueNames();
    const base = ["-h", target.host, "-p", String(target.port), "-c", "2", ...n.args, "--dataset", data.plain, "--search-algorithm", "FLAT"];
    // One after the other: a shard must write its own range even when it finds the others'
    // vectors already on the server (no resume-from-what-is-there for a shard).
    const load = [];
    for (const i of [0, 1, 2]) load.push(await runBench([...base, "-t", "vec-load", "--shard", `${i}/3`, "-o", join(dir, `load-${i}.json`)], { timeoutMs: 45_000 }));
    for (const r of load) expectExit(r, 0);
    expect(await countKeys(target, n.prefix)).toBe(500);
    expect(await numDocs(target, n.index)).toBe(500);
    const loaded = load.map((_, i) => (JSON.parse(readFileSync(join(dir, `load-${i}.json`), "utf8")) as { tests: { requests: { issued: number } }[] }).tests[0]!.requests.issued);
    expect(loaded.reduce((a, b) => a + b, 0)).toBe(500);

    const query = await Promise.all(
      [0, 1, 2].map((i) => {
        const argv = [...base, "-t", "vec-query", "-n", "90", "--shard", `${i}/3`, "-o", join(dir, `query-${i}.json`)];
        return collectRun(spawnBench(argv, { timeoutMs: 45_000 }), argv);
      }),
    );
    for (const r of query) expectExit(r, 0);
    const merged = join(dir, "query.json");
    expectExit(await runBench(["merge", ...[0, 1, 2].map((i) => join(dir, `query-${i}.json`)), "-o", merged]), 0);
    const t = JSON.parse(readFileSync(merged, "utf8")).tests[0];
    expect(t.requests.completed).toBe(90);
    expect(t.extra.recall).toMatchObject({ queries: 90, mean: 1 });
  }, 120_000);
});
