// TLS end to end: certificate verification on by default, CA file, client certificates,
// --insecure, valkeys:// URIs, and the mismatches (TLS vs plain ports) ending in a clear error.

import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { callsOf, describeRun, expectExit, resetServer, runBench, type RunResult } from "../support/run-cli.ts";
import { startValkey, type TlsFiles, type ValkeyServer } from "../support/valkey.ts";

/** TLS server where client certificates are optional. */
let tlsServer: ValkeyServer;
/** TLS server that requires a client certificate signed by the test CA. */
let mtlsServer: ValkeyServer;
/** TLS 1.2 only, with one cipher (the test certificates have EC keys). */
let tls12Server: ValkeyServer;
const TLS12_CIPHER = "ECDHE-ECDSA-AES128-GCM-SHA256";
let plainServer: ValkeyServer;
let certs: TlsFiles;

beforeAll(async () => {
  [tlsServer, mtlsServer, plainServer, tls12Server] = await Promise.all([
    startValkey({ tls: true }),
    startValkey({ tls: true, tlsAuthClients: "yes" }),
    startValkey(),
    startValkey({ tls: true, args: ["--tls-protocols", "TLSv1.2", "--tls-ciphers", TLS12_CIPHER] }),
  ]);
  if (!tlsServer.tls) throw new Error("TLS server started without certificates");
  certs = tlsServer.tls;
});
afterAll(() => Promise.all([tlsServer.stop(), mtlsServer.stop(), plainServer.stop(), tls12Server.stop()]));
beforeEach(() => Promise.all([tlsServer, mtlsServer, plainServer, tls12Server].map(resetServer)));

const load = ["-n", "500", "-c", "5", "-t", "set", "-q"];

/** A failed connection: exit 1, one line on stderr matching `pattern`, not killed by our deadline. */
function expectOneLineError(run: RunResult, pattern: RegExp): void {
  expect(run.timedOut).toBe(false);
  expectExit(run, 1);
  const lines = run.stderr.trim().split("\n");
  if (lines.length !== 1 || !pattern.test(lines[0] ?? "")) {
    throw new Error(`expected one stderr line matching ${pattern}\n${describeRun(run)}`);
  }
}

describe("verified TLS", () => {
  test("--tls --cacert benchmarks over TLS", async () => {
    const run = await runBench(["-p", String(tlsServer.port), "--tls", "--cacert", certs.caCert, ...load]);
    expectExit(run, 0);
    expect(await callsOf(tlsServer, "set")).toBe(500);
  });

  test("the seed's spelling --tls-ca-cert works the same", async () => {
    const run = await runBench(["-p", String(tlsServer.port), "--tls", "--tls-ca-cert", certs.caCert, ...load]);
    expectExit(run, 0);
    expect(await callsOf(tlsServer, "set")).toBe(500);
  });

  test("-u valkeys:// turns TLS on", async () => {
    const run = await runBench(["-u", `valkeys://127.0.0.1:${tlsServer.port}`, "--cacert", certs.caCert, ...load]);
    expectExit(run, 0);
    expect(await callsOf(tlsServer, "set")).toBe(500);
  });

  test("a client certificate is presented to a server that requires one", async () => {
    const run = await runBench([
      "-p", String(mtlsServer.port), "--tls", "--cacert", certs.caCert, "--cert", certs.clientCert, "--key", certs.clientKey, ...load,
    ]);
    expectExit(run, 0);
    expect(await callsOf(mtlsServer, "set")).toBe(500);
  });

  test("without a client certificate a server that requires one refuses us with a one-line error", async () => {
    const run = await runBench(["-p", String(mtlsServer.port), "--tls", "--cacert", certs.caCert, "--connect-timeout", "2000", ...load]);
    expectOneLineError(run, /certificate|TLS|SSL/i);
    expect(await callsOf(mtlsServer, "set")).toBe(0);
  });
});

describe("certificate verification failures", () => {
  test("--tls without --cacert rejects the test CA's certificate with a one-line TLS error", async () => {
    const run = await runBench(["-p", String(tlsServer.port), "--tls", "--connect-timeout", "2000", ...load]);
    expectOneLineError(run, /TLS|certificate/i);
    expect(await callsOf(tlsServer, "set")).toBe(0);
  });

  test("--sni with a name the certificate does not cover fails verification", async () => {
    const run = await runBench(["-p", String(tlsServer.port), "--tls", "--cacert", certs.caCert, "--sni", "wrong.example", "--connect-timeout", "2000", ...load]);
    expectOneLineError(run, /TLS|certificate/i);
    expect(await callsOf(tlsServer, "set")).toBe(0);
  });

  test("--insecure skips verification", async () => {
    const run = await runBench(["-p", String(tlsServer.port), "--tls", "--insecure", ...load]);
    expectExit(run, 0);
    expect(await callsOf(tlsServer, "set")).toBe(500);
  });

  test("--tls-skip-verify is --insecure's other spelling", async () => {
    const run = await runBench(["-p", String(tlsServer.port), "--tls", "--tls-skip-verify", ...load]);
    expectExit(run, 0);
    expect(await callsOf(tlsServer, "set")).toBe(500);
  });
});

