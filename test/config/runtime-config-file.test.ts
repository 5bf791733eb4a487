// The --runtime-config file: YAML or valkey.conf-style lines, refused with one line when it
// cannot be a list of parameters (before any connection).

import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readRuntimeConfig } from "../../src/config/runtime-config-file.ts";
import { sameSetting } from "../../src/engine/runtime-config.ts";

const dir = mkdtempSync(join(tmpdir(), "vsb-rc-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(text: string): string {
  const path = join(dir, `rc${n++}`);
  writeFileSync(path, text);
  return path;
}

describe("readRuntimeConfig", () => {
  test("YAML mapping and 'name value' lines give the same settings; names lower-cased, empty values kept", () => {
    const yaml = readRuntimeConfig(file("# tuning\nhz: 100\nMaxmemory-Policy: allkeys-lru\nsave: \"\"\n"), "--runtime-config");
    const lines = readRuntimeConfig(file("# tuning\nhz 100\nmaxmemory-policy allkeys-lru\nsave \"\"\n"), "--runtime-config");
    const expected = [
      { name: "hz", value: "100" },
      { name: "maxmemory-policy", value: "allkeys-lru" },
      { name: "save", value: "" },
    ];
    expect(yaml).toEqual(expected);
    expect(lines).toEqual(expected);
    expect(readRuntimeConfig(file("save 3600 1 300 100\n"), "--runtime-config")).toEqual([{ name: "save", value: "3600 1 300 100" }]);
  });

  const bad: [string, string][] = [
    ["hz 10\nhz 20\n", "hz is given twice"],
    ["hz\n", "line 1: expected 'name value'"],
    ["hz: [1, 2]\n", "must be a string or a number"],
    ["# nothing\n", "names no parameter"],
    ["hz: 1\n  bad: : :\n", "not valid YAML"],
  ];
  for (const [text, message] of bad) {
    test(`refused: ${JSON.stringify(text)}`, () => {
      expect(() => readRuntimeConfig(file(text), "--runtime-config")).toThrow(message);
    });
  }

  test("a missing file is one line naming it", () => {
    expect(() => readRuntimeConfig(join(dir, "nope"), "--runtime-config")).toThrow(`--runtime-config ${join(dir, "nope")}: cannot read it (ENOENT)`);
  });
});

describe("sameSetting (CONFIG GET after CONFIG SET)", () => {
  test("case, spacing and valkey.conf size units are the same setting", () => {
    expect(sameSetting("YES", "yes")).toBe(true);
    expect(sameSetting("100mb", "104857600")).toBe(true);
    expect(sameSetting("1gb", "1073741824")).toBe(true);
    expect(sameSetting("3600  1", "3600 1")).toBe(true);
    expect(sameSetting("100", "10")).toBe(false);
  });
});
