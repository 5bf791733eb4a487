// Commands that read files refuse an -o that is one of them (the same file under any spelling):
// `merge a.json b.json -o a.json` and `report a.json -o a.json` replaced their own input.

import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runMergeCommand } from "../../src/cli/merge-command.ts";
import { runReportCommand } from "../../src/cli/report-command.ts";
import { UserError } from "../../src/errors.ts";

const dir = mkdtempSync(join(tmpdir(), "vsb-out-in-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function refusal(run: () => Promise<number>): Promise<string> {
  try {
    await run();
  } catch (e) {
    if (e instanceof UserError) return e.message;
    throw e;
  }
  throw new Error("expected a refusal");
}

describe("-o that is an input", () => {
  const a = join(dir, "a.json");
  const b = join(dir, "b.json");
  writeFileSync(a, "{\"keep\": 1}\n");
  writeFileSync(b, "{\"keep\": 2}\n");

  test("merge", async () => {
    expect(await refusal(() => runMergeCommand([a, b, "-o", join(dir, ".", "b.json")]))).toMatch(/^-o .*b\.json is the same file as the input .*b\.json; writing it would destroy it/);
    expect(readFileSync(b, "utf8")).toBe("{\"keep\": 2}\n");
  });

  test("report", async () => {
    expect(await refusal(() => runReportCommand([a, "-o", a]))).toMatch(/is the same file as the input/);
    expect(readFileSync(a, "utf8")).toBe("{\"keep\": 1}\n");
  });

  test("a directory as -o", async () => {
    expect(await refusal(() => runReportCommand([a, "-o", dir]))).toMatch(/is a directory; give a file name inside it/);
  });
});
