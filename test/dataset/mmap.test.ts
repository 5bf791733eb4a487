import { afterAll, describe, expect, test } from "bun:test";
import { closeSync, openSync, writeSync } from "node:fs";
import { ftruncateSync } from "node:fs";
import { mapFile } from "../../src/dataset/mmap.ts";
import { tempDir } from "./support.ts";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe("read-only memory map", () => {
  test("ranges across the 1 GiB window boundary and beyond 4 GiB read correctly from a sparse file", () => {
    const path = tmp.file("sparse.bin");
    const fd = openSync(path, "w");
    ftruncateSync(fd, 6 * 2 ** 30);
    writeSync(fd, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), 0, 8, 2 ** 30 - 4);
    writeSync(fd, Uint8Array.of(9, 10), 0, 2, 5 * 2 ** 30 + 123);
    closeSync(fd);
    const map = mapFile(path);
    expect(map.readOnlyMap).toBe(true);
    expect(map.byteLength).toBe(6 * 2 ** 30);
    expect(Array.from(map.bytes(2 ** 30 - 4, 8))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(map.bytes(5 * 2 ** 30 + 123, 2))).toEqual([9, 10]);
    expect(() => map.bytes(6 * 2 ** 30 - 1, 2)).toThrow(RangeError);
    map.close();
    expect(() => map.bytes(0, 1)).toThrow("after close");
  });

  test("a directory or a missing file is a one-line error naming the path", () => {
    expect(() => mapFile(tmp.dir)).toThrow(`${tmp.dir}: is not a regular file`);
    expect(() => mapFile(tmp.file("none"))).toThrow("cannot open: ENOENT");
  });
});
