// Per-process scratch space for test servers, and the guarantee that nothing outlives the tests.
//
// Every server of this process lives in a directory under one root in /tmp. Three layers of
// cleanup, because a leaked server keeps its port and its CPU on a shared machine:
// 1. stop() kills the server and removes its directory (the normal path);
// 2. a process "exit" handler SIGKILLs whatever is still running when a script exits;
// 3. a detached watchdog shell notices, within half a second, that this process is gone and
//    kills the servers listed in their pid files. This is what catches a test that forgot
//    afterAll: `bun test` ends without emitting "exit" (measured with Bun 1.4.4), and it also
//    covers SIGKILL and crashes.
// Should all of that fail (the watchdog itself killed), the next test process sweeps roots
// whose owner is gone when it creates its own.

import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";

let root: string | undefined;
const running = new Map<Subprocess, string>();

const WATCHDOG_SCRIPT = `
parent=$1; root=$2
while kill -0 "$parent" 2>/dev/null; do sleep 0.5; done
for f in "$root"/*/valkey.pid; do
  pid=$(cat "$f" 2>/dev/null) || continue
  grep -qs valkey-server "/proc/$pid/cmdline" && kill -9 "$pid" 2>/dev/null
done
rm -rf "$root"
`;

/** The process's scratch root (created on first use), e.g. /tmp/vsb-test-1234-AbC123. */
export function scratchRoot(): string {
  if (root !== undefined) return root;
  sweepStaleRoots();
  const dir = mkdtempSync(join(tmpdir(), `vsb-test-${process.pid}-`));
  root = dir;
  process.on("exit", () => {
    for (const [proc, serverDir] of running) {
      proc.kill("SIGKILL");
      rmSync(serverDir, { recursive: true, force: true });
    }
    rmSync(dir, { recursive: true, force: true });
  });
  // Detached so a Ctrl-C sent to the terminal's process group does not take it down before
  // it has cleaned up; unref'd so it never keeps the test process alive.
  const watchdog = Bun.spawn(["bash", "-c", WATCHDOG_SCRIPT, "vsb-watchdog", String(process.pid), dir], {
    stdio: ["ignore", "ignore", "ignore"],
    detached: true,
  });
  watchdog.unref();
  return dir;
}

const ROOT_PATTERN = /^vsb-test-(\d+)-/;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Kills the servers of scratch roots whose owning process is gone, then removes the roots. */
function sweepStaleRoots(): void {
  for (const name of readdirSync(tmpdir())) {
    const owner = Number(ROOT_PATTERN.exec(name)?.[1]);
    if (!owner || isAlive(owner)) continue;
    const stale = join(tmpdir(), name);
    let servers: string[];
    try {
      servers = readdirSync(stale);
    } catch {
      continue; // removed meanwhile (by its watchdog) or not a directory
    }
    for (const server of servers) {
      try {
        const pid = Number(readFileSync(join(stale, server, "valkey.pid"), "utf8").trim());
        // Only a valkey-server: the pid may have been reused by anything since.
        if (pid > 0 && readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("valkey-server")) {
          process.kill(pid, "SIGKILL");
        }
      } catch {
        // No pid file or no such process: nothing left to kill for this server.
      }
    }
    rmSync(stale, { recursive: true, force: true });
  }
}

/** A fresh directory for one server under the scratch root. */
export function newServerDir(label: string): string {
  return mkdtempSync(join(scratchRoot(), `${label}-`));
}

/** Records a live server so the exit handler can kill it. */
export function track(proc: Subprocess, dir: string): void {
  running.set(proc, dir);
}

/** Forgets a server that has been stopped and removes its directory. */
export function release(proc: Subprocess, dir: string): void {
  running.delete(proc);
  rmSync(dir, { recursive: true, force: true });
}
