/**
 * VectorDBBench parquet directories: `train.parquet` or `train-XX-of-NN.parquet` (columns `id`,
 * `emb`), `test.parquet` (`id`, `emb`) and `neighbors.parquet` (`id`, `neighbors_id`). hyparquet
 * reads the footer; the rows are decoded a page at a time by our own reader (parquet-pages.ts)
 * because pandas and pyarrow write up to a million rows in one row group, and decoding a whole
 * group of 768-dimension vectors into JS arrays takes tens of gigabytes.
 *
 * Ground-truth ids refer to `id` values and we store rows by position, so ids must equal the
 * row index in file order (as VectorDBBench writes train.parquet)... except in
 * `shuffle_train*.parquet`, which VectorDBBench downloads by default: there the rows come in a
 * shuffled order and the converter puts each at its id (see MatrixSource.shuffled).
 * `scalar_labels.parquet` gives each vector a label (parquet-labels.ts) for label-filter cases.
 */
import { closeSync, existsSync, readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { datasetError } from "../../errors.ts";
import type { ElementType, MatrixSource } from "../matrix-source.ts";
import { ColumnCursor } from "./column-cursor.ts";
import { openPart } from "./file.ts";
import type { ParquetPart, ReadObserver } from "./file.ts";
import type { TagData } from "../../formats/legacy-writer.ts";
import { readVectorLabels } from "./labels.ts";
import type { VectorLabels } from "./labels.ts";
import { columnLayout } from "./layout.ts";
import type { ColumnLayout } from "./layout.ts";

export interface ParquetReadOptions extends ReadObserver {
  /**
   * Ground truth to use instead of neighbors.parquet: a file name in the directory or a path
   * (VectorDBBench's filter cases keep theirs in neighbors_head_1p.parquet and the like).
   */
  neighbors?: string;
  /** Labels to use instead of scalar_labels.parquet: a file name in the directory or a path. */
  labels?: string;
}

/** Output bytes per block: rows are decoded into this much memory at a time. */
const BLOCK_OUTPUT_BYTES = 16 << 20;

/** Cursors over the id column and the list column of one part. */
interface PartColumns {
  part: ParquetPart;
  ids: ColumnCursor;
  values: ColumnCursor;
}

/** One list column (vector or neighbour ids) plus the `id` column, over one or more files. */
class ParquetMatrixSource implements MatrixSource {
  readonly path: string;
  readonly rows: number;
  readonly elementType: ElementType = "float32";
  readonly rowBytes: number;
  readonly blockRows: number;
  private readonly columns: PartColumns[];
  private readonly idScratch = new Float64Array(1);

  constructor(
    parts: ParquetPart[],
    layouts: { ids: ColumnLayout; values: ColumnLayout }[],
    private readonly column: string,
    readonly cols: number,
    readonly shuffled: boolean,
  ) {
    this.path = parts.length === 1 ? parts[0].path : `${parts[0].path} (+${parts.length - 1} more)`;
    this.rows = parts.reduce((s, p) => s + p.rows, 0);
    this.rowBytes = cols * 4 + 8;
    // Bounded by the output, not by the row groups: a whole group can be larger than memory.
    this.blockRows = Math.max(1, Math.floor(BLOCK_OUTPUT_BYTES / (cols * 8)));
    this.columns = parts.map((part, i) => ({ part, ids: new ColumnCursor(part, layouts[i].ids), values: new ColumnCursor(part, layouts[i].values) }));
  }

  /** Fills `out` with rows [first, first + count); with `idsOut`, records ids instead of requiring id == row. */
  private read(first: number, count: number, out: Float32Array | Float64Array, idsOut?: Float64Array): void {
    const end = first + count;
    if (end > this.rows) throw datasetError(this.path, `row ${this.rows} is past the end (${this.rows} rows)`);
    for (const { part, ids, values } of this.columns) {
      const from = Math.max(first, part.firstRow);
      const to = Math.min(end, part.firstRow + part.rows);
      for (let globalRow = from; globalRow < to; globalRow++) {
        const local = globalRow - part.firstRow;
        const idCount = ids.readRow(local, this.idScratch, 0, 1);
        const id = idCount === 1 ? this.idScratch[0] : null;
        if (idsOut) {
          if (id === null) throw datasetError(part.path, `row ${globalRow} has no id; every row needs one`);
          idsOut[globalRow - first] = id;
        } else if (id !== globalRow) {
          throw datasetError(part.path, `row ${globalRow} has id ${id}; expected ids equal to the row number (0, 1, 2, ...) in file order`);
        }
        const n = values.readRow(local, out, (globalRow - first) * this.cols, this.cols);
        if (n !== this.cols) {
          throw datasetError(part.path, `row ${globalRow} column ${this.column} has ${n} values; expected ${this.cols} like row 0`);
        }
      }
    }
  }

  async readFloat32(first: number, count: number): Promise<Float32Array> {
    const out = new Float32Array(count * this.cols);
    this.read(first, count, out);
    return out;
  }

  async readFloat32WithIds(first: number, count: number): Promise<{ rows: Float32Array; ids: Float64Array }> {
    const rows = new Float32Array(count * this.cols);
    const ids = new Float64Array(count);
    this.read(first, count, rows, ids);
    return { rows, ids };
  }

  async readIds(first: number, count: number): Promise<Float64Array> {
    const out = new Float64Array(count * this.cols);
    this.read(first, count, out);
    return out;
  }

  close(): void {
    for (const { part } of this.columns) closeSync(part.fd);
  }
}

async function openColumn(paths: string[], column: string, o: ParquetReadOptions, shuffled = false): Promise<ParquetMatrixSource> {
  const parts: ParquetPart[] = [];
  const layouts: { ids: ColumnLayout; values: ColumnLayout }[] = [];
  let first = 0;
  try {
    for (const p of paths) {
      const part = await openPart(p, first, o);
      parts.push(part);
      first += part.rows;
      const expected = `id and ${column}`;
      layouts.push({ ids: columnLayout(p, part.metadata, "id", "scalar", expected), values: columnLayout(p, part.metadata, column, "list", expected) });
    }
    const head = parts[0];
    // The dimension comes from the first row.
    const cols = head.rows > 0 ? new ColumnCursor(head, layouts[0].values).readRow(0, new Float64Array(0), 0, 0) : 0;
    if (cols === 0) throw datasetError(head.path, `column ${column} of row 0 is empty; expected a list of numbers`);
    return new ParquetMatrixSource(parts, layouts, column, cols, shuffled);
  } catch (e) {
    for (const p of parts) closeSync(p.fd);
    throw e;
  }
}

export interface ParquetDataset {
  base: MatrixSource;
  queries?: MatrixSource;
  groundTruth?: MatrixSource;
  /** Each vector's label, when the directory has scalar_labels.parquet (or --labels names a file). */
  labels?: VectorLabels;
  /** The labels as the converter writes them: one tag per vector. */
  tags?: TagData;
}

/** `name` in `dir` if it is there, else `name` as a path; an error naming `flag` if neither exists. */
function fileInDirectory(dir: string, name: string, what: string, flag: string): string {
  const path = existsSync(join(dir, name)) ? join(dir, name) : name;
  if (!existsSync(path)) throw datasetError(path, `no such ${what} file (${flag}); expected a file in ${dir} or a path`);
  return path;
}

/** Opens a VectorDBBench dataset directory. */
export async function openParquetDirectory(dir: string, vectorColumn = "emb", o: ParquetReadOptions = {}): Promise<ParquetDataset> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw datasetError(dir, `cannot list directory: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  // The ordered train files when both are there (nothing to reorder); else the shuffled ones.
  const ordered = names.filter((n) => /^train(-\d+-of-\d+)?\.parquet$/.test(n)).sort();
  const train = ordered.length > 0 ? ordered : names.filter((n) => /^shuffle_train(-\d+-of-\d+)?\.parquet$/.test(n)).sort();
  if (train.length === 0) {
    throw datasetError(dir, "no train.parquet, train-XX-of-NN.parquet or shuffle_train*.parquet; expected a VectorDBBench dataset directory");
  }
  const result: ParquetDataset = { base: await openColumn(train.map((n) => join(dir, n)), vectorColumn, o, ordered.length === 0) };
  try {
    if (existsSync(join(dir, "test.parquet"))) result.queries = await openColumn([join(dir, "test.parquet")], vectorColumn, o);
    if (o.neighbors !== undefined) {
      result.groundTruth = await openColumn([fileInDirectory(dir, o.neighbors, "ground-truth", "--neighbors")], "neighbors_id", o);
    } else if (existsSync(join(dir, "neighbors.parquet"))) {
      result.groundTruth = await openColumn([join(dir, "neighbors.parquet")], "neighbors_id", o);
    }
    // Labels become a TAG field on every vector, which would change what an unfiltered run
    // measures: they are read for a label case (its ground truth is neighbors_labels_*) or when
    // --labels asks, and a label case without them could only give meaningless recall.
    const labelCase = o.neighbors !== undefined && /^neighbors_labels_/.test(basename(o.neighbors));
    if (o.labels !== undefined || labelCase) {
      const labels = o.labels !== undefined ? fileInDirectory(dir, o.labels, "labels", "--labels") : join(dir, "scalar_labels.parquet");
      if (!existsSync(labels)) {
        throw datasetError(labels, `not found: ${o.neighbors} is a label-filter case and needs each vector's label; pass --labels FILE`);
      }
      result.labels = await readVectorLabels(labels, result.base.rows, o);
      result.tags = result.labels.tags;
    }
  } catch (e) {
    for (const s of [result.base, result.queries, result.groundTruth]) s?.close();
    throw e;
  }
  return result;
}
