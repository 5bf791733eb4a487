// Connection options (-3, --dbnum, --enable-tracking, --keepalive, -s, -I), checked through what
// the server saw: commandstats, keyspace, connection counters and CLIENT LIST.

import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { callsOf, expectExit, parseJsonReport, resetServer, runBench, spawnBench, waitFor } from "../support/run-cli.ts";
import { startValkey, type ValkeyServer } from "../support/valkey.ts";

let server: ValkeyServer;

beforeAll(async () => {
  server = await startValkey({ unixSocket: true });
});
afterAll(() => server.stop());
beforeEach(() => resetServer(server));

const base = () => ["-p", String(server.port), "-q"];

/** Connections the server currently has, ours (valkey-cli's CLIENT LIST) excluded. */
async function benchmarkConnections(): Promise<number> {
  const lines = (await server.cli("CLIENT", "LIST")).split("\n").filter((l) => l.trim() !== "");
  return lines.filter((l) => !/ cmd=client\|list /.test(l)).length;
}

describe("handshake options", () => {
  test("-3 switches every connection to RESP3 with HELLO 3", async () => {
    expectExit(await runBench([...base(), "-3", "-n", "500", "-c", "5", "-t", "set,get"]), 0);
    // One HELLO per benchmark connection (plus at most the server probe), never one per request.
    const hello = await callsOf(server, "hello");
    expect(hello).toBeGreaterThanOrEqual(5);
    expect(hello).toBeLessThan(500);
    expect(await callsOf(server, "set")).toBe(500);
    expect(await callsOf(server, "get")).toBe(500);
  });

  test("without -3 no HELLO is sent", async () => {
    expectExit(await runBench([...base(), "-n", "100", "-c", "5", "-t", "set"]), 0);
    expect(await callsOf(server, "hello")).toBe(0);
  });

  test("--dbnum 3 puts the keys in database 3", async () => {
    // --sequential: every one of the 50 keys is written, so DBSIZE is exact (random keys could miss one).
    expectExit(await runBench([...base(), "--dbnum", "3", "-n", "300", "-r", "50", "--sequential", "-t", "set"]), 0);
    expect(await server.cli("-n", "3", "DBSIZE")).toBe("50");
    expect(await server.cli("DBSIZE")).toBe("0");
    expect(await callsOf(server, "set")).toBe(300);
  });

  test("--enable-tracking sends CLIENT TRACKING on each connection", async () => {
    expectExit(await runBench([...base(), "--enable-tracking", "-n", "200", "-c", "4", "-t", "get"]), 0);
    const tracking = await callsOf(server, "client|tracking");
    expect(tracking).toBeGreaterThanOrEqual(4);
    expect(tracking).toBeLessThan(200);
    expect(await callsOf(server, "get")).toBe(200);
  });
});

describe("RESP3 replies", () => {
  test("-3 counts map and set replies as single completed requests", async () => {
    await server.cli("HSET", "h", "a", "1", "b", "2", "c", "3");
    await server.cli("SADD", "s", "x", "y");
    const run = await runBench(["-p", String(server.port), "-3", "-n", "600", "-c", "3", "-P", "8", "--output-format", "json", "HGETALL", "h", ";", "SMEMBERS", "s"]);
    expectExit(run, 0);
    const [t] = parseJsonReport(run.stdout).tests;
    expect(t?.requests).toEqual({ issued: 600, completed: 600, errors: 0 });
    expect(await callsOf(server, "hgetall")).toBe(300);
    expect(await callsOf(server, "smembers")).toBe(300);
  });
});

describe("connections", () => {
  test("-h host:port sets the port too", async () => {
    expectExit(await runBench(["-h", `127.0.0.1:${server.port}`, "-n", "100", "-t", "set", "-q"]), 0);
    expect(await callsOf(server, "set")).toBe(100);
  });


  test("--keepalive 0 opens a new connection for every request", async () => {
    expectExit(await runBench([...base(), "--keepalive", "0", "-n", "200", "-c", "5", "-t", "set"]), 0);
    const connections = Number((await server.info("stats")).total_connections_received);
    expect(connections).toBeGreaterThanOrEqual(200);
    expect(connections).toBeLessThanOrEqual(200 + 10);
    expect(await callsOf(server, "set")).toBe(200);
  });

  test("--keepalive 1 (the default) reuses the -c connections", async () => {
    expectExit(await runBench([...base(), "-n", "2000", "-c", "5", "-t", "set"]), 0);
    expect(Number((await server.info("stats")).total_connections_received)).toBeLessThanOrEqual(5 + 3);
  });

  test("-s benchmarks over the unix socket", async () => {
    const socketPath = server.socketPath;
    if (!socketPath) throw new Error("the test server has no unix socket");
    // A closed TCP port proves the socket, not TCP, carried the requests.
    const run = await runBench(["-s", socketPath, "-p", "1", "-n", "1000", "-c", "5", "-t", "set,get", "-q"]);
    expectExit(run, 0);
    expect(await callsOf(server, "set")).toBe(1000);
    expect(await callsOf(server, "get")).toBe(1000);
  });
});

describe("idle mode", () => {
  test("-I opens -c connections, keeps them open and sends no commands", async () => {
    const proc = spawnBench(["-p", String(server.port), "-I", "-c", "12"], { timeoutMs: 15_000 });
    try {
      await waitFor("12 idle connections in CLIENT LIST", async () => (await benchmarkConnections()) >= 12);
      await Bun.sleep(200);
      expect(proc.exitCode).toBeNull(); // still waiting, as valkey-benchmark -I does
      expect(await benchmarkConnections()).toBe(12);
      const stats = await server.commandstats();
      expect(stats.set).toBeUndefined();
      expect(stats.get).toBeUndefined();
    } finally {
      proc.kill("SIGKILL");
      await proc.exited;
    }
    await waitFor("idle connections to close after the kill", async () => (await benchmarkConnections()) === 0);
  });
});
