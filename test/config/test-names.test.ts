import { expect, test } from "bun:test";
import { closest, didYouMean, editDistance } from "../../src/config/suggest.ts";
import { knownTestNames, registerTestNames, VALKEY_BENCHMARK_TEST_NAMES } from "../../src/config/test-names.ts";

test("the built-in -t names are valkey-benchmark 8.0's, lowercased", () => {
  expect(VALKEY_BENCHMARK_TEST_NAMES).toContain("ping_inline");
  expect(VALKEY_BENCHMARK_TEST_NAMES).toContain("lrange_600");
  expect(VALKEY_BENCHMARK_TEST_NAMES).toContain("xadd");
  expect(VALKEY_BENCHMARK_TEST_NAMES.length).toBe(22);
  expect(VALKEY_BENCHMARK_TEST_NAMES.every((name) => name === name.toLowerCase())).toBe(true);
});

test("registered test names are accepted after the built-in ones, once", () => {
  registerTestNames(["VECTOR_SEARCH", "vector_search", "vector_load"]);
  const names = knownTestNames();
  expect(names.slice(0, 22)).toEqual([...VALKEY_BENCHMARK_TEST_NAMES]);
  expect(names.filter((name) => name === "vector_search")).toEqual(["vector_search"]);
  expect(names).toContain("vector_load");
});

test("did-you-mean suggests close names only", () => {
  expect(editDistance("kitten", "sitting")).toBe(3);
  expect(closest("lrang_100", VALKEY_BENCHMARK_TEST_NAMES)).toBe("lrange_100");
  expect(closest("GTE", VALKEY_BENCHMARK_TEST_NAMES)).toBe("get");
  expect(didYouMean("zzzzzzzzzz", VALKEY_BENCHMARK_TEST_NAMES)).toBe("");
  expect(didYouMean("sadd2", VALKEY_BENCHMARK_TEST_NAMES)).toBe("; did you mean 'sadd'?");
});
