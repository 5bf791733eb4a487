/** What the report header says about the server: CONFIG GET save / appendonly, as valkey-benchmark does. */
import type { BenchConfig } from "../config/types.ts";
import type { ServerConfigInfo } from "../metrics/types.ts";
import { ControlClient } from "../net/control-client.ts";
import { describeTarget } from "../net/transport.ts";
import { RespError, RespMap, type RespValue } from "../resp/types.ts";
import { standaloneTarget } from "./worker-runner.ts";

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
 * Connects once before the run: proves the server is reachable with these credentials (so a
 * bad password fails fast with one clear line) and reads the settings the header prints.
 * CONFIG may be disabled (managed services): then the values are simply unknown.
 */
export async function probeServer(config: BenchConfig): Promise<ServerConfigInfo> {
  const target = standaloneTarget(config);
  const client = await ControlClient.connect(target, config.connection);
  try {
    const info: ServerConfigInfo = { address: describeTarget(target) };
    for (const name of ["save", "appendonly"] as const) {
      const r = await client.call(["CONFIG", "GET", name]);
      if (!(r instanceof RespError)) info[name] = configValue(r, name);
    }
    return info;
  } finally {
    client.close();
  }
}
