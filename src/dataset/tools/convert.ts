/**
 * `dataset convert`: stream base vectors, queries and ground truth from other formats into one
 * legacy 0xDECDB001 file. Rows are copied in blocks of about 8 MiB, so memory stays bounded for
 * inputs larger than RAM; ground-truth ids are range-checked as they stream by.
 */
import type { DistanceMetric, VectorDtype } from "../types.ts";
import { datasetError, UserError } from "../errors.ts";
import { LegacyDatasetWriter } from "../formats/legacy-writer.ts";
import { letSignalsIn } from "../pending-files.ts";
import type { TagData } from "../formats/legacy-writer.ts";
import type { MatrixSource } from "../sources/matrix-source.ts";

export interface ConvertInputs {
  base: MatrixSource;
  queries?: MatrixSource;
  groundTruth?: MatrixSource;
  /** Per-vector tags (VectorDBBench labels); given, the output is a v2 file. */
  tags?: TagData;
  metric?: DistanceMetric;
  name?: string;
}

export interface ConvertOptions {
  output: string;
  dtype?: VectorDtype;
  /** Keep at most this many neighbours per query (default: all the input has). */
  maxNeighbors?: number;
  metric?: DistanceMetric;
  name?: string;
  onProgress?: (p: ConvertProgress) => void;
}

export interface ConvertProgress {
  section: "vectors" | "queries" | "ground truth";
  rows: number;
  totalRows: number;
  /** Input bytes consumed so far, over all sections. */
  bytes: number;
}

export interface ConvertSummary {
  output: string;
  dim: number;
  numVectors: number;
  numQueries: number;
  neighborsPerQuery: number;
  metric: DistanceMetric;
  inputBytes: number;
}

const BLOCK_BYTES = 8 << 20;

function blockRows(src: MatrixSource): number {
  return src.blockRows > 0 ? src.blockRows : Math.max(1, Math.floor(BLOCK_BYTES / Math.max(1, src.rowBytes)));
}

export async function convertToLegacy(inputs: ConvertInputs, o: ConvertOptions): Promise<ConvertSummary> {
  const { base, queries, groundTruth } = inputs;
  const dim = base.cols;
  if (queries && queries.cols !== dim) throw datasetError(queries.path, `query dimension ${queries.cols} differs from the base vectors' ${dim}; expected ${dim}`);
  if (groundTruth && !queries) throw new UserError("ground truth given without queries; pass the query file too");
  if (groundTruth && queries && groundTruth.rows !== queries.rows) {
    throw datasetError(groundTruth.path, `${groundTruth.rows} ground-truth rows; expected one per query (${queries.rows})`);
  }
  const numQueries = queries?.rows ?? 0;
  const k = groundTruth ? Math.min(groundTruth.cols, o.maxNeighbors ?? groundTruth.cols) : 0;
  const metric = o.metric ?? inputs.metric ?? "L2";
  const dtype = o.dtype ?? (base.elementType === "float16" ? "float16" : "float32");
  const writer = new LegacyDatasetWriter({
    path: o.output, name: o.name ?? inputs.name ?? "", dim, dtype, numVectors: base.rows, numQueries, neighborsPerQuery: k, metric,
  });
  let bytes = 0;
  try {
    for (const [section, src] of [["vectors", base], ["queries", queries]] as const) {
      if (!src) continue;
      const step = blockRows(src);
      const placed = section === "vectors" && src.shuffled ? new Uint8Array(src.rows) : undefined;
      for (let first = 0; first < src.rows; first += step) {
        const count = Math.min(step, src.rows - first);
        if (placed) {
          const { rows, ids } = await src.readFloat32WithIds!(first, count);
          placeShuffledRows(writer, src, placed, first, rows, ids);
        } else {
          const rows = await src.readFloat32(first, count);
          if (section === "vectors") writer.writeVectors(first, rows);
          else writer.writeQueries(first, rows);
        }
        bytes += count * src.rowBytes;
        o.onProgress?.({ section, rows: first + count, totalRows: src.rows, bytes });
        await letSignalsIn();
      }
    }
    if (groundTruth && k > 0) {
      const step = blockRows(groundTruth);
      for (let first = 0; first < groundTruth.rows; first += step) {
        const count = Math.min(step, groundTruth.rows - first);
        const ids = await groundTruth.readIds(first, count);
        const kept = new Float64Array(count * k);
        for (let r = 0; r < count; r++) {
          for (let j = 0; j < k; j++) {
            const id = ids[r * groundTruth.cols + j];
            if (!(id >= -1 && id < base.rows) || !Number.isInteger(id)) {
              throw datasetError(groundTruth.path, `ground-truth id ${id} (query ${first + r}, neighbour ${j}) is out of range; expected 0..${base.rows - 1} (or -1 for none)`);
            }
            kept[r * k + j] = id;
          }
        }
        writer.writeGroundTruth(first, kept);
        bytes += count * groundTruth.rowBytes;
        o.onProgress?.({ section: "ground truth", rows: first + count, totalRows: groundTruth.rows, bytes });
      }
    }
    writer.finish(inputs.tags);
  } catch (e) {
    writer.abort();
    throw e;
  }
  return { output: o.output, dim, numVectors: base.rows, numQueries, neighborsPerQuery: k, metric, inputBytes: bytes };
}

/**
 * Writes each row of a shuffled source at the position its id names. Ids must be distinct and
 * within 0..rows-1; as there are exactly `rows` of them, every position is then written once.
 */
function placeShuffledRows(writer: LegacyDatasetWriter, src: MatrixSource, placed: Uint8Array, first: number, rows: Float32Array, ids: Float64Array): void {
  const dim = src.cols;
  for (let r = 0; r < ids.length; r++) {
    const id = ids[r]!;
    if (!Number.isInteger(id) || id < 0 || id >= src.rows) {
      throw datasetError(src.path, `row ${first + r} has id ${id}; expected ids 0..${src.rows - 1}, each once`);
    }
    if (placed[id] === 1) throw datasetError(src.path, `row ${first + r} repeats id ${id}; expected ids 0..${src.rows - 1}, each once`);
    placed[id] = 1;
    writer.writeVectors(id, rows.subarray(r * dim, (r + 1) * dim));
  }
}
