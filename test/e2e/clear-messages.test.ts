// Messages that used to mislead: TLS file mistakes are exit 2 naming the flag (not "unexpected;
// please report it"), plain TCP to a TLS port hints --tls, running out of file descriptors is
// "too many open files" (Bun reports it as ECONNREFUSED), and error replies are printed without
// terminal escapes, with long words cut and an empty type named.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { printableErrorMessage, printableErrorType } from "../../src/resp/error-text.ts";
import { serverSettings } from "../../src/engine/server-info.ts";
import type { BenchConfig } from "../../src/config/types.ts";
import { startFakeServer, type FakeServer } from "../support/fake-server.ts";
import { expectExit, REPO_ROOT, runBench } from "../support/run-cli.ts";
import { startValkey, tlsFiles, type TlsFiles, type ValkeyServer } from "../support/valkey.ts";

let dir: string;
let certs: TlsFiles;
let tlsServer: ValkeyServer;
let plain: ValkeyServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "vsb-e2e-messages-"));
  [certs, tlsServer, plain] = await Promise.all([tlsFiles(), startValkey({ tls: true }), startValkey()]);
});
afterAll(async () => {
  await Promise.all([tlsServer.stop(), plain.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

const file = (name: string, content: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

describe("TLS files are checked before connecting (exit 2, the flag named)", () => {
  const refused = async (args: string[], message: RegExp) => {
    const run = await runBench(["-p", "1", "--tls", "-t", "ping", "-n", "1", ...args]);
    expectExit(run, 2);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(message);
  };
  test("--cacert of random bytes holds no certificate", () => refused(["--cacert", file("rnd.pem", Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37) % 256)))], /^error: --cacert .*rnd\.pem holds no PEM certificate/));
  test("--cacert with a damaged PEM block", () => refused(["--cacert", file("bad.pem", "-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n")], /^error: --cacert .*bad\.pem is not a usable CA certificate/));
  test("--key that is not the certificate's", () => refused(["--cacert", certs.caCert, "--cert", certs.clientCert, "--key", certs.serverKey], /^error: --key .* is not the private key of --cert /));
  test("--key that is not a key", () => refused(["--cacert", certs.caCert, "--cert", certs.clientCert, "--key", certs.clientCert], /^error: --key .* is not a PEM private key: no PEM block found/));
});

describe("connection failures explain themselves", () => {
  test("plain TCP to a TLS port suggests --tls", async () => {
    const run = await runBench(["-p", String(tlsServer.port), "-t", "ping", "-n", "10", "-c", "1"]);
    expectExit(run, 1);
    expect(run.stderr).toContain("if this port serves TLS, add --tls");
  });

  test("running out of file descriptors says so, with ulimit, instead of 'connection refused'", async () => {
    const sh = `ulimit -n 256 && exec "${process.execPath}" src/main.ts -p ${plain.port} -t ping -n 1000 -c 300`;
    let stderr = "";
    try {
      execFileSync("sh", ["-c", sh], { cwd: REPO_ROOT, stdio: ["ignore", "ignore", "pipe"], timeout: 30_000 });
    } catch (e) {
      stderr = String((e as { stderr?: Buffer }).stderr);
    }
    expect(stderr).toContain("too many open files (the limit, ulimit -n, is 256)");
    expect(stderr).not.toContain("connection refused");
  }, 40_000);

  test("a real refusal is still 'connection refused'", async () => {
    const run = await runBench(["-p", "1", "-t", "ping", "-n", "1"]);
    expectExit(run, 1);
    expect(run.stderr).toContain("connection refused");
  });

  test("a primary the cluster reports as failed does not block the run with --cluster-announce-map advice", async () => {
    const config = { connection: { endpoints: [{ host: "127.0.0.1", port: 7000 }], dbnum: 0, resp3: false, connectTimeoutMs: 500, requestTimeoutMs: 1000, enableTracking: false } } as unknown as BenchConfig;
    const node = { shard: 0, address: "127.0.0.1:1", host: "127.0.0.1", port: 1, role: "primary" as const, slots: new Uint16Array([1]) };
    expect(await serverSettings(config, [{ ...node, health: "failed" }])).toEqual([{ address: "127.0.0.1:1" }]);
    let message = "";
    await serverSettings(config, [{ ...node, health: "unknown" }]).catch((e: Error) => (message = e.message));
    expect(message).toContain("the cluster reports 127.0.0.1:1 as possibly failing (fail?)");
    expect(message).not.toContain("--cluster-announce-map");
  });
});

describe("error replies are printed safely", () => {
  let fake: FakeServer;
  beforeAll(() => {
    fake = startFakeServer({
      reply: (cmd) => {
        const which = Number(cmd[1]?.slice(-1) ?? 0) % 3;
        if (which === 0) return "-\x1b[31mEVIL\x1b[0m colours\r\n";
        if (which === 1) return `-${"W".repeat(80)} long\r\n`;
        return "-\r\n";
      },
    });
  });
  afterAll(() => fake.stop());

  test("no escape reaches stderr, long words are cut, the empty type is named", async () => {
    const run = await runBench(["-p", String(fake.port), "-c", "1", "-n", "30", "-r", "3", "--sequential", "GET", "k__rand_int__"]);
    expect(run.stderr).not.toContain("\x1b");
    expect(run.stderr).toContain("EVIL: 10");
    expect(run.stderr).toContain(`${"W".repeat(32)}...: 10`);
    expect(run.stderr).toContain("(empty error): 10");
  });

  test("unit: types and messages", () => {
    expect(printableErrorType("\x1b[2J\x1b[HERR")).toBe("ERR");
    expect(printableErrorType("")).toBe("(empty error)");
    expect(printableErrorMessage("ERR a\nb\x07c")).toBe("ERR a bc");
    expect(printableErrorMessage("x".repeat(1000)).length).toBe(515);
  });
});
