/**
 * Inputs that size memory are bounded before any connection is made, so a typo cannot take the
 * machine down (`100000000 SET a b` reached 9.4 GB, `-P 1000000000` ran out of memory, `-x` with
 * /dev/zero grew without end). Every connection owns a send buffer of `-P` copies of the
 * pre-encoded request (plus an 8-byte timestamp per slot), so the check is
 * clients x pipeline x request bytes against SEND_BUFFER_BUDGET_BYTES.
 */
import { UserError } from "../errors.ts";
import type { CommandSequence } from "./types.ts";

/** Send buffers of all connections together. */
export const SEND_BUFFER_BUDGET_BYTES = 2 * 1024 ** 3;
/** Commands one custom sequence may expand to (repeat counts summed); each is sent as one unit. */
export const MAX_SEQUENCE_COMMANDS = 100_000;

/** Bytes in a human unit, for messages. */
export function formatBytes(n: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return i === 0 ? `${n} bytes` : `${n.toFixed(1)} ${units[i]}`;
}

const digits = (n: number) => String(n).length;

/** RESP bytes of one command once placeholders are filled (`__data__` = `dataSize` bytes). */
export function encodedCommandBytes(args: readonly string[], dataSize: number): number {
  let bytes = 1 + digits(args.length) + 2;
  for (const arg of args) {
    let len = Buffer.byteLength(arg);
    let at = arg.indexOf("__data__");
    while (at >= 0) {
      len += dataSize - 8;
      at = arg.indexOf("__data__", at + 8);
    }
    bytes += 1 + digits(len) + 2 + len + 2;
  }
  return bytes;
}

/** Refuses a sequence whose repeat counts add up to more than MAX_SEQUENCE_COMMANDS. */
export function checkSequenceSize(sequence: CommandSequence): void {
  let total = 0;
  for (const step of sequence) total += step.repeat;
  if (total > MAX_SEQUENCE_COMMANDS) {
    const big = sequence.reduce((a, b) => (b.repeat > a.repeat ? b : a));
    throw new UserError(
      `the custom command expands to ${total} commands (repeat count ${big.repeat} before ${big.args[0]}), more than the ${MAX_SEQUENCE_COMMANDS} one sequence may hold: every connection keeps -P copies of the whole sequence; lower the repeat count and raise -n instead`,
    );
  }
}

/** Bytes of one unit (the whole sequence for a custom command, one request otherwise). */
export function sequenceBytes(sequence: CommandSequence, dataSize: number): number {
  let bytes = 0;
  for (const step of sequence) bytes += step.repeat * encodedCommandBytes(step.args, dataSize);
  return bytes;
}

export interface BufferShape {
  clients: number;
  pipeline: number;
  /** Bytes of one unit (request or whole sequence). */
  unitBytes: number;
  /** How the user spelled -c, -P and the flag that sized the request (-d, -x, the command). */
  spellings: { clients: string; pipeline: string; size: string };
}

/** Refuses a run whose send buffers would exceed SEND_BUFFER_BUDGET_BYTES. */
export function checkSendBuffers(shape: BufferShape): void {
  const perSlot = shape.unitBytes + 8;
  const total = shape.clients * shape.pipeline * perSlot;
  if (total > SEND_BUFFER_BUDGET_BYTES) {
    const s = shape.spellings;
    throw new UserError(
      `${s.clients} ${shape.clients} x ${s.pipeline} ${shape.pipeline} x ${formatBytes(perSlot)} per request needs ${formatBytes(total)} of send buffers, more than the ${formatBytes(SEND_BUFFER_BUDGET_BYTES)} budget: lower ${s.clients}, ${s.pipeline} or ${s.size}`,
    );
  }
}

/** The most bytes a `-x` value may have so that every connection's buffer fits the budget. */
export function maxStdinBytes(clients: number, pipeline: number, otherBytes: number, hardLimit: number): number {
  const perSlot = Math.floor(SEND_BUFFER_BUDGET_BYTES / (clients * pipeline)) - otherBytes - 32;
  return Math.max(0, Math.min(hardLimit, perSlot));
}
