/**
 * One short hash tag per cluster slot, so a key can be steered to any slot by writing
 * "{" + tag + "}" into it.
 *
 * Every tag is exactly TAG_WIDTH bytes from [A-Za-z0-9], so the engine can pre-encode a command
 * with a "{XYZ}" placeholder once and patch the three bytes in place per request (no string
 * building, no re-encoding: measured to matter on the hot path, docs/external-facts.md, Bun notes). Three
 * alphanumeric characters give 62^3 = 238,328 candidates, and scanning them in a fixed order
 * reaches all 16,384 slots after about 62,000 tries (a few milliseconds), so no slot needs a
 * longer or padded tag. The order is fixed, so the tag of a slot is the same in every run.
 */
import { crc16, SLOT_COUNT } from "./crc16.ts";

/** Bytes per tag, braces not included. */
export const TAG_WIDTH = 3;

const ALPHABET = new TextEncoder().encode(
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
);

let table: Uint8Array | undefined;

/** All tags, slot-major: the tag of slot s is `table[s * TAG_WIDTH, (s + 1) * TAG_WIDTH)`. */
export function slotTagTable(): Uint8Array {
  table ??= buildTable();
  return table;
}

function buildTable(): Uint8Array {
  const result = new Uint8Array(SLOT_COUNT * TAG_WIDTH);
  const found = new Uint8Array(SLOT_COUNT);
  const candidate = new Uint8Array(TAG_WIDTH);
  let remaining = SLOT_COUNT;
  const n = ALPHABET.length;
  for (let i = 0; i < n && remaining > 0; i++) {
    for (let j = 0; j < n && remaining > 0; j++) {
      for (let k = 0; k < n && remaining > 0; k++) {
        candidate[0] = ALPHABET[i]!;
        candidate[1] = ALPHABET[j]!;
        candidate[2] = ALPHABET[k]!;
        // The tag is the whole hashed part of "{tag}", so its slot is crc16(tag) mod 16384.
        const slot = crc16(candidate) & (SLOT_COUNT - 1);
        if (found[slot] === 0) {
          found[slot] = 1;
          result.set(candidate, slot * TAG_WIDTH);
          remaining--;
        }
      }
    }
  }
  if (remaining > 0) {
    // Cannot happen with this alphabet and width (checked by the tests); fail loudly if edited.
    throw new Error(`slot tag table is incomplete: ${remaining} slots have no ${TAG_WIDTH}-byte tag`);
  }
  return result;
}

function checkSlot(slot: number): void {
  if (!Number.isInteger(slot) || slot < 0 || slot >= SLOT_COUNT) {
    throw new RangeError(`slot ${slot} is out of range 0..${SLOT_COUNT - 1}`);
  }
}

/** The tag of `slot` as a view into the shared table (do not write into it). */
export function slotTagBytes(slot: number): Uint8Array {
  checkSlot(slot);
  return slotTagTable().subarray(slot * TAG_WIDTH, (slot + 1) * TAG_WIDTH);
}

/** The tag of `slot` as a string, for messages and tests. */
export function slotTag(slot: number): string {
  return String.fromCharCode(...slotTagBytes(slot));
}

/**
 * Writes the tag of `slot` into `target` at `offset` (the byte after "{"). Allocation-free and
 * unchecked (the caller owns a valid slot and buffer): meant for patching a pre-encoded command
 * buffer per request.
 */
export function writeSlotTag(slot: number, target: Uint8Array, offset: number): void {
  const tags = slotTagTable();
  const from = slot * TAG_WIDTH;
  target[offset] = tags[from]!;
  target[offset + 1] = tags[from + 1]!;
  target[offset + 2] = tags[from + 2]!;
}

/** The tags of `slots`, concatenated in order (TAG_WIDTH bytes each). */
export function tagsForSlots(slots: readonly number[]): Uint8Array {
  const out = new Uint8Array(slots.length * TAG_WIDTH);
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i]!;
    checkSlot(slot);
    writeSlotTag(slot, out, i * TAG_WIDTH);
  }
  return out;
}
