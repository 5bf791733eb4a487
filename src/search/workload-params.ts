/**
 * What the main thread sends each worker to run a vector workload (structured-cloneable).
 * The plan (src/search/plan.ts) builds these; the workloads (src/search/*-workload.ts) read them.
 */
import type { SearchDistance } from "../config/types.ts";

/** Where the dataset is and which slice of it this run uses. Each worker maps the file itself. */
export interface DatasetRef {
  path?: string;
  schemaPath?: string;
  dataPath?: string;
  /** First vector of the slice (--vector-offset) and how many (--num-vectors; 0 = to the end). */
  vectorOffset: number;
  numVectors: number;
}

export interface VectorKeyParams {
  /** Key prefix of vector hashes (`vec:`). */
  prefix: string;
  /** Cluster mode: keys carry a `{XYZ}` tag placing them on the connection's node. */
  clusterTags: boolean;
  vectorField: string;
  /** Hash field holding the vector's tags (comma-separated), when the dataset has tags. */
  tagField?: string;
  /**
   * Hash fields written with a number per vector (the index's NUMERIC fields): the dataset's
   * attribute of that name, else the vector's dataset id.
   */
  numericFields?: string[];
}

export interface VecLoadParams extends VectorKeyParams {
  dataset: DatasetRef;
  /** Dimension written (must equal the dataset's; float16 datasets are widened to float32). */
  dim: number;
  /**
   * Dataset ids (slice-relative request index -> vector id) to skip because they exist already
   * (found with SCAN unless --reload); empty = write all.
   */
  skipIdsPath?: string;
  /**
   * Cluster mode: the slot of the key each slice index already has on the server (-1: none), from
   * a SCAN. Such a key is rewritten under its own tag instead of the writing connection's, so a
   * reload never leaves two keys for one vector.
   */
  existingSlots?: Int32Array;
}

export interface VecQueryParams extends VectorKeyParams {
  dataset: DatasetRef;
  indexName: string;
  dim: number;
  k: number;
  efSearch?: number;
  nocontent: boolean;
  returnFields: string[];
  withScores: boolean;
  /** Filter expression before `=>` (`*` when unfiltered), or per-query filters from the dataset. */
  filter: string;
  filterFromDataset: boolean;
  distance: SearchDistance;
}

export interface VecUpdateParams extends VecLoadParams {
  /** Vectors are rewritten with the base vector of (id + shift) mod n: same ids, new values. */
  shift: number;
  /**
   * Cluster mode only (required there): the slot each slice index's key was tagged with when it
   * was loaded (rebuilt with SCAN, 2 bytes per id). Which node loaded an id is not
   * deterministic, so the key cannot be recomputed from the id alone. Added by V1b.
   */
  idSlots?: Uint16Array;
}

export interface VecDeleteParams extends VectorKeyParams {
  dataset: DatasetRef;
  /** Ids never deleted: the union of every query's ground truth (so recall stays valid). */
  protectedIdsCount: number;
  /** Cluster mode only (required there): as VecUpdateParams.idSlots. Added by V1b. */
  idSlots?: Uint16Array;
}

/** `--mix`: weights per workload on the same connections; each part keeps its own statistics. */
export interface MixParams {
  parts: { kind: string; params: unknown; weight: number; title: string }[];
}
