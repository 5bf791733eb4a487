import { expect, test } from "bun:test";
import { keySlot, SLOT_COUNT } from "../../src/cluster/crc16.ts";
import { slotTag, slotTagBytes, slotTagTable, tagsForSlots, TAG_WIDTH, writeSlotTag } from "../../src/cluster/slot-tags.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

test("every slot has a tag, and {tag} hashes to that slot", () => {
  const wrong: number[] = [];
  for (let slot = 0; slot < SLOT_COUNT; slot++) {
    if (keySlot(`{${slotTag(slot)}}`) !== slot) wrong.push(slot);
  }
  expect(wrong).toEqual([]);
});

test("all tags are TAG_WIDTH alphanumeric bytes, so they can be patched into a fixed-width key", () => {
  expect(TAG_WIDTH).toBe(3);
  expect(slotTagTable().length).toBe(SLOT_COUNT * TAG_WIDTH);
  expect(/^[A-Za-z0-9]+$/.test(text(slotTagTable()))).toBe(true);
  expect(slotTagBytes(0).length).toBe(TAG_WIDTH);
  expect(slotTagBytes(SLOT_COUNT - 1).length).toBe(TAG_WIDTH);
});

test("tags are distinct", () => {
  const tags = new Set<string>();
  for (let slot = 0; slot < SLOT_COUNT; slot++) tags.add(slotTag(slot));
  expect(tags.size).toBe(SLOT_COUNT);
});

test("the table is built once and is the same in every run (fixed search order)", () => {
  expect(slotTagTable()).toBe(slotTagTable());
  // Pinned so that changing the search order (which changes every generated key) is deliberate.
  expect([slotTag(0), slotTag(1), slotTag(16383)]).toEqual(["DLH", "Fyk", "BdY"]);
  expect(slotTag(keySlot("{AAA}"))).toBe("AAA");
});

test("tagsForSlots concatenates the tags of the given slots in order", () => {
  const slots = [0, 5460, 5461, 16383, 0];
  const joined = tagsForSlots(slots);
  expect(joined.length).toBe(slots.length * TAG_WIDTH);
  slots.forEach((slot, i) => {
    expect(text(joined.subarray(i * TAG_WIDTH, (i + 1) * TAG_WIDTH))).toBe(slotTag(slot));
  });
  expect(tagsForSlots([]).length).toBe(0);
});

test("writeSlotTag patches a pre-encoded key in place so it hashes to the slot", () => {
  const key = new TextEncoder().encode("key:{XXX}:000000000042");
  for (const slot of [0, 1, 777, 9999, 16383]) {
    writeSlotTag(slot, key, 5);
    expect(keySlot(key)).toBe(slot);
  }
});

test("out-of-range slots are refused with a RangeError naming the slot", () => {
  expect(() => slotTagBytes(16384)).toThrow("slot 16384 is out of range 0..16383");
  expect(() => slotTagBytes(-1)).toThrow(RangeError);
  expect(() => tagsForSlots([1, 2.5])).toThrow("slot 2.5 is out of range");
});
