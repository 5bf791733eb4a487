/**
 * The index a run wants, built from the flags and the dataset, and the FT.CREATE command for it.
 * Also the comparison with an existing index (read with FT.INFO, src/search/ft-info.ts), so a
 * run reuses an index only when it indexes what this run writes and queries.
 */
import type { SearchAlgorithm, SearchDistance } from "../config/types.ts";
import type { FtAttribute, FtInfo } from "./ft-info.ts";

export interface IndexDefinition {
  name: string;
  /** Key prefix (the index's only PREFIX). */
  prefix: string;
  vectorField: string;
  algorithm: SearchAlgorithm;
  dim: number;
  metric: SearchDistance;
  /** HNSW parameters: sent, and compared with an existing index, only when given. */
  m?: number;
  efConstruction?: number;
  efRuntime?: number;
  initialCap?: number;
  /** Extra attributes: a TAG field (dataset tags, --tag-field) and NUMERIC ones (--numeric-field). */
  tagField?: string;
  numericFields?: string[];
}

/**
 * The NUMERIC fields of the index: --numeric-field when given, else every numeric attribute of
 * the dataset plus the fields the --numeric-filter flags name (an id filter, for instance, needs
 * its field indexed even though the dataset has no such attribute).
 */
export function resolveNumericFields(given: readonly string[] | undefined, datasetFields: readonly string[], filterFields: readonly string[]): string[] {
  if (given !== undefined) return [...given];
  return [...new Set([...datasetFields, ...filterFields])];
}

/**
 * `FT.CREATE idx ON HASH PREFIX 1 vec: SCHEMA embedding VECTOR HNSW <n> TYPE FLOAT32 DIM d
 * DISTANCE_METRIC m [M ..] [EF_CONSTRUCTION ..] [EF_RUNTIME ..] [INITIAL_CAP ..] [tag TAG]
 * [num NUMERIC]...`. The server checks that <n> is exactly the number of tokens that follow it.
 */
export function ftCreateArgs(d: IndexDefinition): string[] {
  const attrs = ["TYPE", "FLOAT32", "DIM", String(d.dim), "DISTANCE_METRIC", d.metric];
  if (d.algorithm === "HNSW") {
    if (d.m !== undefined) attrs.push("M", String(d.m));
    if (d.efConstruction !== undefined) attrs.push("EF_CONSTRUCTION", String(d.efConstruction));
    if (d.efRuntime !== undefined) attrs.push("EF_RUNTIME", String(d.efRuntime));
  }
  if (d.initialCap !== undefined) attrs.push("INITIAL_CAP", String(d.initialCap));
  const args = ["FT.CREATE", d.name, "ON", "HASH", "PREFIX", "1", d.prefix, "SCHEMA", d.vectorField, "VECTOR", d.algorithm, String(attrs.length), ...attrs];
  if (d.tagField !== undefined) args.push(d.tagField, "TAG");
  for (const f of d.numericFields ?? []) args.push(f, "NUMERIC");
  return args;
}

/**
 * What differs between the wanted definition and an existing index, as one phrase per attribute
 * ("DIM: index has 64, this run needs 128"); empty when the index can be reused. Parameters the
 * run did not set (M, EF_CONSTRUCTION...) are not compared: the server's choice is fine.
 */
export function definitionDifferences(want: IndexDefinition, have: FtInfo): string[] {
  const out: string[] = [];
  const diff = (what: string, has: unknown, needs: unknown) => out.push(`${what}: index has ${has ?? "none"}, this run needs ${needs}`);
  if (have.keyType !== undefined && have.keyType.toUpperCase() !== "HASH") diff("ON", have.keyType, "HASH");
  if (!(have.prefixes.length === 1 && have.prefixes[0] === want.prefix)) diff("PREFIX", have.prefixes.length === 0 ? "none" : have.prefixes.join(" "), want.prefix);
  const vector = have.attributes.find((a) => a.type === "VECTOR" && (a.identifier === want.vectorField || a.alias === want.vectorField));
  if (vector === undefined) {
    const others = have.attributes.filter((a) => a.type === "VECTOR").map((a) => a.identifier);
    diff("vector field", others.length > 0 ? others.join(",") : "none", want.vectorField);
    return out;
  }
  if (vector.algorithm !== undefined && vector.algorithm !== want.algorithm) diff("algorithm", vector.algorithm, want.algorithm);
  if (vector.dim !== undefined && vector.dim !== want.dim) diff("DIM", vector.dim, want.dim);
  if (vector.metric !== undefined && vector.metric !== want.metric) diff("DISTANCE_METRIC", vector.metric, want.metric);
  if (want.m !== undefined && vector.m !== undefined && vector.m !== want.m) diff("M", vector.m, want.m);
  if (want.efConstruction !== undefined && vector.efConstruction !== undefined && vector.efConstruction !== want.efConstruction) {
    diff("EF_CONSTRUCTION", vector.efConstruction, want.efConstruction);
  }
  if (want.efRuntime !== undefined && vector.efRuntime !== undefined && vector.efRuntime !== want.efRuntime) diff("EF_RUNTIME", vector.efRuntime, want.efRuntime);
  if (want.tagField !== undefined) {
    const a = have.attributes.find((x) => x.identifier === want.tagField || x.alias === want.tagField);
    if (a === undefined || a.type !== "TAG") diff(`TAG field ${want.tagField}`, a ? a.type : "none", "TAG");
  }
  // NUMERIC fields compare as a set when the run has any: vec-load writes every wanted field and
  // queries filter on any of them, so one missing would fail the filters and one extra would go
  // unwritten. A run without numeric fields ignores them, as a run without tags ignores TAG.
  const wanted = want.numericFields ?? [];
  const numeric = have.attributes.filter((a) => a.type === "NUMERIC");
  const names = (a: FtAttribute) => [a.identifier, a.alias];
  const missing = wanted.some((f) => !numeric.some((a) => names(a).includes(f)));
  const extra = wanted.length > 0 && numeric.some((a) => !names(a).some((n) => wanted.includes(n)));
  if (missing || extra) {
    const has = numeric.map((a) => a.alias || a.identifier);
    diff("NUMERIC fields", has.length > 0 ? has.join(",") : "none", wanted.length > 0 ? wanted.join(",") : "none");
  }
  return out;
}

/** One line for the banner: `idx: HNSW DIM 128 L2 on vec:* (M 16, EF_CONSTRUCTION 200)`. */
export function describeDefinition(d: IndexDefinition): string {
  const params = [
    d.m !== undefined ? `M ${d.m}` : "",
    d.efConstruction !== undefined ? `EF_CONSTRUCTION ${d.efConstruction}` : "",
    d.efRuntime !== undefined ? `EF_RUNTIME ${d.efRuntime}` : "",
    d.initialCap !== undefined ? `INITIAL_CAP ${d.initialCap}` : "",
    d.tagField !== undefined ? `TAG ${d.tagField}` : "",
    d.numericFields !== undefined && d.numericFields.length > 0 ? `NUMERIC ${d.numericFields.join(", ")}` : "",
  ].filter((p) => p !== "");
  return `${d.name}: ${d.algorithm} DIM ${d.dim} ${d.metric} on ${d.prefix}*${params.length > 0 ? ` (${params.join(", ")})` : ""}`;
}
