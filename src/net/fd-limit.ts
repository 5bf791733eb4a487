/**
 * The process's open-file limit (`ulimit -n`) and how many files it has open, from /proc on
 * Linux (undefined elsewhere). Bun reports a connect() that failed with EMFILE as ECONNREFUSED,
 * so "connection refused" near the limit is really "too many open files".
 */
import { readdirSync, readFileSync } from "node:fs";

/** The soft limit on open files, or undefined when it cannot be read (not Linux, unlimited). */
export function openFileLimit(): number | undefined {
  try {
    const line = readFileSync("/proc/self/limits", "utf8").split("\n").find((l) => l.startsWith("Max open files"));
    const soft = line?.slice("Max open files".length).trim().split(/\s+/)[0];
    const n = Number(soft);
    return Number.isFinite(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** Read once, at load: at the limit, /proc/self/limits can no longer be opened. */
const LIMIT_AT_START = openFileLimit();

/**
 * A message when the process is at (or within a few files of) its open-file limit, else
 * undefined. Failing to list /proc/self/fd with EMFILE is itself the proof.
 */
export function tooManyOpenFiles(): string | undefined {
  const limit = LIMIT_AT_START;
  let open: number;
  try {
    open = readdirSync("/proc/self/fd").length;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "EMFILE" && code !== "ENFILE") return undefined;
    open = limit ?? Number.NaN;
  }
  if (limit === undefined || open < limit - 8) return undefined;
  return `too many open files (the limit, ulimit -n, is ${limit}); raise it (ulimit -n ${Math.max(4096, limit * 4)}) or lower -c`;
}
