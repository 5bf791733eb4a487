// -c, -P and --threads: however the requests are split over connections, pipelines and workers,
// the server receives exactly -n of them and the report says so.

import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { callsOf, expectExit, parseJsonReport, resetServer, runBench } from "../support/run-cli.ts";
import { startValkey, type ValkeyServer } from "../support/valkey.ts";

let server: ValkeyServer;

beforeAll(async () => {
  server = await startValkey();
});
afterAll(() => server.stop());
beforeEach(() => resetServer(server));

/** [clients, pipeline, threads, requests]: includes -n not divisible by -c or by -P. */
const SHAPES: [number, number, number, number][] = [
  [1, 1, 1, 1000],
  [1, 16, 1, 1000],
  [7, 1, 1, 1001],
  [7, 16, 1, 1003],
  [50, 16, 1, 2017],
  [2, 1, 2, 999],
  [7, 16, 2, 1003],
  [50, 1, 2, 2001],
  [50, 16, 2, 4099],
  [3, 16, 1, 5],
];

describe("exact request counts for every -c / -P / --threads shape", () => {
  test.each(SHAPES)("-c %i -P %i --threads %i -n %i: the server counts exactly -n SETs", async (c, p, threads, n) => {
    const run = await runBench([
      "-p", String(server.port),
      "-t", "set",
      "-n", String(n),
      "-c", String(c),
      "-P", String(p),
      "--threads", String(threads),
      "-r", "1000",
      "--output-format", "json",
    ]);
    expectExit(run, 0);
    expect(await callsOf(server, "set")).toBe(n);
    const [test] = parseJsonReport(run.stdout).tests;
    expect(test?.requests).toEqual({ issued: n, completed: n, errors: 0 });
    expect(test?.clients).toBe(c);
    expect(test?.threads).toBe(threads);
  });

  test("-c 7 opens 7 benchmark connections", async () => {
    const run = await runBench(["-p", String(server.port), "-t", "ping_mbulk", "-n", "700", "-c", "7", "--threads", "2", "-q"]);
    expectExit(run, 0);
    const stats = await server.info("stats");
    // 7 benchmark connections plus a few control connections (server probe), never 7 per test
    // thread or one per request.
    const connections = Number(stats.total_connections_received);
    expect(connections).toBeGreaterThanOrEqual(7);
    expect(connections).toBeLessThanOrEqual(7 + 3);
    expect(await callsOf(server, "ping")).toBe(700);
  });

  test("a pipelined multi-test run counts each test exactly", async () => {
    const run = await runBench(["-p", String(server.port), "-t", "set,get,incr,lpush", "-n", "1111", "-c", "9", "-P", "16", "--threads", "2", "-r", "100", "-q"]);
    expectExit(run, 0);
    const stats = await server.commandstats();
    expect(stats.set?.calls).toBe(1111);
    expect(stats.get?.calls).toBe(1111);
    expect(stats.incr?.calls).toBe(1111);
    expect(stats.lpush?.calls).toBe(1111);
    expect(await server.cli("LLEN", "mylist")).toBe("1111");
  });
});
