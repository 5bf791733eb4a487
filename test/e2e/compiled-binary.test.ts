// The compiled executable (dist/valkey-search-benchmark, built by `npm run build`, which
// scripts/test.sh runs before `bun test`) works on its own: worker threads, TLS and reports
// included. This file builds nothing; a missing binary is a failure, not a skip.

import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { callsOf, expectExit, parseJsonReport, requireBinary, resetServer, runBench } from "../support/run-cli.ts";
import { startValkey, type ValkeyServer } from "../support/valkey.ts";

let server: ValkeyServer;
let tlsServer: ValkeyServer;

beforeAll(async () => {
  [server, tlsServer] = await Promise.all([startValkey({ unixSocket: true }), startValkey({ tls: true })]);
});
afterAll(() => Promise.all([server.stop(), tlsServer.stop()]));
beforeEach(() => Promise.all([resetServer(server), resetServer(tlsServer)]));

/** Runs the binary; throws (failing the test) with a build hint when it is missing. */
const runBinary = (args: string[], stdin?: string) => runBench(args, { executable: requireBinary(), stdin });

describe("the compiled binary", () => {
  test("exists (run `npm run build`)", () => {
    expect(requireBinary()).toEndWith("dist/valkey-search-benchmark");
  });

  test("--version prints the package version", async () => {
    const run = await runBinary(["--version"]);
    expectExit(run, 0);
    expect(run.stdout).toContain("0.1.0");
  });

  test("ignores a bunfig.toml in the directory it runs in (its preload would run inside the binary)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vsb-bunfig-"));
    try {
      const marker = join(dir, "preloaded");
      writeFileSync(join(dir, "bunfig.toml"), 'preload = ["./preload.ts"]\n');
      writeFileSync(join(dir, "preload.ts"), `require("node:fs").writeFileSync(${JSON.stringify(marker)}, "x"); console.log("PRELOADED");\n`);
      writeFileSync(join(dir, ".env"), "VSB_FROM_DOTENV=1\n");
      const run = await runBench(["--version"], { executable: requireBinary(), cwd: dir });
      expectExit(run, 0);
      expect(run.stdout.trim()).toBe("valkey-search-benchmark 0.1.0");
      expect(existsSync(marker)).toBe(false);
      const ping = await runBench(["-p", String(server.port), "-t", "ping", "-n", "10", "-q"], { executable: requireBinary(), cwd: dir });
      expectExit(ping, 0);
      expect(ping.stdout).not.toContain("PRELOADED");
      expect(existsSync(marker)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("runs SET and GET on two worker threads with exact server-side counts", async () => {
    const run = await runBinary(["-p", String(server.port), "-t", "set,get", "-n", "3001", "-c", "6", "-P", "16", "--threads", "2", "-r", "500", "--output-format", "json"]);
    expectExit(run, 0);
    expect(await callsOf(server, "set")).toBe(3001);
    expect(await callsOf(server, "get")).toBe(3001);
    const report = parseJsonReport(run.stdout);
    expect(report.tests.map((t) => t.requests.completed)).toEqual([3001, 3001]);
    expect(report.tests.every((t) => t.threads === 2)).toBe(true);
  });

  test("runs a custom command from stdin (-x) over the unix socket", async () => {
    const run = await runBinary(["-s", server.socketPath ?? "", "-n", "200", "-q", "-x", "SET", "bin:key"], "from-binary");
    expectExit(run, 0);
    expect(run.stdout).toMatch(/^SET bin:key <stdin: 11 bytes>: [\d.]+ requests per second, p50=[\d.]+ msec$/m);
    expect(await callsOf(server, "set")).toBe(200);
    expect(await server.cli("GET", "bin:key")).toBe("from-binary");
  });

  test("connects with verified TLS", async () => {
    const run = await runBinary(["-p", String(tlsServer.port), "--tls", "--cacert", tlsServer.tls?.caCert ?? "", "-t", "incr", "-n", "500", "-q"]);
    expectExit(run, 0);
    expect(await callsOf(tlsServer, "incr")).toBe(500);
  });

  test("rejects invalid flags with exit 2", async () => {
    const run = await runBinary(["-p", String(server.port), "-P", "0"]);
    expectExit(run, 2);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
  });
});
