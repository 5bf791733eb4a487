/** Fixture helpers for dataset tests: temp dirs and small files written byte by byte. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LegacyDatasetWriter, type LegacyWriterOptions, type TagData } from "../../src/dataset/formats/legacy-writer.ts";

export function tempDir(): { dir: string; file(name: string): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "vsb-dataset-"));
  return { dir, file: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Deterministic pseudo-random floats in [-1, 1) (mulberry32), independent of src/. */
export function randomFloats(count: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

export interface SmallLegacy {
  vectors: Float32Array;
  queries: Float32Array;
  gt: number[];
}

/** Writes a small legacy file with vectors/queries from randomFloats and gt[q*k+j] = (q*7+j) % n. */
export function writeSmallLegacy(path: string, o: Partial<LegacyWriterOptions> = {}, tags?: TagData): SmallLegacy {
  const opts: LegacyWriterOptions = { path, name: "small", dim: 8, numVectors: 50, numQueries: 5, neighborsPerQuery: 4, metric: "IP", ...o };
  const vectors = randomFloats(opts.numVectors * opts.dim, 1);
  const queries = randomFloats(opts.numQueries * opts.dim, 2);
  const gt = Array.from({ length: opts.numQueries * opts.neighborsPerQuery }, (_, i) => (Math.floor(i / opts.neighborsPerQuery) * 7 + (i % opts.neighborsPerQuery)) % opts.numVectors);
  const w = new LegacyDatasetWriter(opts);
  w.writeVectors(0, vectors);
  w.writeQueries(0, queries);
  if (opts.neighborsPerQuery > 0) w.writeGroundTruth(0, gt);
  w.finish(tags);
  return { vectors, queries, gt };
}

/** Writes raw little-endian values of mixed types back to back. */
export class ByteBuilder {
  private parts: Uint8Array[] = [];
  f32(...v: number[]): this {
    this.parts.push(new Uint8Array(new Float32Array(v).buffer));
    return this;
  }
  f64(...v: number[]): this {
    this.parts.push(new Uint8Array(new Float64Array(v).buffer));
    return this;
  }
  u32(...v: number[]): this {
    this.parts.push(new Uint8Array(new Uint32Array(v).buffer));
    return this;
  }
  u64(...v: number[]): this {
    this.parts.push(new Uint8Array(BigUint64Array.from(v.map(BigInt)).buffer));
    return this;
  }
  u8(...v: number[]): this {
    this.parts.push(Uint8Array.from(v));
    return this;
  }
  /** Fixed-width NUL-padded string. */
  str(s: string, width: number): this {
    const b = new Uint8Array(width);
    b.set(new TextEncoder().encode(s).subarray(0, width));
    this.parts.push(b);
    return this;
  }
  build(): Uint8Array {
    return Buffer.concat(this.parts);
  }
  writeTo(path: string): void {
    writeFileSync(path, this.build());
  }
}

/** A seeded shuffle of 0..n-1 (Fisher-Yates over a 31-bit LCG): shuffled VectorDBBench rows. */
export function permutation(n: number, seed: number): number[] {
  const out = Array.from({ length: n }, (_, i) => i);
  let x = seed;
  for (let i = n - 1; i > 0; i--) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** VectorDBBench's parquet schema: `id` INT64 and a list column of FLOAT, DOUBLE or INT64 (for hyparquet-writer). */
export function vdbbListSchema(column: string, element: "FLOAT" | "DOUBLE" | "INT64") {
  return [
    { name: "root", num_children: 2 },
    { name: "id", type: "INT64" as const, repetition_type: "REQUIRED" as const },
    { name: column, repetition_type: "OPTIONAL" as const, num_children: 1, converted_type: "LIST" as const },
    { name: "list", repetition_type: "REPEATED" as const, num_children: 1 },
    { name: "element", type: element, repetition_type: "REQUIRED" as const },
  ];
}
