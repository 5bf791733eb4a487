/**
 * Storing freshly computed ground truth: in place when the file already has a ground-truth section
 * of the same k, or by streaming the dataset into a new legacy file (vectors, queries and tags
 * copied block by block from the map, so memory stays bounded).
 */
import { UserError } from "../errors.ts";
import { closeSync, openSync, writeSync } from "node:fs";
import type { DistanceMetric, VectorDataset } from "../types.ts";
import { writeGroundTruthInPlace } from "./generate.ts";
import { H } from "../formats/legacy-format.ts";
import { LegacyDatasetWriter, METRIC_CODE } from "../formats/legacy-writer.ts";

const BLOCK_BYTES = 8 << 20;

/**
 * The metric hint follows the ground truth: the benchmark takes the index's metric from it, and
 * ground truth of another metric scores recall against the wrong neighbours.
 */
export function storeGroundTruthInPlace(ds: VectorDataset, k: number, ids: Float64Array, metric: DistanceMetric): void {
  if (!ds.format.startsWith("legacy")) {
    throw new UserError(`${ds.path}: --in-place needs a legacy 0xDECDB001 file; pass --output FILE to write a new one`);
  }
  if (ds.neighborsPerQuery !== k) {
    throw new UserError(`${ds.path}: --in-place needs the stored k (${ds.neighborsPerQuery}) to equal --k ${k}; pass --output FILE to write a new file`);
  }
  const section = ds.sections.find((s) => s.name === "ground_truth");
  if (!section) throw new UserError(`${ds.path}: no ground_truth section; pass --output FILE`);
  writeGroundTruthInPlace(ds.path, section.offset, ids);
  if (ds.metricHint !== metric) {
    const fd = openSync(ds.path, "r+");
    try {
      writeSync(fd, Uint8Array.of(METRIC_CODE[metric]), 0, 1, H.metric);
    } finally {
      closeSync(fd);
    }
  }
}

/** Copies ds into a new legacy file at output with the given ground truth (k ids per query, -1 = none). */
export function writeDatasetWithGroundTruth(ds: VectorDataset, output: string, k: number, ids: Float64Array, metric: DistanceMetric | undefined = ds.metricHint): void {
  const writer = new LegacyDatasetWriter({
    path: output, name: ds.name, dim: ds.dim, dtype: ds.dtype, numVectors: ds.numVectors,
    numQueries: ds.numQueries, neighborsPerQuery: k, metric,
  });
  try {
    const row = ds.vectorBytesPerRow;
    const rowsPerBlock = Math.max(1, Math.floor(BLOCK_BYTES / row));
    const block = new Uint8Array(rowsPerBlock * row);
    for (const [count, read, write] of [
      [ds.numVectors, (i: number) => ds.vectorBytes(i), (f: number, b: Uint8Array) => writer.writeVectors(f, b)],
      [ds.numQueries, (i: number) => ds.queryBytes(i), (f: number, b: Uint8Array) => writer.writeQueries(f, b)],
    ] as const) {
      for (let first = 0; first < count; first += rowsPerBlock) {
        const n = Math.min(rowsPerBlock, count - first);
        for (let r = 0; r < n; r++) block.set(read(first + r), r * row);
        write(first, block.subarray(0, n * row));
      }
    }
    if (k > 0 && ds.numQueries > 0) writer.writeGroundTruth(0, ids);
    const metadata = ds.hasTags || ds.numericFields.length > 0;
    writer.finish(
      metadata
        ? {
            vectorTags: (i) => ds.vectorTags(i),
            queryFilter: (q) => ds.queryFilter(q),
            numericFields: ds.numericFields,
            vectorNumeric: (i, name) => ds.vectorNumeric(i, name),
            queryNumericRanges: (q) => ds.queryNumericRanges(q),
          }
        : undefined,
    );
  } catch (e) {
    writer.abort();
    throw e;
  }
}
