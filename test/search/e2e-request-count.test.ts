// How the vector tests read -n, --duration and --warmup, end to end through the CLI (against the
// stand-in, or a real valkey-search with VSB_SEARCH_SERVER_DIR). vec-load writes each vector of
// the slice once, so it reads none of them: alone it refuses them (naming --num-vectors), beside a
// test that reads them it says so. vec-delete sends at most one DEL per deletable id, under -n and
// --duration alike; a --mix whose vec-delete part sent more says so.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { openDataset } from "../../src/dataset/index.ts";
import { deletableIds } from "../../src/search/vec-delete-workload.ts";
import { describeRun, expectExit, parseJsonReport, runBench } from "../support/run-cli.ts";
import { call, countKeys, makeDatasets, searchTarget, uniqueNames, type Datasets, type SearchTarget } from "./e2e-target.ts";

const TIMEOUT = 60_000;
let target: SearchTarget;
let data: Datasets;
/** Vectors of data.plain in no query's ground truth: what a vec-delete may remove. */
let deletable = 0;

beforeAll(async () => {
  [target, data] = await Promise.all([searchTarget(), makeDatasets()]);
  const ds = openDataset({ path: data.plain });
  try {
    deletable = deletableIds(ds, 0).length;
  } finally {
    ds.close();
  }
});
afterAll(async () => {
  await target.stop();
  data.remove();
});

function base(names: { args: string[] }): string[] {
  return ["-h", target.host, "-p", String(target.port), "-c", "4", ...names.args, "--dataset", data.plain, "--search-algorithm", "FLAT"];
}

describe("vec-load reads no request count", () => {
  test(
    "-t vec-load with -n, --duration or --warmup is refused before any request (exit 2), naming --num-vectors",
    async () => {
      const n = uniqueNames();
      const cases: [string[], string][] = [
        [["-n", "200"], "error: -n 200: vec-load writes each vector of the dataset slice exactly once, so it takes no request count; to load 200 vectors use --num-vectors 200 (counted from --vector-offset), or drop -n"],
        [["--duration", "1"], "error: --duration: vec-load writes each vector of the dataset slice exactly once and then stops, so it takes no duration; drop --duration"],
        [["--warmup", "100r"], "error: --warmup: vec-load runs without a warmup"],
      ];
      for (const [flags, message] of cases) {
        const run = await runBench([...base(n), "-t", "vec-load", ...flags]);
        expect(run.code, describeRun(run)).toBe(2);
        expect(run.stderr.trim(), describeRun(run)).toStartWith(message);
        expect(run.stderr.trim().split("\n").length, describeRun(run)).toBe(1);
      }
      // Nothing was written and no index made.
      expect(await countKeys(target, n.prefix)).toBe(0);
      expect(await call(target, "FT._LIST")).not.toContain(n.index);
      // What the refusal names loads that many vectors.
      const load = await runBench([...base(n), "-t", "vec-load", "--num-vectors", "200", "--output-format", "json", "--cleanup"], { timeoutMs: 45_000 });
      expectExit(load, 0);
      expect(parseJsonReport(load.stdout).tests[0]!.extra["vec-load"]).toMatchObject({ vectorsWritten: 200 });
    },
    TIMEOUT,
  );

  test(
    "beside vec-query, -n counts the queries and vec-load still writes the whole slice, saying so on stderr",
    async () => {
      const n = uniqueNames();
      const run = await runBench([...base(n), "-t", "vec-load,vec-query", "-n", "20", "--output-format", "json"], { timeoutMs: 45_000 });
      expectExit(run, 0);
      const [load, query] = parseJsonReport(run.stdout).tests;
      expect(load!.requests.issued).toBe(500);
      expect(query!.requests.issued).toBe(20);
      expect(query!.recall?.valid).toBe(true);
      expect(run.stderr).toContain("vec-load: writes the 500 vectors of the slice once (--num-vectors sets how many); -n 20 counts the other tests' requests");
      const timed = await runBench([...base(n), "-t", "vec-load,vec-query", "--duration", "1", "--csv"], { timeoutMs: 45_000 });
      expectExit(timed, 0);
      expect(timed.stderr).toContain("vec-load: writes the 500 vectors of the slice once (--num-vectors sets how many), however long that takes; --duration 1 times the other tests");
      // The default -n is not a choice the user made: nothing to say (vec-delete ends at the deletable ids).
      const again = await runBench([...base(n), "-t", "vec-load,vec-delete", "--output-format", "json", "--cleanup"], { timeoutMs: 45_000 });
      expectExit(again, 0);
      expect(again.stderr).not.toContain("vec-load: writes");
      expect(again.stderr).not.toContain("warning:");
    },
    TIMEOUT,
  );
});

