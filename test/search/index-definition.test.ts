import { describe, expect, test } from "bun:test";
import { parseFtInfo, isIndexReady } from "../../src/search/ft-info.ts";
import { definitionDifferences, ftCreateArgs, resolveNumericFields, type IndexDefinition } from "../../src/search/index-definition.ts";
import { RespMap, type RespValue } from "../../src/resp/types.ts";

const base: IndexDefinition = { name: "idx", prefix: "vec:", vectorField: "embedding", algorithm: "HNSW", dim: 4, metric: "L2" };

/** FT.INFO of valkey-search 1.0.3 as decoded (anchors.md (h)): simple-string keys, bulk-string numbers. */
function valkeySearchInfo(over: { dim?: number; metric?: string; m?: number; docs?: string; backfill?: string; state?: string; prefixes?: string[]; numeric?: string[] } = {}): RespValue {
  return [
    "index_name", "idx",
    "index_options", [],
    "index_definition", ["key_type", "HASH", "prefixes", over.prefixes ?? ["vec:"], "default_score", "1"],
    "attributes", [
      ["identifier", "embedding", "attribute", "embedding", "type", "VECTOR", "size", "3", "index",
        ["capacity", 10240, "dimensions", over.dim ?? 4, "distance_metric", over.metric ?? "L2", "size", "3", "data_type", "FLOAT32",
          "algorithm", ["name", "HNSW", "m", over.m ?? 16, "ef_construction", 200, "ef_runtime", 10]]],
      ["identifier", "category", "attribute", "category", "type", "TAG", "SEPARATOR", ",", "size", "3"],
      ...(over.numeric ?? []).map((f) => ["identifier", f, "attribute", f, "type", "NUMERIC", "size", "3"]),
    ],
    "num_docs", over.docs ?? "3",
    "num_terms", "0",
    "num_records", "6",
    "hash_indexing_failures", "0",
    "backfill_in_progress", over.backfill ?? "0",
    "backfill_complete_percent", "1.000000",
    "mutation_queue_size", "0",
    "recent_mutations_queue_delay", "0 sec",
    "state", over.state ?? "ready",
  ];
}

describe("FT.CREATE is built from the definition", () => {
  test("the attribute count equals the tokens that follow it", () => {
    const args = ftCreateArgs({ ...base, m: 32, efConstruction: 400, efRuntime: 64, initialCap: 1000, tagField: "category", numericFields: ["price"] });
    expect(args.slice(0, 11)).toEqual(["FT.CREATE", "idx", "ON", "HASH", "PREFIX", "1", "vec:", "SCHEMA", "embedding", "VECTOR", "HNSW"]);
    const n = Number(args[11]);
    expect(n).toBe(14);
    expect(args.slice(12, 12 + n)).toEqual(["TYPE", "FLOAT32", "DIM", "4", "DISTANCE_METRIC", "L2", "M", "32", "EF_CONSTRUCTION", "400", "EF_RUNTIME", "64", "INITIAL_CAP", "1000"]);
    expect(args.slice(12 + n)).toEqual(["category", "TAG", "price", "NUMERIC"]);
  });

  test("every numeric field is declared NUMERIC, in order", () => {
    const args = ftCreateArgs({ ...base, algorithm: "FLAT", numericFields: ["price", "year"] });
    expect(args.slice(-4)).toEqual(["price", "NUMERIC", "year", "NUMERIC"]);
  });

  test("FLAT never gets HNSW parameters", () => {
    const args = ftCreateArgs({ ...base, algorithm: "FLAT", m: 32, efConstruction: 400 });
    expect(args.slice(10)).toEqual(["FLAT", "6", "TYPE", "FLOAT32", "DIM", "4", "DISTANCE_METRIC", "L2"]);
  });
});

