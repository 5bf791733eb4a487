/**
 * Files a dataset command is still writing (`x.bin.partial`, or a finished file whose ground truth
 * is not in yet). On SIGINT/SIGTERM the command removes them before it exits, so an interrupted
 * run never leaves a half-written file behind, nor one that looks valid.
 *
 * Writing loops are synchronous underneath, and a signal is handled only when the event loop
 * runs: they call `letSignalsIn()` between blocks, which yields to it about every 50 ms.
 */
import { rmSync } from "node:fs";

const pending = new Set<string>();

/** Marks `path` as being written; the returned function unmarks it (when complete). */
export function trackPendingFile(path: string): () => void {
  pending.add(path);
  return () => void pending.delete(path);
}

/** Removes every file still being written; returns their paths. */
export function removePendingFiles(): string[] {
  const removed = [...pending];
  for (const path of removed) rmSync(path, { force: true });
  pending.clear();
  return removed;
}

const YIELD_EVERY_MS = 50;
let lastYield = performance.now();

/** Yields to the event loop (so a signal handler can run) when 50 ms have passed since the last time. */
export async function letSignalsIn(): Promise<void> {
  const now = performance.now();
  if (now - lastYield < YIELD_EVERY_MS) return;
  lastYield = now;
  await new Promise<void>((resolve) => setImmediate(resolve));
}
