// Key patterns, value sizes, hash addressing and write/read verification, checked on a real
// server against what it holds after the run.

import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { send } from "../support/cluster-ops.ts";
import { parseInfo } from "../support/info.ts";
import { callsOf, collectRun, describeRun, expectExit, parseJsonReport, resetServer, runBench, spawnBench, waitFor } from "../support/run-cli.ts";
import { startValkey, type ValkeyServer } from "../support/valkey.ts";

let server: ValkeyServer;

beforeAll(async () => {
  server = await startValkey();
});
afterAll(() => server.stop());
beforeEach(() => resetServer(server));

const base = () => ["-p", String(server.port), "-c", "8"];
const keyName = (k: number) => `key:${String(k).padStart(12, "0")}`;

async function allKeys(): Promise<string[]> {
  const out = await server.cli("--scan", "--count", "1000");
  return out === "" ? [] : out.split("\n");
}

interface VerifyWrites {
  keysWritten: number;
  present: number;
  stale: number;
  missing: number;
  corrupt: number;
  unreadable: number;
}

describe("key patterns on the server", () => {
  test("--key-pattern Z: INCR counters follow 1/k^s (the hottest key is the range's minimum)", async () => {
    const run = await runBench([...base(), "-t", "incr", "-r", "50", "-n", "40000", "-P", "16", "--key-pattern", "Z", "--key-zipf-exp", "1.2", "-q"]);
    expectExit(run, 0);
    const counts: number[] = [];
    for (let k = 0; k < 50; k++) counts.push(Number((await server.cli("GET", `counter:${String(k).padStart(12, "0")}`)) || 0));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(40000);
    let total = 0;
    const p = counts.map((_, i) => (total += (i + 1) ** -1.2, (i + 1) ** -1.2));
    const chi = counts.reduce((x, o, i) => x + (o - (40000 * p[i]!) / total) ** 2 / ((40000 * p[i]!) / total), 0);
    expect(chi).toBeLessThan(85.4); // chi-square, 49 df, 0.1%
  });

  test("--key-minimum/--key-maximum: only keys of the subset range are written, every one of them", async () => {
    const run = await runBench([...base(), "-t", "set", "--key-minimum", "100", "--key-maximum", "199", "-n", "5000", "-q"]);
    expectExit(run, 0);
    const keys = (await allKeys()).sort();
    expect(keys).toEqual(Array.from({ length: 100 }, (_, i) => keyName(100 + i)));
  });

  test("--key-pattern S with two threads writes each key of the range exactly once", async () => {
    const run = await runBench([...base(), "-t", "set", "--key-pattern", "S", "-r", "3000", "-n", "3000", "--threads", "2", "-q"]);
    expectExit(run, 0);
    expect(Number(await server.cli("DBSIZE"))).toBe(3000);
    expect(await callsOf(server, "set")).toBe(3000);
  });

  test("the same --seed writes the same keys (one connection: one stream); another seed other keys", async () => {
    const keysFor = async (seed: string) => {
      await server.cli("FLUSHALL");
      expectExit(await runBench([...base(), "-c", "1", "-t", "set", "-r", "1000000", "-n", "300", "--key-pattern", "Z", "--key-zipf-exp", "0.5", "--seed", seed, "-q"]), 0);
      return (await allKeys()).sort();
    };
    const first = await keysFor("42");
    expect(first.length).toBeGreaterThan(100);
    expect(await keysFor("42")).toEqual(first);
    expect(await keysFor("43")).not.toEqual(first);
  });

  test("SET:GET forms: S:R writes sequentially and reads at random", async () => {
    const run = await runBench([...base(), "-t", "set,get", "--key-pattern", "S:R", "-r", "400", "-n", "400", "-q"]);
    expectExit(run, 0);
    expect(Number(await server.cli("DBSIZE"))).toBe(400);
    const stats = await server.info("stats");
    // Every GET hits a key the sequential SET pass wrote.
    expect(Number(stats.keyspace_hits)).toBe(400);
  });
});

