import { afterAll, describe, expect, test } from "bun:test";
import { keySlot } from "../../src/cluster/crc16.ts";
import type { ConnectionWorkload, WorkerWorkload } from "../../src/engine/workload-api.ts";
import { formatNumericValue } from "../../src/dataset/numeric-value.ts";
import { createVecLoadWorkload, loadSlotOfId, openWorkerDataset, vectorKeyBytes, VectorHsetWriter, type VectorWriteExtra } from "../../src/search/vec-load-workload.ts";
import { createVecUpdateWorkload, updateSource } from "../../src/search/vec-update-workload.ts";
import type { VecLoadParams, VecUpdateParams } from "../../src/search/workload-params.ts";
import {
  DIM,
  NUM_VECTORS,
  clusterNode,
  context,
  decodeCommands,
  floatBytes,
  numericOf,
  standaloneNode,
  tagsOf,
  text,
  vectorOf,
  writeFixture,
} from "./workload-fixtures.ts";

const plain = writeFixture();
const tagged = writeFixture({ tags: true });
const half = writeFixture({ float16: true });
const numeric = writeFixture({ numeric: true });
afterAll(() => {
  numeric.dispose();
  plain.dispose();
  tagged.dispose();
  half.dispose();
});

function loadParams(path: string, extra: Partial<VecLoadParams> = {}): VecLoadParams {
  return {
    prefix: "vec:",
    clusterTags: false,
    vectorField: "v",
    dim: DIM,
    dataset: { path, vectorOffset: 0, numVectors: 0 },
    ...extra,
  };
}

/** Patches `units` requests from `first` into the connection's own buffer and decodes them. */
function sendBatch(conn: ConnectionWorkload, buffer: Uint8Array, units: number, first: number): Uint8Array[][] {
  const bytes = conn.patch(buffer, units, first);
  return decodeCommands(buffer.subarray(0, bytes));
}

function open(w: WorkerWorkload, node = standaloneNode(), pipeline = 16): { conn: ConnectionWorkload; buffer: Uint8Array } {
  const conn = w.forConnection(0, node);
  return { conn, buffer: conn.allocate!(pipeline) };
}

