/**
 * SIGINT (Ctrl-C) and SIGTERM (what `timeout`, `docker stop` and CI cancellation send) stop a run
 * the same way: the running test ends after its in-flight replies, its partial report is printed
 * and written, and the process exits 128 + the signal number (130, 143), as shells report a
 * process killed by that signal. A second signal exits at once (after flushing stdout).
 */

export type StopSignal = "SIGINT" | "SIGTERM";

const EXIT_CODES: Record<StopSignal, number> = { SIGINT: 130, SIGTERM: 143 };

/** 130 for SIGINT, 143 for SIGTERM. */
export function exitCodeFor(signal: StopSignal): number {
  return EXIT_CODES[signal];
}

/**
 * Calls `onFirst` on the first SIGINT or SIGTERM and `onSecond` on any later one. Returns the
 * function that removes the handlers.
 */
export function onStopSignals(onFirst: (signal: StopSignal) => void, onSecond: (signal: StopSignal) => void): () => void {
  let received: StopSignal | undefined;
  const handlers = (["SIGINT", "SIGTERM"] as const).map((signal) => {
    const handler = () => {
      if (received !== undefined) return onSecond(signal);
      received = signal;
      onFirst(signal);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}
