import { expect, test } from "bun:test";
import { tokenize, type TokenizedArgs } from "../../src/cli/tokenize.ts";

function args(argv: string[]): TokenizedArgs {
  const tokens = tokenize(argv);
  if (tokens.kind !== "args") throw new Error(`expected arguments, got ${tokens.kind}`);
  return tokens;
}

test("value flags take the next token verbatim, even when it starts with a dash", () => {
  const tokens = args(["-a", "-secret", "-n", "10"]);
  expect(tokens.flags.get("password")).toEqual([{ spelling: "-a", value: "-secret" }]);
  expect(tokens.flags.get("requests")).toEqual([{ spelling: "-n", value: "10" }]);
  expect(tokens.command).toEqual([]);
});

test("--name=value, --name value, --no-name and aliases all reach the same flag", () => {
  const tokens = args(["--pipeline=4", "--clients", "3", "--no-quiet", "--tls-skip-verify"]);
  expect(tokens.flags.get("pipeline")).toEqual([{ spelling: "--pipeline", value: "4" }]);
  expect(tokens.flags.get("clients")).toEqual([{ spelling: "--clients", value: "3" }]);
  expect(tokens.flags.get("quiet")).toEqual([{ spelling: "--no-quiet", value: false }]);
  expect(tokens.flags.get("insecure")).toEqual([{ spelling: "--tls-skip-verify", value: true }]);
});

test("repeated flags keep every occurrence in order", () => {
  expect(args(["-h", "a", "--host", "b"]).flags.get("host")).toEqual([
    { spelling: "-h", value: "a" },
    { spelling: "--host", value: "b" },
  ]);
});

test("the first non-option token starts the command and ends option parsing", () => {
  const tokens = args(["-q", "GET", "k", "--help", "-n", "5"]);
  expect(tokens.command).toEqual(["GET", "k", "--help", "-n", "5"]);
  expect(tokens.flags.has("requests")).toBe(false);
  expect(tokens.optionTokens).toBe(1);
  expect(tokens.afterDoubleDash).toBe(false);
});

test("a lone '-' is a command token and '--' ends the options", () => {
  expect(args(["-"]).command).toEqual(["-"]);
  const tokens = args(["-q", "--", "--x"]);
  expect(tokens.command).toEqual(["--x"]);
  expect(tokens.afterDoubleDash).toBe(true);
});

test("--help and --version among the options win", () => {
  expect(tokenize(["-P", "0", "--help"])).toEqual({ kind: "help" });
  expect(tokenize(["--version", "--bogus"])).toEqual({ kind: "version" });
});

test("bundled short flags and attached values are unknown options", () => {
  expect(() => tokenize(["-qx"])).toThrow(/^unknown option -qx/);
  expect(() => tokenize(["-n1000"])).toThrow(/^unknown option -n1000/);
  expect(() => tokenize(["--bogus=1"])).toThrow(/^unknown option --bogus \(see --help\)$/);
});
