/**
 * Read-only memory maps of dataset files.
 *
 * Why not `Bun.mmap`: it opens the file read-write (EACCES on read-only datasets, which are common
 * on shared volumes) and maps it shared, so a stray write would change the dataset on disk. We call
 * libc through `bun:ffi` instead: open(O_RDONLY) + mmap(PROT_READ, MAP_SHARED). The kernel then
 * enforces read-only access, and opening costs O(1) memory whatever the file size; pages are read
 * on first touch and can be dropped by the kernel at any time.
 *
 * JavaScriptCore caps one ArrayBuffer at 4 GiB, so one mmap of the whole file is exposed through
 * lazily created, overlapping windows: window k starts at k*WINDOW_BYTES and extends
 * WINDOW_OVERLAP_BYTES further, so any range of up to WINDOW_OVERLAP_BYTES bytes lies entirely in the
 * window of its start offset and can be returned as one subarray without copying.
 */
import { dlopen, FFIType, ptr, toArrayBuffer } from "bun:ffi";
import { closeSync, fstatSync, openSync, readFileSync } from "node:fs";
import { datasetError, requireRegularFile } from "./errors.ts";

const WINDOW_BYTES = 1 << 30; // 1 GiB: page-aligned on every platform
const WINDOW_OVERLAP_BYTES = 64 << 20; // the longest record/row one call may ask for

const PROT_READ = 1;
const MAP_SHARED = 1;
const O_RDONLY = 0;

interface LibC {
  open(path: Uint8Array, flags: number): number;
  close(fd: number): number;
  mmap(length: number, fd: number): number;
  munmap(addr: number, length: number): number;
  toArrayBuffer(addr: number, offset: number, length: number): ArrayBuffer;
}

let libcCache: LibC | null | undefined;

/** Loads libc through bun:ffi once per thread; null when FFI or libc is not available. */
function loadLibC(): LibC | null {
  if (libcCache !== undefined) return libcCache;
  libcCache = null;
  if (process.platform !== "linux" && process.platform !== "darwin") return null;
  try {
    const name = process.platform === "darwin" ? "libc.dylib" : "libc.so.6";
    const lib = dlopen(name, {
      open: { args: [FFIType.ptr, FFIType.i32], returns: FFIType.i32 },
      close: { args: [FFIType.i32], returns: FFIType.i32 },
      mmap: {
        args: [FFIType.ptr, FFIType.u64, FFIType.i32, FFIType.i32, FFIType.i32, FFIType.i64],
        returns: FFIType.ptr,
      },
      munmap: { args: [FFIType.ptr, FFIType.u64], returns: FFIType.i32 },
    });
    const s = lib.symbols;
    libcCache = {
      open: (path, flags) => s.open(ptr(path), flags),
      close: (fd) => s.close(fd),
      // MAP_FAILED is (void*)-1; bun:ffi returns it as a number near 2^64 or as null.
      mmap: (length, fd) => Number(s.mmap(null, length, PROT_READ, MAP_SHARED, fd, 0) ?? 0),
      munmap: (addr, length) => s.munmap(addr as never, length),
      toArrayBuffer: (addr, offset, length) => toArrayBuffer(addr as never, offset, length),
    };
  } catch {
    libcCache = null;
  }
  return libcCache;
}

/** A read-only view of a whole file. Never write into the arrays it returns. */
export interface MappedFile {
  readonly path: string;
  readonly byteLength: number;
  /** True when mapped PROT_READ through libc; false for the Bun.mmap / read fallback. */
  readonly readOnlyMap: boolean;
  /** Bytes [offset, offset+length) as a view into the map (no copy). length <= 64 MiB. */
  bytes(offset: number, length: number): Uint8Array;
  /** Unmaps the file. Views returned earlier must not be used afterwards. */
  close(): void;
}

class FfiMappedFile implements MappedFile {
  readonly readOnlyMap = true;
  private readonly windows: (Uint8Array | undefined)[] = [];
  private closed = false;
  constructor(
    readonly path: string,
    readonly byteLength: number,
    private readonly libc: LibC,
    private readonly addr: number,
  ) {}

  bytes(offset: number, length: number): Uint8Array {
    if (this.closed) throw new Error(`${this.path}: read after close`);
    if (offset < 0 || length < 0 || offset + length > this.byteLength) {
      throw new RangeError(`${this.path}: read [${offset}, ${offset + length}) outside file of ${this.byteLength} bytes`);
    }
    if (length > WINDOW_OVERLAP_BYTES) throw new RangeError(`${this.path}: single read of ${length} bytes exceeds ${WINDOW_OVERLAP_BYTES}`);
    const k = Math.floor(offset / WINDOW_BYTES);
    let w = this.windows[k];
    if (w === undefined) {
      const start = k * WINDOW_BYTES;
      const len = Math.min(this.byteLength - start, WINDOW_BYTES + WINDOW_OVERLAP_BYTES);
      w = new Uint8Array(this.libc.toArrayBuffer(this.addr, start, len));
      this.windows[k] = w;
    }
    const rel = offset - k * WINDOW_BYTES;
    return w.subarray(rel, rel + length);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.windows.length = 0;
    this.libc.munmap(this.addr, this.byteLength);
  }
}

/** Fallback for platforms without bun:ffi: Bun.mmap (read-write!) or, failing that, a full read. */
class BufferMappedFile implements MappedFile {
  readonly readOnlyMap = false;
  constructor(readonly path: string, private readonly buf: Uint8Array) {}
  get byteLength(): number {
    return this.buf.byteLength;
  }
  bytes(offset: number, length: number): Uint8Array {
    if (offset < 0 || length < 0 || offset + length > this.buf.byteLength) {
      throw new RangeError(`${this.path}: read [${offset}, ${offset + length}) outside file of ${this.buf.byteLength} bytes`);
    }
    return this.buf.subarray(offset, offset + length);
  }
  close(): void {}
}

/**
 * Maps `path` read-only. Throws a UserError naming the file when it cannot be opened.
 * Each Worker must call this itself (pass the path, not the arrays).
 */
export function mapFile(path: string): MappedFile {
  let size: number;
  let regular: boolean;
  requireRegularFile(path);
  try {
    const fd = openSync(path, "r");
    try {
      const st = fstatSync(fd);
      size = st.size;
      regular = st.isFile();
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    throw datasetError(path, `cannot open: ${(e as NodeJS.ErrnoException).code ?? String(e)}; check the path and read permission`);
  }
  if (!regular) throw datasetError(path, "is not a regular file; expected a dataset file");
  if (size === 0) return new BufferMappedFile(path, new Uint8Array(0));
  const libc = loadLibC();
  if (libc) {
    const fd = libc.open(Buffer.from(path + "\0"), O_RDONLY);
    if (fd < 0) throw datasetError(path, "cannot open for reading; check the path and read permission");
    const addr = libc.mmap(size, fd);
    libc.close(fd); // the mapping keeps its own reference to the file
    if (addr !== 0 && addr !== -1 && addr < 2 ** 63) return new FfiMappedFile(path, size, libc, addr);
    throw datasetError(path, `mmap of ${size} bytes failed; is the address space limited (ulimit -v)?`);
  }
  try {
    return new BufferMappedFile(path, Bun.mmap(path, { shared: false }));
  } catch {
    return new BufferMappedFile(path, new Uint8Array(readFileSync(path)));
  }
}