describe("FT.INFO replies are parsed", () => {
  test("valkey-search's flat RESP2 layout gives the definition and readiness", () => {
    const info = parseFtInfo(valkeySearchInfo());
    expect(info.prefixes).toEqual(["vec:"]);
    expect(info.keyType).toBe("HASH");
    expect(info.numDocs).toBe(3);
    expect(info.attributes[0]).toEqual({ identifier: "embedding", alias: "embedding", type: "VECTOR", algorithm: "HNSW", dim: 4, metric: "L2", m: 16, efConstruction: 200, efRuntime: 10, capacity: 10240 });
    expect(info.attributes[1]!.type).toBe("TAG");
    expect(isIndexReady(info)).toBe(true);
  });

  test("a backfilling index is not ready", () => {
    expect(isIndexReady(parseFtInfo(valkeySearchInfo({ backfill: "1", state: "backfill_in_progress" })))).toBe(false);
  });

  test("RESP3 maps and RediSearch's flat attributes are understood too", () => {
    const map = (pairs: [string, RespValue][]) => new RespMap(pairs);
    const reply = map([
      ["index_name", "idx"],
      ["index_definition", map([["key_type", "HASH"], ["prefixes", ["vec:"]]])],
      ["attributes", [map([["identifier", "embedding"], ["attribute", "embedding"], ["type", "VECTOR"], ["algorithm", "FLAT"], ["dim", 4], ["distance_metric", "COSINE"]])]],
      ["num_docs", 7],
      ["indexing", 0],
    ]);
    const info = parseFtInfo(reply);
    expect(info.numDocs).toBe(7);
    expect(info.attributes[0]).toMatchObject({ algorithm: "FLAT", dim: 4, metric: "COSINE" });
  });
});

describe("an existing index is compared with the wanted one", () => {
  test("the same definition can be reused", () => {
    expect(definitionDifferences({ ...base, tagField: "category" }, parseFtInfo(valkeySearchInfo()))).toEqual([]);
  });

  test("each differing attribute is named", () => {
    const info = parseFtInfo(valkeySearchInfo({ dim: 8, metric: "IP", prefixes: ["other:"] }));
    const diffs = definitionDifferences(base, info).join("; ");
    expect(diffs).toContain("PREFIX: index has other:, this run needs vec:");
    expect(diffs).toContain("DIM: index has 8, this run needs 4");
    expect(diffs).toContain("DISTANCE_METRIC: index has IP, this run needs L2");
  });

  test("M is compared only when the run sets it", () => {
    const info = parseFtInfo(valkeySearchInfo({ m: 16 }));
    expect(definitionDifferences(base, info)).toEqual([]);
    expect(definitionDifferences({ ...base, m: 32 }, info)).toEqual(["M: index has 16, this run needs 32"]);
  });

  test("a missing NUMERIC field makes the index unusable for filtered runs", () => {
    expect(definitionDifferences({ ...base, numericFields: ["price"] }, parseFtInfo(valkeySearchInfo()))).toEqual(["NUMERIC fields: index has none, this run needs price"]);
  });

  test("NUMERIC fields compare as a set: same fields in any order reuse, one missing or extra names both sets", () => {
    const both = parseFtInfo(valkeySearchInfo({ numeric: ["year", "price"] }));
    expect(definitionDifferences({ ...base, numericFields: ["price", "year"] }, both)).toEqual([]);
    expect(definitionDifferences({ ...base, numericFields: ["price"] }, both)).toEqual(["NUMERIC fields: index has year,price, this run needs price"]);
    const one = parseFtInfo(valkeySearchInfo({ numeric: ["price"] }));
    expect(definitionDifferences({ ...base, numericFields: ["price", "year"] }, one)).toEqual(["NUMERIC fields: index has price, this run needs price,year"]);
    // A run without numeric fields writes and filters none, so the index's are no obstacle.
    expect(definitionDifferences(base, both)).toEqual([]);
  });

  test("without --numeric-field the index gets the dataset's attributes plus the filters' fields; a given list is taken as is", () => {
    expect(resolveNumericFields(undefined, ["price", "year"], ["id", "price"])).toEqual(["price", "year", "id"]);
    expect(resolveNumericFields(undefined, [], [])).toEqual([]);
    expect(resolveNumericFields(["year"], ["price", "year"], [])).toEqual(["year"]);
  });
});
