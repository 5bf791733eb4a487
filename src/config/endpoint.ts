/** `-h` values: `host`, `host:port`, `[ipv6]`, `[ipv6]:port` or a bare IPv6 address. */
import { UserError } from "../errors.ts";
import { maskUserinfo } from "./mask-credentials.ts";
import type { Endpoint } from "./types.ts";

/** Parses a port given inside another value; `where` names the flag for the message. */
export function parsePort(text: string, where: string): number {
  const port = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 1 && port <= 65535)) {
    throw new UserError(`${where}: port must be between 1 and 65535 (got ${text === "" ? '""' : text})`);
  }
  return port;
}

/**
 * Splits `text` into host and port; `defaultPort` (the `-p` value) applies when none is given.
 * A bare address with more than one colon is IPv6 without a port (write `[::1]:7000` for one).
 */
export function parseHostPort(text: string, defaultPort: number, spelling = "-h"): Endpoint {
  const fail = (why: string) => new UserError(`${spelling} ${why} (got ${maskUserinfo(text)})`);
  if (text.startsWith("-")) throw fail("needs a host name, not an option");
  if (text.includes("@")) throw fail("takes a host name, not credentials: use -u valkey://user:password@host:port, or --user and -a");
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close < 0) throw fail("has an unclosed '[': write [ipv6] or [ipv6]:port");
    const host = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (host === "") throw fail("has an empty IPv6 address");
    if (rest === "") return { host, port: defaultPort };
    if (!rest.startsWith(":")) throw fail("must be [ipv6] or [ipv6]:port");
    return { host, port: parsePort(rest.slice(1), spelling) };
  }
  const colons = text.split(":").length - 1;
  if (colons > 1) return { host: text, port: defaultPort };
  if (colons === 0) {
    if (/\s/.test(text)) throw fail("must not contain spaces");
    return { host: text, port: defaultPort };
  }
  const [host, port] = text.split(":");
  if (host === "") throw fail("needs a host before ':'");
  return { host, port: parsePort(port, spelling) };
}
