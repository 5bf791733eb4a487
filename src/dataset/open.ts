/**
 * Opening a dataset: sniff the format, map the file, validate it. And slicing
 * (`--num-vectors` / `--vector-offset`).
 */
import { existsSync } from "node:fs";
import type { VectorDataset } from "./types.ts";
import { datasetError, UserError } from "./errors.ts";
import { isLegacyFile, LEGACY_MAGIC, openLegacyDataset } from "./formats/legacy-format.ts";
import { mapFile } from "./mmap.ts";
import { openSchemaDataset } from "./formats/schema-format.ts";

export interface OpenDatasetOptions {
  /** A legacy 0xDECDB001 file, or a .yaml/.yml schema whose data file is the same name with .bin. */
  path?: string;
  /** Schema-driven format: both are required together (`--schema F --data F`). */
  schemaPath?: string;
  dataPath?: string;
}

/** Opens and validates a dataset. Throws UserError with a one-line message naming file and field. */
export function openDataset(pathOrOpts: string | OpenDatasetOptions): VectorDataset {
  const o: OpenDatasetOptions = typeof pathOrOpts === "string" ? { path: pathOrOpts } : pathOrOpts;
  if (o.schemaPath || o.dataPath) {
    if (!o.schemaPath || !o.dataPath) throw new UserError("--schema and --data must be given together");
    return openSchemaDataset(o.schemaPath, o.dataPath);
  }
  const path = o.path;
  if (!path) throw new UserError("no dataset given; pass --dataset FILE or --schema FILE --data FILE");
  if (/\.ya?ml$/i.test(path)) {
    const data = path.replace(/\.ya?ml$/i, ".bin");
    if (!existsSync(data)) throw datasetError(path, `schema given without data; expected ${data} or pass --data FILE`);
    return openSchemaDataset(path, data);
  }
  const map = mapFile(path);
  try {
    if (!isLegacyFile(map)) {
      throw datasetError(path, `unrecognised format: expected magic 0x${LEGACY_MAGIC.toString(16).toUpperCase()} at offset 0; for a schema dataset pass --schema FILE --data FILE, for fvecs/fbin/npy/HDF5/parquet run \`dataset convert\` first`);
    }
    return openLegacyDataset(map);
  } catch (e) {
    map.close();
    throw e;
  }
}

export interface SliceOptions {
  /** 0 or undefined = every vector after vectorOffset. */
  numVectors?: number;
  vectorOffset?: number;
}

/**
 * A view of vectors [vectorOffset, vectorOffset + numVectors) renumbered from 0. Queries and ground
 * truth are unchanged; groundTruthCoversSlice says whether the stored ids still fit the slice.
 */
export function sliceDataset(ds: VectorDataset, s: SliceOptions): VectorDataset {
  const offset = s.vectorOffset ?? 0;
  if (!Number.isSafeInteger(offset) || offset < 0 || offset >= ds.numVectors) {
    throw new UserError(`--vector-offset ${offset} is out of range; ${ds.path} has ${ds.numVectors} vectors (expected 0..${ds.numVectors - 1})`);
  }
  const available = ds.numVectors - offset;
  const count = s.numVectors ? s.numVectors : available;
  if (!Number.isSafeInteger(count) || count < 0 || count > available) {
    throw new UserError(`--num-vectors ${count} is too large; ${ds.path} has ${available} vectors after offset ${offset}`);
  }
  if (offset === 0 && count === ds.numVectors) return ds;
  const check = (i: number): number => {
    if (!(i >= 0 && i < count)) throw new RangeError(`vector index ${i} outside slice 0..${count - 1}`);
    return i + offset;
  };
  // Prototype delegation keeps every query/ground-truth accessor and only renumbers vectors.
  const sliced: VectorDataset = Object.create(ds, {
    numVectors: { value: count },
    groundTruthCoversSlice: { value: false },
    vectorBytes: { value: (i: number) => ds.vectorBytes(check(i)) },
    writeVectorF32: { value: (i: number, t: Uint8Array, o: number) => ds.writeVectorF32(check(i), t, o) },
    vectorF32: { value: (i: number, scratch: Float32Array) => ds.vectorF32(check(i), scratch) },
    vectorTags: { value: (i: number) => ds.vectorTags(check(i)) },
    vectorNumeric: { value: (i: number, name: string) => ds.vectorNumeric(check(i), name) },
  });
  return sliced;
}
