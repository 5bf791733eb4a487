// Authentication end to end: ACL users, the default user's password, URIs with credentials, and
// failures that name the problem without ever printing the password.

import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { callsOf, describeRun, expectExit, parseJsonReport, resetServer, runBench, type RunResult } from "../support/run-cli.ts";
import { startValkey, type ValkeyServer } from "../support/valkey.ts";

const USER = "bench";
// Characters a URI must percent-encode, to prove -u decodes them.
const USER_PASSWORD = "s3cret:p@ss";
const DEFAULT_PASSWORD = "default-secret-42";
const WRONG_PASSWORD = "wrong-secret-99";

let server: ValkeyServer;
let outDir: string;

beforeAll(async () => {
  server = await startValkey({ acl: { user: USER, password: USER_PASSWORD }, requirepass: DEFAULT_PASSWORD, defaultUser: "on" });
  outDir = mkdtempSync(join(tmpdir(), "vsb-e2e-auth-"));
});
afterAll(async () => {
  await server.stop();
  rmSync(outDir, { recursive: true, force: true });
});
beforeEach(() => resetServer(server));

const load = () => ["-p", String(server.port), "-n", "300", "-c", "3", "-t", "set", "-q"];

function expectNoSecrets(run: RunResult): void {
  for (const secret of [USER_PASSWORD, DEFAULT_PASSWORD, WRONG_PASSWORD, encodeURIComponent(USER_PASSWORD)]) {
    if (run.stdout.includes(secret) || run.stderr.includes(secret)) throw new Error(`output contains a password\n${describeRun(run)}`);
  }
}

describe("a server whose INFO is renamed (managed services disable commands)", () => {
  test("is benchmarked as valkey-benchmark would, not refused with 'INFO failed: unknown command'", async () => {
    const renamed = await startValkey({ configLines: ['rename-command INFO ""'] });
    try {
      const run = await runBench(["-p", String(renamed.port), "-n", "200", "-c", "2", "-t", "set", "-q", "-v"]);
      expectExit(run, 0);
      expect(run.stderr).toContain(`standalone server 127.0.0.1:${renamed.port} (INFO is not available: replicas not looked for)`);
      expect(run.stdout).toMatch(/^SET: [\d.]+ requests per second/);
    } finally {
      await renamed.stop();
    }
  });
});

describe("successful authentication", () => {
  test("an ACL user without INFO (or CONFIG, CLUSTER) benchmarks what it may run, as valkey-benchmark does", async () => {
    await server.cli("ACL", "SETUSER", "noinfo", "on", ">noinfo-pw", "~*", "+@all", "-info", "-config", "-cluster");
    try {
      const run = await runBench([...load(), "--user", "noinfo", "-a", "noinfo-pw", "-v"]);
      expectExit(run, 0);
      expect(run.stdout).toMatch(/^SET: [\d.]+ requests per second/);
      expect(run.stderr).toContain(`standalone server 127.0.0.1:${server.port} (INFO is not available: replicas not looked for)`);
      expect(await callsOf(server, "set")).toBe(300);
    } finally {
      await server.cli("ACL", "DELUSER", "noinfo");
    }
  });

  test("--user and -a authenticate as an ACL user", async () => {
    const run = await runBench([...load(), "--user", USER, "-a", USER_PASSWORD]);
    expectExit(run, 0);
    expect(await callsOf(server, "set")).toBe(300);
    expectNoSecrets(run);
  });

  test("-a alone authenticates the default user", async () => {
    const run = await runBench([...load(), "-a", DEFAULT_PASSWORD]);
    expectExit(run, 0);
    expect(await callsOf(server, "set")).toBe(300);
  });

  test("-u valkey://user:pass@host:port/2 authenticates (percent-decoded) and selects db 2", async () => {
    const uri = `valkey://${USER}:${encodeURIComponent(USER_PASSWORD)}@127.0.0.1:${server.port}/2`;
    const run = await runBench(["-u", uri, "-n", "300", "-r", "20", "-t", "set", "-q"]);
    expectExit(run, 0);
    expect(await server.cli("-n", "2", "DBSIZE")).toBe("20");
    expect(await server.cli("DBSIZE")).toBe("0");
    expectNoSecrets(run);
  });

  test("redis:// URIs work like valkey:// ones, and -a overrides the URI's password", async () => {
    const uri = `redis://${USER}:not-the-password@127.0.0.1:${server.port}`;
    const run = await runBench(["-u", uri, "-a", USER_PASSWORD, "-n", "100", "-t", "set", "-q"]);
    expectExit(run, 0);
    expect(await callsOf(server, "set")).toBe(100);
  });
});

