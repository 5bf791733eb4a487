/**
 * A row-major matrix in some input file (vectors or neighbour ids), read in row blocks so that
 * conversion memory stays bounded whatever the input size.
 */
export type ElementType = "float32" | "float16" | "float64" | "uint8" | "int8" | "int32" | "uint32" | "int64" | "uint64";

export interface MatrixSource {
  readonly path: string;
  readonly rows: number;
  readonly cols: number;
  readonly elementType: ElementType;
  /** Bytes one row occupies in the input (for progress). */
  readonly rowBytes: number;
  /** Rows [first, first + count) as floats, row-major. May be reused by the next call: copy to keep. */
  readFloat32(first: number, count: number): Promise<Float32Array>;
  /** Rows [first, first + count) as integers (neighbour ids), row-major. May be reused by the next call. */
  readIds(first: number, count: number): Promise<Float64Array>;
  /** Preferred block size in rows (e.g. a parquet row group); 0 = any. */
  readonly blockRows: number;
  /**
   * Rows are stored in an order of their own and carry ids (VectorDBBench's shuffle_train files):
   * row i of the file belongs at position ids[i]. Such sources implement readFloat32WithIds.
   */
  readonly shuffled?: boolean;
  /** Rows [first, first + count) in file order, with the position each belongs at. */
  readFloat32WithIds?(first: number, count: number): Promise<{ rows: Float32Array; ids: Float64Array }>;
  close(): void;
}

/** Converts any typed array of elements into the target numeric array. */
export function copyElements(src: ArrayLike<number | bigint>, out: Float32Array | Float64Array, offset: number): void {
  if (src instanceof BigInt64Array || src instanceof BigUint64Array) {
    for (let i = 0; i < src.length; i++) out[offset + i] = Number(src[i]);
  } else {
    out.set(src as ArrayLike<number>, offset);
  }
}
