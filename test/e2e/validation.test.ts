// Invalid command lines are rejected before any connection: exit 2, one line on stderr naming
// the flag. A live server checks "before any connection" (its connection counter stays put).

import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { describeRun, expectExit, resetServer, runBench } from "../support/run-cli.ts";
import { startValkey, type ValkeyServer } from "../support/valkey.ts";

let server: ValkeyServer;

beforeAll(async () => {
  server = await startValkey();
});
afterAll(() => server.stop());
beforeEach(() => resetServer(server));

/** Connections the server accepted since the reset, minus the one valkey-cli uses to ask. */
async function connectionsSinceReset(): Promise<number> {
  return Number((await server.info("stats")).total_connections_received) - 1;
}

/** [arguments after -p PORT, the flag the message must name]. */
const INVALID: [string[], string][] = [
  [["-t", "sett"], "did you mean 'set'"],
  [["-P", "0"], "-P"],
  [["-c", "0"], "-c"],
  [["--user", "bob"], "--user"],
  [["--cert", "/nonexistent/client.crt"], "--key"],
  [["-u", "http://127.0.0.1:6379"], "-u"],
  [["--duration", "5", "-n", "100"], "--duration"],
  [["--threads", "2", "-c", "1"], "--threads"],
  [["--keepalive", "2"], "--keepalive"],
  [["--warmup", "abc"], "--warmup"],
  [["-d", "abc"], "-d"],
  [["--output-format", "xml"], "--output-format"],
  [["--nosuchflag"], "--nosuchflag"],
];

describe("invalid flags", () => {
  test.each(INVALID)("%p is rejected with exit 2 and one line before connecting", async (args, names) => {
    const run = await runBench(["-p", String(server.port), ...args]);
    if (run.code !== 2) throw new Error(`expected exit 2\n${describeRun(run)}`);
    const lines = run.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(names);
    expect(run.stdout).toBe("");
    expect(await connectionsSinceReset()).toBe(0);
  });

  test("a port out of range is rejected by validation, not by a failed connection", async () => {
    const run = await runBench(["-p", "70000", "-n", "10"]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toMatch(/^error: -p must be between 1 and 65535/);
  });

  test("validation errors win over an unreachable server: port 1 is never tried", async () => {
    const run = await runBench(["-p", "1", "-P", "0", "-n", "10"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("-P");
    expect(run.stderr).not.toMatch(/refused|connect/i);
  });
});

describe("valid but unreachable", () => {
  test("a closed port is one line naming the endpoint, exit 1", async () => {
    const run = await runBench(["-p", "1", "-n", "10", "-t", "set"], { timeoutMs: 10_000 });
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/127\.0\.0\.1:1\b.*refused/);
  });
});

describe("help and version", () => {
  test("--tls-ciphersuites and --data-import (other tools' flags) are not in --help, and given they are a one-line error with the reason (exit 2)", async () => {
    const suites = await runBench(["-p", String(server.port), "--tls", "--tls-ciphersuites", "TLS_AES_128_GCM_SHA256", "-t", "set", "-n", "10"]);
    expectExit(suites, 2);
    expect(suites.stderr.trim()).toMatch(/^error: --tls-ciphersuites is not supported: Bun's TLS library \(BoringSSL\) always offers the standard TLS 1\.3 suites; drop it[^\n]*$/);
    // Without --tls too: the reason, not "add --tls" (which would only lead to the refusal).
    const plain = await runBench(["-p", String(server.port), "--tls-ciphersuites", "TLS_AES_128_GCM_SHA256", "-t", "set", "-n", "10"]);
    expectExit(plain, 2);
    expect(plain.stderr.trim()).toMatch(/^error: --tls-ciphersuites is not supported: [^\n]*$/);
    const data = await runBench(["-p", String(server.port), "--data-import", "f.csv", "-t", "set", "-n", "10"]);
    expectExit(data, 2);
    expect(data.stderr.trim()).toMatch(/^error: --data-import is out of scope: values are generated[^\n]*$/);
    expect(await connectionsSinceReset()).toBe(0);
  });

  test("-h is the host, not help: -h 127.0.0.1 runs a benchmark", async () => {
    const run = await runBench(["-h", "127.0.0.1", "-p", String(server.port), "-n", "100", "-t", "set", "-q"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^SET: /);
  });

  test("--help and --version exit 0 without connecting", async () => {
    const help = await runBench(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: valkey-search-benchmark");
    // Flags accepted only to say why they are refused are not offered.
    expect(help.stdout).not.toContain("--tls-ciphersuites");
    expect(help.stdout).not.toContain("--data-import");
    const version = await runBench(["--version"]);
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/\d+\.\d+\.\d+/);
    expect(await connectionsSinceReset()).toBe(0);
  });
});
