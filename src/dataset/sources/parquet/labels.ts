/**
 * VectorDBBench's label-filter cases: `scalar_labels.parquet` (columns `id` and `labels`) gives
 * each vector one label such as `label_1p` (the share of vectors carrying it), and a case
 * searches `labels == "label_1p"` with ground truth in `neighbors_labels_label_1p.parquet`.
 *
 * Rows may come in any order, so each label is placed at its id. Memory is two bytes per
 * vector (an index into the few distinct labels) plus one byte to catch a repeated id; the
 * column is read a page at a time like the vectors.
 */
import { closeSync } from "node:fs";
import { datasetError } from "../../errors.ts";
import type { TagData } from "../../formats/legacy-writer.ts";
import { ColumnCursor } from "./column-cursor.ts";
import { openPart } from "./file.ts";
import type { ReadObserver } from "./file.ts";
import { columnLayout } from "./layout.ts";
import { StringVocabulary } from "./strings.ts";

export interface VectorLabels {
  path: string;
  /** Distinct labels in order of first appearance. */
  values: readonly string[];
  /** How many vectors carry each of `values`. */
  counts: readonly number[];
  /** Vectors whose label is null (an optional column); they carry no tag. */
  unlabelled: number;
  /** For LegacyDatasetWriter.finish: each vector's label as its one tag; queries carry none (the filter is picked at run time). */
  tags: TagData;
}

/** Index meaning "null label"; also caps the distinct labels at 65535. */
const NO_LABEL = 0xffff;
const NO_TAGS: readonly string[] = [];

/** Reads the labels of `vectorCount` vectors (ids 0..vectorCount-1, each once) from `path`. */
export async function readVectorLabels(path: string, vectorCount: number, o: ReadObserver = {}): Promise<VectorLabels> {
  const part = await openPart(path, 0, o);
  try {
    if (part.rows !== vectorCount) {
      throw datasetError(path, `${part.rows} label rows, but the train files have ${vectorCount} vectors; expected one label per vector`);
    }
    const expected = "id and labels";
    const ids = new ColumnCursor(part, columnLayout(path, part.metadata, "id", "scalar", expected));
    const vocabulary = new StringVocabulary();
    const labels = new ColumnCursor(part, columnLayout(path, part.metadata, "labels", "text", expected), vocabulary);
    const byId = new Uint16Array(vectorCount);
    const placed = new Uint8Array(vectorCount);
    const scratch = new Float64Array(1);
    let unlabelled = 0;
    for (let row = 0; row < vectorCount; row++) {
      if (ids.readRow(row, scratch, 0, 1) !== 1) throw datasetError(path, `row ${row} has no id; every row needs one`);
      const id = scratch[0];
      if (!Number.isInteger(id) || id < 0 || id >= vectorCount) throw datasetError(path, `row ${row} has id ${id}; expected ids 0..${vectorCount - 1}, each once`);
      if (placed[id] === 1) throw datasetError(path, `row ${row} repeats id ${id}; expected ids 0..${vectorCount - 1}, each once`);
      placed[id] = 1;
      if (labels.readRow(row, scratch, 0, 1) === 0) {
        byId[id] = NO_LABEL;
        unlabelled++;
        continue;
      }
      // Checked as rows go by: a column of ids or free text would otherwise grow without bound.
      if (vocabulary.values.length >= NO_LABEL) throw datasetError(path, `column labels has over ${NO_LABEL - 1} distinct values by row ${row}; expected a few labels such as label_1p`);
      byId[id] = scratch[0];
    }
    const values = vocabulary.values;
    // '#' starts the format's numeric attribute entries (legacy-format.ts), so such a tag would read back as one.
    const reserved = values.find((v) => v.startsWith("#"));
    if (reserved !== undefined) throw datasetError(path, `label "${reserved}" starts with #, which the dataset format reserves for numeric attributes`);
    const counts = values.map(() => 0);
    for (let i = 0; i < vectorCount; i++) if (byId[i] !== NO_LABEL) counts[byId[i]]++;
    const single = values.map((v) => [v]);
    const tags: TagData = {
      vectorTags: (i) => (byId[i] === NO_LABEL ? NO_TAGS : single[byId[i]]),
      queryFilter: () => NO_TAGS,
    };
    return { path, values, counts, unlabelled, tags };
  } finally {
    closeSync(part.fd);
  }
}
