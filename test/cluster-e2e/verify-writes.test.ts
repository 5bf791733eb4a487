// --verify-writes through a real failover on a 3+3 cluster: the replica of one primary is cut
// off (its replication link killed while it is stopped), the primary keeps acknowledging writes
// for a moment and is then SIGKILLed, and the replica is promoted without them. Those writes
// must be reported missing, consistently with the test's own reading of every key, and exit 1.
// (Stale values, an older write showing after a newer one was acknowledged, are produced
// exactly in test/e2e/workloads.test.ts.)

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { killNode, replicaOf, send, waitForPromotion, warmUpReplication } from "../support/cluster-ops.ts";
import { collectRun, describeRun, parseJsonReport, spawnBench, waitFor, type RunResult } from "../support/run-cli.ts";
import type { JsonTestReport } from "../../src/report/json.ts";
import { startCluster, type ValkeyCluster, type ValkeyServer } from "../support/valkey.ts";

interface VerifyWrites {
  keysWritten: number;
  present: number;
  stale: number;
  missing: number;
  corrupt: number;
  unreadable: number;
  perNode: Record<string, { present: number; stale: number; missing: number }>;
}

const KEYS = 6000;
let cluster: ValkeyCluster;

beforeAll(async () => {
  cluster = await startCluster({ primaries: 3, replicasPerPrimary: 1 });
  await warmUpReplication(cluster);
}, 60_000);
afterAll(() => cluster.stop());

const setCalls = async (node: ValkeyServer) => (await node.commandstats()).set?.calls ?? 0;

/**
 * Key number -> the write number in its value's stamp (hex digits 8..16), for every
 * `key{TAG}:NNNNNNNNNNNN` key on the current primaries (the dead node aside).
 */
async function keysOnCluster(dead: ValkeyServer): Promise<Map<number, number>> {
  const found = new Map<number, number>();
  for (const p of cluster.nodes) {
    if (p === dead || (await p.info("replication")).role !== "master") continue;
    const out = await p.cli("--scan", "--pattern", "key{*}:*", "--count", "1000");
    const names = out.split("\n").filter((line) => /^key\{...\}:\d{12}$/.test(line));
    for (let i = 0; i < names.length; i += 500) {
      const chunk = names.slice(i, i + 500);
      const values = await send(p, ...chunk.map((name) => ["GET", name]));
      chunk.forEach((name, k) => {
        const raw = values[k];
        const value = raw instanceof Uint8Array ? new TextDecoder().decode(raw) : String(raw);
        found.set(Number(name.slice(-12)), parseInt(value.slice(8, 16), 16));
      });
    }
  }
  return found;
}

describe("--verify-writes and --verify-reads on a healthy cluster", () => {
  test("hash fields, zipfian keys and size ranges: every written key reads back present, every read matches, exit 0", async () => {
    const primaries = await cluster.primaries();
    const args = [
      "-p", String(primaries[0]!.port), "-t", "set,get", "-r", "2000", "-n", "8000", "-c", "6", "-P", "4", "--key-pattern", "Z",
      "--address-type", "hash:a,b", "--data-size-range", "24-64", "--verify-writes", "--verify-reads", "--output-format", "json",
    ];
    const run = await collectRun(spawnBench(args, { timeoutMs: 60_000 }), args);
    if (run.code !== 0) throw new Error(`expected exit 0\n${describeRun(run)}`);
    const [set, get] = parseJsonReport(run.stdout).tests;
    const v = set!.extra.verifyWrites as VerifyWrites;
    let onCluster = 0;
    for (const p of primaries) onCluster += Number(await p.cli("DBSIZE"));
    // The warm-up wrote one key per primary.
    expect(v.keysWritten).toBe(onCluster - primaries.length);
    expect(v).toMatchObject({ present: v.keysWritten, stale: 0, missing: 0, corrupt: 0, unreadable: 0 });
    expect(Object.keys(v.perNode).length).toBe(3);
    const reads = (get!.extra.kv as { verifyReads: { checked: number; neverWritten: number; failed: number } }).verifyReads;
    expect(reads.checked + reads.neverWritten).toBe(8000);
    expect(reads.failed).toBe(0);
    for (const p of primaries) await p.cli("FLUSHALL");
  }, 90_000);
});

