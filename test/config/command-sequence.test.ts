import { expect, test } from "bun:test";
import { parseCommandSequence } from "../../src/config/command-sequence.ts";

test("a single command is one step run once", () => {
  expect(parseCommandSequence(["SET", "k", "__data__"])).toEqual([{ repeat: 1, args: ["SET", "k", "__data__"] }]);
});

test("';' arguments separate steps and a leading number repeats its step", () => {
  expect(parseCommandSequence(["3", "SET", "a", "b", ";", "GET", "a", ";", "2", "INCR", "c"])).toEqual([
    { repeat: 3, args: ["SET", "a", "b"] },
    { repeat: 1, args: ["GET", "a"] },
    { repeat: 2, args: ["INCR", "c"] },
  ]);
});

test("';' inside an argument and numbers after the command name are data", () => {
  expect(parseCommandSequence(["SET", "k", "a;b"])).toEqual([{ repeat: 1, args: ["SET", "k", "a;b"] }]);
  expect(parseCommandSequence(["LRANGE", "l", "0", "99"])).toEqual([{ repeat: 1, args: ["LRANGE", "l", "0", "99"] }]);
});

test("a lone number is a command, not a repeat count", () => {
  expect(parseCommandSequence(["5"])).toEqual([{ repeat: 1, args: ["5"] }]);
});

test("empty steps and a zero repeat count are rejected", () => {
  expect(() => parseCommandSequence(["GET", "a", ";"])).toThrow(/empty step/);
  expect(() => parseCommandSequence([";", "GET", "a"])).toThrow(/empty step/);
  expect(() => parseCommandSequence(["0", "GET", "a"])).toThrow("the repeat count before GET must be at least 1 (got 0)");
});
