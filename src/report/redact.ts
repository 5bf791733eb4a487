/**
 * Secrets never leave the process: every report that shows configuration goes through here.
 * The password is replaced by "***" wherever it is found: the password field itself, the
 * password part of any URI (`valkey://user:pw@host`), any string equal to it (a custom
 * `AUTH pw` command) and, for passwords long enough not to match by accident, inside any string.
 */
import type { BenchConfig } from "../config/types.ts";

export const REDACTED = "***";

/** Shorter secrets are replaced only where a whole string equals them (avoids "a" -> "***"). */
const MIN_SUBSTRING_SECRET_LENGTH = 4;

/** Keys whose values are opaque encodings (base64 histograms) and must not be rewritten. */
const OPAQUE_KEYS = new Set(["histogram"]);

// scheme://[user]:password@  -> keep scheme, user and '@', hide the password.
const URI_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:)([^@/\s]*)@/gi;

export function redactString(s: string, secrets: readonly string[]): string {
  if (secrets.includes(s)) return REDACTED;
  let out = s.replace(URI_PASSWORD, `$1${REDACTED}@`);
  for (const secret of secrets) {
    if (secret.length >= MIN_SUBSTRING_SECRET_LENGTH) out = out.replaceAll(secret, REDACTED);
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

/** The secrets of a configuration, for `redactValue`. */
export function configSecrets(c: BenchConfig): string[] {
  const password = c.connection.password;
  return password !== undefined && password !== "" ? [password] : [];
}

/** The configuration as reports may show it: the password (if any) is "***". */
export function redactConfig(c: BenchConfig): BenchConfig {
  const copy = redactValue(c, configSecrets(c));
  if (copy.connection.password !== undefined) {
    return { ...copy, connection: { ...copy.connection, password: REDACTED } };
  }
  return copy;
}
