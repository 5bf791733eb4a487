import { expect, test } from "bun:test";
import { benchCommand, subcommands, VERSION } from "../../src/cli/command.ts";
import { FLAGS, type FlagSpec } from "../../src/config/flags.ts";
import pkg from "../../package.json" with { type: "json" };

test("the citty command declares every flag of the table with its spellings", async () => {
  const args = typeof benchCommand.args === "function" ? await benchCommand.args() : await benchCommand.args;
  if (args === undefined) throw new Error("benchCommand has no args");
  for (const flag of Object.values(FLAGS) as FlagSpec<unknown>[]) {
    const def = args[flag.long];
    expect(def).toBeDefined();
    expect(def.type).toBe(flag.kind === "boolean" ? "boolean" : "string");
    const expectedAliases = [...(flag.short === undefined ? [] : [flag.short]), ...(flag.aliases ?? [])];
    expect("alias" in def ? def.alias : []).toEqual(expectedAliases);
  }
});

test("the command carries the package version and its subcommands", async () => {
  expect(VERSION).toBe(pkg.version);
  expect((await subcommands()).map((sub) => sub.name)).toEqual(expect.arrayContaining(["dataset", "compare"]));
});
