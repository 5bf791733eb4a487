/**
 * Raw vector files: TEXMEX fvecs/ivecs/bvecs (each row prefixed by its int32 dimension), big-ann
 * fbin/ibin/u8bin/i8bin (u32 rows, u32 cols, then the data) and NumPy .npy (2-D, C order).
 * Reads go through a fresh buffer per block (fs.readSync), so memory is bounded by the block size.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { extname } from "node:path";
import { datasetError, requireRegularFile, UserError } from "../errors.ts";
import { widenF16ToF32 } from "../float16.ts";
import { copyElements, type ElementType, type MatrixSource } from "./matrix-source.ts";

const ELEMENT_BYTES: Record<ElementType, number> = {
  float32: 4, float16: 2, float64: 8, uint8: 1, int8: 1, int32: 4, uint32: 4, int64: 8, uint64: 8,
};

interface RawLayout {
  dataOffset: number;
  rowPrefixBytes: number;
  rows: number;
  cols: number;
  elementType: ElementType;
}

function readExact(fd: number, path: string, buf: Uint8Array, position: number): void {
  let done = 0;
  while (done < buf.length) {
    const n = readSync(fd, buf, done, buf.length - done, position + done);
    if (n === 0) throw datasetError(path, `file is truncated: expected ${buf.length} bytes at offset ${position}`);
    done += n;
  }
}

function typedView(t: ElementType, buf: ArrayBuffer, byteOffset: number, length: number): ArrayLike<number | bigint> {
  switch (t) {
    case "float32": return new Float32Array(buf, byteOffset, length);
    case "float64": return new Float64Array(buf, byteOffset, length);
    case "uint8": return new Uint8Array(buf, byteOffset, length);
    case "int8": return new Int8Array(buf, byteOffset, length);
    case "int32": return new Int32Array(buf, byteOffset, length);
    case "uint32": return new Uint32Array(buf, byteOffset, length);
    case "int64": return new BigInt64Array(buf, byteOffset, length);
    case "uint64": return new BigUint64Array(buf, byteOffset, length);
    case "float16": return new Uint16Array(buf, byteOffset, length); // widened by the caller
  }
}

class RawMatrixSource implements MatrixSource {
  readonly rows: number;
  readonly cols: number;
  readonly elementType: ElementType;
  readonly rowBytes: number;
  readonly blockRows = 0;
  private readonly fd: number;

  constructor(readonly path: string, private readonly layout: RawLayout, fd: number) {
    this.fd = fd;
    this.rows = layout.rows;
    this.cols = layout.cols;
    this.elementType = layout.elementType;
    this.rowBytes = layout.rowPrefixBytes + layout.cols * ELEMENT_BYTES[layout.elementType];
  }

  // Reused between calls so that streaming a huge file allocates nothing per block.
  private bytesBuf = new Uint8Array(0);
  private floatBuf = new Float32Array(0);
  private idBuf = new Float64Array(0);

  private readBlock(first: number, count: number, out: Float32Array | Float64Array): void {
    const { rowPrefixBytes, cols, elementType } = this.layout;
    if (this.bytesBuf.length < count * this.rowBytes) this.bytesBuf = new Uint8Array(count * this.rowBytes);
    const bytes = this.bytesBuf.subarray(0, count * this.rowBytes);
    readExact(this.fd, this.path, bytes, this.layout.dataOffset + first * this.rowBytes);
    if (rowPrefixBytes) {
      // Check each row's dimension, then squeeze the prefixes out in place (copyWithin moves
      // bytes without allocating), leaving the block contiguous like a .fbin block.
      const dv = new DataView(bytes.buffer);
      const dataBytes = this.rowBytes - rowPrefixBytes;
      for (let r = 0; r < count; r++) {
        const d = dv.getInt32(r * this.rowBytes, true);
        if (d !== cols) throw datasetError(this.path, `row ${first + r} declares dimension ${d}; expected ${cols} like row 0`);
        bytes.copyWithin(r * dataBytes, r * this.rowBytes + rowPrefixBytes, (r + 1) * this.rowBytes);
      }
    }
    if (elementType === "float16") {
      if (!(out instanceof Float32Array)) throw new UserError(`${this.path}: float16 values cannot be neighbour ids`);
      widenF16ToF32(bytes, count * cols, out, 0);
    } else {
      copyElements(typedView(elementType, bytes.buffer, 0, count * cols), out, 0);
    }
  }

  /** The returned array is reused by the next call. */
  async readFloat32(first: number, count: number): Promise<Float32Array> {
    if (this.floatBuf.length < count * this.cols) this.floatBuf = new Float32Array(count * this.cols);
    const out = this.floatBuf.subarray(0, count * this.cols);
    this.readBlock(first, count, out);
    return out;
  }

  /** The returned array is reused by the next call. */
  async readIds(first: number, count: number): Promise<Float64Array> {
    if (this.idBuf.length < count * this.cols) this.idBuf = new Float64Array(count * this.cols);
    const out = this.idBuf.subarray(0, count * this.cols);
    this.readBlock(first, count, out);
    return out;
  }

  close(): void {
    closeSync(this.fd);
  }
}