describe("failed authentication", () => {
  test("a wrong password is one line naming the problem, exit 1, password not shown", async () => {
    const run = await runBench([...load(), "--user", USER, "-a", WRONG_PASSWORD], { timeoutMs: 10_000 });
    expect(run.timedOut).toBe(false);
    expectExit(run, 1);
    const lines = run.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/WRONGPASS|password|auth/i);
    expectNoSecrets(run);
    expect(await callsOf(server, "set")).toBe(0);
  });

  test("no password against a server that needs one exits 1 naming NOAUTH", async () => {
    const run = await runBench(load(), { timeoutMs: 10_000 });
    expectExit(run, 1);
    // The connections open without AUTH, so the failure surfaces as NOAUTH replies (counted as
    // errors) or as a handshake error; either way it is named and nothing is written.
    expect(run.stderr).toContain("NOAUTH");
    expect(await callsOf(server, "set")).toBe(0);
  });
});

describe("a password given to a server that has none", () => {
  test("the message names where the password came from: the -u URI, or -a", async () => {
    const open = await startValkey();
    try {
      const fromUri = await runBench(["-u", `valkey://:${DEFAULT_PASSWORD}@127.0.0.1:${open.port}`, "-n", "100", "-t", "set", "-q"], { timeoutMs: 10_000 });
      expectExit(fromUri, 1);
      expect(fromUri.stderr).toContain("has no password configured but the -u URI carries a password; drop it from the URI (valkey://host:port)");
      expect(fromUri.stderr).not.toContain("-a was given");
      expectNoSecrets(fromUri);
      const fromFlag = await runBench(["-p", String(open.port), "-a", DEFAULT_PASSWORD, "-n", "100", "-t", "set", "-q"], { timeoutMs: 10_000 });
      expectExit(fromFlag, 1);
      expect(fromFlag.stderr).toContain("has no password configured but -a was given; drop -a/--user");
      expectNoSecrets(fromFlag);
    } finally {
      await open.stop();
    }
  });
});

describe("reports never contain the password", () => {
  test("--output-format json on stdout redacts -a", async () => {
    const run = await runBench(["-p", String(server.port), "-n", "100", "-t", "set", "--user", USER, "-a", USER_PASSWORD, "--output-format", "json"]);
    expectExit(run, 0);
    expectNoSecrets(run);
    const report = parseJsonReport(run.stdout);
    expect(report.config.connection.user).toBe(USER);
    expect(report.tests[0]?.requests.completed).toBe(100);
  });

  test("-o file.json written with a URI password does not contain it", async () => {
    const file = join(outDir, "run.json");
    const uri = `valkey://${USER}:${encodeURIComponent(USER_PASSWORD)}@127.0.0.1:${server.port}/0`;
    const run = await runBench(["-u", uri, "-n", "100", "-t", "set", "-q", "-o", file]);
    expectExit(run, 0);
    expect(existsSync(file)).toBe(true);
    const text = readFileSync(file, "utf8");
    expect(text).not.toContain(USER_PASSWORD);
    expect(text).not.toContain(encodeURIComponent(USER_PASSWORD));
    expect(parseJsonReport(text).tests[0]?.requests.completed).toBe(100);
  });
});