describe("value sizes on the server", () => {
  test("--data-size-list writes only the listed sizes, in about their weights", async () => {
    const run = await runBench([...base(), "-t", "set", "--key-pattern", "S", "-r", "2000", "-n", "2000", "--data-size-list", "30:3,300:1", "-P", "8", "-q"]);
    expectExit(run, 0);
    const sizes = new Map<number, number>();
    for (let k = 0; k < 2000; k++) {
      const n = Number(await server.cli("STRLEN", keyName(k)));
      sizes.set(n, (sizes.get(n) ?? 0) + 1);
    }
    expect([...sizes.keys()].sort((a, b) => a - b)).toEqual([30, 300]);
    expect(sizes.get(30)! / 2000).toBeGreaterThan(0.68);
    expect(sizes.get(30)! / 2000).toBeLessThan(0.82);
  }, 60_000);

  test("--data-size-range with pattern S writes every size of the range; the report shows the mean", async () => {
    const run = await runBench([...base(), "-c", "1", "-t", "set", "--key-pattern", "S", "-r", "100", "-n", "100", "--data-size-range", "10-19", "--data-size-pattern", "S", "--output-format", "json"]);
    expectExit(run, 0);
    const sizes = new Set<number>();
    for (let k = 0; k < 100; k++) sizes.add(Number(await server.cli("STRLEN", keyName(k))));
    expect([...sizes].sort((a, b) => a - b)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    expect(parseJsonReport(run.stdout).tests[0]!.dataSize).toBe(15);
  });
});

describe("--address-type hash", () => {
  test("hash:f1,f2: set writes exactly fields f1 and f2 with HSET, get reads them with HMGET", async () => {
    const run = await runBench([...base(), "-t", "set,get", "--address-type", "hash:f1,f2", "-r", "50", "-n", "1000", "--data-size-range", "5-9", "--output-format", "json"]);
    expectExit(run, 0);
    expect(parseJsonReport(run.stdout).tests.map((t) => t.title)).toEqual(["HSET (fields f1,f2)", "HMGET (fields f1,f2)"]);
    expect(await callsOf(server, "hset")).toBe(1000);
    expect(await callsOf(server, "hmget")).toBe(1000);
    expect(await callsOf(server, "set")).toBe(0);
    const keys = await allKeys();
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(await server.cli("TYPE", key)).toBe("hash");
      expect((await server.cli("HKEYS", key)).split("\n").sort()).toEqual(["f1", "f2"]);
      const len = Number(await server.cli("HSTRLEN", key, "f2"));
      expect(len >= 5 && len <= 9).toBe(true);
    }
  });

  test("hash:f1 reads with HGET", async () => {
    const run = await runBench([...base(), "-t", "set,get", "--address-type", "hash:f1", "-r", "50", "-n", "500", "-q"]);
    expectExit(run, 0);
    expect(await callsOf(server, "hget")).toBe(500);
  });
});

