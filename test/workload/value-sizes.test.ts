// Value sizes drawn per request and laid out in place: the sizes follow their definition, and
// every request of a pipeline buffer is valid RESP with the keys, tags and payload lengths asked for.

import { describe, expect, test } from "bun:test";
import type { BenchConfig, ValueSizeOptions } from "../../src/config/types.ts";
import { Rng } from "../../src/engine/rng.ts";
import type { WorkerContext } from "../../src/engine/workload-api.ts";
import { slotTag } from "../../src/cluster/slot-tags.ts";
import { DATA } from "../../src/workload/catalog.ts";
import { createKvWorkload, type KvParams } from "../../src/workload/kv-workload.ts";
import { createSizeStream, meanSize } from "../../src/workload/value-sizes.ts";
import { WORKLOADS } from "../../src/workloads/index.ts";
import { clusterNode, decodeCommands, standaloneNode, text } from "../search/workload-fixtures.ts";

function draws(sizes: ValueSizeOptions, n: number): Map<number, number> {
  const s = createSizeStream(sizes, new Rng(7, 0));
  const m = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const v = s.next();
    m.set(v, (m.get(v) ?? 0) + 1);
  }
  return m;
}

describe("value size streams", () => {
  test("--data-size-range R: 1M sizes are uniform over MIN..MAX (chi-square, 0.1%)", () => {
    const m = draws({ kind: "range", min: 32, max: 95, pattern: "R" }, 1_000_000);
    expect([...m.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 64 }, (_, i) => 32 + i));
    const e = 1_000_000 / 64;
    const chi = [...m.values()].reduce((x, o) => x + (o - e) ** 2 / e, 0);
    expect(chi).toBeLessThan(103.4); // chi-square 63 df, 0.1%
  });

  test("--data-size-range S: each size of the range in turn, from the connection's offset", () => {
    const s = createSizeStream({ kind: "range", min: 10, max: 13, pattern: "S" }, new Rng(1), 2);
    expect(Array.from({ length: 6 }, () => s.next())).toEqual([12, 13, 10, 11, 12, 13]);
  });

  test("--data-size-list: 1M sizes follow the weights (chi-square); a wrong weight would fail", () => {
    const sizes: ValueSizeOptions = { kind: "list", entries: [{ bytes: 32, weight: 60 }, { bytes: 1024, weight: 30 }, { bytes: 65536, weight: 10 }] };
    const m = draws(sizes, 1_000_000);
    const chi = (w: number[]) => [32, 1024, 65536].reduce((x, b, i) => x + ((m.get(b) ?? 0) - w[i]! * 1e4) ** 2 / (w[i]! * 1e4), 0);
    expect(chi([60, 30, 10])).toBeLessThan(13.8); // 2 df, 0.1%
    expect(chi([59, 31, 10])).toBeGreaterThan(13.8);
    expect(meanSize(sizes)).toBeCloseTo(0.6 * 32 + 0.3 * 1024 + 0.1 * 65536, 6);
  });
});

function context(valueSizes: ValueSizeOptions, extra: Partial<BenchConfig> = {}): WorkerContext {
  let seq = 0;
  const config = {
    seed: 5,
    clients: 1,
    pipeline: 8,
    keyspaceLen: 1000,
    dataSize: 3,
    valueSizes,
    keys: { set: "R", get: "R", minimum: 0, maximum: 999, median: 500, stddev: 167, zipfExponent: 0.99 },
    ...extra,
  } as BenchConfig;
  return { config, workerIndex: 0, workers: 1, nextSequence: () => seq++, catalog: WORKLOADS };
}

async function patched(params: KvParams, ctx: WorkerContext, node = standaloneNode()) {
  const w = await createKvWorkload(params, ctx);
  const conn = w.forConnection(0, node);
  const buffer = conn.allocate!(8);
  const length = conn.patch(buffer, 8, 0);
  return { conn, buffer, commands: decodeCommands(buffer.subarray(0, length)) };
}

describe("varying sizes are laid out in the pipeline buffer", () => {
  test("SET: 8 valid commands, keys in range, values of the sizes of the range, random payload", async () => {
    const unit = { kind: "commands" as const, commands: [["SET", "key{tag}:__rand_int__", DATA]], constantDataMarker: DATA };
    const { commands } = await patched({ unit, clusterTags: false }, context({ kind: "range", min: 5, max: 300, pattern: "R" }));
    expect(commands.length).toBe(8);
    const sizes = new Set<number>();
    for (const c of commands) {
      expect(text(c[0]!)).toBe("SET");
      expect(text(c[1]!)).toMatch(/^key:000000000\d{3}$/);
      expect(c[2]!.length).toBeGreaterThanOrEqual(5);
      expect(c[2]!.length).toBeLessThanOrEqual(300);
      expect(text(c[2]!)).toMatch(/^[A-Za-z0-9]+$/);
      sizes.add(c[2]!.length);
    }
    expect(sizes.size).toBeGreaterThan(1);
  });

  test("MSET in a cluster: keys after values and hash tags are remapped into place; commandRange cuts each command exactly", async () => {
    const args = ["MSET"];
    for (let i = 0; i < 3; i++) args.push("key{tag}:__rand_int__", DATA);
    const unit = { kind: "commands" as const, commands: [args], constantDataMarker: DATA };
    const node = clusterNode(100, 199);
    const { conn, buffer, commands } = await patched({ unit, clusterTags: true }, context({ kind: "list", entries: [{ bytes: 7, weight: 1 }, { bytes: 70, weight: 1 }] }), node);
    for (const [i, c] of commands.entries()) {
      expect(c.length).toBe(7);
      const tags = new Set<string>();
      for (let k = 1; k < 7; k += 2) {
        const m = /^key\{(...)\}:(\d{12})$/.exec(text(c[k]!));
        expect(m).not.toBeNull();
        tags.add(m![1]!);
        expect([7, 70]).toContain(c[k + 1]!.length);
      }
      expect(tags.size).toBe(1);
      const tag = [...tags][0]!;
      expect(Array.from({ length: 100 }, (_, s) => slotTag(100 + s))).toContain(tag);
      const [start, end] = conn.commandRange!(i);
      expect(decodeCommands(buffer.subarray(start, end))).toEqual([c]);
    }
  });

  test("HSET with fields: each field's value gets its own size", async () => {
    const unit = { kind: "commands" as const, commands: [["HSET", "key{tag}:__rand_int__", "f1", DATA, "f2", DATA]], constantDataMarker: DATA };
    const { commands } = await patched({ unit, clusterTags: false }, context({ kind: "range", min: 1, max: 1000, pattern: "R" }));
    const different = commands.filter((c) => c[3]!.length !== c[5]!.length).length;
    expect(different).toBeGreaterThan(0);
    for (const c of commands) expect([text(c[0]!), text(c[2]!), text(c[4]!)]).toEqual(["HSET", "f1", "f2"]);
  });
});
