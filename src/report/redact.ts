/**
 * Secrets never leave the process: every report that shows configuration goes through here.
 * The password is replaced by "***" wherever it is found: the password field itself, the
 * password part of any URI (`valkey://user:pw@host`), any string equal to it (a custom
 * `AUTH pw` command) and, for passwords long enough not to match by accident, inside any string.
 *
 * Every step is linear in the length of the string (a 10 MB argument is redacted in
 * milliseconds): URIs are found by searching for "://" and scanning a bounded window around
 * each, never with a backtracking regular expression.
 */
import type { BenchConfig } from "../config/types.ts";

export const REDACTED = "***";

/** Shorter secrets are replaced only where a whole string equals them (avoids "a" -> "***"). */
const MIN_SUBSTRING_SECRET_LENGTH = 4;

/** Keys whose values are opaque encodings (base64 histograms) and must not be rewritten. */
const OPAQUE_KEYS = new Set(["histogram"]);

const isSchemeChar = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46;
const isLetter = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13);
const SLASH = 47;
const COLON = 58;
const AT = 64;

/**
 * `scheme://[user]:password@` -> keep scheme, user and '@', hide the password. Each "://" is
 * looked at once; the scans from it stop at '/' or white space, so they never reach the next
 * "://" and the whole pass is linear.
 */
export function redactUriPasswords(s: string): string {
  let from = 0;
  let out = "";
  let copied = 0;
  for (;;) {
    const sep = s.indexOf("://", from);
    if (sep < 0) break;
    from = sep + 3;
    // A scheme: a letter followed by scheme characters, right before "://".
    let b = sep;
    while (b > copied && isSchemeChar(s.charCodeAt(b - 1))) b--;
    while (b < sep && !isLetter(s.charCodeAt(b))) b++;
    if (b === sep) continue;
    // user: anything up to ':' except '/', ':', '@' and white space.
    let i = sep + 3;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c === SLASH || c === COLON || c === AT || isSpace(c)) break;
      i++;
    }
    if (s.charCodeAt(i) !== COLON) continue;
    const passwordStart = i + 1;
    // password: up to the last '@' before '/' or white space.
    let at = -1;
    for (let j = passwordStart; j < s.length; j++) {
      const c = s.charCodeAt(j);
      if (c === SLASH || isSpace(c)) break;
      if (c === AT) at = j;
    }
    if (at < 0) continue;
    out += s.slice(copied, passwordStart) + REDACTED;
    copied = at;
    from = at;
  }
  return copied === 0 ? s : out + s.slice(copied);
}

export function redactString(s: string, secrets: readonly string[]): string {
  if (secrets.includes(s)) return REDACTED;
  let out = s.includes("://") ? redactUriPasswords(s) : s;
  for (const secret of secrets) {
    if (secret.length >= MIN_SUBSTRING_SECRET_LENGTH && out.includes(secret)) out = out.replaceAll(secret, REDACTED);
  }
  return out;
}

/** A deep copy of `value` with every string redacted (opaque keys such as `histogram` kept). */
export function redactValue<T>(value: T, secrets: readonly string[]): T {
  return walk(value, secrets) as T;
}

function walk(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === "string") return redactString(value, secrets);
  if (Array.isArray(value)) return value.map((v) => walk(v, secrets));
  if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      out[key] = OPAQUE_KEYS.has(key) ? v : walk(v, secrets);
    }
    return out;
  }
  return value;
}

/** The secrets of a configuration, for `redactValue`: the password and a custom command's. */
export function configSecrets(c: BenchConfig): string[] {
  const password = c.connection.password;
  const secrets = password !== undefined && password !== "" ? [password] : [];
  for (const s of c.commandSecrets ?? []) if (s !== "" && !secrets.includes(s)) secrets.push(s);
  return secrets;
}

/** The configuration as reports may show it: the password (if any) is "***". */
export function redactConfig(c: BenchConfig): BenchConfig {
  const copy = redactValue(c, configSecrets(c));
  if (copy.connection.password !== undefined) {
    return { ...copy, connection: { ...copy.connection, password: REDACTED } };
  }
  return copy;
}
