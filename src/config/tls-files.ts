/**
 * Certificate files for TLS connections: `--cacert` (one PEM file) and `--cacertdir` (every PEM
 * certificate file in a directory, as in valkey-benchmark and OpenSSL's hashed CA directories).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const PEM_CERTIFICATE = "-----BEGIN CERTIFICATE-----";

/**
 * The PEM texts of the certificate files in `dir` (symbolic links followed, duplicates and
 * files holding no certificate skipped), in name order. Throws the fs error for an unreadable
 * directory; unreadable entries are skipped.
 */
export function readCaDirectory(dir: string): string[] {
  const seen = new Set<string>();
  const pems: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    let text: string;
    try {
      if (!statSync(path).isFile()) continue;
      text = readFileSync(path, "utf8");
    } catch {
      continue;
    }
    if (!text.includes(PEM_CERTIFICATE) || seen.has(text)) continue;
    seen.add(text);
    pems.push(text);
  }
  return pems;
}