const NPY_DTYPES: Record<string, ElementType> = {
  "<f4": "float32", "<f2": "float16", "<f8": "float64", "|u1": "uint8", "<u1": "uint8", "|i1": "int8", "<i1": "int8",
  "<i4": "int32", "<u4": "uint32", "<i8": "int64", "<u8": "uint64",
};

function npyLayout(path: string, fd: number, size: number): RawLayout {
  const head = new Uint8Array(Math.min(size, 65536 + 12));
  readExact(fd, path, head, 0);
  if (head[0] !== 0x93 || new TextDecoder().decode(head.subarray(1, 6)) !== "NUMPY") {
    throw datasetError(path, "not a .npy file: expected magic \\x93NUMPY");
  }
  const major = head[6];
  const dv = new DataView(head.buffer);
  const lenBytes = major === 1 ? 2 : 4;
  const headerLen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const dataOffset = 8 + lenBytes + headerLen;
  const header = new TextDecoder().decode(head.subarray(8 + lenBytes, dataOffset));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  const elementType = descr ? NPY_DTYPES[descr] : undefined;
  if (!elementType) throw datasetError(path, `npy dtype ${descr} is not supported; expected one of ${Object.keys(NPY_DTYPES).join(", ")} (little-endian)`);
  if (fortran !== "False") throw datasetError(path, "npy fortran_order = True; expected a C-order array (np.ascontiguousarray)");
  const dims = (shape ?? "").split(",").map((s) => s.trim()).filter(Boolean).map(Number);
  if (dims.length !== 2) throw datasetError(path, `npy shape (${shape}) is not 2-D; expected (rows, dim)`);
  return { dataOffset, rowPrefixBytes: 0, rows: dims[0], cols: dims[1], elementType };
}

const BIN_TYPES: Record<string, ElementType> = { ".fbin": "float32", ".ibin": "int32", ".u8bin": "uint8", ".i8bin": "int8" };
const VECS_TYPES: Record<string, ElementType> = { ".fvecs": "float32", ".ivecs": "int32", ".bvecs": "uint8" };

export const RAW_EXTENSIONS = [...Object.keys(VECS_TYPES), ...Object.keys(BIN_TYPES), ".npy"];

/** Opens a raw vector file, choosing the layout from its extension. */
export function openRawSource(path: string): MatrixSource {
  const ext = extname(path).toLowerCase();
  let fd: number;
  requireRegularFile(path);
  try {
    fd = openSync(path, "r");
  } catch (e) {
    throw datasetError(path, `cannot open: ${(e as NodeJS.ErrnoException).code ?? e}; check the path and read permission`);
  }
  try {
    const size = fstatSync(fd).size;
    let layout: RawLayout;
    if (ext in VECS_TYPES) {
      const elementType = VECS_TYPES[ext];
      if (size < 4) throw datasetError(path, `file is truncated: ${size} bytes; expected at least a 4-byte row header`);
      const first = new Uint8Array(4);
      readExact(fd, path, first, 0);
      const cols = new DataView(first.buffer).getInt32(0, true);
      if (cols <= 0) throw datasetError(path, `row 0 declares dimension ${cols}; expected a positive dimension`);
      const rowBytes = 4 + cols * ELEMENT_BYTES[elementType];
      if (size % rowBytes !== 0) throw datasetError(path, `file size ${size} is not a multiple of the row size ${rowBytes} (4 + ${cols} x ${ELEMENT_BYTES[elementType]}); truncated?`);
      layout = { dataOffset: 0, rowPrefixBytes: 4, rows: size / rowBytes, cols, elementType };
    } else if (ext in BIN_TYPES) {
      const elementType = BIN_TYPES[ext];
      if (size < 8) throw datasetError(path, `file is truncated: ${size} bytes; expected the 8-byte header (u32 rows, u32 dim)`);
      const h = new Uint8Array(8);
      readExact(fd, path, h, 0);
      const dv = new DataView(h.buffer);
      const rows = dv.getUint32(0, true);
      const cols = dv.getUint32(4, true);
      if (cols === 0) throw datasetError(path, "header dim = 0; expected a positive dimension");
      const need = 8 + rows * cols * ELEMENT_BYTES[elementType];
      if (size < need) throw datasetError(path, `file is truncated: header declares ${rows} x ${cols} needing ${need} bytes but the file has ${size}`);
      layout = { dataOffset: 8, rowPrefixBytes: 0, rows, cols, elementType };
    } else if (ext === ".npy") {
      layout = npyLayout(path, fd, size);
      const need = layout.dataOffset + layout.rows * layout.cols * ELEMENT_BYTES[layout.elementType];
      if (size < need) throw datasetError(path, `file is truncated: shape (${layout.rows}, ${layout.cols}) needs ${need} bytes but the file has ${size}`);
    } else {
      throw datasetError(path, `unknown extension "${ext}"; expected one of ${RAW_EXTENSIONS.join(", ")}, .hdf5/.h5 or a parquet directory`);
    }
    return new RawMatrixSource(path, layout, fd);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}