describe("TLS and plain ports mixed up", () => {
  test("plain text against a TLS port ends with an error, not a hang", async () => {
    const run = await runBench(["-p", String(tlsServer.port), "--connect-timeout", "1000", ...load], { timeoutMs: 10_000 });
    expectOneLineError(run, /127\.0\.0\.1:\d+/);
  });

  test("TLS against a plain port gives up after --connect-timeout and says why", async () => {
    const run = await runBench(["-p", String(plainServer.port), "--tls", "--insecure", "--connect-timeout", "500", ...load], { timeoutMs: 10_000 });
    expectOneLineError(run, /TLS/);
    expect(await callsOf(plainServer, "set")).toBe(0);
  });
});

describe("--cacertdir, --tls-ciphers and --tls-ciphersuites", () => {
  let dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  function scratchDir(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), "vsb-cadir-"));
    dirs.push(dir);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  }

  test("--cacertdir trusts the certificates in a directory (other files and links are fine)", async () => {
    const dir = scratchDir({ "README.txt": "not a certificate\n", "ca.pem": readFileSync(certs.caCert, "utf8") });
    symlinkSync(join(dir, "ca.pem"), join(dir, "5a1b2c3d.0"));
    const run = await runBench(["-p", String(tlsServer.port), "--tls", "--cacertdir", dir, ...load]);
    expectExit(run, 0);
    expect(await callsOf(tlsServer, "set")).toBe(500);
  });

  test("--cacertdir with a directory of other CAs fails verification; one without certificates is a usage error", async () => {
    const otherCa = readFileSync(certs.clientCert, "utf8");
    const wrong = await runBench(["-p", String(tlsServer.port), "--tls", "--cacertdir", scratchDir({ "other.pem": otherCa }), "--connect-timeout", "2000", ...load]);
    expectOneLineError(wrong, /TLS|certificate/i);
    const empty = await runBench(["-p", String(tlsServer.port), "--tls", "--cacertdir", scratchDir({ "notes.txt": "hello" }), ...load]);
    expectExit(empty, 2);
    expect(empty.stderr.trim()).toMatch(/^error: --cacertdir: .* holds no PEM certificate file/);
    const notDir = await runBench(["-p", String(tlsServer.port), "--tls", "--cacertdir", certs.caCert, ...load]);
    expectExit(notDir, 2);
    expect(notDir.stderr).toContain("is not a directory");
    const noTls = await runBench(["-p", String(tlsServer.port), "--cacertdir", scratchDir({ "ca.pem": otherCa }), ...load]);
    expectExit(noTls, 2);
    expect(noTls.stderr).toContain("--cacertdir only applies to TLS connections");
  });

  test("--tls-ciphers offers only the listed TLS 1.2 ciphers", async () => {
    const ok = await runBench(["-p", String(tls12Server.port), "--tls", "--cacert", certs.caCert, "--tls-ciphers", TLS12_CIPHER, ...load]);
    expectExit(ok, 0);
    expect(await callsOf(tls12Server, "set")).toBe(500);
    const other = await runBench([
      "-p", String(tls12Server.port), "--tls", "--cacert", certs.caCert, "--tls-ciphers", "ECDHE-ECDSA-AES256-GCM-SHA384", "--connect-timeout", "2000", ...load,
    ]);
    expectOneLineError(other, /TLS/);
  });

  test("an unknown cipher list and --tls-ciphersuites are usage errors before connecting", async () => {
    const bogus = await runBench(["-p", String(tlsServer.port), "--tls", "--insecure", "--tls-ciphers", "NOT-A-CIPHER", ...load]);
    expectExit(bogus, 2);
    expect(bogus.stderr.trim()).toMatch(/^error: --tls-ciphers NOT-A-CIPHER: .*knows none of these ciphers/);
    const suites = await runBench(["-p", String(tlsServer.port), "--tls", "--insecure", "--tls-ciphersuites", "TLS_AES_128_GCM_SHA256", ...load]);
    expectExit(suites, 2);
    expect(suites.stderr.trim()).toMatch(/^error: --tls-ciphersuites is not supported/);
    expect(await callsOf(tlsServer, "set")).toBe(0);
  });
});
