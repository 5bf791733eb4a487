// Test-only: valkey-server processes for the cluster tests, on ports 22000-22999 (this suite's
// range; their cluster bus ports are +10000). Directories and the kill-on-exit guarantee come
// from test/support/scratch.ts.

import { join } from "node:path";
import type { Subprocess } from "bun";
import { canListen, CLUSTER_BUS_OFFSET } from "../support/ports.ts";
import { newServerDir, release, track } from "../support/scratch.ts";

const FIRST_PORT = 22000;
const LAST_PORT = 22999;
const READY_TIMEOUT_MS = 10_000;
const CLUSTER_TIMEOUT_MS = 20_000;

let nextPort = FIRST_PORT + Math.floor(Math.random() * (LAST_PORT - FIRST_PORT + 1));

function reservePort(): number {
  for (let tried = 0; tried <= LAST_PORT - FIRST_PORT; tried++) {
    const port = nextPort;
    nextPort = port === LAST_PORT ? FIRST_PORT : port + 1;
    if (canListen(port) && canListen(port + CLUSTER_BUS_OFFSET)) return port;
  }
  throw new Error("no free port pair in 22000-22999 (+10000) on 127.0.0.1; stop leftover valkey-server processes");
}

export interface ClusterNodeProcess {
  port: number;
  cli(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

export async function cli(port: number, ...args: string[]): Promise<string> {
  const proc = Bun.spawn(["valkey-cli", "-h", "127.0.0.1", "-p", String(port), ...args], {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`valkey-cli -p ${port} ${args.join(" ")} exited ${code}: ${err.trim()}`);
  return out.trim();
}

/** One cluster-enabled valkey-server (no slots assigned), resolved once it answers PING. */
export async function startClusterNode(): Promise<ClusterNodeProcess> {
  const port = reservePort();
  const dir = newServerDir(`cluster-${port}`);
  const proc: Subprocess = Bun.spawn(
    [
      "valkey-server",
      "--bind", "127.0.0.1",
      "--port", String(port),
      "--cluster-enabled", "yes",
      "--cluster-config-file", "nodes.conf",
      "--cluster-node-timeout", "2000",
      "--save", "",
      "--appendonly", "no",
      "--repl-diskless-sync-delay", "0",
      // CLUSTER SHARDS reports a replica "loading" (and CLUSTER SLOTS omits it) until its
      // replication offset is non-zero, which on an idle primary takes one replica ping
      // (default every 10 s).
      "--repl-ping-replica-period", "1",
      "--dir", dir,
      "--pidfile", join(dir, "valkey.pid"),
      "--logfile", join(dir, "valkey.log"),
    ],
    { cwd: dir, stdin: "ignore", stdout: "ignore", stderr: "ignore" },
  );
  track(proc, dir);
  let stopped: Promise<void> | undefined;
  const node: ClusterNodeProcess = {
    port,
    cli: (...args) => cli(port, ...args),
    stop: () =>
      (stopped ??= (async () => {
        proc.kill("SIGKILL");
        await proc.exited;
        release(proc, dir);
      })()),
  };
  try {
    await waitFor(`127.0.0.1:${port} to answer PING`, READY_TIMEOUT_MS, async () => {
      if (proc.exitCode !== null) throw new Error(`valkey-server on 127.0.0.1:${port} exited during startup`);
      return (await node.cli("PING").catch(() => "")) === "PONG" ? null : "no PONG";
    });
  } catch (error) {
    await node.stop();
    throw error;
  }
  return node;
}

/**
 * Six nodes joined as 3 primaries with 1 replica each by `valkey-cli --cluster create`; resolves
 * once every node reports cluster_state:ok, knows all six nodes, and (as seen from the first
 * node) every replica is online, so CLUSTER SLOTS lists it too.
 */
export async function startSixNodeCluster(): Promise<ClusterNodeProcess[]> {
  const started = await Promise.allSettled(Array.from({ length: 6 }, () => startClusterNode()));
  const nodes = started.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  const stopAll = () => Promise.all(nodes.map((n) => n.stop()));
  try {
    const failed = started.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
    const create = await nodes[0]!.cli(
      "--cluster", "create",
      ...nodes.map((n) => `127.0.0.1:${n.port}`),
      "--cluster-replicas", "1",
      "--cluster-yes",
    );
    if (!create.includes("All 16384 slots covered")) throw new Error(`cluster create failed:\n${create}`);
    await waitFor("the cluster to be ready", CLUSTER_TIMEOUT_MS, async () => {
      for (const node of nodes) {
        const info = await node.cli("CLUSTER", "INFO");
        if (!info.includes("cluster_state:ok")) return `127.0.0.1:${node.port} is not ok`;
        if (!info.includes("cluster_known_nodes:6")) return `127.0.0.1:${node.port} does not know all nodes`;
      }
      const shards = await nodes[0]!.cli("CLUSTER", "SHARDS");
      const online = shards.split("\n").filter((line) => line.trim() === "online").length;
      return online === 6 ? null : `${online} of 6 nodes online in CLUSTER SHARDS`;
    });
  } catch (error) {
    await stopAll();
    throw error;
  }
  return nodes;
}

async function waitFor(what: string, timeoutMs: number, check: () => Promise<string | null>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let missing: string | null = "not checked";
  while (Date.now() < deadline) {
    missing = await check();
    if (missing === null) return;
    await Bun.sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${missing}`);
}
