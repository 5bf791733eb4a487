// The optimizer's flags: their grammar, and the rules that refuse a command line the trials
// could not honour (one line naming the flag, before any connection).

import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCli } from "../../src/cli/parse-cli.ts";
import type { BenchConfig } from "../../src/config/types.ts";
import { reproduceCommand } from "../../src/optimize/command-line.ts";
import { trialConfig } from "../../src/optimize/trial-config.ts";

const dir = mkdtempSync(join(tmpdir(), "vsb-opt-"));
const dataset = join(dir, "d.bin");
writeFileSync(dataset, "x");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function config(args: string[]): Promise<BenchConfig> {
  const parsed = await parseCli(args, { nowMs: () => 1 });
  if (parsed.kind !== "bench") throw new Error(`not a bench command line: ${parsed.kind}`);
  return parsed.config;
}

const VQ = ["--dataset", dataset, "-t", "vec-query"];

describe("grammar", () => {
  test("constraints, objective, ranges and lists become typed options; latency is kept in ms", async () => {
    const c = await config([...VQ, "--optimize", "--constraint", "recall>=0.95", "--constraint", "p99<=500us", "--constraint", "p999<=0.02s", "--tune", "ef_search:10..20", "--tune", "clients:8,1,4", "--objective", "minimize:p99"]);
    const o = c.optimize!;
    expect(o.mode).toBe("optimize");
    expect(o.objective).toBe("minimize:p99");
    expect(o.constraints.map((x) => [x.metric, x.op, x.value])).toEqual([["recall", ">=", 0.95], ["p99", "<=", 0.5], ["p999", "<=", 20]]);
    expect(o.axes[0]).toMatchObject({ name: "ef_search", kind: "range", values: [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20] });
    expect(o.axes[1]).toMatchObject({ name: "clients", kind: "list", values: [1, 4, 8] });
    expect(o.maxIterations).toBe(50);
    expect(o.tolerance).toBe(0.04);
  });

  test("a --sweep value error shows the --sweep form (NAME=...), not --tune's NAME:...", async () => {
    await expect(config([...VQ, "--sweep", "ef_search=a,b"])).rejects.toThrow("must be ef_search=LOW..HIGH or ef_search=A,B,C");
    await expect(config([...VQ, "--optimize", "--tune", "clients:x"])).rejects.toThrow("must be clients:LOW..HIGH or clients:A,B,C");
  });

  test("an ordinary run has no optimizer options", async () => {
    expect((await config(["-t", "get"])).optimize).toBeUndefined();
  });

  for (const [args, message] of [
    [["--constraint", "recall<=0.9"], "recall is a floor"],
    [["--constraint", "p99>=5ms"], "bound it from above"],
    [["--constraint", "recall>=1.5"], "between 0 and 1"],
    [["--constraint", "latency<5"], "must be METRIC>=VALUE"],
    [["--tune", "ef_search:100..10"], "LOW..HIGH"],
    [["--tune", "warp:1..2"], "cannot tune 'warp'"],
    [["--objective", "maximize:recall"], "must be one of maximize:qps"],
    [["--tolerance", "2"], "between 0 and 1"],
  ] as const) {
    test(`${args.join(" ")} is refused: ${message}`, async () => {
      await expect(config([...VQ, "--optimize", "--tune", "clients:1..4", ...args])).rejects.toThrow(message);
    });
  }
});

describe("rules", () => {
  const cases: [string[], string][] = [
    [["-t", "get", "--constraint", "p99<=1"], "applies to --optimize and --sweep only"],
    [["-t", "get", "--optimize"], "needs something to tune"],
    [["-t", "set,get", "--optimize", "--tune", "clients:1..8"], "measures exactly one test"],
    [["--optimize", "--tune", "clients:1..8"], "measures one test"],
    [["-t", "get", "--optimize", "--tune", "ef_search:1..8"], "applies to vector search"],
    [[...VQ, "--optimize", "--tune", "ef_search:1..8"], "needs --constraint recall>="],
    [[...VQ, "--optimize", "--tune", "m:8,16", "--constraint", "recall>=0.9"], "add --tune-rebuild"],
    [[...VQ, "--optimize", "--tune-rebuild", "--tune", "clients:1..4"], "needs --tune m:... or ef_construction"],
    [[...VQ, "--optimize", "--tune", "ef_search:1..8", "--constraint", "recall>=0.9", "--ef-search", "10"], "--ef-search and --tune ef_search both set"],
    [[...VQ, "--search-algorithm", "FLAT", "--sweep", "ef_search=1,2"], "HNSW indexes only"],
    [["-t", "get", "--optimize", "--sweep", "clients=1,2"], "use one"],
    [["-t", "get", "--sweep", "clients=1,2", "--tune", "pipeline:1..2"], "--tune is for --optimize"],
    [["-t", "get", "--optimize", "--tune", "clients:1..4", "--loop"], "cannot be combined with --optimize"],
    [["-t", "get", "--optimize", "--tune", "clients:1..4", "--metrics-interval", "1"], "--metrics-interval cannot be combined with --optimize"],
    [["-t", "get", "--sweep", "clients=1,2", "--track-metric", "stats:total_commands_processed"], "--track-metric cannot be combined with --sweep"],
    [["-t", "get", "--optimize", "--tune", "clients:1..4", "-o", join(dir, "x.csv")], "reports as text or JSON"],
    [["-t", "get", "--optimize", "--tune", "clients:1..4", "--constraint", "recall>=0.9"], "needs a vector test"],
    [["-t", "get", "--optimize", "--tune", "clients:1..4", "--tune", "clients:8"], "names clients twice"],
  ];
  for (const [args, message] of cases) {
    test(`${args.filter((a) => a !== dataset).join(" ")}: ${message}`, async () => {
      await expect(config(args)).rejects.toThrow(message);
    });
  }
});

describe("trials and the reproducing command line", () => {
  test("a trial applies its setting, keeps only the measured test, runs whole passes over the queries, and warms up briefly", async () => {
    const c = await config([...VQ.slice(0, 2), "-t", "vec-load,vec-query", "-n", "1000", "--optimize", "--tune", "ef_search:1..64", "--tune", "threads:1..4", "--constraint", "recall>=0.9", "--dropindex", "-c", "2"]);
    const t = trialConfig(c, { ef_search: 32, threads: 4 }, 300);
    expect(t.tests).toEqual(["vec-query"]);
    expect(t.search.efSearch).toBe(32);
    expect(t.threads).toBe(2); // capped at -c
    expect(t.requests).toBe(1200);
    expect(t.warmup).toEqual({ kind: "requests", requests: 120 });
    expect(t.search.dropIndex).toBe(false);
    expect(t.optimize).toBeUndefined();
  });

  test("the command line drops the optimizer flags and -o, sets the trial's values and hides the password", async () => {
    const argv = ["-h", "db", "-a", "s3cret", "--dataset", dataset, "-t", "vec-load,vec-query", "-n", "1000", "--optimize", "--tune", "ef_search:1..64", "--tune", "clients:1..16", "--constraint", "recall>=0.9", "-o", join(dir, "r.json")];
    const c = await config(argv);
    const cmd = reproduceCommand(argv, trialConfig(c, { ef_search: 24, clients: 8 }, 100), new Set(["ef_search", "clients"]), false);
    expect(cmd).toBe(`valkey-search-benchmark -h db -a '***' --dataset ${dataset} -t vec-query -c 8 --ef-search 24 -n 1000 --warmup 100r`);
    expect(cmd).not.toContain("s3cret");
  });
});