describe("vec-load", () => {
  test("request r writes HSET of slice vector r under its 12-digit key, the blob copied from the dataset", () => {
    const w = createVecLoadWorkload(loadParams(plain.path), context()) as WorkerWorkload;
    const { conn, buffer } = open(w);
    const cmds = sendBatch(conn, buffer, 16, 0);
    expect(cmds.length).toBe(16);
    cmds.forEach((c, r) => {
      expect(c.length).toBe(4);
      expect(text(c[0]!)).toBe("HSET");
      expect(text(c[1]!)).toBe(`vec:${String(r).padStart(12, "0")}`);
      expect(text(c[2]!)).toBe("v");
      expect(c[3]).toEqual(floatBytes(vectorOf(r)));
    });
    // The next batch in the same buffer continues where the first stopped.
    const next = sendBatch(conn, buffer, 16, 16);
    expect(text(next[0]![1]!)).toBe("vec:000000000016");
    expect(next[15]![3]).toEqual(floatBytes(vectorOf(31)));
    const [start, end] = conn.commandRange!(5);
    expect(text(decodeCommands(buffer.slice(start, end))[0]![1]!)).toBe("vec:000000000021");
    w.close?.();
  });

  test("commandRange returns exactly the bytes of one command, for resending after a redirect", () => {
    const w = createVecLoadWorkload(loadParams(tagged.path, { tagField: "tags" }), context()) as WorkerWorkload;
    const { conn, buffer } = open(w);
    conn.patch(buffer, 10, 20);
    for (let i = 0; i < 10; i++) {
      const [start, end] = conn.commandRange!(i);
      const one = decodeCommands(buffer.slice(start, end));
      expect(one.length).toBe(1);
      expect(text(one[0]![1]!)).toBe(`vec:${String(20 + i).padStart(12, "0")}`);
    }
    w.close?.();
  });

  test("tags are written comma-joined, and vectors without tags carry no tag field", () => {
    const w = createVecLoadWorkload(loadParams(tagged.path, { tagField: "tags", numericFields: ["n"] }), context()) as WorkerWorkload;
    const { conn, buffer } = open(w);
    const cmds = sendBatch(conn, buffer, 16, 0);
    cmds.forEach((c, r) => {
      const args = c.map(text);
      const tags = tagsOf(r);
      const tagAt = args.indexOf("tags", 4);
      if (tags.length === 0) expect(tagAt).toBe(-1);
      else expect(args[tagAt + 1]).toBe(tags.join(","));
      // The numeric attribute is the dataset id, exact (no padding).
      expect(args[args.indexOf("n", 4) + 1]).toBe(String(r));
    });
    w.close?.();
  });

  test("every numeric field is written: dataset attributes as their exact text, a field the dataset lacks as the id", () => {
    const p = loadParams(numeric.path, { numericFields: ["price", "year", "n"] });
    const w = createVecLoadWorkload(p, context()) as WorkerWorkload;
    const { conn, buffer } = open(w);
    const cmds = sendBatch(conn, buffer, 16, 0);
    cmds.forEach((c, r) => {
      const args = c.slice(4).map(text);
      const price = numericOf(r, "price");
      // Vector 7 has no price: that field is left out, the others are still written.
      const expected = [...(price === undefined ? [] : ["price", formatNumericValue(price)]), "year", String(1990 + r), "n", String(r)];
      expect(args).toEqual(expected);
      expect(c[3]).toEqual(floatBytes(vectorOf(r)));
    });
    expect(text(cmds[3]![5]!)).toBe("0.3");
    // The size bound holds for every command, whatever fields it carries.
    const data = openWorkerDataset(p.dataset);
    try {
      const bound = new VectorHsetWriter(data.ds, data.offset, p, DIM).maxCommandBytes;
      for (let i = 0; i < 16; i++) {
        const [start, end] = conn.commandRange!(i);
        expect(end - start).toBeLessThanOrEqual(bound);
      }
    } finally {
      data.close();
    }
    w.close?.();
  });

  test("HSET with many numeric fields counts its arguments past 9", () => {
    const p = loadParams(numeric.path, { numericFields: ["price", "year", "a", "b", "c"] });
    const w = createVecLoadWorkload(p, context()) as WorkerWorkload;
    const { conn, buffer } = open(w);
    const [c] = sendBatch(conn, buffer, 1, 0);
    expect(c!.length).toBe(14);
    expect(c!.slice(4).map(text)).toEqual(["price", "0", "year", "1990", "a", "0", "b", "0", "c", "0"]);
    w.close?.();
  });

  test("a slice keys vectors by dataset id: --vector-offset 10 writes vec:…10 with vector 10 first", () => {
    const p = loadParams(plain.path);
    p.dataset = { path: plain.path, vectorOffset: 10, numVectors: 20 };
    const w = createVecLoadWorkload(p, context()) as WorkerWorkload;
    const { conn, buffer } = open(w);
    const cmds = sendBatch(conn, buffer, 3, 0);
    expect(text(cmds[0]![1]!)).toBe("vec:000000000010");
    expect(cmds[2]![3]).toEqual(floatBytes(vectorOf(12)));
    w.close?.();
  });

  test("float16 datasets are widened to float32 blobs", () => {
    const w = createVecLoadWorkload(loadParams(half.path), context()) as WorkerWorkload;
    const { conn, buffer } = open(w);
    const cmds = sendBatch(conn, buffer, 4, 0);
    expect(cmds[3]![3]).toEqual(floatBytes(vectorOf(3)));
    w.close?.();
  });

  test("cluster mode: every key's slot belongs to the connection's node and is reproducible from the id", () => {
    const node = clusterNode(5461, 10922);
    const w = createVecLoadWorkload(loadParams(plain.path, { clusterTags: true }), context()) as WorkerWorkload;
    const { conn, buffer } = open(w, node, 40);
    const cmds = sendBatch(conn, buffer, 40, 0);
    cmds.forEach((c, id) => {
      const slot = keySlot(c[1]!);
      expect(slot).toBeGreaterThanOrEqual(5461);
      expect(slot).toBeLessThanOrEqual(10922);
      expect(slot).toBe(loadSlotOfId(id, node.slots));
      expect(c[1]).toEqual(vectorKeyBytes("vec:", id, slot));
    });
    w.close?.();
  });

  test("extra counts vectors acknowledged without error and their bytes", () => {
    const w = createVecLoadWorkload(loadParams(plain.path), context()) as WorkerWorkload;
    const { conn, buffer } = open(w);
    conn.patch(buffer, 3, 0);
    const reply = new TextEncoder().encode(":1\r\n:1\r\n-ERR oops\r\n");
    expect(conn.scanner.feed(reply, 0, reply.length)).toBe(3);
    const extra = w.extra!() as VectorWriteExtra;
    expect(extra).toEqual({ vectorsSent: 3, vectorsWritten: 2, vectorBytesWritten: 2 * DIM * 4, errors: 1 });
    w.close?.();
  });

  test("a dimension that does not match the dataset is refused with the fix in the message", () => {
    expect(() => createVecLoadWorkload(loadParams(plain.path, { dim: 8 }), context())).toThrow(/--vector-dim 4/);
  });
});

describe("vec-update", () => {
  test("rewrites the key of id i = r mod n with base vector (i + shift) mod n", () => {
    const p: VecUpdateParams = { ...loadParams(plain.path), shift: 7 };
    const w = createVecUpdateWorkload(p, context()) as WorkerWorkload;
    const { conn, buffer } = open(w);
    const cmds = sendBatch(conn, buffer, 16, 30);
    cmds.forEach((c, u) => {
      const i = (30 + u) % NUM_VECTORS;
      expect(text(c[1]!)).toBe(`vec:${String(i).padStart(12, "0")}`);
      expect(c[3]).toEqual(floatBytes(vectorOf((i + 7) % NUM_VECTORS)));
    });
    expect(updateSource(39, 7, 40)).toBe(6);
    w.close?.();
  });

  test("cluster mode uses the slot each key was loaded with, and refuses to run without that map", () => {
    const idSlots = new Uint16Array(NUM_VECTORS).map((_, i) => 100 + i);
    const p: VecUpdateParams = { ...loadParams(plain.path, { clusterTags: true }), shift: 1, idSlots };
    const w = createVecUpdateWorkload(p, context()) as WorkerWorkload;
    const { conn, buffer } = open(w, clusterNode(0, 50));
    const cmds = sendBatch(conn, buffer, 5, 0);
    cmds.forEach((c, i) => expect(keySlot(c[1]!)).toBe(100 + i));
    w.close?.();
    expect(() => createVecUpdateWorkload({ ...p, idSlots: undefined }, context())).toThrow(/slot of every loaded key/);
  });
});
