/**
 * Work that must finish before the process exits, on every path: a normal end, a failed run,
 * Ctrl-C (once or twice), SIGTERM. --runtime-config registers the restore of the servers'
 * settings here. Every caller awaits the same promise, so a second signal arriving while the
 * restore runs waits for it instead of exiting half-way, and nothing runs twice.
 */
type Task = () => Promise<void>;

const tasks = new Set<Task>();
let running: Promise<void> | undefined;

/** Registers `task`; the returned function unregisters it (after it ran on the normal path). */
export function onExitCleanup(task: Task): () => void {
  tasks.add(task);
  return () => {
    tasks.delete(task);
  };
}

/** Runs every registered task once (in parallel); later calls get the same promise. Never rejects. */
export function runExitCleanup(): Promise<void> {
  running ??= Promise.allSettled([...tasks].map((t) => t())).then(() => {
    tasks.clear();
    running = undefined;
  });
  return running;
}

/** Exits with `code` after the cleanup (the path for signals that must end the process now). */
export function exitAfterCleanup(code: number): void {
  void runExitCleanup().finally(() => process.exit(code));
}
