/** What the report header says about the servers: CONFIG GET save / appendonly per node, as valkey-benchmark does. */
import type { BenchConfig } from "../config/types.ts";
import type { DeployedNode } from "../cluster/discovery.ts";
import type { ServerConfigInfo } from "../metrics/types.ts";
import { ControlClient } from "../net/control-client.ts";
import { ConnectionError } from "../net/errors.ts";
import { RespError, RespMap, type RespValue } from "../resp/types.ts";
import { targetOf } from "../net/transport.ts";

function configValue(reply: RespValue, name: string): string | undefined {
  if (reply instanceof RespMap) {
    const v = reply.get(name);
    return typeof v === "string" ? v : undefined;
  }
  if (Array.isArray(reply)) {
    for (let i = 0; i + 1 < reply.length; i += 2) if (reply[i] === name && typeof reply[i + 1] === "string") return reply[i + 1] as string;
  }
  return undefined;
}

/**
 * Reads the settings the header prints from each primary. CONFIG may be disabled (managed
 * services): then the values are simply unknown. A node that cannot be reached here fails the
 * run early with its connection error, before any connection of the benchmark is opened.
 */
export async function serverSettings(config: BenchConfig, nodes: DeployedNode[]): Promise<ServerConfigInfo[]> {
  return Promise.all(
    nodes
      .filter((n) => n.role === "primary")
      .map(async (n) => {
        // A primary the cluster itself reports as failed or loading serves no test (read-from.ts):
        // its settings are unknown, and it does not block the run.
        if (n.health === "failed" || n.health === "loading") return { address: n.address };
        let client: ControlClient;
        try {
          client = await ControlClient.connect(targetOf({ ...n }), config.connection, { select: false });
        } catch (e) {
          if (e instanceof ConnectionError && n.health !== "online") {
            throw new ConnectionError(`${e.message} (the cluster reports ${n.address} as ${n.health === "unknown" ? "possibly failing (fail?)" : n.health}: wait until it recovers or fails over, or repair the cluster)`, e.code);
          }
          // A cluster announces addresses that may only work inside its network (private IPs
          // behind a configuration endpoint): say so, and how to map them.
          const given = config.connection.endpoints.some((ep) => n.host === ep.host && n.port === ep.port);
          if (e instanceof ConnectionError && !given && n.slots.length > 0) {
            throw new ConnectionError(
              `${e.message} (the cluster announces ${n.address}; if that address is not reachable from here, map it with --cluster-announce-map ${n.address}=<reachable-host:port>)`,
              e.code,
            );
          }
          throw e;
        }
        try {
          const info: ServerConfigInfo = { address: n.address };
          for (const name of ["save", "appendonly"] as const) {
            const r = await client.call(["CONFIG", "GET", name]);
            if (!(r instanceof RespError)) info[name] = configValue(r, name);
          }
          return info;
        } finally {
          client.close();
        }
      }),
  );
}

/**
 * The connection error of the first node in `nodes` that cannot be reached now, or undefined.
 * Names the cause when a timed test sent nothing: its connections were still re-trying a server
 * that went away when --duration ran out, so no problem was recorded during the test.
 */
export async function firstUnreachable(config: BenchConfig, nodes: DeployedNode[]): Promise<string | undefined> {
  for (const n of nodes) {
    if (n.health === "failed") continue;
    try {
      (await ControlClient.connect(targetOf({ ...n }), config.connection, { select: false })).close();
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  }
  return undefined;
}
