import { afterAll, describe, expect, test } from "bun:test";
import { keySlot } from "../../src/cluster/crc16.ts";
import type { WorkerWorkload } from "../../src/engine/workload-api.ts";
import { openDataset } from "../../src/dataset/index.ts";
import { createVecDeleteWorkload, deletableIds, type VectorDeleteExtra } from "../../src/search/vec-delete-workload.ts";
import type { VecDeleteParams } from "../../src/search/workload-params.ts";
import { NUM_QUERIES, NUM_VECTORS, clusterNode, context, decodeCommands, groundTruthOf, standaloneNode, text, writeFixture } from "./workload-fixtures.ts";

const fixture = writeFixture();
afterAll(() => fixture.dispose());

const protectedIds = new Set<number>();
for (let q = 0; q < NUM_QUERIES; q++) for (const id of groundTruthOf(q)) protectedIds.add(id);

function params(extra: Partial<VecDeleteParams> = {}): VecDeleteParams {
  return { prefix: "vec:", clusterTags: false, vectorField: "v", dataset: { path: fixture.path, vectorOffset: 0, numVectors: 0 }, protectedIdsCount: 0, ...extra };
}

/** Sends every deletable id in batches of 16 unit buffers (the engine's default layout). */
function deletedKeys(w: WorkerWorkload, node = standaloneNode(), requests = NUM_VECTORS): string[] {
  const conn = w.forConnection(0, node);
  const unitLen = conn.unit.bytes.length;
  const buffer = new Uint8Array(unitLen * 16);
  for (let u = 0; u < 16; u++) buffer.set(conn.unit.bytes, u * unitLen);
  const keys: string[] = [];
  for (let first = 0; first < requests; first += 16) {
    const units = Math.min(16, requests - first);
    const bytes = conn.patch(buffer, units, first);
    for (const c of decodeCommands(buffer.subarray(0, bytes))) {
      expect(text(c[0]!)).toBe("DEL");
      keys.push(text(c[1]!));
    }
  }
  return keys;
}

describe("vec-delete", () => {
  test("deletes every id outside all queries' ground truth, in order, and never a protected one", () => {
    const w = createVecDeleteWorkload(params(), context()) as WorkerWorkload;
    const expected = [...Array(NUM_VECTORS).keys()].filter((i) => !protectedIds.has(i));
    const keys = deletedKeys(w, standaloneNode(), expected.length);
    expect(keys).toEqual(expected.map((i) => `vec:${String(i).padStart(12, "0")}`));
    const extra = w.extra!() as VectorDeleteExtra;
    expect(extra.protectedIds).toBe(protectedIds.size);
    expect(extra.deletableIds).toBe(expected.length);
    expect(extra.deletesSent).toBe(expected.length);
    w.close?.();
  });

  test("past the deletable ids the requests wrap instead of reaching a protected id", () => {
    const w = createVecDeleteWorkload(params(), context()) as WorkerWorkload;
    const keys = deletedKeys(w, standaloneNode(), 3 * NUM_VECTORS);
    for (const k of keys) expect(protectedIds.has(Number(k.slice(4)))).toBe(false);
    w.close?.();
  });

  test("the deletable list of a slice is relative to the slice and skips ground-truth ids", () => {
    const ds = openDataset(fixture.path);
    try {
      const all = deletableIds(ds, 0);
      expect([...all].some((i) => protectedIds.has(i))).toBe(false);
      expect(all.length).toBe(NUM_VECTORS - protectedIds.size);
    } finally {
      ds.close();
    }
  });

  test("cluster mode writes the tag each key was loaded with", () => {
    const idSlots = new Uint16Array(NUM_VECTORS).map((_, i) => 1000 + 7 * i);
    const w = createVecDeleteWorkload(params({ clusterTags: true, idSlots }), context()) as WorkerWorkload;
    const keys = deletedKeys(w, clusterNode(0, 16383), 10);
    for (const k of keys) {
      const id = Number(k.slice(k.indexOf("}") + 1));
      expect(keySlot(k)).toBe(1000 + 7 * id);
    }
    w.close?.();
  });
});
