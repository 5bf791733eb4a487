/** The server a topology reply came from: named in error messages, and the host to use when the
 * server reports an empty endpoint (cluster-preferred-endpoint-type unknown-endpoint means "the
 * same host you are talking to"). */
export interface ReplySource {
  host: string;
  port: number;
  /**
   * The reply came over TLS, so nodes will be reached over TLS too. CLUSTER NODES and CLUSTER
   * SLOTS already report the TLS port to TLS clients; CLUSTER SHARDS reports both ports, and
   * this picks "tls-port" as the node's `port`.
   */
  tls?: boolean;
}

export function sourceLabel(source: ReplySource | undefined): string {
  if (source === undefined) return "the server";
  return source.host.includes(":") ? `[${source.host}]:${source.port}` : `${source.host}:${source.port}`;
}

/**
 * Where to connect to a node. The preferred endpoint wins; an empty endpoint means "the host you
 * sent this command to" (cluster-preferred-endpoint-type unknown-endpoint); "?" means the server
 * does not know it (hostname preferred but none set), so the IP is the best remaining choice.
 * Returns "" when nothing usable was reported.
 */
export function chooseHost(endpoint: string | undefined, ip: string | undefined, source: ReplySource | undefined): string {
  if (endpoint !== undefined && endpoint !== "" && endpoint !== "?") return endpoint;
  if (endpoint === "" && source !== undefined) return source.host;
  if (ip !== undefined && ip !== "" && ip !== "?") return ip;
  return source?.host ?? "";
}
