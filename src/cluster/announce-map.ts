/**
 * --cluster-announce-map: rewrite the addresses a cluster announces (CLUSTER SHARDS/NODES/SLOTS,
 * MOVED/ASK) into addresses this client can reach, e.g. when the nodes announce private IPs
 * behind NAT, port-forwarding or an SSH tunnel.
 *
 *   --cluster-announce-map 10.0.0.5=127.0.0.1                 any port on 10.0.0.5 -> 127.0.0.1, same port
 *   --cluster-announce-map 10.0.0.5:6379=localhost:7001       exactly that address -> localhost:7001
 *   --cluster-announce-map 10.0.0.5=bastion:7000,10.0.0.6=bastion:7001   one node per host (ElastiCache)
 *
 * IPv6 hosts use brackets when a port is given ("[fd00::5]:6379"). An exact host:port entry wins
 * over a host-only entry. Hostnames match case-insensitively.
 */

export interface AnnounceTarget {
  host: string;
  /** Absent: keep the announced port. */
  port?: number;
}

export interface AnnounceMap {
  /** Keyed by "host:port" (host lower-cased, unbracketed). */
  readonly byAddress: ReadonlyMap<string, AnnounceTarget>;
  /** Keyed by host (lower-cased). */
  readonly byHost: ReadonlyMap<string, AnnounceTarget>;
}

export class AnnounceMapError extends Error {
  override name = "AnnounceMapError";
}

export const EMPTY_ANNOUNCE_MAP: AnnounceMap = { byAddress: new Map(), byHost: new Map() };

const FLAG = "--cluster-announce-map";

export function parseAnnounceMap(value: string): AnnounceMap {
  const byAddress = new Map<string, AnnounceTarget>();
  const byHost = new Map<string, AnnounceTarget>();
  const entries = value.split(",").map((entry) => entry.trim());
  for (const entry of entries) {
    if (entry === "") {
      throw new AnnounceMapError(`${FLAG} ${JSON.stringify(value)} has an empty entry; write old=new[,old2=new2]`);
    }
    const eq = entry.indexOf("=");
    if (eq === -1 || entry.indexOf("=", eq + 1) !== -1) {
      throw new AnnounceMapError(`${FLAG} entry ${JSON.stringify(entry)} must be old=new (host or host:port on each side)`);
    }
    const from = parseEndpoint(entry.slice(0, eq), entry);
    const to = parseEndpoint(entry.slice(eq + 1), entry);
    const key = from.port === undefined ? from.host : `${from.host}:${from.port}`;
    const table = from.port === undefined ? byHost : byAddress;
    if (table.has(key)) throw new AnnounceMapError(`${FLAG} maps ${entry.slice(0, eq)} twice; keep one entry`);
    const target: AnnounceTarget = { host: to.host };
    if (to.port !== undefined) target.port = to.port;
    table.set(key, target);
  }
  return { byAddress, byHost };
}

/** The address to connect to for an announced `host:port` (unchanged when no entry matches). */
export function applyAnnounceMap(map: AnnounceMap, host: string, port: number): { host: string; port: number } {
  const normal = normaliseHost(host);
  const target = map.byAddress.get(`${normal}:${port}`) ?? map.byHost.get(normal);
  if (target === undefined) return { host, port };
  return { host: target.host, port: target.port ?? port };
}

function normaliseHost(host: string): string {
  const unbracketed = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  return unbracketed.toLowerCase();
}

/** "host", "host:port", "[v6]", "[v6]:port", or a bare IPv6 address (two or more colons, no port). */
function parseEndpoint(text: string, entry: string): AnnounceTarget {
  const trimmed = text.trim();
  let host: string;
  let portText: string | undefined;
  if (trimmed.startsWith("[")) {
    const close = trimmed.indexOf("]");
    if (close === -1) throw new AnnounceMapError(`${FLAG} entry ${JSON.stringify(entry)} has an unclosed "[" in ${JSON.stringify(trimmed)}`);
    host = trimmed.slice(1, close);
    const rest = trimmed.slice(close + 1);
    if (rest !== "") {
      if (!rest.startsWith(":")) throw new AnnounceMapError(`${FLAG} entry ${JSON.stringify(entry)}: expected ":port" after "]" in ${JSON.stringify(trimmed)}`);
      portText = rest.slice(1);
    }
  } else {
    const colons = trimmed.split(":").length - 1;
    const colon = trimmed.lastIndexOf(":");
    host = colons === 1 ? trimmed.slice(0, colon) : trimmed;
    portText = colons === 1 ? trimmed.slice(colon + 1) : undefined;
  }
  if (host === "" || /\s|[=,/@]/.test(host)) {
    throw new AnnounceMapError(`${FLAG} entry ${JSON.stringify(entry)} has an invalid host ${JSON.stringify(host)}`);
  }
  const result: AnnounceTarget = { host: host.toLowerCase() };
  if (portText !== undefined) {
    const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
    if (!(port >= 1 && port <= 65535)) {
      throw new AnnounceMapError(`${FLAG} entry ${JSON.stringify(entry)} has an invalid port ${JSON.stringify(portText)} (1-65535)`);
    }
    result.port = port;
  }
  return result;
}
