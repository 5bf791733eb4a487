/**
 * Compiles a command sequence with placeholders into pre-encoded RESP bytes plus the offsets to
 * patch per request. Every placeholder keeps a fixed width (`__rand_int__` becomes 12 digits, as
 * in valkey-benchmark), so a pipeline buffer is built once and patched in place forever after.
 */

import type { CompiledUnit } from "../engine/workload-api.ts";

const encoder = new TextEncoder();
const utf8Bytes = (text: string): Uint8Array => encoder.encode(text);
/** One byte per character (the `-x` value was read as latin1). */
const latin1Bytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, "latin1"));

export type { CompiledUnit };

/** A compiled key-value unit: the engine's CompiledUnit plus where its values lie. */
export interface KvUnit extends CompiledUnit {
  /**
   * Values that are a whole argument (the catalog's payload, `__data__` alone): triples of
   * [offset of the argument's `$len` header, offset of the value, value length]. Value sizes
   * other than -d (src/workload/value-layout.ts) and verification stamps are written there.
   */
  payloads: Int32Array;
}

export const RAND_WIDTH = 12;
const PLACEHOLDER = /(__rand_int__|__rand_(?:1st|2nd|3rd|[4-9]th)__|__data__|\{tag\})/;
const NTH: Record<string, number> = { "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5, "6th": 6, "7th": 7, "8th": 8, "9th": 9 };

export interface TemplateOptions {
  /** Expand `__rand_*__` (valkey-benchmark only does so with -r). */
  expandRandom: boolean;
  /** Payload size for `__data__` and for the catalog's DATA marker. */
  dataSize: number;
  /** The catalog's constant payload marker, replaced by `dataSize` 'x' bytes. */
  constantDataMarker?: string;
  /** Cluster mode: `{tag}` becomes a patchable `{XYZ}` hash tag of this width. */
  clusterTagWidth?: number;
  /** Outside cluster mode: remove `{tag}` (built-in tests) or keep it literally (custom commands). */
  dropTagMarker?: boolean;
  /** An argument equal to this (the `-x` value, one character per byte) is sent byte for byte. */
  binaryArg?: string;
}

/** A unit of one command with no placeholders: `bytes` sent as they are. */
export function fixedUnit(bytes: Uint8Array): KvUnit {
  return {
    bytes,
    replies: 1,
    randOffsets: new Int32Array(0),
    randKinds: new Uint8Array(0),
    dataRegions: new Int32Array(0),
    tagOffsets: new Int32Array(0),
    commandOffsets: new Int32Array([0]),
    payloads: new Int32Array(0),
  };
}

export function compileInline(text: string): KvUnit {
  return fixedUnit(encoder.encode(text));
}

export function compileCommands(commands: readonly (readonly string[])[], opts: TemplateOptions): KvUnit {
  const chunks: Uint8Array[] = [];
  let length = 0;
  const randOffsets: number[] = [];
  const randKinds: number[] = [];
  const dataRegions: number[] = [];
  const tagOffsets: number[] = [];
  const commandOffsets: number[] = [];
  const payloads: number[] = [];
  const push = (b: Uint8Array) => {
    chunks.push(b);
    length += b.length;
  };
  const constantData = encoder.encode("x".repeat(opts.dataSize));
  for (const args of commands) {
    commandOffsets.push(length);
    push(encoder.encode(`*${args.length}\r\n`));
    for (const arg of args) {
      const encode = opts.binaryArg !== undefined && arg === opts.binaryArg ? latin1Bytes : utf8Bytes;
      // Split the argument into literal pieces and placeholders, then lay them out.
      const pieces: { bytes: Uint8Array; rand?: number; data?: boolean; tag?: boolean; payload?: boolean }[] = [];
      for (const part of arg.split(PLACEHOLDER)) {
        if (part === "") continue;
        if (part === "{tag}") {
          if (opts.clusterTagWidth) pieces.push({ bytes: encoder.encode(`{${"A".repeat(opts.clusterTagWidth)}}`), tag: true });
          else if (!opts.dropTagMarker) pieces.push({ bytes: encoder.encode(part) });
        } else if (opts.constantDataMarker !== undefined && part === opts.constantDataMarker) {
          pieces.push({ bytes: constantData, payload: true });
        } else if (part.includes(opts.constantDataMarker ?? "\u0001never\u0001")) {
          pieces.push({ bytes: encoder.encode(part.split(opts.constantDataMarker!).join("x".repeat(opts.dataSize))) });
        } else if (part === "__data__") {
          pieces.push({ bytes: new Uint8Array(opts.dataSize).fill(0x78), data: true, payload: true });
        } else if (opts.expandRandom && part === "__rand_int__") {
          pieces.push({ bytes: encoder.encode("0".repeat(RAND_WIDTH)), rand: 0 });
        } else if (opts.expandRandom && part.startsWith("__rand_") && NTH[part.slice(7, 10)] !== undefined) {
          pieces.push({ bytes: encoder.encode("0".repeat(RAND_WIDTH)), rand: NTH[part.slice(7, 10)] });
        } else {
          pieces.push({ bytes: encode(part) });
        }
      }
      const argLen = pieces.reduce((n, p) => n + p.bytes.length, 0);
      const header = length;
      push(encoder.encode(`$${argLen}\r\n`));
      if (pieces.length === 1 && pieces[0]!.payload) payloads.push(header, length, argLen);
      for (const p of pieces) {
        if (p.rand !== undefined) {
          randOffsets.push(length);
          randKinds.push(p.rand);
        }
        if (p.data) dataRegions.push(length, p.bytes.length);
        if (p.tag) tagOffsets.push(length + 1);
        push(p.bytes);
      }
      push(encoder.encode("\r\n"));
    }
  }
  const bytes = new Uint8Array(length);
  let o = 0;
  for (const c of chunks) {
    bytes.set(c, o);
    o += c.length;
  }
  return {
    bytes,
    replies: commands.length,
    randOffsets: Int32Array.from(randOffsets),
    randKinds: Uint8Array.from(randKinds),
    dataRegions: Int32Array.from(dataRegions),
    tagOffsets: Int32Array.from(tagOffsets),
    commandOffsets: Int32Array.from(commandOffsets),
    payloads: Int32Array.from(payloads),
  };
}
