/**
 * Builds the standalone executable dist/valkey-search-benchmark for this machine with
 * `bun build --compile`. Worker entry files must be listed as extra entry points, or the binary
 * fails to start them (ModuleNotFound under /$bunfs/root/).
 *
 *   bun scripts/build.ts [--target bun-linux-x64] [--outfile dist/name]
 */
import { existsSync } from "node:fs";
import { join } from "node:path";

export const ENTRY = "src/main.ts";
export const WORKER_ENTRIES = ["src/worker.ts", "src/dataset/tools/ground-truth-worker.ts"];

export async function compile(opts: { target?: string; outfile: string }): Promise<void> {
  const root = join(import.meta.dir, "..");
  const entries = [ENTRY, ...WORKER_ENTRIES].filter((f) => existsSync(join(root, f)));
  // --bytecode ships precompiled JavaScriptCore bytecode instead of source: startup (parse and
  // compile of ~200 modules) fell from about 0.2 to 0.06 CPU-s per run, which short CI runs and
  // every spawned Worker pay. Bytecode needs ES module output because main.ts awaits at top level.
  const args = [process.execPath, "build", "--compile", "--bytecode", "--format=esm", "--minify-syntax", ...entries, "--outfile", opts.outfile];
  if (opts.target) args.push("--target", opts.target);
  const p = Bun.spawn(args, { cwd: root, stdout: "inherit", stderr: "inherit" });
  const code = await p.exited;
  if (code !== 0) throw new Error(`bun build failed (exit ${code}) for ${opts.target ?? "host"}`);
}

if (import.meta.main) {
  const argv = process.argv.slice(2);
  const get = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  await compile({ target: get("--target"), outfile: get("--outfile") ?? "dist/valkey-search-benchmark" });
}
