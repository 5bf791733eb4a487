/**
 * Counters shared by the main thread and every worker through one SharedArrayBuffer.
 *
 * Int32 slots (Atomics):  CLAIMED = requests claimed toward -n, STOP = 1 when workers must stop
 * claiming (duration over, Ctrl-C, all connections lost).
 * Float64 slots, one row per worker, written by that worker only and read by the main thread for
 * the progress line: completed, errors, latency sum (µs). Single writer, so no atomics needed.
 */
export const CLAIMED = 0;
export const STOP = 1;
/** Values of STOP: claim no more (the end of --duration, every connection lost) ... */
export const STOP_CLAIMING = 1;
/** ... or Ctrl-C: also give in-flight requests only a moment before reporting. */
export const STOP_INTERRUPTED = 2;
/** --sequential: the next __rand_int__ value, shared so every value is used once, in order. */
export const SEQUENCE = 2;
/** With --duration: the next request number (requests are numbered even without a total). */
export const DURATION_SEQUENCE = 3;
const INT_SLOTS = 4;
export const PROGRESS_FIELDS = 3;
/** Most nodes one test can spread over; per-node completed counters for --balance-nodes. */
export const MAX_NODES = 1024;

export interface SharedState {
  sab: SharedArrayBuffer;
  ints: Int32Array;
  /** Requests completed per node (index into the test's node list), for --balance-nodes. */
  nodeCompleted: Int32Array;
  progress: Float64Array;
}

export function createSharedState(workers: number): SharedState {
  const sab = new SharedArrayBuffer(INT_SLOTS * 4 + MAX_NODES * 4 + 8 * PROGRESS_FIELDS * workers);
  return attachSharedState(sab, workers);
}

export function attachSharedState(sab: SharedArrayBuffer, workers: number): SharedState {
  const ints = new Int32Array(sab, 0, INT_SLOTS);
  const nodeCompleted = new Int32Array(sab, INT_SLOTS * 4, MAX_NODES);
  const progress = new Float64Array(sab, INT_SLOTS * 4 + MAX_NODES * 4, PROGRESS_FIELDS * workers);
  return { sab, ints, nodeCompleted, progress };
}

export function resetSharedState(s: SharedState): void {
  Atomics.store(s.ints, CLAIMED, 0);
  Atomics.store(s.ints, STOP, 0);
  Atomics.store(s.ints, SEQUENCE, 0);
  Atomics.store(s.ints, DURATION_SEQUENCE, 0);
  s.nodeCompleted.fill(0);
  s.progress.fill(0);
}

/** Sum of every worker's progress row: [completed, errors, latencySumUs]. */
export function readProgress(s: SharedState): { completed: number; errors: number; latencySumUs: number } {
  let completed = 0;
  let errors = 0;
  let latencySumUs = 0;
  for (let i = 0; i < s.progress.length; i += PROGRESS_FIELDS) {
    completed += s.progress[i]!;
    errors += s.progress[i + 1]!;
    latencySumUs += s.progress[i + 2]!;
  }
  return { completed, errors, latencySumUs };
}