describe("vec-delete sends at most one DEL per deletable vector", () => {
  test(
    "-n above the deletable ids is capped there with a warning; --duration ends there too, before its time",
    async () => {
      const n = uniqueNames();
      expect(deletable).toBeGreaterThan(0);
      expect(deletable).toBeLessThan(500);
      expectExit(await runBench([...base(n), "-t", "vec-load", "-q"], { timeoutMs: 45_000 }), 0);
      const capped = await runBench([...base(n), "-t", "vec-delete", "-n", "100000", "--output-format", "json"], { timeoutMs: 45_000 });
      expectExit(capped, 0);
      expect(parseJsonReport(capped.stdout).tests[0]!.requests.issued).toBe(deletable);
      expect(capped.stderr).toContain(`warning: vec-delete: -n 100000 is more than the ${deletable} vectors it can delete (those in no query's ground truth, so recall stays valid): it sends ${deletable} DELs`);
      expect(await countKeys(target, n.prefix)).toBe(500 - deletable);

      // Reload, then delete for up to 30 s: it stops after the deletable ids, not after 30 s of DELs of keys already gone.
      expectExit(await runBench([...base(n), "-t", "vec-load", "-q"], { timeoutMs: 45_000 }), 0);
      const timed = await runBench([...base(n), "-t", "vec-delete", "--duration", "30", "--output-format", "json", "--cleanup"], { timeoutMs: 45_000 });
      expectExit(timed, 0);
      const t = parseJsonReport(timed.stdout).tests[0]!;
      expect(t.requests.issued).toBe(deletable);
      expect(t.extra["vec-delete"]).toMatchObject({ deletesSent: deletable, targetsMissing: 0 });
      expect(timed.stderr).toContain(`vec-delete: sent a DEL for each of the ${deletable} deletable vectors after `);
      expect(timed.stderr).toContain(" s, before --duration 30 ended");
      expect(timed.stderr).not.toContain("warning:");
    },
    TIMEOUT,
  );

  test(
    "a --mix whose vec-delete part sent more DELs than there are deletable vectors says so",
    async () => {
      const n = uniqueNames();
      expectExit(await runBench([...base(n), "-t", "vec-load", "-q"], { timeoutMs: 45_000 }), 0);
      const mix = await runBench([...base(n), "--mix", "vec-query:1,vec-delete:1", "-n", "2000", "--output-format", "json", "--cleanup"], { timeoutMs: 45_000 });
      expectExit(mix, 0);
      const parts = (parseJsonReport(mix.stdout).tests[0]!.extra.mix as { parts: { extra?: { deletesSent?: number } }[] }).parts;
      const sent = parts[1]!.extra!.deletesSent!;
      expect(sent).toBeGreaterThan(deletable);
      expect(mix.stderr).toContain(
        `warning: --mix: the vec-delete part sent ${sent} DELs, more than the ${deletable} vectors it can delete: at least ${sent - deletable} of them named a key already deleted (unless a vec-update part wrote it again) and removed nothing; lower -n (or --duration) or its weight`,
      );
    },
    TIMEOUT,
  );
});
