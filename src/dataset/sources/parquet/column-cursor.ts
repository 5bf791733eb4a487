/**
 * Rows of one column of one parquet file, assembled from decoded pages. Conversion reads rows
 * in order, so the cursor keeps its place (row group, page, position in the page) between
 * calls; a read behind that place restarts from the start of its row group, and a read in a
 * later row group jumps there without decoding the ones in between.
 *
 * Row assembly (Dremel, one repetition level at most): a repetition level of 0 starts a new
 * row, and an entry is a value when its definition level is the maximum. A null or empty list
 * is one entry below the maximum, so it assembles to a row of 0 values.
 */
import type { FileMetaData } from "hyparquet";
import { datasetError } from "../../errors.ts";
import type { ColumnLayout } from "./layout.ts";
import { ColumnChunkPages } from "./pages.ts";
import type { DecodedPage, ReadAt } from "./pages.ts";
import type { StringVocabulary } from "./strings.ts";

export interface ParquetFile {
  path: string;
  readAt: ReadAt;
  metadata: FileMetaData;
}

export class ColumnCursor {
  /** First row of each row group, local to the file, plus the total at the end. */
  private readonly groupStarts: number[] = [0];
  private group = -1;
  private pages: ColumnChunkPages | null = null;
  private page: DecodedPage | null = null;
  private level = 0;
  private value = 0;
  /** Next row to assemble, local to the file. */
  private row = 0;

  /** A text column needs `vocabulary`: its rows read as indices into it. */
  constructor(private readonly file: ParquetFile, private readonly layout: ColumnLayout, private readonly vocabulary?: StringVocabulary) {
    for (const g of file.metadata.row_groups) this.groupStarts.push(this.groupStarts[this.groupStarts.length - 1] + Number(g.num_rows));
  }

  /**
   * Assembles local row `row`, writing at most `capacity` of its values to out[offset...], and
   * returns how many values the row has (which may differ from `capacity`).
   */
  readRow(row: number, out: Float32Array | Float64Array, offset: number, capacity: number): number {
    if (row < this.row || row >= this.groupStarts[this.group + 1]) this.startGroup(this.groupOf(row));
    while (this.row < row) this.assemble(out, offset, 0);
    return this.assemble(out, offset, capacity);
  }

  private groupOf(row: number): number {
    for (let g = 0; g + 1 < this.groupStarts.length; g++) if (row < this.groupStarts[g + 1]) return g;
    throw datasetError(this.file.path, `row ${row} is past the end (${this.groupStarts[this.groupStarts.length - 1]} rows)`);
  }

  private startGroup(group: number): void {
    const chunk = this.file.metadata.row_groups[group].columns[this.layout.chunkIndex]?.meta_data;
    if (!chunk) throw datasetError(this.file.path, `row group ${group} has no metadata for column ${this.layout.name}`);
    this.group = group;
    this.pages = new ColumnChunkPages(this.file.path, this.file.readAt, this.layout, chunk, group, this.vocabulary);
    this.page = null;
    this.level = 0;
    this.value = 0;
    this.row = this.groupStarts[group];
  }

  /** Moves to the next page with entries left; false at the end of the column chunk. */
  private nextPage(): boolean {
    do {
      this.page = this.pages?.next() ?? null;
      this.level = 0;
      this.value = 0;
    } while (this.page && this.page.numLevels === 0);
    return this.page !== null;
  }

  private assemble(out: Float32Array | Float64Array, offset: number, capacity: number): number {
    if ((!this.page || this.level >= this.page.numLevels) && !this.nextPage()) {
      const g = this.group;
      throw datasetError(this.file.path, `column ${this.layout.name} ends after ${this.row - this.groupStarts[g]} rows of row group ${g}; the row group declares ${this.groupStarts[g + 1] - this.groupStarts[g]}`);
    }
    const maxDef = this.layout.maxDef;
    let count = 0;
    let first = true;
    for (let page = this.page; page; page = this.nextPage() ? this.page : null) {
      const { rep, def, values, numLevels } = page;
      let i = this.level, v = this.value;
      for (; i < numLevels; i++) {
        if (!first && (rep === null || rep[i] === 0)) break;
        if (first && rep !== null && rep[i] !== 0) {
          throw datasetError(this.file.path, `column ${this.layout.name}, row group ${this.group}: row ${this.row} starts in the middle of a list (repetition level ${rep[i]})`);
        }
        first = false;
        if (def === null || def[i] === maxDef) {
          if (count < capacity) out[offset + count] = values[v];
          v++;
          count++;
        }
      }
      this.level = i;
      this.value = v;
      // Stop at the next row's first entry; otherwise the row may go on in the next page.
      if (i < numLevels) break;
    }
    this.row++;
    return count;
  }
}
