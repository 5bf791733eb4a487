// Test certificates, generated once per test process by scripts/gen-tls-certs.sh.

import { join, resolve } from "node:path";
import { scratchRoot } from "./scratch.ts";

/** Paths of PEM files: a CA, a server cert for 127.0.0.1/localhost, and a client cert. */
export interface TlsFiles {
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

const GEN_SCRIPT = resolve(import.meta.dir, "../../scripts/gen-tls-certs.sh");
let cached: Promise<TlsFiles> | undefined;

/** The process's certificate set; the first call runs openssl, later calls share its result. */
export function tlsFiles(): Promise<TlsFiles> {
  cached ??= generate(join(scratchRoot(), "tls"));
  return cached;
}

async function generate(dir: string): Promise<TlsFiles> {
  const proc = Bun.spawn(["bash", GEN_SCRIPT, dir], { stdout: "pipe", stderr: "pipe", timeout: 20_000 });
  const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
  if (code !== 0) {
    cached = undefined;
    throw new Error(`generating test TLS certificates failed (exit ${code}): ${stderr.trim()}`);
  }
  return {
    caCert: join(dir, "ca.crt"),
    caKey: join(dir, "ca.key"),
    serverCert: join(dir, "server.crt"),
    serverKey: join(dir, "server.key"),
    clientCert: join(dir, "client.crt"),
    clientKey: join(dir, "client.key"),
  };
}
