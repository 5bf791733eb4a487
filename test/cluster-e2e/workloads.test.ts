// Every core workload on a 3-primary / 3-replica cluster: the servers count exactly -n commands,
// spread over the primaries exactly as our per-node report says, with no redirect or cross-slot
// error on the way. Custom commands with `{tag}` keys are routed the same way.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { callDelta, errorCounts, snapshotCalls } from "../support/cluster-ops.ts";
import { describeRun, expectExit, parseJsonReport, runBench } from "../support/run-cli.ts";
import { startCluster, type ValkeyCluster, type ValkeyServer } from "../support/valkey.ts";
import type { NodeResult } from "../../src/metrics/node-results.ts";

const REQUESTS = 1000;

let cluster: ValkeyCluster;
let primaries: ValkeyServer[];
let replicas: ValkeyServer[];

beforeAll(async () => {
  cluster = await startCluster({ primaries: 3, replicasPerPrimary: 1 });
  [primaries, replicas] = await Promise.all([cluster.primaries(), cluster.replicas()]);
}, 60_000);
afterAll(() => cluster.stop());

const address = (node: ValkeyServer) => `127.0.0.1:${node.port}`;

/** The server command a report title counts: "LRANGE_100 (first 100 elements)" -> "lrange". */
function commandOfTitle(title: string): string {
  return (title.split(" ")[0] ?? "").toLowerCase().replace(/_.*$/, "");
}

/** Redirect and cross-slot error replies summed over every node since `before`. */
async function routingErrors(before: Record<string, number>[]): Promise<Record<string, number>> {
  const after = await Promise.all(cluster.nodes.map(errorCounts));
  const total: Record<string, number> = {};
  after.forEach((counts, i) => {
    for (const code of ["MOVED", "ASK", "CROSSSLOT", "TRYAGAIN", "CLUSTERDOWN"]) {
      const delta = (counts[code] ?? 0) - (before[i]?.[code] ?? 0);
      if (delta !== 0) total[code] = (total[code] ?? 0) + delta;
    }
  });
  return total;
}

const CORE_TESTS = [
  "set", "get", "incr", "lpush", "rpush", "lpop", "rpop", "sadd", "hset", "spop", "zadd", "zpopmin",
  "lrange_100", "mset", "xadd", "ping",
];

describe("core workloads on a 3+3 cluster", () => {
  test.each(CORE_TESTS)("-t %s: each primary's commandstats delta equals its row in the per-node report", async (name) => {
    const beforeErrors = await Promise.all(cluster.nodes.map(errorCounts));
    const before = await snapshotCalls(cluster.nodes);
    const run = await runBench(["-p", String(primaries[0]!.port), "-t", name, "-n", String(REQUESTS), "-r", "1000", "--output-format", "json"]);
    expectExit(run, 0);
    const after = await snapshotCalls(cluster.nodes);
    const report = parseJsonReport(run.stdout);
    expect(report.tests.length).toBeGreaterThan(0);

    // What we claim per node and command, summed over the tests of the run (lrange_100 is an
    // LPUSH fill plus LRANGE; ping is PING_INLINE plus PING_MBULK, both "ping" on the server).
    const claimed = new Map<string, number>();
    for (const t of report.tests) {
      expect(t.requests).toEqual({ issued: REQUESTS, completed: REQUESTS, errors: 0 });
      const nodes = t.extra.nodes as NodeResult[] | undefined;
      if (!nodes) throw new Error(`${t.title}: no per-node results in JSON\n${describeRun(run)}`);
      expect(nodes.map((n) => n.address).sort()).toEqual(primaries.map(address).sort());
      expect(nodes.reduce((sum, n) => sum + n.completed, 0)).toBe(REQUESTS);
      const command = commandOfTitle(t.title);
      for (const n of nodes) {
        expect(n.role).toBe("primary");
        expect(n.errors).toBe(0);
        expect(n.redirects).toBe(0);
        const key = `${n.address} ${command}`;
        claimed.set(key, (claimed.get(key) ?? 0) + n.completed);
      }
    }

    const commands = [...new Set(report.tests.map((t) => commandOfTitle(t.title)))];
    for (const command of commands) {
      const testsOfCommand = report.tests.filter((t) => commandOfTitle(t.title) === command).length;
      const perPrimary = primaries.map((p) => callDelta(before, after, address(p), command));
      // The servers executed exactly -n per test, no more (no resends), no fewer.
      expect(perPrimary.reduce((a, b) => a + b, 0)).toBe(REQUESTS * testsOfCommand);
      // And on each node exactly what our report says that node served.
      expect(perPrimary).toEqual(primaries.map((p) => claimed.get(`${address(p)} ${command}`) ?? 0));
      // Every primary took a share: keys really are spread over the shards.
      for (const calls of perPrimary) expect(calls).toBeGreaterThan(0);
    }
    // Reads stay on primaries by default (replicas only see replicated writes).
    for (const r of replicas) {
      expect(callDelta(before, after, address(r), "get")).toBe(0);
      expect(callDelta(before, after, address(r), "lrange")).toBe(0);
    }
    expect(await routingErrors(beforeErrors)).toEqual({});
  }, 30_000);
});

