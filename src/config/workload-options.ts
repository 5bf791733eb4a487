/**
 * The workload-shape options (issue 15): key pattern and range, value sizes, address type and
 * the write/read verification, with the rules that involve several of their flags. Every
 * contradiction is a UserError naming the flags and the fix.
 */
import { UserError } from "../errors.ts";
import { FLAGS, type FlagName } from "./flags.ts";
import type { FlagReader } from "./flag-reader.ts";
import type { AddressType, KeyPatternOptions, ValueSizeOptions } from "./types.ts";

/** Stamp bytes at the start of each value when writes or reads are verified. */
export const VERIFY_STAMP_BYTES = 24;
/** Largest key range --verify-writes keeps a record for (8 bytes each: 1 GiB). */
export const MAX_VERIFIED_KEYS = 2 ** 27;

export interface WorkloadOptions {
  keyspaceLen: number;
  keys: KeyPatternOptions;
  valueSizes: ValueSizeOptions;
  addressType: AddressType;
  verifyWrites: boolean;
  verifyReads: boolean;
}

export function workloadOptions(flags: FlagReader, tests: readonly string[], hasCommand: boolean): WorkloadOptions {
  const say = (name: FlagName) => flags.spelling(name);
  const fail = (text: string): never => {
    throw new UserError(text);
  };
  // Keys.
  const pattern = flags.get(FLAGS.keyPattern);
  const sequential = flags.get(FLAGS.sequential);
  if (flags.given("keyMaximum") && flags.given("keyspaceLen")) {
    fail(`${say("keyMaximum")} and ${say("keyspaceLen")} both set the key range: use -r N (keys 0..N-1) or --key-maximum N`);
  }
  const keyMaximum = flags.get(FLAGS.keyMaximum);
  const keyspaceLen = keyMaximum !== undefined ? keyMaximum + 1 : flags.get(FLAGS.keyspaceLen);
  const needsRange: FlagName[] = ["keyPattern", "keyMinimum", "keyMedian", "keyStddev", "keyZipfExp", "verifyWrites", "verifyReads"];
  const stray = needsRange.find((name) => flags.given(name));
  if (keyspaceLen === 0 && stray) fail(`${say(stray)} needs a key range: add -r N (keys 0..N-1) or --key-maximum N`);
  if (sequential && pattern && (pattern.set !== "S" || pattern.get !== "S")) {
    fail(`--sequential with ${say("keyPattern")}: --sequential is pattern S; use --key-pattern S (or S:R) alone`);
  }
  const set = pattern?.set ?? (sequential ? "S" : "R");
  const get = pattern?.get ?? (sequential ? "S" : "R");
  const minimum = flags.get(FLAGS.keyMinimum);
  const maximum = Math.max(0, keyspaceLen - 1);
  if (keyspaceLen > 0 && minimum > maximum) fail(`${say("keyMinimum")} ${minimum} is above the largest key ${maximum}: lower it or raise the range`);
  const gaussian = set === "G" || get === "G";
  for (const name of ["keyMedian", "keyStddev"] as const) {
    if (flags.given(name) && !gaussian) fail(`${say(name)} shapes the gaussian pattern: add --key-pattern G (or drop it)`);
  }
  if (flags.given("keyZipfExp") && set !== "Z" && get !== "Z") fail(`${say("keyZipfExp")} shapes the zipfian pattern: add --key-pattern Z (or drop it)`);
  const median = flags.get(FLAGS.keyMedian) ?? (minimum + maximum) / 2;
  if (median < minimum || median > maximum) fail(`${say("keyMedian")} ${median} lies outside the key range ${minimum}..${maximum}`);
  const stddev = flags.get(FLAGS.keyStddev) ?? Math.max(1, (maximum - minimum + 1) / 6);
  const keys: KeyPatternOptions = { set, get, minimum, maximum, median, stddev, zipfExponent: flags.get(FLAGS.keyZipfExp) };

  // Values.
  const range = flags.get(FLAGS.dataSizeRange);
  const list = flags.get(FLAGS.dataSizeList);
  if (range && list) fail(`${say("dataSizeRange")} and ${say("dataSizeList")} both set the value sizes: use one`);
  const sizeFlag = range ? "dataSizeRange" : list ? "dataSizeList" : undefined;
  if (sizeFlag && flags.given("dataSize")) fail(`${say("dataSize")} fixes the value size, ${say(sizeFlag)} varies it: use one`);
  if (flags.given("dataSizePattern") && !range) fail(`${say("dataSizePattern")} applies to --data-size-range: add it (or drop the pattern)`);
  const valueSizes: ValueSizeOptions = range
    ? { kind: "range", min: range.min, max: range.max, pattern: flags.get(FLAGS.dataSizePattern) }
    : list
      ? { kind: "list", entries: list }
      : { kind: "fixed", bytes: flags.get(FLAGS.dataSize) };

  // Hashes and verification.
  const addressType = flags.get(FLAGS.addressType);
  if (addressType.kind === "hash" && hasCommand) fail(`${say("addressType")} shapes the built-in set and get tests, not a custom command: drop one of them`);
  const verifyWrites = flags.get(FLAGS.verifyWrites);
  const verifyReads = flags.get(FLAGS.verifyReads);
  const verifying = verifyWrites ? "verifyWrites" : verifyReads ? "verifyReads" : undefined;
  if (verifying) {
    const name = say(verifying);
    if (hasCommand) fail(`${name} checks the built-in set/get tests, not a custom command: use -t set,get`);
    const all = tests.length === 0;
    if (!all && !tests.includes("set")) fail(`${name} checks what the set test writes: add set to -t`);
    if (verifyReads && !all && !tests.includes("get")) fail(`${say("verifyReads")} checks the get test: add get to -t (after set)`);
    if (keyspaceLen - minimum > MAX_VERIFIED_KEYS) {
      fail(`${name} keeps 8 bytes per key and takes at most ${MAX_VERIFIED_KEYS} keys; the range ${minimum}..${maximum} is larger: narrow it with -r or --key-minimum/--key-maximum`);
    }
    const smallest = valueSizes.kind === "fixed" ? valueSizes.bytes : valueSizes.kind === "range" ? valueSizes.min : Math.min(...valueSizes.entries.map((e) => e.bytes));
    if (smallest < VERIFY_STAMP_BYTES) fail(`${name} writes a ${VERIFY_STAMP_BYTES}-byte stamp into each value: use values of at least ${VERIFY_STAMP_BYTES} bytes (-d ${VERIFY_STAMP_BYTES})`);
    if (verifyReads && flags.get(FLAGS.enableTracking)) fail(`${say("verifyReads")} cannot read values interleaved with --enable-tracking's invalidation messages: drop one of them`);
  }
  return { keyspaceLen, keys, valueSizes, addressType, verifyWrites, verifyReads };
}