describe("--verify-writes when a primary dies with writes its replica never received", () => {
  let run: RunResult;
  let t: JsonTestReport;
  let v: VerifyWrites;
  let found: Map<number, number>;
  let heirAddress = "";

  beforeAll(async () => {
    const primaries = await cluster.primaries();
    const victim = primaries[1]!;
    const heir = await replicaOf(cluster, victim);
    const before = await setCalls(victim);
    // Each key number is written once (sequential pattern over exactly -n keys), paced so the
    // run outlives the failover. One thread: write numbers follow the sequence exactly (key K
    // carries write number K + 1), which the test's own check relies on.
    const args = [
      "-p", String(primaries[0]!.port), "-t", "set", "--key-pattern", "S", "-r", String(KEYS), "-n", String(KEYS),
      "--rps", "1000", "-c", "12", "-d", "2048", "--request-timeout", "15000", "--verify-writes", "--output-format", "json",
    ];
    const proc = spawnBench(args, { timeoutMs: 90_000 });
    const result = collectRun(proc, args);
    await waitFor("the run to write to the victim", async () => (await setCalls(victim)) - before >= 300, 15_000);
    process.kill(heir.pid, "SIGSTOP");
    try {
      // The victim drops its replica's link: what it acknowledges from now on reaches nobody.
      await send(victim, ["CLIENT", "KILL", "TYPE", "replica"]);
      const cut = await setCalls(victim);
      await waitFor("acknowledged writes the replica cannot have", async () => (await setCalls(victim)) - cut >= 100, 10_000);
      killNode(victim);
    } finally {
      process.kill(heir.pid, "SIGCONT");
    }
    await waitForPromotion(heir, 30_000);
    heirAddress = `127.0.0.1:${heir.port}`;
    run = await result;
    const report = parseJsonReport(run.stdout);
    t = report.tests[0]!;
    v = t.extra.verifyWrites as VerifyWrites;
    found = await keysOnCluster(victim);
  }, 120_000);

  test("the read-back reads the promoted replica (waiting for the failover to settle if the test ended first)", () => {
    expect(Object.keys(v.perNode)).toContain(heirAddress);
  });

  test("the acknowledged writes the promoted replica never had are reported missing, none stale, and the run exits 1", () => {
    if (run.code !== 1) throw new Error(`expected exit 1\n${describeRun(run)}`);
    expect(v.missing).toBeGreaterThan(0);
    expect(v.stale).toBe(0);
    expect(v.corrupt).toBe(0);
    expect(v.unreadable).toBe(0);
    expect(v.present + v.missing).toBe(v.keysWritten);
    expect(run.stderr).toMatch(/acknowledged writes did not survive/);
  });

  test("every acknowledged write is a distinct key: keys written = successful SETs", () => {
    expect(v.keysWritten).toBe(t.requests.completed);
  });

  test("consistent with the test's own reading of every key: present keys hold their write, and keys absent = missing + (some of the failed requests)", () => {
    for (const [key, stamp] of found) expect(stamp).toBe(key + 1);
    const absent = t.requests.issued - found.size;
    expect(found.size).toBeGreaterThanOrEqual(v.present);
    expect(absent).toBeGreaterThanOrEqual(v.missing);
    expect(absent).toBeLessThanOrEqual(v.missing + t.requests.errors);
  });

  test("the losses are all on the promoted replica's node in the per-node table", () => {
    const lossy = Object.entries(v.perNode).filter(([, c]) => c.missing + c.stale > 0);
    expect(lossy.map(([address]) => address)).toEqual([heirAddress]);
  });
});
