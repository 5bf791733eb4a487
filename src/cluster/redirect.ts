/**
 * MOVED and ASK error replies: "MOVED <slot> <endpoint>:<port>" means the slot now lives on that
 * node (refresh the topology); "ASK <slot> <endpoint>:<port>" means retry this one command there,
 * preceded by ASKING, while the slot migrates.
 *
 * Endpoint forms the server sends: an IP ("127.0.0.1:6381"), an unbracketed IPv6 address
 * ("::1:6381", the port is after the last colon), a bracketed one ("[::1]:6381", from proxies),
 * a hostname, an empty endpoint (":6381", cluster-preferred-endpoint-type unknown-endpoint: same
 * host as the connection that got the reply), or "?" (hostname preferred but unknown).
 */
import { SLOT_COUNT } from "./crc16.ts";

export interface Redirect {
  kind: "MOVED" | "ASK";
  slot: number;
  /** "" for the ":port" form when `connectionHost` was not given; "?" when the server does not know. */
  host: string;
  port: number;
}

/**
 * Reads a MOVED/ASK error message (with or without the leading "-"); null for any other error or
 * a redirect that cannot be read. `connectionHost` replaces an empty endpoint.
 */
export function parseRedirect(errorMessage: string, connectionHost?: string): Redirect | null {
  const message = errorMessage.startsWith("-") ? errorMessage.slice(1) : errorMessage;
  const parts = message.trim().split(" ");
  if (parts.length !== 3) return null;
  const [kind, slotText, address] = parts as [string, string, string];
  if (kind !== "MOVED" && kind !== "ASK") return null;
  if (!/^\d+$/.test(slotText)) return null;
  const slot = Number(slotText);
  if (slot >= SLOT_COUNT) return null;

  const colon = address.lastIndexOf(":");
  if (colon === -1) return null;
  const portText = address.slice(colon + 1);
  if (!/^\d+$/.test(portText)) return null;
  const port = Number(portText);
  if (port < 1 || port > 65535) return null;
  let host = address.slice(0, colon);
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  if (host === "" && connectionHost !== undefined) host = connectionHost;
  return { kind, slot, host, port };
}
