/**
 * Test-only RESP3 encoder for RespValue trees, and the structural equality used to compare
 * decoded values with the originals. It picks among the equivalent wire forms at random (simple
 * vs bulk vs verbatim string, `_` vs `$-1` vs `*-1`, array vs set, optional attributes) so a
 * seeded run covers every type byte the decoder and the scanner must handle.
 */
import { RespError, RespMap, RespPush, type RespValue } from "../../src/resp/types.ts";
import type { Rng } from "./random-resp.ts";

const utf8 = new TextEncoder();

export interface EncodeChoices {
  rng: Rng;
  /** Probability of prefixing a value with a random attribute (dropped by decoders). */
  attributeChance: number;
  /** The decoder under test runs in binary mode: `$` is reserved for Uint8Array. */
  binary: boolean;
}

function bulk(type: string, bytes: Uint8Array): Uint8Array[] {
  return [utf8.encode(`${type}${bytes.byteLength}\r\n`), bytes, utf8.encode("\r\n")];
}

function line(type: string, text: string): Uint8Array[] {
  return [utf8.encode(`${type}${text}\r\n`)];
}

function hasCrLf(text: string): boolean {
  return text.includes("\r") || text.includes("\n");
}

function doubleText(n: number): string {
  if (Number.isNaN(n)) return "nan";
  if (n === Number.POSITIVE_INFINITY) return "inf";
  if (n === Number.NEGATIVE_INFINITY) return "-inf";
  return String(n);
}

function encodeParts(value: RespValue, c: EncodeChoices, out: Uint8Array[]): void {
  if (c.rng.next() < c.attributeChance) {
    out.push(utf8.encode("|1\r\n"));
    encodeParts("ttl", { ...c, attributeChance: 0 }, out);
    encodeParts(c.rng.int(0, 1000), { ...c, attributeChance: c.attributeChance / 2 }, out);
  }
  if (value === null) {
    const form = c.rng.int(0, 2);
    out.push(utf8.encode(form === 0 ? "_\r\n" : form === 1 ? "$-1\r\n" : "*-1\r\n"));
  } else if (typeof value === "string") {
    const form = c.rng.int(0, 2);
    if (form === 0 && !hasCrLf(value)) out.push(...line("+", value));
    else if (form === 1 || c.binary) out.push(...bulk("=", utf8.encode(`txt:${value}`)));
    else out.push(...bulk("$", utf8.encode(value)));
  } else if (value instanceof Uint8Array) {
    out.push(...bulk("$", value));
  } else if (typeof value === "number") {
    if (Number.isSafeInteger(value) && c.rng.next() < 0.7) out.push(...line(":", String(value)));
    else out.push(...line(",", doubleText(value)));
  } else if (typeof value === "bigint") {
    const fitsInt64 = value >= -(2n ** 63n) && value < 2n ** 63n;
    out.push(...line(fitsInt64 && c.rng.next() < 0.5 ? ":" : "(", value.toString()));
  } else if (typeof value === "boolean") {
    out.push(...line("#", value ? "t" : "f"));
  } else if (value instanceof RespError) {
    if (!hasCrLf(value.message) && c.rng.next() < 0.5) out.push(...line("-", value.message));
    else out.push(...bulk("!", utf8.encode(value.message)));
  } else if (value instanceof RespPush) {
    out.push(utf8.encode(`>${value.items.length}\r\n`));
    for (const item of value.items) encodeParts(item, c, out);
  } else if (value instanceof RespMap) {
    out.push(utf8.encode(`%${value.size}\r\n`));
    for (const [k, v] of value) {
      encodeParts(k, c, out);
      encodeParts(v, c, out);
    }
  } else {
    out.push(utf8.encode(`${c.rng.next() < 0.5 ? "*" : "~"}${value.length}\r\n`));
    for (const item of value) encodeParts(item, c, out);
  }
}

/** Encodes the values back to back as one RESP3 byte stream. */
export function encodeValues(values: readonly RespValue[], choices: EncodeChoices): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const value of values) encodeParts(value, choices, parts);
  const total = parts.reduce((sum, p) => sum + p.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}

/** Structural equality of decoded values (maps compared entry by entry, in order). */
export function sameValue(a: RespValue, b: RespValue): boolean {
  if (typeof a === "number" && typeof b === "number") return a === b || (Number.isNaN(a) && Number.isNaN(b));
  if (a === null || typeof a !== "object" || b === null || typeof b !== "object") return a === b;
  if (a instanceof Uint8Array) return b instanceof Uint8Array && Buffer.compare(a, b) === 0;
  if (a instanceof RespError) return b instanceof RespError && a.message === b.message && a.code === b.code;
  if (a instanceof RespPush) return b instanceof RespPush && sameList(a.items, b.items);
  if (a instanceof RespMap) {
    if (!(b instanceof RespMap) || a.size !== b.size) return false;
    const entriesB = [...b];
    let i = 0;
    for (const [k, v] of a) {
      const [kb, vb] = entriesB[i++];
      if (!sameValue(k, kb) || !sameValue(v, vb)) return false;
    }
    return true;
  }
  return Array.isArray(b) && Array.isArray(a) && sameList(a, b);
}

function sameList(a: readonly RespValue[], b: readonly RespValue[]): boolean {
  return a.length === b.length && a.every((item, i) => sameValue(item, b[i]));
}
