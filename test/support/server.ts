// One throw-away valkey-server on 127.0.0.1, started as a child process for a test.

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { type CommandStat, parseCommandstats, parseInfo } from "./info.ts";
import { reservePort } from "./ports.ts";
import { newServerDir, release, track } from "./scratch.ts";
import { type TlsFiles, tlsFiles } from "./tls-certs.ts";

export interface StartOptions {
  /** Serve TLS only: the server listens on `tlsPort` (also reported as `port`), no plain port. */
  tls?: boolean;
  /** Whether TLS clients must present a certificate signed by the test CA. Default "optional". */
  tlsAuthClients?: "yes" | "no" | "optional";
  /** Also listen on a unix socket (`socketPath`), next to the TCP port. */
  unixSocket?: boolean;
  /** An extra ACL user with all permissions; `cli()` authenticates as this user. */
  acl?: { user: string; password: string };
  /** Password of the `default` user (AUTH password / `-a`). */
  requirepass?: string;
  /**
   * What happens to the `default` user when `acl` is given: "off" (disabled, the default) or
   * "on" (unchanged: no password, or `requirepass` if set). Ignored without `acl`.
   */
  defaultUser?: "off" | "on";
  /** Extra server arguments, appended last so they override the helper's defaults. */
  args?: string[];
  /** The valkey-server executable (default: `valkey-server` from PATH), e.g. a real search server's. */
  binary?: string;
  /**
   * Lines of a config file the server reads before its arguments (for directives the command
   * line cannot carry, such as `loadmodule PATH --use-coordinator`).
   */
  configLines?: string[];
  /** Other ports (port + offset) the server opens and that must be free too (the search coordinator's). */
  extraPortOffsets?: number[];
}

export interface ValkeyServer {
  host: "127.0.0.1";
  /** The port clients connect to: the plain port, or the TLS port for a `tls` server. */
  port: number;
  tlsPort?: number;
  socketPath?: string;
  /** The server's working directory (logs, pid file, nodes.conf); removed by stop(). */
  dir: string;
  tls?: TlsFiles;
  /** Credentials `cli()` uses; null when the server needs none. */
  auth: { user?: string; password: string } | null;
  pid: number;
  /** valkey-cli connection arguments for this server: -h/-p, TLS files and credentials. */
  cliArgs: string[];
  /** Runs valkey-cli against this server (auth and TLS handled) and returns its stdout, trimmed.
   *  Error replies come back as text ("ERR ..."); only a failed valkey-cli run throws. Note that
   *  authenticating adds AUTH calls (never other commands) to commandstats. */
  cli(...args: string[]): Promise<string>;
  info(section?: string): Promise<Record<string, string>>;
  commandstats(): Promise<Record<string, CommandStat>>;
  /** The last lines of the server's log, for error messages. */
  logTail(lines?: number): string;
  /** Terminates the server (SIGTERM, SIGKILL after 5 s) and removes its directory. Idempotent. */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;
const CLI_TIMEOUT_MS = 10_000;
const BIND_ATTEMPTS = 5;

class PortTakenError extends Error {}

/** Starts a valkey-server and resolves once it answers PING (or rejects within ~10 s). */
export async function startValkey(opts: StartOptions = {}): Promise<ValkeyServer> {
  const tls = opts.tls ? await tlsFiles() : undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(opts, reservePort(opts.extraPortOffsets), tls);
    } catch (err) {
      // Another process grabbed the port between our probe and the server's bind: try the next.
      if (!(err instanceof PortTakenError) || attempt === BIND_ATTEMPTS) throw err;
    }
  }
}

function serverArgs(opts: StartOptions, port: number, dir: string, tls: TlsFiles | undefined): string[] {
  const args = [
    "--bind", "127.0.0.1",
    "--port", String(tls ? 0 : port),
    "--daemonize", "no",
    "--save", "",
    "--appendonly", "no",
    "--dir", dir,
    "--logfile", join(dir, "valkey.log"),
    "--pidfile", join(dir, "valkey.pid"),
    // Replicas sync at once instead of after the default 5 s batching delay.
    "--repl-diskless-sync-delay", "0",
    // A primary shutting down waits for lagging replicas up to this long (default 10 s).
    "--shutdown-timeout", "1",
    // Lets tests use DEBUG SLEEP and friends to simulate slow or stuck servers.
    "--enable-debug-command", "local",
  ];
  if (tls) {
    args.push(
      "--tls-port", String(port),
      "--tls-cert-file", tls.serverCert,
      "--tls-key-file", tls.serverKey,
      "--tls-ca-cert-file", tls.caCert,
      "--tls-auth-clients", opts.tlsAuthClients ?? "optional",
    );
  }
  if (opts.unixSocket) args.push("--unixsocket", join(dir, "valkey.sock"), "--unixsocketperm", "700");
  if (opts.requirepass !== undefined) args.push("--requirepass", opts.requirepass);
  if (opts.acl) {
    args.push("--user", opts.acl.user, "on", `>${opts.acl.password}`, "~*", "&*", "+@all");
    if ((opts.defaultUser ?? "off") === "off") args.push("--user", "default", "off");
  }
  return [...args, ...(opts.args ?? [])];
}

