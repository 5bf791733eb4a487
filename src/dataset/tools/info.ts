/** `dataset info`: what a dataset file contains and whether it is consistent. */
import type { VectorDataset } from "../types.ts";
import { NO_NEIGHBOR } from "../formats/legacy-format.ts";

export interface DatasetInfo {
  path: string;
  format: string;
  name: string;
  dim: number;
  dtype: string;
  numVectors: number;
  numQueries: number;
  neighborsPerQuery: number;
  metricHint: string | null;
  metricHintSource: string;
  sections: { name: string; offset: number; bytes: number }[];
  tags: { vocabularySample: string[]; taggedVectorsInSample: number; sampleSize: number; filteredQueries: number } | null;
  /** Numeric attributes (legacy v2 `#<name>` entries) and how many queries carry ranges; null when none. */
  numeric: { fields: string[]; rangeQueries: number } | null;
  /** Ground-truth ids checked (all with `full`, else a sample) and how many were out of range. */
  groundTruthChecked: number;
  groundTruthOutOfRange: number;
  /** Vectors and queries checked for NaN / infinite components (all with `full`, else a sample
   *  of vectors and every query), and how many had one, with the first of each. */
  nonFinite: { vectorsChecked: number; vectors: number; firstVector: number | null; queriesChecked: number; queries: number; firstQuery: number | null };
  consistent: boolean;
}

/** True when a stored vector (little-endian float32 or float16 bytes) has a NaN or infinite
 *  component: every exponent bit set. Reads bytes, so unaligned sections need no copy. */
function hasNonFinite(bytes: Uint8Array, dtype: VectorDataset["dtype"]): boolean {
  if (dtype === "float16") {
    for (let i = 1; i < bytes.length; i += 2) if ((bytes[i]! & 0x7c) === 0x7c) return true;
    return false;
  }
  for (let i = 3; i < bytes.length; i += 4) if ((bytes[i]! & 0x7f) === 0x7f && (bytes[i - 1]! & 0x80) !== 0) return true;
  return false;
}

/** Vectors checked for non-finite values without --full. */
const NON_FINITE_SAMPLE = 100_000;

/** `vectors: false` checks the queries only. */
export function checkNonFinite(ds: VectorDataset, full: boolean, vectors = true): DatasetInfo["nonFinite"] {
  const out = { vectorsChecked: 0, vectors: 0, firstVector: null as number | null, queriesChecked: 0, queries: 0, firstQuery: null as number | null };
  const stride = full ? 1 : Math.max(1, Math.ceil(ds.numVectors / NON_FINITE_SAMPLE));
  for (let i = 0; vectors && i < ds.numVectors; i += stride) {
    out.vectorsChecked++;
    if (hasNonFinite(ds.vectorBytes(i), ds.dtype)) {
      out.vectors++;
      out.firstVector ??= i;
    }
  }
  for (let q = 0; q < ds.numQueries; q++) {
    out.queriesChecked++;
    if (hasNonFinite(ds.queryBytes(q), ds.dtype)) {
      out.queries++;
      out.firstQuery ??= q;
    }
  }
  return out;
}

