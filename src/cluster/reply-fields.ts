/**
 * Small readers shared by the topology parsers: they accept what the RESP decoder produces in
 * both protocol versions (RESP2 flat key/value arrays or RESP3 maps; strings or raw bytes) and
 * turn anything unexpected into a TopologyError naming the command and the server.
 */
import { RespError, RespMap, RespPush, type RespValue } from "../resp/types.ts";
import { SLOT_COUNT } from "./crc16.ts";
import { TopologyError } from "./topology.ts";

const utf8 = new TextDecoder();

/** Builds "CLUSTER SHARDS reply from 10.0.0.1:6379 is malformed: <detail>". */
export class ReplyContext {
  constructor(
    readonly command: string,
    readonly source: string,
  ) {}

  malformed(detail: string): TopologyError {
    return new TopologyError(`${this.command} reply from ${this.source} is malformed: ${detail}`);
  }

  /** The server answered with an error instead (cluster support disabled, unknown command...). */
  failed(error: RespError): TopologyError {
    return new TopologyError(`${this.command} failed on ${this.source}: ${error.message}`);
  }
}

export function isText(value: RespValue): value is string | Uint8Array {
  return typeof value === "string" || value instanceof Uint8Array;
}

export function text(value: RespValue, what: string, ctx: ReplyContext): string {
  if (typeof value === "string") return value;
  if (value instanceof Uint8Array) return utf8.decode(value);
  throw ctx.malformed(`${what} should be a string, got ${describe(value)}`);
}

export function integer(value: RespValue, what: string, ctx: ReplyContext): number {
  let n: number;
  if (typeof value === "number") n = value;
  else if (typeof value === "bigint") n = Number(value);
  else if (isText(value)) {
    const digits = text(value, what, ctx).trim();
    n = digits === "" ? Number.NaN : Number(digits);
  }
  else throw ctx.malformed(`${what} should be an integer, got ${describe(value)}`);
  if (!Number.isInteger(n)) throw ctx.malformed(`${what} should be an integer, got ${describe(value)}`);
  return n;
}

export function port(value: RespValue, what: string, ctx: ReplyContext): number {
  const n = integer(value, what, ctx);
  if (n < 0 || n > 65535) throw ctx.malformed(`${what} is ${n}, not a TCP port`);
  return n;
}

export function slot(value: RespValue, what: string, ctx: ReplyContext): number {
  const n = integer(value, what, ctx);
  if (n < 0 || n >= SLOT_COUNT) throw ctx.malformed(`${what} is ${n}, outside 0..${SLOT_COUNT - 1}`);
  return n;
}

export function array(value: RespValue, what: string, ctx: ReplyContext): RespValue[] {
  if (Array.isArray(value)) return value;
  throw ctx.malformed(`${what} should be an array, got ${describe(value)}`);
}

/** A RESP3 map or a RESP2 flat [key, value, key, value...] array as a Map with string keys. */
export function fields(value: RespValue, what: string, ctx: ReplyContext): Map<string, RespValue> {
  const result = new Map<string, RespValue>();
  if (value instanceof RespMap) {
    for (const [key, item] of value) result.set(text(key, `a key of ${what}`, ctx), item);
    return result;
  }
  if (Array.isArray(value)) {
    if (value.length % 2 !== 0) throw ctx.malformed(`${what} has an odd number of key/value items`);
    for (let i = 0; i < value.length; i += 2) result.set(text(value[i]!, `a key of ${what}`, ctx), value[i + 1]!);
    return result;
  }
  throw ctx.malformed(`${what} should be a map, got ${describe(value)}`);
}

export function describe(value: RespValue): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value instanceof RespMap) return "a map";
  if (value instanceof Uint8Array) return "bytes";
  if (value instanceof RespError) return `error "${value.message}"`;
  if (value instanceof RespPush) return "a push message";
  return `${typeof value} ${JSON.stringify(typeof value === "bigint" ? value.toString() : value)}`;
}
