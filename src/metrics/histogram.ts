/**
 * Latency histograms: one recorder per worker, merged at the end (the HdrHistogram model).
 *
 * Values are microseconds, recorded as integers. The layout (lowest 1 µs, 3 significant digits)
 * gives 1 µs resolution up to 2.048 ms and 0.1% relative error above; the histogram starts at
 * 60 s and grows by itself if a slower reply ever shows up, so recording never throws.
 *
 * WebAssembly histograms record about twice as fast as the JavaScript ones, but the wasm module
 * must be instantiated once per thread: every Bun Worker calls `initHistograms()` itself.
 * WasmHistogram memory lives outside the JS heap: call `destroy()` on histograms you drop.
 */
import {
  JsHistogram,
  WasmHistogram,
  build,
  decodeFromCompressedBase64,
  encodeIntoCompressedBase64,
  initWebAssembly,
  type Histogram,
} from "hdr-histogram-js";

export type { Histogram };

/** Lowest discernible latency, µs. */
export const LATENCY_LOWEST_US = 1;
/** Initial highest trackable latency, µs (60 s). The histogram auto-resizes past it. */
export const LATENCY_HIGHEST_US = 60_000_000;
/** valkey-benchmark's default `--precision` (HDR significant digits). */
export const DEFAULT_SIGNIFICANT_DIGITS = 3;

// 64-bit counters: 32-bit ones overflow after ~4.3 billion samples in one bucket, which a
// long `--duration` run at a million requests per second reaches in about an hour.
const BIT_BUCKET_SIZE = 64;

type SignificantDigits = 1 | 2 | 3 | 4 | 5;

let wasmReady = false;
let initPromise: Promise<void> | undefined;

/**
 * Make WebAssembly histograms available in this thread. Idempotent; never rejects: when wasm
 * cannot be instantiated, histograms fall back to the (slower, identical in results) JS version.
 */
export function initHistograms(): Promise<void> {
  initPromise ??= initWebAssembly().then(
    () => {
      wasmReady = true;
    },
    () => {
      wasmReady = false;
    },
  );
  return initPromise;
}

/** True once `initHistograms()` succeeded in this thread. */
export function histogramsUseWebAssembly(): boolean {
  return wasmReady;
}

/**
 * valkey-benchmark's `--precision` is the histogram's number of significant digits (1..4;
 * larger values are capped at 4, as valkey-benchmark does; 0 would crash it, we use 1).
 */
export function significantDigitsForPrecision(precision: number): SignificantDigits {
  const digits = Math.min(4, Math.max(1, Math.trunc(precision)));
  return digits as SignificantDigits;
}

/** A fresh latency histogram (µs). */
export function createLatencyHistogram(
  significantDigits: number = DEFAULT_SIGNIFICANT_DIGITS,
): Histogram {
  return build({
    bitBucketSize: BIT_BUCKET_SIZE,
    autoResize: true,
    lowestDiscernibleValue: LATENCY_LOWEST_US,
    highestTrackableValue: LATENCY_HIGHEST_US,
    numberOfSignificantValueDigits: significantDigitsForPrecision(significantDigits),
    useWebAssembly: wasmReady,
  });
}

/** HdrHistogram V2 compressed encoding, base64: the form histograms travel in (workers, JSON). */
export function encodeHistogram(h: Histogram): string {
  return encodeIntoCompressedBase64(h);
}

/** Decode `encodeHistogram` output (from any HdrHistogram implementation) into a histogram. */
export function decodeHistogram(encoded: string): Histogram {
  const h = decodeFromCompressedBase64(encoded, BIT_BUCKET_SIZE, wasmReady);
  h.autoResize = true;
  return h;
}

/** Decode into a plain JS histogram (its counts are readable, see `toJsHistogram`). */
function decodeAsJs(encoded: string): JsHistogram {
  const h = decodeFromCompressedBase64(encoded, BIT_BUCKET_SIZE, false);
  if (!(h instanceof JsHistogram)) throw new Error("hdr-histogram-js returned a non-JS histogram");
  h.autoResize = true;
  return h;
}

/**
 * Add every value of `source` to `target`. Works across implementations (a JS histogram from a
 * thread without wasm merges into a wasm one and vice versa) by going through the encoding.
 */
export function mergeInto(target: Histogram, source: Histogram): void {
  if (target instanceof WasmHistogram && source instanceof WasmHistogram) {
    target.add(source);
  } else if (target instanceof JsHistogram && source instanceof JsHistogram) {
    target.add(source);
  } else if (target instanceof WasmHistogram) {
    const copy = decodeFromCompressedBase64(encodeHistogram(source), BIT_BUCKET_SIZE, true);
    if (!(copy instanceof WasmHistogram)) throw new Error("expected a WebAssembly histogram");
    target.add(copy);
    copy.destroy();
  } else if (target instanceof JsHistogram) {
    target.add(decodeAsJs(encodeHistogram(source)));
  } else {
    throw new Error("mergeInto: unsupported histogram implementation");
  }
}

/**
 * Add an encoded histogram (a worker's, as sent to the main thread) to `target`. Prefer this to
 * `mergeInto(target, decodeHistogram(s))`, which leaks the decoded copy's WebAssembly memory
 * unless the caller destroys it.
 */
export function mergeEncodedInto(target: Histogram, encoded: string): void {
  const source = decodeHistogram(encoded);
  try {
    mergeInto(target, source);
  } finally {
    source.destroy();
  }
}

/**
 * A JS histogram with the same counts, for code that walks the buckets (reports). Returns the
 * histogram itself when it already is one; otherwise a copy the caller may simply drop.
 */
export function toJsHistogram(h: Histogram): JsHistogram {
  if (h instanceof JsHistogram) return h;
  return decodeAsJs(encodeHistogram(h));
}
