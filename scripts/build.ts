/**
 * Builds the standalone executable dist/valkey-search-benchmark for this machine with
 * `bun build --compile`. Worker entry files must be listed as extra entry points, or the binary
 * fails to start them (ModuleNotFound under /$bunfs/root/).
 *
 *   bun scripts/build.ts [--target bun-linux-x64] [--outfile dist/name]
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { preinflatedHdrWasm } from "./lib/preinflated-hdr-wasm.ts";

export const ENTRY = "src/main.ts";
/** How many times higher than normal the JIT's tier-up thresholds are until the first test starts. */
export const START_UP_JIT_POLICY = 10;
export const WORKER_ENTRIES = ["src/worker.ts", "src/dataset/tools/ground-truth-worker.ts"];

export async function compile(opts: { target?: string; outfile: string }): Promise<void> {
  const root = join(import.meta.dir, "..");
  const entries = [ENTRY, ...WORKER_ENTRIES].filter((f) => existsSync(join(root, f))).map((f) => join(root, f));
  const result = await Bun.build({
    entrypoints: entries,
    // Bytecode ships precompiled JavaScriptCore bytecode instead of source: startup (parse and
    // compile of ~300 modules) fell from about 0.2 to 0.06 CPU-s per run, which short CI runs and
    // every spawned Worker pay. Bytecode needs ES module output because main.ts awaits at top level.
    bytecode: true,
    format: "esm",
    minify: { syntax: true },
    plugins: [preinflatedHdrWasm],
    compile: {
      outfile: resolve(root, opts.outfile),
      ...(opts.target ? { target: opts.target as Bun.Build.CompileTarget } : {}),
      // JavaScriptCore's tier-up thresholds start START_UP_JIT_POLICY times higher, so run-once
      // start-up code (option schemas, planning, set-up) stays in the interpreter instead of being
      // JIT-compiled; each test resets the policy before its first request (src/jit-tiers.ts).
      jitPolicy: START_UP_JIT_POLICY,
      // A standalone executable would otherwise load bunfig.toml (whose `preload` scripts run
      // inside our process) and .env from whatever directory it is started in.
      autoloadDotenv: false,
      autoloadBunfig: false,
    },
  });
  if (!result.success) {
    for (const m of result.logs) console.error(String(m));
    throw new Error(`bun build failed for ${opts.target ?? "host"}`);
  }
  console.log(`built ${opts.outfile}`);
}

if (import.meta.main) {
  const argv = process.argv.slice(2);
  const get = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  await compile({ target: get("--target"), outfile: get("--outfile") ?? "dist/valkey-search-benchmark" });
}