export function describeDataset(ds: VectorDataset, full = false): DatasetInfo {
  let checked = 0;
  let bad = 0;
  const k = ds.neighborsPerQuery;
  const step = full ? 1 : Math.max(1, Math.floor(ds.numQueries / 1000));
  for (let q = 0; q < ds.numQueries && k > 0; q += step) {
    for (let j = 0; j < k; j++) {
      const id = ds.neighborId(q, j);
      checked++;
      if (id >= ds.numVectors && id !== NO_NEIGHBOR) bad++;
    }
  }
  let tags: DatasetInfo["tags"] = null;
  if (ds.hasTags) {
    const vocab = new Set<string>();
    const sampleSize = Math.min(ds.numVectors, 10_000);
    const stride = Math.max(1, Math.floor(ds.numVectors / sampleSize));
    let tagged = 0;
    for (let i = 0, n = 0; n < sampleSize; i += stride, n++) {
      const t = ds.vectorTags(i);
      if (t.length) tagged++;
      for (const w of t) if (vocab.size < 20) vocab.add(w);
    }
    let filtered = 0;
    for (let q = 0; q < ds.numQueries; q++) if (ds.queryFilter(q).length) filtered++;
    tags = { vocabularySample: [...vocab], taggedVectorsInSample: tagged, sampleSize, filteredQueries: filtered };
  }
  let numeric: DatasetInfo["numeric"] = null;
  if (ds.numericFields.length > 0) {
    let rangeQueries = 0;
    for (let q = 0; q < ds.numQueries; q++) if (ds.queryNumericRanges(q).length) rangeQueries++;
    numeric = { fields: [...ds.numericFields], rangeQueries };
  }
  const nonFinite = checkNonFinite(ds, full);
  return {
    path: ds.path, format: ds.format, name: ds.name, dim: ds.dim, dtype: ds.dtype,
    numVectors: ds.numVectors, numQueries: ds.numQueries, neighborsPerQuery: k,
    metricHint: ds.metricHint ?? null, metricHintSource: ds.metricHintSource,
    sections: ds.sections.map((s) => ({ ...s })), tags, numeric,
    groundTruthChecked: checked, groundTruthOutOfRange: bad, nonFinite,
    consistent: bad === 0 && nonFinite.vectors === 0 && nonFinite.queries === 0,
  };
}

const human = (bytes: number): string => {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u ? v.toFixed(1) : v} ${units[u]}`;
};

/** What makes a dataset inconsistent, one phrase each ([] when it is consistent). */
export function inconsistencies(i: DatasetInfo): string[] {
  const nf = i.nonFinite;
  const why: string[] = [];
  if (i.groundTruthOutOfRange > 0) why.push(`${i.groundTruthOutOfRange} of ${i.groundTruthChecked} checked ground-truth ids are >= ${i.numVectors}`);
  if (nf.vectors > 0) why.push(`${nf.vectors} of ${nf.vectorsChecked} checked vectors hold NaN or infinity (first: vector ${nf.firstVector})`);
  if (nf.queries > 0) why.push(`${nf.queries} of ${nf.queriesChecked} queries hold NaN or infinity (first: query ${nf.firstQuery})`);
  return why;
}

export function formatDatasetInfo(i: DatasetInfo): string {
  const lines = [
    `file:        ${i.path}`,
    `format:      ${i.format}${i.name ? ` (name "${i.name}")` : ""}`,
    `vectors:     ${i.numVectors} x ${i.dim} ${i.dtype}`,
    `queries:     ${i.numQueries}`,
    `neighbours:  ${i.neighborsPerQuery} per query`,
    `metric hint: ${i.metricHint ?? "none"}, from ${i.metricHintSource}; --search-distance overrides it`,
    "sections:",
    ...i.sections.map((s) => `  ${s.name.padEnd(16)} @ ${String(s.offset).padStart(14)}  ${human(s.bytes)}`),
  ];
  if (i.tags) {
    lines.push(
      `tags:        ${i.tags.taggedVectorsInSample} of ${i.tags.sampleSize} sampled vectors tagged; ${i.tags.filteredQueries} of ${i.numQueries} queries filtered`,
      `             e.g. ${i.tags.vocabularySample.join(", ") || "(none)"}`,
    );
  }
  if (i.numeric) {
    lines.push(`numeric:     ${i.numeric.fields.join(", ")}; ${i.numeric.rangeQueries} of ${i.numQueries} queries carry ranges`);
  }
  const nf = i.nonFinite;
  if (i.consistent) {
    lines.push(
      `consistent:  yes (header, section bounds, ${i.groundTruthChecked} ground-truth ids and ${nf.vectorsChecked} vectors + ${nf.queriesChecked} queries for NaN/infinity checked)`,
    );
  } else {
    lines.push(`consistent:  NO: ${inconsistencies(i).join("; ")}`);
  }
  return lines.join("\n");
}
