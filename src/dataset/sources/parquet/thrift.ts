/**
 * Thrift compact protocol, read side, just enough for parquet page headers: structs come back
 * as maps from field id to value so callers pick the fields they know and unknown fields are
 * skipped for free. Varints decode to plain numbers (exact up to 2^53), which covers every size
 * and count a page header carries.
 */

/** The input ended inside a struct: the caller may retry with a longer window. */
export class ThriftEndOfInput extends Error {}

/** Bytes that cannot be a compact-protocol struct. */
export class ThriftFormatError extends Error {}

export type ThriftValue = number | boolean | Uint8Array | ThriftValue[] | ThriftStruct;
export type ThriftStruct = Map<number, ThriftValue>;

const STOP = 0, BOOL_TRUE = 1, BOOL_FALSE = 2, BYTE = 3, I16 = 4, I32 = 5, I64 = 6, DOUBLE = 7, BINARY = 8, LIST = 9, SET = 10, MAP = 11, STRUCT = 12;
/** Garbage can look like deeply nested structs; real page headers nest three levels. */
const MAX_DEPTH = 64;

export class CompactReader {
  offset = 0;

  constructor(private readonly bytes: Uint8Array) {}

  private byte(): number {
    if (this.offset >= this.bytes.length) throw new ThriftEndOfInput("thrift input ended early");
    return this.bytes[this.offset++];
  }

  private varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 128;
    }
    throw new ThriftFormatError("thrift varint longer than 10 bytes");
  }

  private zigzag(): number {
    const n = this.varint();
    return n % 2 === 1 ? -(n + 1) / 2 : n / 2;
  }

  private value(type: number, depth: number): ThriftValue {
    switch (type) {
      case BOOL_TRUE: return true;
      case BOOL_FALSE: return false;
      case BYTE: {
        const b = this.byte();
        return b > 127 ? b - 256 : b;
      }
      case I16: case I32: case I64: return this.zigzag();
      case DOUBLE: {
        if (this.offset + 8 > this.bytes.length) throw new ThriftEndOfInput("thrift input ended early");
        const v = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.offset, 8).getFloat64(0, true);
        this.offset += 8;
        return v;
      }
      case BINARY: {
        const length = this.varint();
        if (this.offset + length > this.bytes.length) throw new ThriftEndOfInput("thrift input ended early");
        const v = this.bytes.subarray(this.offset, this.offset + length);
        this.offset += length;
        return v;
      }
      case LIST: case SET: return this.list(depth);
      case MAP: return this.map(depth);
      case STRUCT: return this.struct(depth + 1);
      default: throw new ThriftFormatError(`thrift field type ${type} is not a compact-protocol type`);
    }
  }

  private list(depth: number): ThriftValue[] {
    const head = this.byte();
    const size = (head >> 4) === 15 ? this.varint() : head >> 4;
    const type = head & 15;
    // Every element consumes at least one byte, so a garbage size runs out of input, not memory.
    const out: ThriftValue[] = [];
    for (let i = 0; i < size; i++) {
      // Booleans inside lists are one byte each, not folded into a type nibble.
      out.push(type === BOOL_TRUE || type === BOOL_FALSE ? this.byte() === BOOL_TRUE : this.value(type, depth));
    }
    return out;
  }

  private map(depth: number): ThriftValue[] {
    const size = this.varint();
    if (size === 0) return [];
    const types = this.byte();
    const out: ThriftValue[] = [];
    for (let i = 0; i < size; i++) {
      out.push(this.value(types >> 4, depth), this.value(types & 15, depth));
    }
    return out;
  }

  /** One struct from the current offset, through its STOP byte. */
  struct(depth = 0): ThriftStruct {
    if (depth > MAX_DEPTH) throw new ThriftFormatError("thrift structs nested too deeply");
    const fields: ThriftStruct = new Map();
    let id = 0;
    for (;;) {
      const head = this.byte();
      const type = head & 15;
      if (type === STOP) return fields;
      const delta = head >> 4;
      id = delta === 0 ? this.zigzag() : id + delta;
      fields.set(id, this.value(type, depth));
    }
  }
}

/** Field accessors that reject a field of the wrong type as malformed. */
export function intField(s: ThriftStruct, id: number, name: string): number | undefined {
  const v = s.get(id);
  if (v === undefined) return undefined;
  if (typeof v !== "number") throw new ThriftFormatError(`page header field ${name} is not an integer`);
  return v;
}

export function requiredInt(s: ThriftStruct, id: number, name: string): number {
  const v = intField(s, id, name);
  if (v === undefined) throw new ThriftFormatError(`page header has no ${name}`);
  return v;
}

export function structField(s: ThriftStruct, id: number, name: string): ThriftStruct | undefined {
  const v = s.get(id);
  if (v === undefined) return undefined;
  if (!(v instanceof Map)) throw new ThriftFormatError(`page header field ${name} is not a struct`);
  return v;
}

export function boolField(s: ThriftStruct, id: number, name: string): boolean | undefined {
  const v = s.get(id);
  if (v === undefined) return undefined;
  if (typeof v !== "boolean") throw new ThriftFormatError(`page header field ${name} is not a boolean`);
  return v;
}
