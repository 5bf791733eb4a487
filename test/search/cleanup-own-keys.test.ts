// --cleanup deletes only this tool's keys for the run's ids: `<prefix><12-digit id>` (or with a
// 3-character {tag} on a cluster) for ids in the run's slice. Another run's ids, keys of another
// format and unrelated keys under the same prefix stay, and the counts before and after are said.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ownVectorKeys } from "../../src/search/own-keys.ts";
import { expectExit, runBench } from "../support/run-cli.ts";
import { call, countKeys, makeDatasets, searchTarget, uniqueNames, type Datasets, type SearchTarget } from "./e2e-target.ts";

describe("ownVectorKeys", () => {
  const owns = ownVectorKeys("vec", 0, 10);
  test("accepts this tool's key formats for ids of the slice", () => {
    for (const key of ["vec000000000000", "vec000000000009", "vec{a1Z}000000000003"]) expect(owns(key)).toBe(true);
  });
  test("refuses other ids, widths, tags and names under the prefix", () => {
    for (const key of ["vec000000000010", "vec42", "vecX", "vec:000000000001", "vec{ab}000000000001", "vec{a-b}000000000001", "vec0000000000011", "ve000000000001", "vec00000000000a"]) {
      expect(owns(key)).toBe(false);
    }
  });
});

let target: SearchTarget;
let data: Datasets;
beforeAll(async () => {
  [target, data] = await Promise.all([searchTarget(), makeDatasets()]);
});
afterAll(async () => {
  await target.stop();
  data.remove();
});

describe("--cleanup on a server shared with other keys", () => {
  test("deletes the run's 10 vector keys and nothing else under the prefix", async () => {
    const n = uniqueNames();
    const foreign = [`${n.prefix}000000000500`, `${n.prefix}42`, `${n.prefix}X`, `${n.prefix.slice(0, -1)}X:1`];
    for (const key of foreign) await call(target, "SET", key, "keep me");
    const run = await runBench(["-h", target.host, "-p", String(target.port), "-c", "2", ...n.args, "--dataset", data.plain, "--num-vectors", "10", "-t", "vec-load", "--cleanup"], { timeoutMs: 45_000 });
    expectExit(run, 0);
    for (const key of foreign) expect(await call(target, "GET", key)).toBe("keep me");
    expect(await countKeys(target, n.prefix)).toBe(3);
    expect(run.stderr).toContain(`deleted 10 vector keys of ids 0..9; keys under ${n.prefix}: 13 before, 3 after`);
  }, 60_000);
});
