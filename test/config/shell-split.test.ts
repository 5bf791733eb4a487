import { expect, test } from "bun:test";
import { shellSplit } from "../../src/config/shell-split.ts";

test("splits on whitespace and honours quotes and escapes like a shell", () => {
  expect(shellSplit("SET  k\tv")).toEqual(["SET", "k", "v"]);
  expect(shellSplit(`SET 'a b' "c d"`)).toEqual(["SET", "a b", "c d"]);
  expect(shellSplit(`SET k "say \\"hi\\" \\\\ \\n"`)).toEqual(["SET", "k", 'say "hi" \\ \\n']);
  expect(shellSplit(`SET k 'it''s'`)).toEqual(["SET", "k", "its"]);
  expect(shellSplit(`SET k a\\ b`)).toEqual(["SET", "k", "a b"]);
  expect(shellSplit(`SET k ""`)).toEqual(["SET", "k", ""]);
  expect(shellSplit(`EVAL "return redis.call('ping')" 0`)).toEqual(["EVAL", "return redis.call('ping')", "0"]);
});

test("unbalanced quotes, a trailing backslash and empty text are errors naming the flag", () => {
  expect(() => shellSplit(`SET 'a`)).toThrow("--command has an unterminated ' quote");
  expect(() => shellSplit(`SET "a`)).toThrow(`--command has an unterminated " quote`);
  expect(() => shellSplit(`SET a\\`)).toThrow("--command ends with a lone backslash");
  expect(() => shellSplit(" ")).toThrow(/^--command is empty/);
});
