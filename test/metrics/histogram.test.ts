import { describe, expect, test } from "bun:test";
import { JsHistogram, WasmHistogram } from "hdr-histogram-js";
import {
  createLatencyHistogram,
  decodeHistogram,
  encodeHistogram,
  histogramsUseWebAssembly,
  initHistograms,
  mergeEncodedInto,
  mergeInto,
  significantDigitsForPrecision,
  toJsHistogram,
} from "../../src/metrics/histogram.ts";
import { latencyStats } from "../../src/report/latency-stats.ts";

/** Deterministic pseudo-random latencies with a long tail (µs). */
function latencies(seed: number, n: number): number[] {
  let x = seed;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const u = x / 2147483648;
    out.push(Math.max(1, Math.round(50 + 200 * u + (u > 0.99 ? 100_000 * u : 0))));
  }
  return out;
}

const PERCENTILES = [0, 50, 90, 95, 99, 99.9, 99.99, 100];

describe("latency histograms", () => {
  test("initHistograms enables WebAssembly and is idempotent", async () => {
    await initHistograms();
    await initHistograms();
    expect(histogramsUseWebAssembly()).toBe(true);
    expect(createLatencyHistogram()).toBeInstanceOf(WasmHistogram);
  });

  test("merging encoded per-worker histograms gives exactly the percentiles of one histogram fed all values", async () => {
    await initHistograms();
    const workers = [latencies(1, 20_000), latencies(2, 30_000), latencies(3, 5_000)];
    const single = createLatencyHistogram();
    for (const values of workers) for (const v of values) single.recordValue(v);

    const merged = createLatencyHistogram();
    for (const values of workers) {
      const perWorker = createLatencyHistogram();
      for (const v of values) perWorker.recordValue(v);
      mergeInto(merged, decodeHistogram(encodeHistogram(perWorker)));
    }
    expect(merged.totalCount).toBe(55_000);
    for (const p of PERCENTILES) expect(merged.getValueAtPercentile(p)).toBe(single.getValueAtPercentile(p));
    // The summary every report prints (C rules, from the counts) is identical too.
    expect(latencyStats(merged)).toEqual(latencyStats(single));
  });

  test("mergeEncodedInto adds a worker's encoded histogram like decoding and merging it", async () => {
    await initHistograms();
    const values = latencies(11, 8_000);
    const worker = createLatencyHistogram();
    for (const v of values) worker.recordValue(v);
    const target = createLatencyHistogram();
    mergeEncodedInto(target, encodeHistogram(worker));
    mergeEncodedInto(target, encodeHistogram(worker));
    expect(target.totalCount).toBe(16_000);
    for (const p of PERCENTILES) expect(target.getValueAtPercentile(p)).toBe(worker.getValueAtPercentile(p));
  });

  test("JS and WebAssembly histograms merge into each other", async () => {
    await initHistograms();
    const values = latencies(7, 10_000);
    const wasm = createLatencyHistogram();
    const js = toJsHistogram(createLatencyHistogram());
    for (const v of values) {
      wasm.recordValue(v);
      js.recordValue(v);
    }
    const intoJs = toJsHistogram(createLatencyHistogram());
    mergeInto(intoJs, wasm);
    const intoWasm = createLatencyHistogram();
    mergeInto(intoWasm, js);
    for (const p of PERCENTILES) {
      expect(intoJs.getValueAtPercentile(p)).toBe(js.getValueAtPercentile(p));
      expect(intoWasm.getValueAtPercentile(p)).toBe(js.getValueAtPercentile(p));
    }
  });

  test("toJsHistogram copies a WebAssembly histogram's counts into a readable JS histogram", async () => {
    await initHistograms();
    const h = createLatencyHistogram();
    for (const v of [3, 3, 1500, 70_000]) h.recordValue(v);
    const js = toJsHistogram(h);
    expect(js).toBeInstanceOf(JsHistogram);
    expect(js.totalCount).toBe(4);
    expect(js.getCountAtIndex(js.countsArrayIndex(3))).toBe(2);
    expect(js.getValueAtPercentile(100)).toBe(h.getValueAtPercentile(100));
  });

  test("values beyond 60 s are recorded, not thrown away", async () => {
    await initHistograms();
    const h = createLatencyHistogram();
    h.recordValue(120_000_000);
    expect(h.totalCount).toBe(1);
    expect(h.maxValue).toBeGreaterThanOrEqual(119_000_000);
  });

  test("--precision maps to 1..4 significant digits like valkey-benchmark", () => {
    expect(significantDigitsForPrecision(0)).toBe(1);
    expect(significantDigitsForPrecision(3)).toBe(3);
    expect(significantDigitsForPrecision(9)).toBe(4);
    expect(toJsHistogram(createLatencyHistogram(1)).numberOfSignificantValueDigits).toBe(1);
  });
});
