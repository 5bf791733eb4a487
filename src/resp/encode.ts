/**
 * Command encoding: a command is a RESP array of bulk strings ("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n").
 *
 * The engine pre-encodes pipelines once and patches them in place, so besides the allocating
 * `encodeCommand` there is `encodeCommandInto` (write into a caller-owned buffer) and
 * `encodedLength` (size that buffer exactly). Bulk lengths are UTF-8 byte lengths, never
 * JavaScript string lengths.
 */

export type CommandArg = string | Uint8Array;

const CR = 13;
const LF = 10;
const STAR = 42; // '*'
const DOLLAR = 36; // '$'

const utf8 = new TextEncoder();

/** UTF-8 byte length of a string, computed without encoding it (same result as TextEncoder). */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3; // lone high surrogate: TextEncoder writes U+FFFD (3 bytes)
    } else bytes += 3; // BMP char, or a lone surrogate replaced by U+FFFD
  }
  return bytes;
}

function argByteLength(arg: CommandArg): number {
  return typeof arg === "string" ? utf8ByteLength(arg) : arg.byteLength;
}

function decimalDigits(n: number): number {
  let digits = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    digits++;
  }
  return digits;
}

/** Exact number of bytes `encodeCommand(args)` produces. */
export function encodedLength(args: readonly CommandArg[]): number {
  let total = 1 + decimalDigits(args.length) + 2;
  for (const arg of args) {
    const len = argByteLength(arg);
    total += 1 + decimalDigits(len) + 2 + len + 2;
  }
  return total;
}

/** Writes the decimal digits of a non-negative integer at `offset`; returns the new offset. */
function writeDecimal(target: Uint8Array, offset: number, n: number): number {
  const digits = decimalDigits(n);
  let pos = offset + digits;
  for (let i = 1; i <= digits; i++) {
    target[pos - i] = 48 + (n % 10);
    n = Math.floor(n / 10);
  }
  return pos;
}

/**
 * Encodes `args` into `target` starting at `offset` and returns the number of bytes written.
 * Throws RangeError when `target` is too small (size it with `encodedLength`).
 */
export function encodeCommandInto(target: Uint8Array, offset: number, args: readonly CommandArg[]): number {
  const needed = encodedLength(args);
  if (offset < 0 || offset + needed > target.byteLength) {
    throw new RangeError(
      `encodeCommandInto: ${needed} bytes needed at offset ${offset}, buffer holds ${target.byteLength}`,
    );
  }
  let pos = offset;
  target[pos++] = STAR;
  pos = writeDecimal(target, pos, args.length);
  target[pos++] = CR;
  target[pos++] = LF;
  for (const arg of args) {
    target[pos++] = DOLLAR;
    if (typeof arg === "string") {
      const len = utf8ByteLength(arg);
      pos = writeDecimal(target, pos, len);
      target[pos++] = CR;
      target[pos++] = LF;
      // encodeInto writes exactly `len` bytes: the room was checked above.
      pos += utf8.encodeInto(arg, target.subarray(pos, pos + len)).written;
    } else {
      pos = writeDecimal(target, pos, arg.byteLength);
      target[pos++] = CR;
      target[pos++] = LF;
      target.set(arg, pos);
      pos += arg.byteLength;
    }
    target[pos++] = CR;
    target[pos++] = LF;
  }
  return pos - offset;
}

/** Encodes one command as a RESP array of bulk strings. */
export function encodeCommand(args: readonly CommandArg[]): Uint8Array {
  const out = new Uint8Array(encodedLength(args));
  encodeCommandInto(out, 0, args);
  return out;
}

/**
 * Encodes an inline command ("PING" -> "PING\r\n"), as valkey-benchmark sends for `-t ping_inline`.
 * Throws RangeError if the text contains CR or LF: that would be more than one command.
 */
export function encodeInline(text: string): Uint8Array {
  if (text.includes("\r") || text.includes("\n")) {
    throw new RangeError("an inline command cannot contain CR or LF; send it as separate commands");
  }
  return utf8.encode(`${text}\r\n`);
}