describe("--verify-writes and --verify-reads", () => {
  test("a clean run: every written key reads back present, every GET matches, exit 0", async () => {
    const run = await runBench([...base(), "-t", "set,get", "-r", "500", "-n", "6000", "-P", "4", "--threads", "2", "--key-pattern", "Z", "--data-size-range", "24-200", "--verify-writes", "--verify-reads", "--output-format", "json"]);
    expectExit(run, 0);
    const [set, get] = parseJsonReport(run.stdout).tests;
    const v = set!.extra.verifyWrites as VerifyWrites;
    expect(v.keysWritten).toBe(Number(await server.cli("DBSIZE")));
    expect(v).toMatchObject({ present: v.keysWritten, stale: 0, missing: 0, corrupt: 0, unreadable: 0 });
    const reads = (get!.extra.kv as { verifyReads: { checked: number; neverWritten: number; failed: number } }).verifyReads;
    expect(reads.checked + reads.neverWritten).toBe(6000);
    expect(reads.failed).toBe(0);
    expect(get!.requests.errors).toBe(0);
  });

  test("empty replies for keys this run never wrote are not counted as checked values: neverWritten is exactly the server's misses", async () => {
    const run = await runBench([...base(), "-t", "set,get", "-n", "20000", "-r", "5000", "--key-pattern", "Z:G", "-d", "30", "--verify-writes", "--verify-reads", "--output-format", "json"]);
    expectExit(run, 0);
    const stats = parseInfo(await server.cli("INFO", "stats"));
    // --verify-writes' read-back only reads keys that were written: every miss is a GET of the get test.
    const misses = Number(stats.keyspace_misses);
    expect(misses).toBeGreaterThan(1000);
    const reads = parseJsonReport(run.stdout).tests[1]!.extra.kv as { verifyReads: { checked: number; neverWritten: number; failed: number } };
    expect(reads.verifyReads).toMatchObject({ checked: 20000 - misses, neverWritten: misses, failed: 0 });
  });

  test("the text report says what was verified, and the shape of keys and values", async () => {
    const run = await runBench([...base(), "-t", "set,get", "-r", "100", "-n", "1000", "--data-size-range", "30-40", "--key-pattern", "Z:R", "--verify-writes", "--verify-reads", "--address-type", "hash:a,b"]);
    expectExit(run, 0);
    // The shape of keys and values is said where it is not -r uniform and a fixed -d.
    expect(run.stdout).toContain("  35 bytes payload");
    expect(run.stdout).toContain("keys: zipfian (exponent 0.99) over 0..99; values: 30-40 random bytes, mean 35");
    expect(run.stdout.match(/^keys: /gm)?.length).toBe(1);
    expect(run.stdout).toMatch(/verify-writes: (\d+) keys with acknowledged writes, read back from the primaries: \1 present, 0 stale, 0 missing/);
    const said = run.stdout.match(/verify-reads: (\d+) values checked, 0 did not match/);
    const never = run.stdout.match(/ (\d+) replies for keys this run never wrote \(empty, or not a value of this run\): not checked/);
    expect(Number(said?.[1]) + Number(never?.[1] ?? 0)).toBe(1000);
    expect(Number(never?.[1] ?? 0)).toBe(Number(parseInfo(await server.cli("INFO", "stats")).keyspace_misses));
  });

  test("values rolled back to an older write are stale, deleted ones missing: exactly the keys the test changed, exit 1", async () => {
    // Sequential keys 0..999, then 0..799 again (one thread: key K's first write is number
    // K + 1, its second K + 1001). The test copies keys 100..199 after their first write,
    // deletes keys 900..949 (written once) and, once the second pass is past key 199, writes the
    // copies back: an acknowledged second write replaced by the first.
    const args = [...base(), "-c", "4", "-t", "set", "--key-pattern", "S", "-r", "1000", "-n", "1800", "--rps", "400", "-d", "30", "--verify-writes", "--output-format", "json"];
    const result = collectRun(spawnBench(args), args);
    const rolledBack = Array.from({ length: 100 }, (_, i) => keyName(100 + i));
    const deleted = Array.from({ length: 50 }, (_, i) => keyName(900 + i));
    await waitFor("the first pass past key 299", async () => (await callsOf(server, "set")) >= 300, 20_000);
    const copies = (await send(server, ...rolledBack.map((k) => ["GET", k]))).map(String);
    copies.forEach((value, i) => expect(parseInt(value.slice(8, 16), 16)).toBe(100 + i + 1));
    await waitFor("the first pass past key 949", async () => (await callsOf(server, "set")) >= 960, 20_000);
    await send(server, ["DEL", ...deleted]);
    await waitFor("the second pass past key 199", async () => (await callsOf(server, "set")) >= 1210, 20_000);
    await send(server, ...rolledBack.map((k, i) => ["SET", k, copies[i]!]));
    const run = await result;
    if (run.code !== 1) throw new Error(`expected exit 1\n${describeRun(run)}`);
    const v = parseJsonReport(run.stdout).tests[0]!.extra.verifyWrites as VerifyWrites;
    expect(v).toMatchObject({ keysWritten: 1000, present: 850, stale: 100, missing: 50, corrupt: 0, unreadable: 0 });
  }, 60_000);

  test("another client overwriting the keys: lost writes are reported missing, GETs count VERIFY errors, exit 1", async () => {
    // valkey-benchmark writes 'xxx...' to the same key names all along.
    const other = Bun.spawn(["valkey-benchmark", "-p", String(server.port), "-t", "set", "-r", "200", "-n", "100000000", "-c", "2", "-q"], { stdout: "ignore", stderr: "ignore" });
    try {
      const proc = spawnBench([...base(), "-t", "set,get", "-r", "200", "-n", "4000", "-d", "40", "--verify-writes", "--verify-reads", "--output-format", "json"]);
      const run = await collectRun(proc, []);
      if (run.code !== 1) throw new Error(`expected exit 1\n${describeRun(run)}`);
      const [set, get] = parseJsonReport(run.stdout).tests;
      const v = set!.extra.verifyWrites as VerifyWrites;
      expect(v.missing).toBeGreaterThan(0);
      expect(get!.errorsByType.VERIFY ?? 0).toBeGreaterThan(0);
      expect(run.stderr).toMatch(/acknowledged writes did not survive/);
    } finally {
      other.kill();
      await other.exited;
    }
  }, 60_000);
});

describe("invalid combinations are one-line usage errors (exit 2)", () => {
  const cases: [string[], RegExp][] = [
    [["--data-import", "f.csv"], /--data-import is out of scope/],
    [["-d", "10", "--data-size-range", "1-5"], /-d fixes the value size, --data-size-range varies it/],
    [["--data-size-range", "1-5", "--data-size-list", "1:1"], /both set the value sizes/],
    [["--data-size-pattern", "S"], /applies to --data-size-range/],
    [["--key-pattern", "Z"], /needs a key range: add -r N/],
    [["-r", "10", "--key-maximum", "9"], /both set the key range/],
    [["-r", "10", "--key-median", "3"], /shapes the gaussian pattern/],
    [["-r", "10", "--key-pattern", "X"], /--key-pattern must be R, S, G or Z/],
    [["-r", "10", "--sequential", "--key-pattern", "Z"], /--sequential is pattern S/],
    [["-r", "10", "--key-minimum", "20"], /above the largest key 9/],
    [["-r", "10", "-t", "set", "--verify-writes"], /at least 24 bytes/],
    [["-r", "10", "-t", "set", "-d", "30", "--verify-reads"], /checks the get test/],
    [["-r", "10", "--address-type", "hash:"], /must be key or hash:FIELD1,FIELD2/],
    [["-r", "10", "--data-size-list", "10:0"], /weights greater than 0/],
  ];
  test.each(cases)("%p", async (args, message) => {
    const run = await runBench([...base(), ...args]);
    expectExit(run, 2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split("\n").length).toBe(1);
  });
});
