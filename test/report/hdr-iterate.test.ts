import { expect, test } from "bun:test";
import { build, JsHistogram } from "hdr-histogram-js";
import { maxValue, meanValue, minValue, percentileDistribution, valueAtPercentile } from "../../src/report/hdr-iterate.ts";

function jsHistogram(values: number[], lowest = 1): JsHistogram {
  const h = build({ lowestDiscernibleValue: lowest, highestTrackableValue: 3_000_000, numberOfSignificantValueDigits: 3, useWebAssembly: false });
  if (!(h instanceof JsHistogram)) throw new Error("expected JS histogram");
  for (const v of values) h.recordValue(v);
  return h;
}

test("percentiles round the sample count to nearest like HdrHistogram_c (Java rounds up)", () => {
  const h = jsHistogram([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  expect(valueAtPercentile(h, 94)).toBe(9); // 9.4 samples -> 9 in C, 10 in Java
  expect(h.getValueAtPercentile(94)).toBe(10);
  expect(valueAtPercentile(h, 95)).toBe(10); // 9.5 -> 10
  expect(valueAtPercentile(h, 0)).toBe(1);
  expect(valueAtPercentile(h, 100)).toBe(10);
});

test("min, max and mean use equivalent-value ranges like hdr_min, hdr_max and hdr_mean", () => {
  // With a lowest unit of 10 the buckets are 8 µs wide: 56..63, 200..207.
  const h = jsHistogram([60, 60, 201], 10);
  expect(minValue(h)).toBe(56);
  expect(maxValue(h)).toBe(207);
  expect(meanValue(h)).toBe((60 + 60 + 204) / 3);
});

test("the percentile lines halve the remaining distance each step and end with a 100% line", () => {
  const h = jsHistogram(Array.from({ length: 1000 }, (_, i) => i + 1));
  const percentiles = percentileDistribution(h).map((p) => p.percentile);
  expect(percentiles.slice(0, 5)).toEqual([0, 50, 75, 87.5, 93.75]);
  expect(percentiles.at(-1)).toBe(100);
  const last = percentileDistribution(h).at(-1)!;
  expect(last).toEqual({ percentile: 100, valueUs: 1000, cumulativeCount: 1000 });
});

test("an empty histogram has no distribution lines", () => {
  expect(percentileDistribution(jsHistogram([]))).toEqual([]);
});
