/**
 * VectorDBBench parquet directories through hyparquet (pure JS): `train.parquet` or
 * `train-XX-of-NN.parquet` (columns `id`, `emb`), `test.parquet` (`id`, `emb`) and
 * `neighbors.parquet` (`id`, `neighbors_id`). Reads go one row group at a time through a file
 * handle (positional reads), so memory is bounded by the largest row group.
 *
 * Ids must equal the row index in file order (as VectorDBBench writes them): ground-truth ids
 * refer to `id` values, and we store rows by position.
 */
import { closeSync, existsSync, fstatSync, openSync, readdirSync, readSync } from "node:fs";
import { join } from "node:path";
import { parquetMetadataAsync, parquetRead } from "hyparquet";
import type { FileMetaData } from "hyparquet";
import { datasetError } from "./errors.ts";
import type { ElementType, MatrixSource } from "./matrix-source.ts";

interface AsyncBuffer {
  byteLength: number;
  slice(start: number, end?: number): Promise<ArrayBuffer>;
}

function fileBuffer(path: string, fd: number): AsyncBuffer {
  const byteLength = fstatSync(fd).size;
  return {
    byteLength,
    slice: async (start, end = byteLength) => {
      const out = new Uint8Array(end - start);
      let done = 0;
      while (done < out.length) {
        const n = readSync(fd, out, done, out.length - done, start + done);
        if (n === 0) throw datasetError(path, `parquet file is truncated at byte ${start + done}`);
        done += n;
      }
      return out.buffer;
    },
  };
}

interface ParquetPart {
  path: string;
  fd: number;
  file: AsyncBuffer;
  metadata: FileMetaData;
  rows: number;
  /** First global row of this part. */
  firstRow: number;
  /** Row group boundaries, global row numbers. */
  groupStarts: number[];
}

async function openPart(path: string, firstRow: number): Promise<ParquetPart> {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    throw datasetError(path, `cannot open: ${(e as NodeJS.ErrnoException).code ?? e}; check the path and read permission`);
  }
  const file = fileBuffer(path, fd);
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (e) {
    closeSync(fd);
    throw datasetError(path, `not a readable parquet file: ${e instanceof Error ? e.message : e}`);
  }
  const groupStarts: number[] = [];
  let r = firstRow;
  for (const g of metadata.row_groups) {
    groupStarts.push(r);
    r += Number(g.num_rows);
  }
  return { path, fd, file, metadata, rows: Number(metadata.num_rows), firstRow, groupStarts };
}

/** One list column (vector or neighbour ids) plus the `id` column, over one or more files. */
class ParquetMatrixSource implements MatrixSource {
  readonly path: string;
  readonly rows: number;
  readonly elementType: ElementType = "float32";
  readonly rowBytes: number;
  readonly blockRows: number;

  constructor(private readonly parts: ParquetPart[], private readonly column: string, readonly cols: number) {
    this.path = parts.length === 1 ? parts[0].path : `${parts[0].path} (+${parts.length - 1} more)`;
    this.rows = parts.reduce((s, p) => s + p.rows, 0);
    this.rowBytes = cols * 4 + 8;
    const largest = Math.max(...parts.flatMap((p) => p.metadata.row_groups.map((g) => Number(g.num_rows))));
    this.blockRows = Math.max(1, largest);
  }

  private async read(first: number, count: number, out: Float32Array | Float64Array): Promise<void> {
    let row = first;
    const end = first + count;
    while (row < end) {
      const part = this.parts.find((p) => row >= p.firstRow && row < p.firstRow + p.rows);
      if (!part) throw datasetError(this.path, `row ${row} is past the end (${this.rows} rows)`);
      const localStart = row - part.firstRow;
      const localEnd = Math.min(end, part.firstRow + part.rows) - part.firstRow;
      let rows: unknown[][] = [];
      await parquetRead({
        file: part.file, metadata: part.metadata, columns: ["id", this.column], rowStart: localStart, rowEnd: localEnd,
        onComplete: (r: unknown[][]) => {
          rows = r;
        },
      });
      for (let i = 0; i < rows.length; i++) {
        const globalRow = part.firstRow + localStart + i;
        const [id, values] = rows[i] as [number | bigint, ArrayLike<number | bigint> | null];
        if (Number(id) !== globalRow) {
          throw datasetError(part.path, `row ${globalRow} has id ${id}; expected ids equal to the row number (0, 1, 2, ...) in file order`);
        }
        if (!values || values.length !== this.cols) {
          throw datasetError(part.path, `row ${globalRow} column ${this.column} has ${values?.length ?? 0} values; expected ${this.cols} like row 0`);
        }
        const o = (globalRow - first) * this.cols;
        for (let j = 0; j < this.cols; j++) out[o + j] = Number(values[j]);
      }
      row = part.firstRow + localEnd;
    }
  }

  async readFloat32(first: number, count: number): Promise<Float32Array> {
    const out = new Float32Array(count * this.cols);
    await this.read(first, count, out);
    return out;
  }

  async readIds(first: number, count: number): Promise<Float64Array> {
    const out = new Float64Array(count * this.cols);
    await this.read(first, count, out);
    return out;
  }

  close(): void {
    for (const p of this.parts) closeSync(p.fd);
  }
}

async function openColumn(paths: string[], column: string): Promise<ParquetMatrixSource> {
  const parts: ParquetPart[] = [];
  let first = 0;
  for (const p of paths) {
    const part = await openPart(p, first);
    parts.push(part);
    first += part.rows;
  }
  const head = parts[0];
  if (!head.metadata.schema.some((s) => s.name === "id")) throw datasetError(head.path, "parquet file has no column id; expected columns id and " + column);
  if (!head.metadata.schema.some((s) => s.name === column)) throw datasetError(head.path, `parquet file has no column ${column}; expected columns id and ${column}`);
  // The dimension comes from the first row.
  let cols = 0;
  if (head.rows > 0) {
    await parquetRead({
      file: head.file, metadata: head.metadata, columns: [column], rowStart: 0, rowEnd: 1,
      onComplete: (r: unknown[][]) => {
        cols = (r[0]?.[0] as ArrayLike<number> | null)?.length ?? 0;
      },
    });
  }
  if (cols === 0) throw datasetError(head.path, `column ${column} of row 0 is empty; expected a list of numbers`);
  return new ParquetMatrixSource(parts, column, cols);
}

export interface ParquetDataset {
  base: MatrixSource;
  queries?: MatrixSource;
  groundTruth?: MatrixSource;
}

/** Opens a VectorDBBench dataset directory. */
export async function openParquetDirectory(dir: string, vectorColumn = "emb"): Promise<ParquetDataset> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw datasetError(dir, `cannot list directory: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  const train = names.filter((n) => /^train(-\d+-of-\d+)?\.parquet$/.test(n)).sort();
  if (train.length === 0) throw datasetError(dir, "no train.parquet or train-XX-of-NN.parquet; expected a VectorDBBench dataset directory");
  const result: ParquetDataset = { base: await openColumn(train.map((n) => join(dir, n)), vectorColumn) };
  if (existsSync(join(dir, "test.parquet"))) result.queries = await openColumn([join(dir, "test.parquet")], vectorColumn);
  if (existsSync(join(dir, "neighbors.parquet"))) result.groundTruth = await openColumn([join(dir, "neighbors.parquet")], "neighbors_id");
  return result;
}
