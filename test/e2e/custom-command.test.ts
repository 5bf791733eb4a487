// Custom commands after the options (valkey-benchmark style), --command and -x, with their
// placeholders, checked against the data the server ends up holding.

import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { callsOf, expectExit, parseJsonReport, resetServer, runBench } from "../support/run-cli.ts";
import { startValkey, type ValkeyServer } from "../support/valkey.ts";

let server: ValkeyServer;

beforeAll(async () => {
  server = await startValkey();
});
afterAll(() => server.stop());
beforeEach(() => resetServer(server));

const base = () => ["-p", String(server.port), "-q"];

/**
 * Lua run inside the server: over every key matching `pattern`, counts the keys and those whose
 * value differs from the key's suffix after `prefixLength` characters. Returns "keys\nmismatches".
 */
async function keysWhoseValueIsNotTheirSuffix(pattern: string, prefixLength: number): Promise<[number, number]> {
  const script = `
    local keys = redis.call('KEYS', ARGV[1])
    local bad = 0
    for _, k in ipairs(keys) do
      if redis.call('GET', k) ~= string.sub(k, tonumber(ARGV[2]) + 1) then bad = bad + 1 end
    end
    return {#keys, bad}`;
  const [keys, bad] = (await server.cli("EVAL", script, "0", pattern, String(prefixLength))).split("\n").map(Number);
  return [keys ?? -1, bad ?? -1];
}

describe("placeholders", () => {
  test("a custom command runs exactly -n times", async () => {
    expectExit(await runBench([...base(), "-n", "1234", "-c", "7", "-P", "4", "HSET", "h", "f", "v"]), 0);
    expect(await callsOf(server, "hset")).toBe(1234);
  });

  test("__rand_1st__ takes the same value everywhere in one command", async () => {
    expectExit(await runBench([...base(), "-n", "2000", "-r", "1000000", "-P", "8", "SET", "k:__rand_1st__", "__rand_1st__"]), 0);
    expect(await callsOf(server, "set")).toBe(2000);
    const [keys, mismatches] = await keysWhoseValueIsNotTheirSuffix("k:*", 2);
    expect(keys).toBeGreaterThan(1950);
    expect(mismatches).toBe(0);
    expect(await server.cli("RANDOMKEY")).toMatch(/^k:\d{12}$/);
  });

  test("each __rand_int__ in one command draws its own value", async () => {
    expectExit(await runBench([...base(), "-n", "500", "-r", "1000000", "SET", "k:__rand_int__", "__rand_int__"]), 0);
    const [keys, mismatches] = await keysWhoseValueIsNotTheirSuffix("k:*", 2);
    expect(keys).toBeGreaterThan(450);
    // Two independent draws over 1e6 values coincide for about none of 500 keys.
    expect(mismatches).toBeGreaterThan(keys - 5);
  });

  test("without -r, __rand_int__ is sent literally (as valkey-benchmark does)", async () => {
    expectExit(await runBench([...base(), "-n", "100", "SET", "k:__rand_int__", "v"]), 0);
    expect(await server.cli("DBSIZE")).toBe("1");
    expect(await server.cli("GET", "k:__rand_int__")).toBe("v");
  });

  test("__data__ becomes a value of -d bytes", async () => {
    expectExit(await runBench([...base(), "-n", "100", "-d", "50", "SET", "d:1", "__data__"]), 0);
    expect(await server.cli("STRLEN", "d:1")).toBe("50");
    expect(await server.cli("GET", "d:1")).not.toContain("__data__");
  });

  test("__data__ inside a longer argument keeps the surrounding text", async () => {
    expectExit(await runBench([...base(), "-n", "10", "-d", "5", "SET", "d:2", "<__data__>"]), 0);
    expect(await server.cli("GET", "d:2")).toMatch(/^<.{5}>$/);
  });
});