function cliConnectionArgs(port: number, tls: TlsFiles | undefined, auth: ValkeyServer["auth"]): string[] {
  const args = ["-h", "127.0.0.1", "-p", String(port)];
  if (tls) args.push("--tls", "--cacert", tls.caCert, "--cert", tls.clientCert, "--key", tls.clientKey);
  if (auth?.user !== undefined) args.push("--user", auth.user, "--pass", auth.password, "--no-auth-warning");
  else if (auth) args.push("-a", auth.password, "--no-auth-warning");
  return args;
}

function readTail(dir: string, lines: number): string {
  const parts: string[] = [];
  for (const name of ["stderr.log", "valkey.log"]) {
    const path = join(dir, name);
    if (!existsSync(path)) continue;
    const text = readFileSync(path, "utf8").trimEnd();
    if (text !== "") parts.push(text.split("\n").slice(-lines).join("\n"));
  }
  return parts.join("\n") || "(no log output)";
}

async function launch(opts: StartOptions, port: number, tls: TlsFiles | undefined): Promise<ValkeyServer> {
  const dir = newServerDir(`valkey-${port}`);
  const auth: ValkeyServer["auth"] = opts.acl
    ? { user: opts.acl.user, password: opts.acl.password }
    : opts.requirepass !== undefined
      ? { password: opts.requirepass }
      : null;
  const configFile: string[] = [];
  if (opts.configLines && opts.configLines.length > 0) {
    configFile.push(join(dir, "server.conf"));
    writeFileSync(configFile[0]!, opts.configLines.join("\n") + "\n");
  }
  // Startup errors (bad config) go to stderr before the log file is opened, hence stderr.log.
  const proc = Bun.spawn([opts.binary ?? "valkey-server", ...configFile, ...serverArgs(opts, port, dir, tls)], {
    cwd: dir,
    stdin: "ignore",
    stdout: "ignore",
    stderr: Bun.file(join(dir, "stderr.log")),
  });
  track(proc, dir);

  const connection = cliConnectionArgs(port, tls, auth);
  let stopped: Promise<void> | undefined;
  const server: ValkeyServer = {
    host: "127.0.0.1",
    port,
    tlsPort: tls ? port : undefined,
    socketPath: opts.unixSocket ? join(dir, "valkey.sock") : undefined,
    dir,
    tls,
    auth,
    pid: proc.pid,
    cliArgs: connection,
    cli: (...args) => runCli(connection, args, port, CLI_TIMEOUT_MS),
    info: async (section) => parseInfo(await server.cli("INFO", ...(section ? [section] : []))),
    commandstats: async () => parseCommandstats(await server.cli("INFO", "commandstats")),
    logTail: (lines = 20) => readTail(dir, lines),
    stop: () => (stopped ??= terminate(proc, dir)),
  };

  try {
    await waitUntilReady(server, proc);
  } catch (err) {
    const tail = readTail(dir, 20);
    await server.stop();
    if (/address already in use|failed to listen/i.test(tail)) throw new PortTakenError(tail);
    throw err instanceof Error ? new Error(`${err.message}\n--- server log tail ---\n${tail}`) : err;
  }
  return server;
}

async function waitUntilReady(server: ValkeyServer, proc: Subprocess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const logPath = join(server.dir, "valkey.log");
  let lastError = "";
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`valkey-server on 127.0.0.1:${server.port} exited during startup (${proc.exitCode ?? proc.signalCode})`);
    }
    // Polling the log is cheap; only spawn valkey-cli once the server says it is listening.
    if (existsSync(logPath) && readFileSync(logPath, "utf8").includes("Ready to accept connections")) {
      try {
        const reply = await server.cli("PING");
        if (reply === "PONG") return;
        lastError = `PING answered ${JSON.stringify(reply)}`;
      } catch (err) {
        lastError = err instanceof Error ? err.message : String(err);
      }
    }
    await Bun.sleep(25);
  }
  throw new Error(
    `valkey-server on 127.0.0.1:${server.port} did not answer PING within ${READY_TIMEOUT_MS / 1000} s${lastError ? ` (${lastError})` : ""}`,
  );
}

/** Like server.cli(), with a longer limit for slow commands such as `--cluster create`. */
export function cliWithTimeout(server: ValkeyServer, timeoutMs: number, ...args: string[]): Promise<string> {
  return runCli(server.cliArgs, args, server.port, timeoutMs);
}

async function runCli(connection: string[], args: string[], port: number, timeoutMs: number): Promise<string> {
  const proc = Bun.spawn(["valkey-cli", ...connection, ...args], {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    timeout: timeoutMs,
    killSignal: "SIGKILL",
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  if (code !== 0) {
    // Only the command is shown: the connection arguments may hold a password.
    const how = proc.signalCode ? `killed by ${proc.signalCode}` : `exit ${code}`;
    throw new Error(`valkey-cli ${args.join(" ")} against 127.0.0.1:${port} failed (${how}): ${(stderr || stdout).trim()}`);
  }
  return stdout.trim();
}

async function terminate(proc: Subprocess, dir: string): Promise<void> {
  proc.kill("SIGTERM");
  const exited = await Promise.race([proc.exited.then(() => true), Bun.sleep(STOP_TIMEOUT_MS).then(() => false)]);
  if (!exited) {
    proc.kill("SIGKILL");
    await proc.exited;
  }
  release(proc, dir);
}
