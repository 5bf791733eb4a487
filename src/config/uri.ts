/**
 * `-u` server URIs: `valkey://[user[:password]@]host[:port][/db]`, also `redis://`, and
 * `valkeys://` / `rediss://` for TLS, as valkey-benchmark and valkey-cli accept them.
 * The password may be percent-encoded; every message shows the URI with it replaced by `***`.
 */
import { UserError } from "../errors.ts";
import { parsePort } from "./endpoint.ts";
import { maskUserinfo, REDACTED } from "./mask-credentials.ts";

export interface ServerUri {
  host: string;
  /** Undefined when the URI has none (the `-p` value then applies). */
  port?: number;
  user?: string;
  password?: string;
  dbnum?: number;
  tls: boolean;
}

const SCHEMES: Record<string, boolean> = { "valkey:": false, "redis:": false, "valkeys:": true, "rediss:": true };

/**
 * The URI with any password replaced by `***`, for messages. Userinfo without ':' is hidden
 * whole (valkey-cli reads `valkey://secret@host` as a password), and so is everything before the
 * last '@' of a malformed URI: nothing the user typed as a credential is echoed.
 */
export function redactUri(uri: string): string {
  const at = uri.lastIndexOf("@");
  if (at < 0) return uri;
  const start = uri.indexOf("://");
  if (start < 0 || start > at) return maskUserinfo(uri);
  const userInfo = uri.slice(start + 3, at);
  const colon = userInfo.indexOf(":");
  if (colon < 0 || userInfo.slice(0, colon).includes("/")) return `${uri.slice(0, start + 3)}${REDACTED}${uri.slice(at)}`;
  return `${uri.slice(0, start + 3)}${userInfo.slice(0, colon)}:${REDACTED}${uri.slice(at)}`;
}

function decode(part: string, what: string, fail: (why: string) => UserError): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw fail(`has a malformed percent-encoding in the ${what}`);
  }
}

export function parseServerUri(uri: string, spelling = "-u"): ServerUri {
  const shown = redactUri(uri);
  const fail = (why: string) => new UserError(`${spelling} ${why} (got ${shown})`);
  const scheme = /^([a-z][a-z0-9+.-]*:)\/\//i.exec(uri)?.[1]?.toLowerCase();
  if (scheme === undefined || !(scheme in SCHEMES)) {
    throw fail("must start with valkey://, valkeys://, redis:// or rediss://");
  }
  // Split userinfo ourselves at the last '@' so an unencoded '@' or '/' in the password still works.
  const afterScheme = uri.slice(scheme.length + 2);
  const at = afterScheme.lastIndexOf("@");
  const userInfo = at >= 0 ? afterScheme.slice(0, at) : undefined;
  const rest = at >= 0 ? afterScheme.slice(at + 1) : afterScheme;
  const slash = rest.indexOf("/");
  const authority = slash >= 0 ? rest.slice(0, slash) : rest;
  const path = slash >= 0 ? rest.slice(slash + 1) : "";

  const result: ServerUri = { host: "", tls: SCHEMES[scheme] };
  if (userInfo !== undefined) {
    const colon = userInfo.indexOf(":");
    const user = colon >= 0 ? userInfo.slice(0, colon) : userInfo;
    if (user !== "") result.user = decode(user, "user", fail);
    if (colon >= 0) result.password = decode(userInfo.slice(colon + 1), "password", fail);
  }

  let hostPart = authority;
  let portPart: string | undefined;
  if (authority.startsWith("[")) {
    const close = authority.indexOf("]");
    if (close < 0) throw fail("has an unclosed '[' in the host");
    hostPart = authority.slice(1, close);
    const after = authority.slice(close + 1);
    if (after !== "") {
      if (!after.startsWith(":")) throw fail("has text after the IPv6 host; write [ipv6]:port");
      portPart = after.slice(1);
    }
  } else {
    if (authority.indexOf(":") !== authority.lastIndexOf(":")) {
      throw fail("has more than one ':' after the host; write valkey://host:port/db (an IPv6 host in brackets: valkey://[::1]:6379)");
    }
    const colon = authority.lastIndexOf(":");
    if (colon >= 0) {
      hostPart = authority.slice(0, colon);
      portPart = authority.slice(colon + 1);
    }
  }
  const query = rest.search(/[?#]/);
  if (query >= 0) {
    throw fail(`takes no ${rest[query] === "?" ? "?query parameters" : "#fragment"}; give the database as a path (valkey://host:6379/1) or use --dbnum`);
  }
  if (hostPart === "") throw fail("needs a host, like valkey://host:6379");
  if (/[\s?#]/.test(hostPart)) throw fail("has an invalid host");
  result.host = hostPart;
  if (portPart !== undefined) {
    try {
      result.port = parsePort(portPart, spelling);
    } catch {
      throw fail(`port must be between 1 and 65535`);
    }
  }

  const db = path.replace(/\/$/, "");
  if (db !== "") {
    if (!/^\d+$/.test(db)) throw fail("database must be a number after the host, like valkey://host:6379/0");
    result.dbnum = Number(db);
  }
  if (result.user !== undefined && result.password === undefined) {
    throw fail("has a user but no password; write user:password@ (percent-encode special characters)");
  }
  return result;
}
