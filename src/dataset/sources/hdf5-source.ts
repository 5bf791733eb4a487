/**
 * ann-benchmarks HDF5 files (`train`, `test`, `neighbors` datasets; `distance` attribute) through
 * h5wasm, HDF5 compiled to WebAssembly. Its Node build reads the file in place (NODERAWFS), and
 * we read hyperslabs of rows, so memory is bounded by the block size, not the file size.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import h5wasm from "h5wasm/node";
import type { DistanceMetric } from "../types.ts";
import { datasetError, requireRegularFile } from "../errors.ts";
import { copyElements, type ElementType, type MatrixSource } from "./matrix-source.ts";

type H5File = InstanceType<typeof h5wasm.File>;
type H5Dataset = InstanceType<typeof h5wasm.Dataset>;

const ANN_METRICS: Record<string, DistanceMetric> = { euclidean: "L2", angular: "COSINE", dot: "IP", ip: "IP", cosine: "COSINE", l2: "L2" };

function elementType(path: string, name: string, ds: H5Dataset): ElementType {
  const t = ds.metadata;
  if (t.type === 1) return t.size === 8 ? "float64" : t.size === 2 ? "float16" : "float32"; // H5T_FLOAT
  if (t.type === 0) {
    const signed = t.signed;
    if (t.size === 1) return signed ? "int8" : "uint8";
    if (t.size === 4) return signed ? "int32" : "uint32";
    if (t.size === 8) return signed ? "int64" : "uint64";
  }
  throw datasetError(path, `HDF5 dataset ${name} has unsupported type (class ${t.type}, ${t.size} bytes); expected float or integer`);
}

const GC_EVERY_BYTES = 128 * 1024 * 1024;
let bytesSinceGc = 0;

class Hdf5MatrixSource implements MatrixSource {
  readonly rows: number;
  readonly cols: number;
  readonly elementType: ElementType;
  readonly rowBytes: number;
  readonly blockRows = 0;

  constructor(readonly path: string, private readonly name: string, private readonly ds: H5Dataset, private readonly owner: Hdf5Dataset) {
    const shape = ds.shape;
    if (!shape || shape.length !== 2) throw datasetError(path, `HDF5 dataset ${name} has shape ${JSON.stringify(shape)}; expected 2-D (rows, dim)`);
    this.rows = shape[0];
    this.cols = shape[1];
    this.elementType = elementType(path, name, ds);
    this.rowBytes = this.cols * ds.metadata.size;
  }

  private read(first: number, count: number, out: Float32Array | Float64Array): void {
    const data = this.ds.slice([[first, first + count], []]);
    if (!data || typeof data !== "object" || !("length" in data) || Array.isArray(data)) {
      throw datasetError(this.path, `HDF5 dataset ${this.name}: unexpected slice result`);
    }
    copyElements(data as ArrayLike<number | bigint>, out, 0);
    // h5wasm returns a fresh array per block and the collector is lazy about large ones: collect
    // every GC_EVERY_BYTES so a conversion's memory stays bounded whatever the file size.
    bytesSinceGc += (data as ArrayLike<number>).length * this.ds.metadata.size + out.byteLength;
    if (bytesSinceGc >= GC_EVERY_BYTES) {
      bytesSinceGc = 0;
      Bun.gc(true);
    }
  }

  async readFloat32(first: number, count: number): Promise<Float32Array> {
    const out = new Float32Array(count * this.cols);
    this.read(first, count, out);
    return out;
  }

  async readIds(first: number, count: number): Promise<Float64Array> {
    const out = new Float64Array(count * this.cols);
    this.read(first, count, out);
    return out;
  }

  close(): void {
    this.owner.release();
  }
}

export interface Hdf5Dataset {
  base: MatrixSource;
  queries?: MatrixSource;
  groundTruth?: MatrixSource;
  metric?: DistanceMetric;
  release(): void;
}

/** The HDF5 format signature: at offset 0, or 512, 1024, 2048... after a user block. */
const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * True when the file carries the HDF5 signature where the format puts it. Checked before the
 * library opens it: on any other file HDF5 prints its internal error stack (some 36 lines of
 * `HDF5-DIAG`) on stderr, and h5wasm then reports a missing `train` dataset.
 */
export function hasHdf5Signature(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const head = new Uint8Array(HDF5_SIGNATURE.length);
    for (let offset = 0; offset + head.length <= size; offset = offset === 0 ? 512 : offset * 2) {
      if (readSync(fd, head, 0, head.length, offset) === head.length && HDF5_SIGNATURE.every((b, i) => head[i] === b)) return true;
    }
    return false;
  } finally {
    closeSync(fd);
  }
}

/** Opens an ann-benchmarks HDF5 file. The file closes when every source has been closed. */
export async function openHdf5(path: string): Promise<Hdf5Dataset> {
  requireRegularFile(path);
  if (!hasHdf5Signature(path)) throw datasetError(path, "is not an HDF5 file (no HDF5 signature); --hdf5 takes an ann-benchmarks .hdf5 file (for fvecs, fbin or .npy use --base/--queries/--ground-truth)");
  await h5wasm.ready;
  let file: H5File;
  try {
    file = new h5wasm.File(path, "r");
  } catch (e) {
    throw datasetError(path, `cannot open as HDF5: ${e instanceof Error ? e.message.split("\n")[0] : e}`);
  }
  let open = 0;
  const result: Hdf5Dataset = {
    base: undefined as unknown as MatrixSource,
    release: () => {
      if (--open === 0) file.close();
    },
  };
  const get = (name: string): MatrixSource | undefined => {
    const entry = file.get(name);
    if (!(entry instanceof h5wasm.Dataset)) return undefined;
    open++;
    return new Hdf5MatrixSource(path, name, entry, result);
  };
  try {
    const base = get("train");
    if (!base) throw datasetError(path, "HDF5 file has no dataset train; expected the ann-benchmarks layout (train, test, neighbors)");
    result.base = base;
    const queries = get("test");
    if (queries) result.queries = queries;
    const gt = get("neighbors");
    if (gt) result.groundTruth = gt;
    const distance = file.attrs.distance?.value;
    if (typeof distance === "string") {
      const metric = ANN_METRICS[distance.toLowerCase()];
      if (!metric) throw datasetError(path, `HDF5 attribute distance = ${distance} is not supported; expected euclidean, angular or dot`);
      result.metric = metric;
    }
    return result;
  } catch (e) {
    file.close();
    throw e;
  }
}
