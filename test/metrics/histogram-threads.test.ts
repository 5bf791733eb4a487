import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLatencyHistogram, decodeHistogram, initHistograms, mergeInto } from "../../src/metrics/histogram.ts";
import { latencyStats } from "../../src/report/latency-stats.ts";

const BUN = join(import.meta.dir, "../../node_modules/.bin/bun");

function recordInWorker(values: number[]): Promise<{ wasm: boolean; encoded: string }> {
  const worker = new Worker(new URL("./fixtures/histogram-worker.ts", import.meta.url).href);
  return new Promise((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<{ wasm: boolean; encoded: string }>) => {
      resolve(event.data);
      worker.terminate();
    };
    worker.onerror = (event) => {
      reject(new Error(event.message));
      worker.terminate();
    };
    worker.postMessage(values);
  });
}

test("each Worker initialises WebAssembly itself and its histogram merges exactly in the main thread", async () => {
  await initHistograms();
  const a = Array.from({ length: 5000 }, (_, i) => 10 + (i % 700));
  const b = Array.from({ length: 3000 }, (_, i) => 100 + ((i * 37) % 9000));
  const [ra, rb] = await Promise.all([recordInWorker(a), recordInWorker(b)]);
  expect(ra.wasm).toBe(true);
  expect(rb.wasm).toBe(true);

  const merged = createLatencyHistogram();
  mergeInto(merged, decodeHistogram(ra.encoded));
  mergeInto(merged, decodeHistogram(rb.encoded));
  const single = createLatencyHistogram();
  for (const v of [...a, ...b]) single.recordValue(v);
  expect(latencyStats(merged)).toEqual(latencyStats(single));
});

test("WebAssembly histograms work inside a `bun build --compile` binary", async () => {
  const dir = mkdtempSync(join(tmpdir(), "vsb-hdr-compile-"));
  try {
    const outfile = join(dir, "probe");
    const build = Bun.spawnSync([BUN, "build", "--compile", join(import.meta.dir, "fixtures/histogram-probe.ts"), "--outfile", outfile], {
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(build.exitCode).toBe(0);
    const run = Bun.spawnSync([outfile], { stdout: "pipe", stderr: "pipe" });
    expect(run.stdout.toString().trim()).toBe("wasm=true p50=500");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
