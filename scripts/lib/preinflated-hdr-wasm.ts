/**
 * A build plugin: hdr-histogram-js ships its WebAssembly module deflated and base64-encoded, and
 * inflates it with pako (JavaScript) in every process and every worker thread that makes a
 * histogram: about 12 ms of CPU each, plus the JIT compiling pako. This plugin inflates it once,
 * at build time, and leaves only a native base64 decode to run time. The bytes instantiated are
 * the same; the build fails if the library's loader no longer has the expected shape.
 */
import { inflateSync } from "node:zlib";
import { dirname, join } from "node:path";
import type { BunPlugin } from "bun";

const INFLATE_CALL = "pako.inflate(base64.toByteArray(generated_wasm_1.BINARY))";

export const preinflatedHdrWasm: BunPlugin = {
  name: "preinflated-hdr-wasm",
  setup(build) {
    build.onLoad({ filter: /hdr-histogram-js[\\/]dist[\\/]wasm[\\/]index\.js$/ }, async (args) => {
      const source = await Bun.file(args.path).text();
      const calls = source.split(INFLATE_CALL).length - 1;
      if (calls !== 2) throw new Error(`${args.path}: expected 2 calls of ${INFLATE_CALL}, found ${calls} (hdr-histogram-js changed: update scripts/lib/preinflated-hdr-wasm.ts)`);
      const { BINARY } = (await import(join(dirname(args.path), "generated-wasm.js"))) as { BINARY: string };
      const wasm = inflateSync(Buffer.from(BINARY, "base64"));
      if (!(await WebAssembly.validate(wasm))) throw new Error(`${args.path}: the inflated module is not valid WebAssembly`);
      const contents = `${source.replaceAll(INFLATE_CALL, 'Buffer.from(PREINFLATED_WASM, "base64")')}\nconst PREINFLATED_WASM = ${JSON.stringify(wasm.toString("base64"))};\n`;
      return { contents, loader: "js" };
    });
  },
};
