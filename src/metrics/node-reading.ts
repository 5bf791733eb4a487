/**
 * Reads one node's INFO over a control connection and counts the commands that connection
 * sends, so that metric-eval.ts can take our own calls out of the server's counters.
 *
 * Only the sections the metric definitions name are asked for (INFO everything would also
 * render latencystats and every module section on each call). A section the server refuses
 * (managed services restrict some) or does not have (no search module) is simply absent:
 * metrics never stop a run.
 */
import type { RespValue } from "../resp/types.ts";
import { parseInfoSections, type InfoSections } from "./info-text.ts";
import type { NodeReading, NodeRole } from "./metric-eval.ts";

/** What a reading needs from a connection: ControlClient satisfies it. */
export interface InfoSource {
  call(args: readonly string[], timeoutMs?: number): Promise<RespValue>;
}

/** Commands INFO commandstats counts per subcommand ("client|setname", "config|get"). */
const CONTAINER_COMMANDS = new Set(["acl", "client", "cluster", "command", "config", "function", "latency", "memory", "module", "object", "pubsub", "script", "slowlog", "xgroup", "xinfo"]);

/** The name INFO commandstats gives a command line ("set", "ft.info", "config|set"). */
export function commandstatsName(args: readonly string[]): string | undefined {
  const first = args[0]?.toLowerCase();
  if (!first) return undefined;
  return CONTAINER_COMMANDS.has(first) && args[1] !== undefined ? `${first}|${args[1].toLowerCase()}` : first;
}

/** An InfoSource that counts what it sends, by commandstats name. */
export class CountingSource implements InfoSource {
  readonly sent: Record<string, number> = {};
  constructor(private readonly inner: InfoSource) {}

  call(args: readonly string[], timeoutMs?: number): Promise<RespValue> {
    const name = commandstatsName(args);
    if (name) this.sent[name] = (this.sent[name] ?? 0) + 1;
    return this.inner.call(args, timeoutMs);
  }
}

/** The INFO reply as text, or undefined for an error reply (restricted or unknown section). */
function replyText(reply: RespValue): string | undefined {
  if (typeof reply === "string") return reply;
  if (reply instanceof Uint8Array) return new TextDecoder().decode(reply);
  return undefined;
}

/**
 * One node's INFO of `sections`. One `INFO a b c` call where the server takes several sections
 * (Valkey, Redis 7+: one round trip, one consistent moment); otherwise (older servers answer an
 * error) one call per section, and a section answered with an error is left out. Connection
 * failures reject: the caller decides what an unreachable node means.
 */
export async function takeReading(
  source: CountingSource,
  node: { address: string; role: NodeRole },
  sections: readonly string[],
  timeoutMs: number,
): Promise<NodeReading> {
  const ownCalls = { ...source.sent };
  const combined = await source.call(["INFO", ...sections], timeoutMs);
  let text = replyText(combined);
  if (text === undefined) {
    const parts: string[] = [];
    for (const section of sections) {
      const t = replyText(await source.call(["INFO", section], timeoutMs));
      if (t !== undefined) parts.push(t);
    }
    text = parts.join("\r\n");
    // The per-section calls ran before the last sections were read (commandstats is last):
    // count them as before this reading.
    ownCalls.info = (source.sent.info ?? 0) - 1;
  }
  const info: InfoSections = parseInfoSections(text);
  return { address: node.address, role: node.role, takenAtMs: performance.now(), info, ownCalls };
}
