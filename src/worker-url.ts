/**
 * Where a Worker entry file is, both when running from source and inside the compiled binary.
 *
 * `bun build --compile` embeds every entry point (scripts/build.ts lists the workers) under
 * /$bunfs/root/, relative to their common directory, src/. Bundled modules all report the
 * binary's own path as import.meta.url, so a URL relative to the calling module would point at
 * the wrong place there; this resolves against src/ instead.
 */
const COMPILED_ROOT = "/$bunfs/root/";

/** `pathInSrc` is relative to src/, e.g. "worker.ts". */
export function workerUrl(pathInSrc: string): string {
  if (import.meta.url.includes("$bunfs")) return COMPILED_ROOT + pathInSrc;
  return new URL(`./${pathInSrc}`, import.meta.url).href;
}