describe("text report", () => {
  test("the Per node: block lists each primary with the requests its commandstats show", async () => {
    const before = await snapshotCalls(primaries);
    const run = await runBench(["-p", String(primaries[2]!.port), "-t", "incr", "-n", String(REQUESTS), "-c", "6"]);
    expectExit(run, 0);
    const after = await snapshotCalls(primaries);
    const block = run.stdout.slice(run.stdout.indexOf("Per node:"));
    expect(block.startsWith("Per node:")).toBe(true);
    for (const p of primaries) {
      // "  127.0.0.1:PORT  primary  -   <requests>  <errors>  <redirects> ..."
      const row = block.split("\n").find((line) => line.trim().startsWith(`${address(p)} `));
      if (!row) throw new Error(`no row for ${address(p)} in:\n${block}`);
      const [, role, , requests, errors, redirects] = row.trim().split(/\s+/);
      expect(role).toBe("primary");
      expect(Number(requests)).toBe(callDelta(before, after, address(p), "incr"));
      expect(Number(errors)).toBe(0);
      expect(Number(redirects)).toBe(0);
    }
  }, 30_000);
});

describe("custom commands", () => {
  test("SET foo{tag}:__rand_int__ lands on every primary, each key on its owner, without MOVED", async () => {
    const beforeErrors = await Promise.all(cluster.nodes.map(errorCounts));
    const before = await snapshotCalls(cluster.nodes);
    const run = await runBench([
      "-p", String(primaries[1]!.port), "-n", "900", "-c", "6", "-r", "100000", "--output-format", "json",
      "SET", "foo{tag}:__rand_int__", "bar",
    ]);
    expectExit(run, 0);
    const after = await snapshotCalls(cluster.nodes);
    const [t] = parseJsonReport(run.stdout).tests;
    expect(t?.requests).toEqual({ issued: 900, completed: 900, errors: 0 });
    expect(t?.extra.redirects ?? {}).toEqual({});
    const perPrimary = primaries.map((p) => callDelta(before, after, address(p), "set"));
    expect(perPrimary.reduce((a, b) => a + b, 0)).toBe(900);
    for (const calls of perPrimary) expect(calls).toBeGreaterThan(0);
    const nodes = (t?.extra.nodes ?? []) as NodeResult[];
    expect(primaries.map((p) => nodes.find((n) => n.address === address(p))?.completed)).toEqual(perPrimary);
    expect(await routingErrors(beforeErrors)).toEqual({});
    // The keys carry a real hash tag in place of {tag}, and each node holds only keys it owns
    // (a node that does not own a slot could not have stored the key).
    for (const p of primaries) {
      const keys = (await p.cli("--scan", "--pattern", "foo{*}:*")).split("\n").filter((k) => k !== "");
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys.slice(0, 20)) {
        expect(key).toMatch(/^foo\{[^{}]+\}:\d+$/);
        expect(key).not.toContain("{tag}");
      }
    }
  }, 30_000);
});

