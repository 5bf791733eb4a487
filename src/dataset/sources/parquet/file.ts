/**
 * Opening one parquet file for page-at-a-time reading: a positional reader over its file
 * descriptor, and the footer parsed by hyparquet (the only part of hyparquet we use).
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { parquetMetadataAsync } from "hyparquet";
import type { FileMetaData } from "hyparquet";
import { datasetError, requireRegularFile } from "../../errors.ts";
import type { ParquetFile } from "./column-cursor.ts";
import type { ReadAt } from "./pages.ts";

export interface ReadObserver {
  /** Called before every read from a file (tests use it to check reads stay page-sized). */
  onRead?: (path: string, position: number, length: number) => void;
}

function positionalReader(path: string, fd: number, byteLength: number, o: ReadObserver): ReadAt {
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

export interface ParquetPart extends ParquetFile {
  fd: number;
  rows: number;
  /** First global row of this part (when several files make one table). */
  firstRow: number;
}

export async function openPart(path: string, firstRow: number, o: ReadObserver): Promise<ParquetPart> {
  let fd: number;
  requireRegularFile(path);
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
