/**
 * Standard output and error that are never cut off: `process.exit` drops whatever a pipe has not
 * taken yet (a JSON report piped into a slow reader ended at exactly 64 or 128 KiB). Every write
 * is tracked, and `exitWhenFlushed` is the one way the process ends: it waits until the last
 * write of each stream has been handed to the operating system, then exits.
 *
 * Writes complete in order, and Bun's `writableLength` reads 0 while data is still queued, so the
 * callback of the last non-empty write is the only reliable "drained" signal. A reader that goes
 * away (EPIPE: `| head -c 5`) closes the stream quietly instead of printing a stack trace.
 */

type StreamName = "stdout" | "stderr";

const last: Record<StreamName, Promise<void>> = { stdout: Promise.resolve(), stderr: Promise.resolve() };
const closed: Record<StreamName, boolean> = { stdout: false, stderr: false };
let tracking = false;

type WriteCallback = (error?: Error | null) => void;

function isEmpty(chunk: unknown): boolean {
  return (typeof chunk === "string" || chunk instanceof Uint8Array) && chunk.length === 0;
}

function track(name: StreamName, stream: NodeJS.WriteStream): void {
  const write = stream.write.bind(stream) as (chunk: unknown, encoding?: unknown, cb?: WriteCallback) => boolean;
  // EPIPE (the reader is gone) or any other write error: nothing written from now on can
  // arrive, so stop writing and stop waiting for it.
  stream.on("error", () => {
    closed[name] = true;
  });
  stream.write = ((chunk: unknown, encoding?: unknown, cb?: unknown): boolean => {
    const callback = (typeof encoding === "function" ? encoding : cb) as WriteCallback | undefined;
    const enc = typeof encoding === "function" ? undefined : encoding;
    if (closed[name]) {
      callback?.();
      return true;
    }
    if (isEmpty(chunk)) return write(chunk, enc, callback);
    let ok = true;
    last[name] = new Promise<void>((resolve) => {
      try {
        ok = write(chunk, enc, (error) => {
          resolve();
          callback?.(error);
        });
      } catch {
        closed[name] = true;
        resolve();
      }
    });
    return ok;
  }) as typeof stream.write;
}

/** Starts tracking process.stdout and process.stderr (once; later calls do nothing). */
export function trackStdio(): void {
  if (tracking) return;
  tracking = true;
  track("stdout", process.stdout);
  track("stderr", process.stderr);
}

/** Resolves once everything written so far to stdout and stderr has left the process. */
export async function flushStdio(): Promise<void> {
  const pending = (name: StreamName) => (closed[name] ? Promise.resolve() : last[name]);
  await Promise.all([pending("stdout"), pending("stderr")]);
}

/** Exits with `code` after stdout and stderr have drained: the only exit of the entry point. */
export async function exitWhenFlushed(code: number): Promise<never> {
  await flushStdio();
  process.exit(code);
}