describe("command sequences", () => {
  test("';' separates commands and a leading number repeats one: 3 INCR c ';' GET c", async () => {
    const run = await runBench(["-p", String(server.port), "-n", "302", "-c", "7", "--output-format", "json", "3", "INCR", "c", ";", "GET", "c"]);
    expectExit(run, 0);
    const incr = await callsOf(server, "incr");
    const get = await callsOf(server, "get");
    expect(get).toBeGreaterThan(0);
    // Whole units only: 3 INCR for every GET, and the counter saw every INCR.
    expect(incr).toBe(3 * get);
    expect(await server.cli("GET", "c")).toBe(String(incr));
    const [t] = parseJsonReport(run.stdout).tests;
    // The report counts what the server received: every command of every unit.
    expect(t?.requests.issued).toBe(incr + get);
    expect(t?.requests.completed).toBe(incr + get);
    // -n is honoured up to rounding to whole 4-command units.
    expect(incr + get).toBeGreaterThanOrEqual(302);
    expect(incr + get).toBeLessThan(302 + 4);
  });

  test("sequence steps keep __rand_1st__ shared within the whole unit", async () => {
    expectExit(
      await runBench([...base(), "-n", "400", "-r", "1000000", "SET", "a:__rand_1st__", "__rand_1st__", ";", "SET", "b:__rand_1st__", "__rand_1st__"]),
      0,
    );
    const [aKeys, aBad] = await keysWhoseValueIsNotTheirSuffix("a:*", 2);
    const [bKeys, bBad] = await keysWhoseValueIsNotTheirSuffix("b:*", 2);
    expect(aKeys).toBeGreaterThan(150);
    expect(aBad + bBad).toBe(0);
    // Both steps of a unit used the same number: every a: key has its b: twin.
    const aKey = await server.cli("RANDOMKEY");
    const twin = aKey.replace(/^[ab]:/, aKey.startsWith("a:") ? "b:" : "a:");
    expect(await server.cli("EXISTS", twin)).toBe("1");
    expect(bKeys).toBe(aKeys);
  });
});

describe("other ways to give the command", () => {
  test("-x reads the last argument from stdin", async () => {
    const run = await runBench([...base(), "-n", "50", "-x", "SET", "xk"], { stdin: "hello from stdin" });
    expectExit(run, 0);
    expect(await callsOf(server, "set")).toBe(50);
    expect(await server.cli("GET", "xk")).toBe("hello from stdin");
  });

  test("-x sends binary standard input byte for byte (a FLOAT32 vector for FT.SEARCH, as valkey-benchmark -x)", async () => {
    // Every byte value, plus bytes that are not valid UTF-8 on their own: before, stdin was
    // decoded as UTF-8 and these 259 bytes went out as 643 (replacement characters).
    const bytes = new Uint8Array([...Array.from({ length: 256 }, (_, i) => i), 0xc3, 0x28, 0xff]);
    const run = await runBench([...base(), "-n", "20", "-x", "SET", "xbin"], { stdin: bytes });
    expectExit(run, 0);
    expect(run.stdout).toContain("SET xbin <stdin: 259 bytes>");
    expect(await server.cli("STRLEN", "xbin")).toBe("259");
    const sha1 = new Bun.CryptoHasher("sha1").update(bytes).digest("hex");
    expect(await server.cli("EVAL", "return redis.sha1hex(redis.call('GET', KEYS[1]))", "1", "xbin")).toBe(sha1);
  });

  test('--command "..." is split like a shell line', async () => {
    const run = await runBench([...base(), "-n", "40", "--command", "SET cmd:1 'hello world'"]);
    expectExit(run, 0);
    expect(await callsOf(server, "set")).toBe(40);
    expect(await server.cli("GET", "cmd:1")).toBe("hello world");
  });

  test("a custom command overrides -t", async () => {
    expectExit(await runBench([...base(), "-n", "100", "-t", "get", "RPUSH", "l", "x"]), 0);
    expect(await callsOf(server, "get")).toBe(0);
    expect(await server.cli("LLEN", "l")).toBe("100");
  });
});
