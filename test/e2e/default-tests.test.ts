// valkey-benchmark's built-in tests (-t), checked against what the server itself counted.

import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { callsOf, expectExit, parseJsonReport, resetServer, runBench } from "../support/run-cli.ts";
import { startValkey, type ValkeyServer } from "../support/valkey.ts";

const N = 2000;
let server: ValkeyServer;

beforeAll(async () => {
  server = await startValkey();
});
afterAll(() => server.stop());
beforeEach(() => resetServer(server));

const base = (requests = N) => ["-p", String(server.port), "-n", String(requests), "-q"];

/** -t name → the command the server must have counted N times. */
const SINGLE_COMMAND_TESTS: [string, string][] = [
  ["ping_inline", "ping"],
  ["ping_mbulk", "ping"],
  ["set", "set"],
  ["get", "get"],
  ["incr", "incr"],
  ["lpush", "lpush"],
  ["rpush", "rpush"],
  ["lpop", "lpop"],
  ["rpop", "rpop"],
  ["sadd", "sadd"],
  ["hset", "hset"],
  ["spop", "spop"],
  ["zadd", "zadd"],
  ["zpopmin", "zpopmin"],
  ["mset", "mset"],
  ["xadd", "xadd"],
];

describe("each built-in test sends its command exactly -n times", () => {
  test.each(SINGLE_COMMAND_TESTS)("-t %s reaches the server as %s", async (name, command) => {
    const run = await runBench([...base(), "-t", name]);
    expectExit(run, 0);
    expect(await callsOf(server, command)).toBe(N);
  });

  test.each(["lrange_100", "lrange_300", "lrange_500", "lrange_600"])(
    "-t %s sends its LPUSH fill and then LRANGE, -n times each",
    async (name) => {
      const run = await runBench([...base(), "-t", name]);
      expectExit(run, 0);
      const stats = await server.commandstats();
      expect(stats.lpush?.calls).toBe(N);
      expect(stats.lrange?.calls).toBe(N);
      // The fill really filled the list the LRANGEs read.
      expect(Number(await server.cli("LLEN", "mylist"))).toBe(N);
    },
  );

  test("-t ping selects both PING tests", async () => {
    const run = await runBench([...base(), "-t", "ping"]);
    expectExit(run, 0);
    expect(await callsOf(server, "ping")).toBe(2 * N);
    expect(run.stdout).toContain("PING_INLINE: ");
    expect(run.stdout).toContain("PING_MBULK: ");
  });

  test("-t lrange runs one LPUSH fill and all four LRANGE tests", async () => {
    const run = await runBench([...base(), "-t", "lrange"]);
    expectExit(run, 0);
    const stats = await server.commandstats();
    expect(stats.lpush?.calls).toBe(N);
    expect(stats.lrange?.calls).toBe(4 * N);
  });

  test("the JSON report counts every request of every test as completed", async () => {
    const run = await runBench(["-p", String(server.port), "-n", "500", "-t", "set,get,lpush,mset", "--output-format", "json"]);
    expectExit(run, 0);
    const report = parseJsonReport(run.stdout);
    expect(report.tests.map((t) => t.title)).toEqual(["SET", "GET", "LPUSH", "MSET (10 keys)"]);
    for (const t of report.tests) expect(t.requests).toEqual({ issued: 500, completed: 500, errors: 0 });
  });
});

