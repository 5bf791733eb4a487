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
 */
import { closeSync, existsSync, fstatSync, openSync, readdirSync, readSync } from "node:fs";
import { join } from "node:path";
import { parquetMetadataAsync } from "hyparquet";
import type { FileMetaData } from "hyparquet";
import { datasetError } from "./errors.ts";
import type { ElementType, MatrixSource } from "./matrix-source.ts";
import { ColumnCursor } from "./parquet-column-cursor.ts";
import type { ParquetFile } from "./parquet-column-cursor.ts";
import { columnLayout } from "./parquet-layout.ts";
import type { ColumnLayout } from "./parquet-layout.ts";
import type { ReadAt } from "./parquet-pages.ts";

export interface ParquetReadOptions {
  /** Called before every read from a file (tests use it to check reads stay page-sized). */
  onRead?: (path: string, position: number, length: number) => void;
  /**
   * Ground truth to use instead of neighbors.parquet: a file name in the directory or a path
   * (VectorDBBench's filter cases keep theirs in neighbors_head_1p.parquet and the like).
   */
  neighbors?: string;
}

/** Output bytes per block: rows are decoded into this much memory at a time. */
const BLOCK_OUTPUT_BYTES = 16 << 20;

function positionalReader(path: string, fd: number, byteLength: number, o: ParquetReadOptions): ReadAt {
  return (position, length) => {
    o.onRead?.(path, position, length);
    if (position + length > byteLength) throw datasetError(path, `parquet file is truncated: ${length} bytes at ${position} run past its ${byteLength} bytes`);
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = readSync(fd, out, done, length - done, position + done);
      if (n === 0) throw datasetError(path, `parquet file is truncated at byte ${position + done}`);
      done += n;
    }
    return out;
  };
}

interface ParquetPart extends ParquetFile {
  fd: number;
  rows: number;
  /** First global row of this part. */
  firstRow: number;
}

async function openPart(path: string, firstRow: number, o: ParquetReadOptions): Promise<ParquetPart> {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    throw datasetError(path, `cannot open: ${(e as NodeJS.ErrnoException).code ?? e}; check the path and read permission`);
  }
  const byteLength = fstatSync(fd).size;
  const readAt = positionalReader(path, fd, byteLength, o);
  let metadata: FileMetaData;
  try {
    // hyparquet reads the footer through an AsyncBuffer; ours is synchronous underneath.
    metadata = await parquetMetadataAsync({ byteLength, slice: async (start, end = byteLength) => readAt(start, end - start).buffer as ArrayBuffer });
  } catch (e) {
    closeSync(fd);
    throw datasetError(path, `not a readable parquet file: ${e instanceof Error ? e.message : e}`);
  }
  return { path, fd, readAt, metadata, rows: Number(metadata.num_rows), firstRow };
}

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
  if (existsSync(join(dir, "test.parquet"))) result.queries = await openColumn([join(dir, "test.parquet")], vectorColumn, o);
  if (o.neighbors !== undefined) {
    const path = existsSync(join(dir, o.neighbors)) ? join(dir, o.neighbors) : o.neighbors;
    if (!existsSync(path)) throw datasetError(path, `no such ground-truth file (--neighbors); expected a file in ${dir} or a path`);
    result.groundTruth = await openColumn([path], "neighbors_id", o);
  } else if (existsSync(join(dir, "neighbors.parquet"))) {
    result.groundTruth = await openColumn([join(dir, "neighbors.parquet")], "neighbors_id", o);
  }
  return result;
}