describe("client count", () => {
  test("-c smaller than the number of serving nodes exits 2 with a message naming -c", async () => {
    const run = await runBench(["-p", String(primaries[0]!.port), "-t", "set", "-n", "100", "-c", "2"]);
    expectExit(run, 2);
    expect(run.stderr).toMatch(/-c 2\b/);
    expect(run.stderr).toMatch(/3 nodes/);
  });

  test("-c 5 with --rfr all (6 nodes serve reads) also exits 2", async () => {
    const run = await runBench(["-p", String(primaries[0]!.port), "-t", "get", "-n", "100", "-c", "5", "--rfr", "all"]);
    expectExit(run, 2);
    expect(run.stderr).toMatch(/-c 5\b/);
    expect(run.stderr).toMatch(/6 nodes/);
  });
});

test("--key-prefix with a hash tag warns once that every key lands on one node (before: 72% MOVED, silently)", async () => {
  const run = await runBench(["-p", String(primaries[0]!.port), "-t", "set", "-n", "300", "--key-prefix", "{x}", "--max-errors", "100%", "-q"]);
  const lines = run.stderr.split("\n").filter((l) => l.includes("--key-prefix"));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^warning: --key-prefix '\{x\}' holds the hash tag \{x\}: every key goes to slot 16287 on one node/);
  const plain = await runBench(["-p", String(primaries[0]!.port), "-t", "set", "-n", "300", "--key-prefix", "x:", "-q"]);
  expectExit(plain, 0);
  expect(plain.stderr).not.toContain("--key-prefix");
});

describe("-r on a cluster (documented in --help and the README's 'Keys on a cluster')", () => {
  /** Keys under `prefix` over the primaries, and the distinct __rand_int__ numbers among them. */
  async function keysUnder(prefix: string): Promise<{ keys: number; numbers: Set<string> }> {
    let keys = 0;
    const numbers = new Set<string>();
    for (const p of primaries) {
      const found = (await p.cli("--scan", "--pattern", `${prefix}*`)).split("\n").filter((k) => k !== "");
      keys += found.length;
      for (const k of found) {
        expect(k).toMatch(new RegExp(`^${prefix}key\\{[A-Za-z0-9]{3}\\}:\\d{12}$`));
        numbers.add(k.slice(-12));
      }
    }
    return { keys, numbers };
  }

  test("-r N makes up to N x 16384 keys (a random slot tag of the node per request), N per shard under --verify-writes; --help says so", async () => {
    const port = String(primaries[0]!.port);
    const spread = await runBench(["-p", port, "-t", "set", "-r", "10", "-n", "2000", "--key-prefix", "rtag:", "-q"]);
    expectExit(spread, 0);
    const tagged = await keysUnder("rtag:");
    expect(tagged.numbers.size).toBeLessThanOrEqual(10);
    // 2000 requests over 10 numbers x 16384 slots: nearly all distinct, far more than 10.
    expect(tagged.keys).toBeGreaterThan(1500);
    const verified = await runBench(["-p", port, "-t", "set", "-r", "10", "-n", "2000", "-d", "30", "--key-prefix", "rver:", "--verify-writes", "-q"]);
    expectExit(verified, 0);
    expect((await keysUnder("rver:")).keys).toBe(10 * primaries.length);
    const help = await runBench(["--help"]);
    const entry = help.stdout.slice(help.stdout.indexOf("-r, --keyspacelen"), help.stdout.indexOf("\n  --sequential")).replace(/\s+/g, " ");
    expect(entry).toContain("-r N then makes up to N x 16384 distinct keys over the cluster (N per shard with --verify-writes/--verify-reads)");
  }, 30_000);
});
