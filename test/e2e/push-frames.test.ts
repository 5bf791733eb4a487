// RESP3 push frames are not replies: pub/sub commands (whose replies are push frames and whose
// connections then receive messages) are refused before connecting with the reason, and
// client-tracking invalidations arriving between replies are never counted as replies.

import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { expectExit, parseJsonReport, runBench } from "../support/run-cli.ts";
import { startValkey, type ValkeyServer } from "../support/valkey.ts";

setDefaultTimeout(60_000);

let server: ValkeyServer;
beforeAll(async () => {
  server = await startValkey();
});
afterAll(() => server.stop());

test("-3 SUBSCRIBE (and the other pub/sub commands, MONITOR) are refused with one line saying why, exit 2", async () => {
  for (const cmd of [["-3", "SUBSCRIBE", "ch"], ["PSUBSCRIBE", "c*"], ["-3", "--command", "ssubscribe ch"], ["SET", "a", "b", ";", "MONITOR"]]) {
    const run = await runBench(["-p", String(server.port), "-n", "10", ...cmd], { timeoutMs: 15_000 });
    expectExit(run, 2);
    const lines = run.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: (P|S)?(SUBSCRIBE|MONITOR) cannot be benchmarked: .* instead of one reply per request/);
    expect(run.stdout).toBe("");
  }
});

test("-3 --enable-tracking: invalidation push frames between replies are not counted as replies", async () => {
  // GET tracks the key; the next SET of the same key sends this connection an invalidation.
  const run = await runBench(["-p", String(server.port), "-3", "--enable-tracking", "-c", "2", "-r", "5", "-n", "2000", "--output-format", "json", "GET", "k:__rand_int__", ";", "SET", "k:__rand_int__", "v"]);
  expectExit(run, 0);
  const t = parseJsonReport(run.stdout).tests[0]!;
  expect(t.requests).toEqual({ issued: 2000, completed: 2000, errors: 0 });
  expect(run.stderr).not.toContain("more replies than requests");
});
