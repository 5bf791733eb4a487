// A run split over processes (--shard I/N) does what one process does, merge combines the
// shards' reports exactly, and the start gates (--barrier, --start-at) hold every shard back.

import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { copyFileSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { decodeHistogram } from "../../src/metrics/histogram.ts";
import type { JsonReport } from "../../src/report/json.ts";
import { callsOf, collectRun, expectExit, resetServer, runBench, spawnBench } from "../support/run-cli.ts";
import { startValkey, type ValkeyServer } from "../support/valkey.ts";
import { tempDir } from "../results/support.ts";

let server: ValkeyServer;
const dir = tempDir("shard");

beforeAll(async () => {
  server = await startValkey();
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => resetServer(server));

const read = (path: string) => JSON.parse(readFileSync(path, "utf8")) as JsonReport & { merged?: { shards: number } };

async function keys(): Promise<string[]> {
  return (await server.cli("KEYS", "*")).split("\n").filter((k) => k !== "").sort();
}

/** Runs N shards of `args` concurrently; returns their JSON file paths. */
async function shards(n: number, args: string[], label: string): Promise<string[]> {
  const files = Array.from({ length: n }, (_, i) => join(dir, `${label}-${i}.json`));
  const procs = files.map((file, i) => {
    const argv = [...args, "--shard", `${i}/${n}`, "-o", file];
    return collectRun(spawnBench(argv, { timeoutMs: 40_000 }), argv);
  });
  for (const run of await Promise.all(procs)) expectExit(run, 0);
  return files;
}

describe("--shard I/N", () => {
  test("3 shards send what one process sends: same command counts, same --sequential keys", async () => {
    const args = ["-p", String(server.port), "-t", "set,incr", "-n", "3001", "-r", "3001", "--sequential", "-c", "4", "--seed", "7"];
    const single = await runBench([...args, "-o", join(dir, "single.json")], { timeoutMs: 40_000 });
    expectExit(single, 0);
    const singleCounts = { set: await callsOf(server, "set"), incr: await callsOf(server, "incr") };
    const singleKeys = await keys();
    expect(singleCounts).toEqual({ set: 3001, incr: 3001 });
    expect(singleKeys.length).toBe(6002); // key:… and counter:… for 0..3000

    await resetServer(server);
    const files = await shards(3, args, "seq");
    expect({ set: await callsOf(server, "set"), incr: await callsOf(server, "incr") }).toEqual(singleCounts);
    expect(await keys()).toEqual(singleKeys);
    expect(files.map((f) => read(f).tests[0]!.requests.issued)).toEqual([1000, 1000, 1001]);

    // merge: counts summed, histograms added exactly.
    const out = join(dir, "merged.json");
    const merge = await runBench(["merge", ...files, "-o", out]);
    expectExit(merge, 0);
    const merged = read(out);
    const one = read(join(dir, "single.json"));
    expect(merged.merged!.shards).toBe(3);
    for (const [i, t] of merged.tests.entries()) {
      expect(t.title).toBe(one.tests[i]!.title);
      expect(t.requests).toEqual(one.tests[i]!.requests);
      const h = decodeHistogram(t.histogram);
      const parts = files.map((f) => decodeHistogram(read(f).tests[i]!.histogram));
      expect(h.totalCount).toBe(decodeHistogram(one.tests[i]!.histogram).totalCount);
      expect(h.minNonZeroValue).toBe(Math.min(...parts.map((p) => p.minNonZeroValue)));
      expect(h.maxValue).toBe(Math.max(...parts.map((p) => p.maxValue)));
      expect(t.timeline!.points.reduce((n, p) => n + p.client.requests, 0)).toBe(3001);
    }
  }, 120_000);

  test("merge refuses one file, other configurations and duplicate shards (exit 2, one line)", async () => {
    const a = await shards(2, ["-p", String(server.port), "-t", "ping_mbulk", "-n", "200"], "a");
    const b = await shards(2, ["-p", String(server.port), "-t", "ping_mbulk", "-n", "200", "-P", "4"], "b");
    const one = await runBench(["merge", a[0]!]);
    expectExit(one, 2);
    expect(one.stderr).toContain("merge needs at least two shard files");
    const other = await runBench(["merge", a[0]!, b[1]!]);
    expectExit(other, 2);
    expect(other.stderr).toContain("config.pipeline differs (1 vs 4)");
    expect(other.stderr.trim().split("\n")).toHaveLength(1);
    const dup = await runBench(["merge", a[0]!, a[0]!]);
    expectExit(dup, 2);
    expect(dup.stderr).toContain("are both shard 0");
    // Runs without --shard (the same command on several hosts) merge; the same run twice, as a
    // file named twice or a copy, does not (it counted every request twice: throughput doubled).
    const plain = join(dir, "plain.json");
    expectExit(await runBench(["-p", String(server.port), "-t", "ping_mbulk", "-n", "200", "-o", plain]), 0);
    const copy = join(dir, "plain-copy.json");
    copyFileSync(plain, copy);
    for (const twice of [[plain, plain], [plain, copy]]) {
      const same = await runBench(["merge", ...twice]);
      expectExit(same, 2);
      expect(same.stderr.trim()).toMatch(new RegExp(`^error: ${twice[1]} and ${plain} are the same run \\(started \\S+\\); give each shard's file once$`));
    }
  }, 60_000);

  test("--shard 3/2 and a malformed --barrier are one-line errors, exit 2", async () => {
    const bad = await runBench(["-p", String(server.port), "--shard", "3/2"]);
    expectExit(bad, 2);
    expect(bad.stderr).toContain("--shard must have I below N");
    const barrier = await runBench(["-p", String(server.port), "--barrier", "x"]);
    expectExit(barrier, 2);
    expect(barrier.stderr.trim().split("\n")).toHaveLength(1);
  });
});

describe("start gates", () => {
  test("--barrier NAME 3 holds every shard until the third arrives, and leaves no key behind", async () => {
    const args = ["-p", String(server.port), "-t", "ping_mbulk", "-n", "300", "--barrier", "gate1", "3"];
    const first = spawnBench([...args, "--shard", "0/3", "-o", join(dir, "g0.json")], { timeoutMs: 40_000 });
    const second = spawnBench([...args, "--shard", "1/3", "-o", join(dir, "g1.json")], { timeoutMs: 40_000 });
    // Two of three arrived: the barrier key counts them and nothing has run.
    const deadline = Date.now() + 20_000;
    while ((await server.cli("GET", "{vsb:barrier:gate1}:arrived")) !== "2" && Date.now() < deadline) await Bun.sleep(50);
    expect(await server.cli("GET", "{vsb:barrier:gate1}:arrived")).toBe("2");
    expect(await callsOf(server, "ping")).toBe(0);
    const third = await runBench([...args, "--shard", "2/3", "-o", join(dir, "g2.json")], { timeoutMs: 40_000 });
    expectExit(third, 0);
    expectExit(await collectRun(first, []), 0);
    expectExit(await collectRun(second, []), 0);
    expect(await server.cli("EXISTS", "{vsb:barrier:gate1}:arrived", "{vsb:barrier:gate1}:left")).toBe("0");
    expect(await callsOf(server, "ping")).toBe(300);
  }, 60_000);

  test("--start-at holds the first test until the given time", async () => {
    const at = Date.now() + 1500;
    const out = join(dir, "at.json");
    const run = await runBench(["-p", String(server.port), "-t", "ping_mbulk", "-n", "200", "--start-at", String(at), "-o", out], { timeoutMs: 30_000 });
    expectExit(run, 0);
    expect(read(out).tests[0]!.timeline!.points[0]!.startMs).toBeGreaterThanOrEqual(at);
    const bad = await runBench(["-p", String(server.port), "--start-at", "tomorrow"]);
    expectExit(bad, 2);
    expect(bad.stderr).toContain("--start-at must be an RFC 3339 time");
  }, 40_000);
});
