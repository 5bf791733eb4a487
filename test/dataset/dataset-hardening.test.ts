// Dataset commands never hang, never destroy their inputs and never leave half-written files:
// FIFOs are refused (opening one blocked forever), a file larger than the free space is refused
// before writing, an output that is one of the inputs is refused, and SIGINT/SIGTERM remove the
// unfinished file (x.partial, or a generated file whose ground truth is not in yet).

import { afterAll, describe, expect, test } from "bun:test";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { runDatasetCommand } from "../../src/cli/dataset/index.ts";
import { UserError } from "../../src/dataset/errors.ts";
import { collectRun, expectExit, spawnBench, waitFor } from "../support/run-cli.ts";
import { tempDir } from "./support.ts";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

async function refusal(...argv: string[]): Promise<string> {
  try {
    await runDatasetCommand(argv);
  } catch (e) {
    if (e instanceof UserError) return e.message;
    throw e;
  }
  throw new Error(`expected dataset ${argv.join(" ")} to be refused`);
}

describe("inputs that are not regular files", () => {
  const fifo = tmp.file("pipe.bin");
  execFileSync("mkfifo", [fifo]);
  for (const argv of [["info", fifo], ["verify", fifo], ["info", "--schema", fifo, "--data", fifo], ["convert", "--base", fifo, "-o", tmp.file("never.bin")]]) {
    test(`dataset ${argv[0]} ${argv.slice(1, -1).join(" ")}... on a FIFO is refused at once instead of blocking`, async () => {
      expect(await refusal(...argv)).toBe(`${fifo}: is not a regular file (a FIFO, device or directory); expected a dataset file`);
    });
  }
});

describe("outputs", () => {
  test("generate refuses a file larger than the free space, before writing anything", async () => {
    const out = tmp.file("huge.bin");
    expect(await refusal("generate", "--dim", "16", "--num-vectors", "100000000000", "-o", out)).toMatch(/^cannot write .*huge\.bin: it needs 5960\.5 GiB but .* has [\d.]+ GiB free; lower --num-vectors/);
    expect(existsSync(out) || existsSync(`${out}.partial`)).toBe(false);
  });

  test("convert refuses an output that is its own source (same file, another spelling)", async () => {
    const base = tmp.file("b.fvecs");
    const row = Buffer.alloc(4 + 8 * 4);
    row.writeInt32LE(8, 0);
    writeFileSync(base, Buffer.concat([row, row]));
    const before = readFileSync(base);
    const message = await refusal("convert", "--base", base, "-o", `${tmp.dir}/./b.fvecs`);
    expect(message).toMatch(/^--output .*b\.fvecs is the same file as --base .*b\.fvecs; writing it would destroy it/);
    expect(readFileSync(base).equals(before)).toBe(true);
  });

  test("ground-truth -o refuses the dataset it reads", async () => {
    const file = tmp.file("gt.bin");
    await runDatasetCommand(["generate", "-o", file, "--dim", "4", "--num-vectors", "50", "--num-queries", "2", "--k", "2"]);
    expect(await refusal("ground-truth", file, "-o", file)).toMatch(/is the same file as FILE/);
  });

  test("-o /dev/full is refused", async () => {
    expect(await refusal("generate", "--dim", "4", "--num-vectors", "5", "-o", "/dev/full")).toMatch(/^--output \/dev\/full is not a regular file/);
  });
});

describe("SIGINT / SIGTERM while writing", () => {
  const args = (out: string) => ["dataset", "generate", "--dim", "64", "--num-vectors", "400000", "--num-queries", "200", "--k", "10", "--workers", "1", "-o", out];

  test("SIGTERM while the vectors are written: exit 143 and no .partial left", async () => {
    const out = tmp.file("term.bin");
    const proc = spawnBench(args(out), { timeoutMs: 60_000 });
    await waitFor(`${out}.partial`, () => existsSync(`${out}.partial`), 30_000);
    proc.kill("SIGTERM");
    const run = await collectRun(proc, []);
    expectExit(run, 143);
    expect(run.stderr).toContain(`interrupted by SIGTERM; removed the unfinished ${out}.partial`);
    expect(existsSync(`${out}.partial`)).toBe(false);
    expect(existsSync(out)).toBe(false);
  }, 60_000);

  test("SIGINT while the ground truth is computed: exit 130 and the file without it removed", async () => {
    const out = tmp.file("int.bin");
    const proc = spawnBench(args(out), { timeoutMs: 90_000 });
    await waitFor(`${out}`, () => existsSync(out), 60_000);
    proc.kill("SIGINT");
    const run = await collectRun(proc, []);
    expectExit(run, 130);
    expect(run.stderr).toContain(`removed the unfinished ${out}`);
    expect(existsSync(out)).toBe(false);
  }, 90_000);
});
