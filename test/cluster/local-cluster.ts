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
      "--cluster-node-timeout", "5000",
      "--save", "",
      "--appendonly", "no",
      "--repl-diskless-sync-delay", "0",
      // CLUSTER SHARDS reports a replica "loading" (and CLUSTER SLOTS omits it) until its
      // replication offset is non-zero, which on an idle primary takes one replica ping
      // (default every 10 s).
      "--repl-ping-replica-period", "1",
      // These tests read a settled topology: a node slowed down by a busy machine must not
      // turn into a failover halfway through.
      "--cluster-replica-no-failover", "yes",
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
 * once every node reports cluster_state:ok, knows all six nodes, and lists 3 shards of an online
 * primary and an online replica in CLUSTER SHARDS (so CLUSTER SLOTS lists every replica too).
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
      // Every node must describe the same settled cluster: 3 shards of an online primary and an
      // online replica (roles and shard ids travel by gossip, a little after cluster_state:ok).
      for (const node of nodes) {
        const shards = shardRoles(await node.cli("CLUSTER", "SHARDS"));
        // (A shard may list its replica before its primary.)
        const settled = shards.length === 3 && shards.every((s) => s.sort().join(" ") === "master:online replica:online");
        if (!settled) return `127.0.0.1:${node.port} sees shards ${JSON.stringify(shards)}`;
      }
      return null;
    });
  } catch (error) {
    await stopAll();
    throw error;
  }
  return nodes;
}

/** "role:health" of each node, shard by shard, from valkey-cli's line-per-item CLUSTER SHARDS output. */
function shardRoles(output: string): string[][] {
  const shards: string[][] = [];
  const lines = output.split("\n").map((line) => line.trim());
  let role = "";
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] === "slots") shards.push([]);
    else if (lines[i] === "role") role = lines[++i] ?? "";
    else if (lines[i] === "health") shards[shards.length - 1]?.push(`${role}:${lines[++i] ?? ""}`);
  }
  return shards;
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