describe("keys and payloads", () => {
  test("without -r every SET uses the literal key key:__rand_int__", async () => {
    expectExit(await runBench([...base(), "-t", "set"]), 0);
    expect(await server.cli("DBSIZE")).toBe("1");
    expect(await server.cli("EXISTS", "key:__rand_int__")).toBe("1");
  });

  test("-r spreads SET over the keyspace with 12-digit key numbers", async () => {
    expectExit(await runBench([...base(5000), "-t", "set", "-r", "100"]), 0);
    // 5000 uniform draws over 100 keys miss a given key with probability (0.99)^5000 ≈ 1e-22.
    expect(await server.cli("DBSIZE")).toBe("100");
    expect(await server.cli("EXISTS", "key:000000000000", "key:000000000099")).toBe("2");
    expect(await server.cli("EXISTS", "key:000000000100")).toBe("0");
  });

  test("-r with a keyspace larger than -n creates about as many keys as requests", async () => {
    expectExit(await runBench([...base(), "-t", "set", "-r", "1000000"]), 0);
    // Birthday collisions among 2000 draws over 1e6 keys: about 2, never hundreds.
    const keys = Number(await server.cli("DBSIZE"));
    expect(keys).toBeGreaterThan(N - 50);
    expect(keys).toBeLessThanOrEqual(N);
  });

  test("-d sets the SET payload size in bytes", async () => {
    expectExit(await runBench([...base(), "-t", "set", "-d", "100"]), 0);
    expect(await server.cli("STRLEN", "key:__rand_int__")).toBe("100");
  });

  test("MSET writes 10 keys per request", async () => {
    expectExit(await runBench([...base(300), "-t", "mset", "-r", "1000000", "-d", "7"]), 0);
    expect(await callsOf(server, "mset")).toBe(300);
    const keys = Number(await server.cli("DBSIZE"));
    // 3000 keys written over a keyspace of 1e6: a handful of collisions at most.
    expect(keys).toBeGreaterThan(2950);
    expect(keys).toBeLessThanOrEqual(3000);
    const someKey = await server.cli("RANDOMKEY");
    expect(someKey).toMatch(/^key:\d{12}$/);
    expect(await server.cli("STRLEN", someKey)).toBe("7");
  });

  test("INCR with -r increments counters spread over the keyspace, summing to -n", async () => {
    expectExit(await runBench([...base(), "-t", "incr", "-r", "10"]), 0);
    let total = 0;
    for (let i = 0; i < 10; i++) total += Number(await server.cli("GET", `counter:${String(i).padStart(12, "0")}`));
    expect(total).toBe(N);
  });

  test("--sequential with -r N and -n N writes each of the N keys exactly once", async () => {
    // One shared count, as the help promises (0,1,2.. modulo -r), however the clients and their
    // pipelines interleave.
    expectExit(await runBench([...base(1000), "-t", "set", "-r", "1000", "-c", "7", "-P", "16", "--sequential"]), 0);
    expect(await server.cli("DBSIZE")).toBe("1000");
    expect(await server.cli("EXISTS", "key:000000000000", "key:000000000999")).toBe("2");
  });

  test("the same --seed draws the same keys, another seed other keys", async () => {
    const args = [...base(20), "-t", "set", "-r", "1000000", "-c", "1"];
    expectExit(await runBench([...args, "--seed", "42"]), 0);
    expectExit(await runBench([...args, "--seed", "42"]), 0);
    expect(await server.cli("DBSIZE")).toBe("20");
    expectExit(await runBench([...args, "--seed", "43"]), 0);
    expect(Number(await server.cli("DBSIZE"))).toBeGreaterThan(35);
  });

  test("--key-prefix prefixes the built-in tests' keys", async () => {
    expectExit(await runBench([...base(50), "-t", "set,lpush", "--key-prefix", "bench:"]), 0);
    expect(await server.cli("EXISTS", "bench:key:__rand_int__", "bench:mylist")).toBe("2");
    expect(await server.cli("DBSIZE")).toBe("2");
  });

  test("large values (-d 100000) are written and read back whole", async () => {
    const run = await runBench(["-p", String(server.port), "-t", "set,get", "-n", "200", "-c", "4", "-P", "4", "-d", "100000", "--output-format", "json"]);
    expectExit(run, 0);
    expect(await server.cli("STRLEN", "key:__rand_int__")).toBe("100000");
    expect(await callsOf(server, "get")).toBe(200);
    for (const t of parseJsonReport(run.stdout).tests) expect(t.requests).toEqual({ issued: 200, completed: 200, errors: 0 });
  });
});
