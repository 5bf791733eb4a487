/**
 * The vector search part of a run's plan: which vector tests run, with which parameters, and
 * the main-thread steps around them (PlannedTest.before/after in src/engine/workload-api.ts).
 *
 * Planning opens the dataset once to validate it against the flags (dimension, metric, ground
 * truth deep enough for -k and inside the --num-vectors slice) and asks the server what it is
 * (src/search/platform.ts), so a run that cannot work fails before any request. The index is
 * created (or checked) just before the first vector test; vec-load skips vectors already on the
 * server (SCAN) unless --reload, then waits until the index has caught up and records how long
 * that took; --cleanup runs after the last vector test.
 *
 * Skipping present vectors: vec-load writes slice index r for request r, so a load that stopped
 * early leaves a prefix of the slice. The plan SCANs, finds the first missing id and loads the
 * rest as a sub-slice (DatasetRef offset/count), so keys keep their dataset ids. Scattered gaps
 * (another tool, a different --vector-offset) fall back to writing the whole slice.
 */
import type { Deployment } from "../cluster/discovery.ts";
import { checkSendBuffers } from "../config/memory-budget.ts";
import { ownVectorKeys } from "./own-keys.ts";
import { canonicalTestName, isVectorTestName } from "../config/test-names.ts";
import type { BenchConfig, SearchDistance } from "../config/types.ts";
import { NO_NEIGHBOR, openDataset, resolveMetric, resolveVectorDim, sliceDataset, type VectorDataset } from "../dataset/index.ts";
import { UserError } from "../errors.ts";
import type { PlannedTest, TestPatch } from "../engine/workload-api.ts";
import { imbalanceOfCounts } from "../metrics/node-results.ts";
import type { TestResult } from "../metrics/types.ts";
import { planKvTests } from "../workload/plan.ts";
import { describeDefinition, resolveNumericFields, type IndexDefinition } from "./index-definition.ts";
import { IndexManager, type SearchLog } from "./index-manager.ts";
import { formatVectorKey } from "./key-id.ts";
import { checkCapabilities, detectPlatform, type SearchPlatform } from "./platform.ts";
import { allOf, numericFilter, tagFilter } from "./query-filter.ts";
import { flagFilterGroundTruthMismatch } from "./flag-filter-ground-truth.ts";
import { groundTruthMetricMismatch } from "./ground-truth-metric.ts";
import { deletableIds, protectedIdBits } from "./vec-delete-workload.ts";
import { checkNonFinite } from "../dataset/tools/info.ts";
import type { DatasetRef, MixParams, VecDeleteParams, VecLoadParams, VecQueryParams, VecUpdateParams, VectorKeyParams } from "./workload-params.ts";

/** Tag field written and indexed when the dataset has tags and --tag-field is not given. */
export const DEFAULT_TAG_FIELD = "category";

/** What vec-load adds to its result's extra (besides the workload's own counters). */
export interface VecLoadIndexExtra {
  index: string;
  /** Vectors of the slice found on the server before loading (skipped unless --reload). */
  alreadyPresent: number;
  /** Seconds from the end of the load (last reply) until every primary reported the index ready. */
  indexedAfterSec: number;
  numDocs: number;
  hashIndexingFailures: number;
  /** The index's NUMERIC fields, each written by vec-load (empty when none). */
  numericFields: string[];
}

export function wantsVectorTests(config: BenchConfig): boolean {
  return config.tests.some(isVectorTestName) || config.search.mix !== undefined;
}

/** What planning learnt about the dataset (closed again: workers map it themselves). */
export interface DatasetFacts {
  ref: DatasetRef;
  dim: number;
  metric: SearchDistance;
  metricSource: string;
  numVectors: number;
  numQueries: number;
  neighborsPerQuery: number;
  hasTags: boolean;
  /** The dataset's numeric attributes (VectorDataset.numericFields). */
  numericFields: readonly string[];
  /** Numeric attributes the dataset's queries put ranges on (used with --filtered-search). */
  queryRangeFields: string[];
  /** Slice indices a vec-delete may remove (outside every query's ground truth); 0 when no vec-delete runs. */
  deletable: number;
  /** Distinct ground-truth ids of the queries (first -k of each), evenly sampled to at most GROUND_TRUTH_SAMPLE; empty when no queries run. */
  groundTruthSample: number[];
  /**
   * Why the dataset's ground truth does not hold for this run's queries, so recall is withheld:
   * computed with another metric (ground-truth-metric.ts) or without the flag filters
   * (flag-filter-ground-truth.ts). Undefined when it holds or no queries run.
   */
  groundTruthMismatch?: string;
  description: string;
}

/** Ground-truth keys checked for presence before a vec-query (bounded: one EXISTS, or one SCAN in cluster mode). */
export const GROUND_TRUTH_SAMPLE = 2000;

/** Opens and checks the dataset for the tests asked for. */
export function datasetFacts(config: BenchConfig, queries: boolean, deletes: boolean): DatasetFacts {
  const s = config.search;
  const ref: DatasetRef = { path: s.datasetPath, schemaPath: s.schemaPath, dataPath: s.dataPath, vectorOffset: s.vectorOffset, numVectors: s.numVectors };
  const base = openDataset({ path: s.datasetPath, schemaPath: s.schemaPath, dataPath: s.dataPath });
  try {
    const ds = sliceDataset(base, { vectorOffset: s.vectorOffset, numVectors: s.numVectors });
    const dim = resolveVectorDim(ds, s.vectorDim);
    const metric = resolveMetric(ds, s.distance);
    if (queries) checkGroundTruth(ds, s.k, s.vectorOffset);
    checkFinite(ds, config, queries);
    if (queries && !s.filteredSearch) checkUnfilteredQueries(ds);
    if (s.filteredSearch && !ds.hasTags && ds.numericFields.length === 0) {
      throw new UserError(`--filtered-search needs per-query filters, but ${ds.path} has no tags or numeric attributes; generate one with \`dataset generate --tags\` or \`--numeric\``);
    }
    const queryRangeFields = new Set<string>();
    if (s.filteredSearch && ds.numericFields.length > 0) {
      for (let q = 0; q < ds.numQueries; q++) for (const r of ds.queryNumericRanges(q)) queryRangeFields.add(r.field);
    }
    const flagFilters = { ...(s.tagFilter !== undefined ? { tags: s.tagFilter.split("|") } : {}), numeric: s.numericFilters };
    const metricLabel = s.distance !== undefined ? "--search-distance" : ds.metricHint ? "the file's metric hint" : "the default";
    const groundTruthMismatch = queries
      ? (groundTruthMetricMismatch(ds, s.k, s.vectorOffset, metric.metric, metricLabel) ?? flagFilterGroundTruthMismatch(ds, s.k, s.vectorOffset, flagFilters))
      : undefined;
    return {
      ...(groundTruthMismatch !== undefined ? { groundTruthMismatch } : {}),
      ref,
      dim,
      metric: metric.metric,
      metricSource: metric.source,
      numVectors: ds.numVectors,
      numQueries: ds.numQueries,
      neighborsPerQuery: ds.neighborsPerQuery,
      hasTags: ds.hasTags,
      numericFields: ds.numericFields,
      queryRangeFields: [...queryRangeFields],
      deletable: deletes ? deletableCount(ds, s.vectorOffset) : 0,
      groundTruthSample: queries ? groundTruthSample(ds, s.k) : [],
      description: `${ds.path}: ${ds.numVectors} vectors${s.vectorOffset > 0 ? ` from ${s.vectorOffset}` : ""}, dim ${dim} ${ds.dtype}, ${ds.numQueries} queries, ${ds.neighborsPerQuery} ground-truth neighbours each`,
    };
  } finally {
    base.close();
  }
}

/** The distinct ids recall is scored against, sorted and evenly thinned to GROUND_TRUTH_SAMPLE. */
function groundTruthSample(ds: VectorDataset, k: number): number[] {
  const ids = new Set<number>();
  const width = Math.min(k, ds.neighborsPerQuery);
  for (let q = 0; q < ds.numQueries; q++) {
    for (let j = 0; j < width; j++) {
      const id = ds.neighborId(q, j);
      if (id !== NO_NEIGHBOR && id <= Number.MAX_SAFE_INTEGER) ids.add(id);
    }
  }
  const all = [...ids].sort((a, b) => a - b);
  if (all.length <= GROUND_TRUTH_SAMPLE) return all;
  return Array.from({ length: GROUND_TRUTH_SAMPLE }, (_, i) => all[Math.floor((i * all.length) / GROUND_TRUTH_SAMPLE)]!);
}

/** Slice vectors outside every query's ground truth (a bit per vector, no id list). */
function deletableCount(ds: VectorDataset, offset: number): number {
  const bits = protectedIdBits(ds, offset);
  let protectedIds = 0;
  for (let i = 0; i < bits.length; i++) {
    let b = bits[i]!;
    while (b !== 0) {
      b &= b - 1;
      protectedIds++;
    }
  }
  return ds.numVectors - protectedIds;
}

/**
 * Recall is only defensible when every query has k ground-truth ids and they all lie inside the
 * vectors this run uses; otherwise the run is refused rather than printing a wrong number.
 */
function checkGroundTruth(ds: VectorDataset, k: number, offset: number): void {
  if (ds.numQueries === 0) throw new UserError(`vec-query needs queries, but ${ds.path} has none; use a dataset with a query set`);
  if (ds.neighborsPerQuery === 0) {
    throw new UserError(`vec-query needs ground truth for recall, but ${ds.path} has none; add it with \`dataset ground-truth --k ${k}\``);
  }
  if (k > ds.neighborsPerQuery) {
    throw new UserError(`-k ${k} is more than the ${ds.neighborsPerQuery} ground-truth neighbours per query in ${ds.path}; lower -k or recompute with \`dataset ground-truth --k ${k}\``);
  }
  for (let q = 0; q < ds.numQueries; q++) {
    for (let j = 0; j < k; j++) {
      const id = ds.neighborId(q, j);
      if (id === NO_NEIGHBOR) continue;
      if (id < offset || id >= offset + ds.numVectors) {
        throw new UserError(
          `ground truth of query ${q} names vector ${id}, outside the vectors this run uses (${offset}..${offset + ds.numVectors - 1}); use the whole dataset or compute ground truth for the slice (\`dataset ground-truth\`)`,
        );
      }
    }
  }
}

/**
 * A NaN or infinite component makes every distance to that vector undefined: valkey-search
 * indexes it anyway (no hash_indexing_failures) and queries return whatever the graph makes of
 * it, so recall goes wrong with nothing to show why. Refused before any request, as `dataset
 * info` reports it (a sample of the vectors when loading or updating, every query when querying).
 */
function checkFinite(ds: VectorDataset, config: BenchConfig, queries: boolean): void {
  const names = [...config.tests.map(canonicalTestName), ...(config.search.mix ?? []).map((p) => p.test)];
  const writes = names.includes("vec-load") || names.includes("vec-update");
  if (!writes && !queries) return;
  const nf = checkNonFinite(ds, false, writes);
  const problems: string[] = [];
  if (nf.vectors > 0) problems.push(`${nf.vectors} of ${nf.vectorsChecked} checked vectors hold NaN or infinity (first: vector ${(nf.firstVector ?? 0) + config.search.vectorOffset})`);
  if (queries && nf.queries > 0) problems.push(`${nf.queries} of ${nf.queriesChecked} queries hold NaN or infinity (first: query ${nf.firstQuery})`);
  if (problems.length > 0) throw new UserError(`${ds.path}: ${problems.join("; ")}; distances to them are undefined, so fix or drop them (\`dataset info --full\` lists the count)`);
}

/**
 * A dataset whose queries carry filters (tags, numeric ranges) has ground truth computed with
 * them: queried without them, every query finds neighbours its ground truth excludes and recall
 * comes out wrong with nothing to show why. Refused, with the flag that applies them.
 */
function checkUnfilteredQueries(ds: VectorDataset): void {
  let filtered = 0;
  for (let q = 0; q < ds.numQueries; q++) if (ds.queryFilter(q).length > 0 || ds.queryNumericRanges(q).length > 0) filtered++;
  if (filtered === 0) return;
  throw new UserError(
    `${filtered} of the ${ds.numQueries} queries in ${ds.path} carry filters (tags or numeric ranges) and their ground truth was computed with them; pass --filtered-search to send each query's filter, otherwise recall would be scored against neighbours the queries exclude`,
  );
}

/** Shared state of the vector tests of one run. */
class SearchRun {
  private indexReady = false;
  /** Cluster mode: slot of each loaded key (slice index -> slot), rebuilt with SCAN when stale. */
  private idSlots: Uint16Array | undefined;
  /** Cluster mode, beside idSlots: 1 for each slice index whose key the SCAN found. */
  private idPresent: Uint8Array | undefined;

  constructor(
    readonly config: BenchConfig,
    readonly deployment: Deployment,
    readonly facts: DatasetFacts,
    readonly def: IndexDefinition,
    readonly manager: IndexManager,
    readonly log: SearchLog,
    /** True when this run has a vec-load (which fills the index before the others run). */
    readonly loads: boolean,
  ) {}

  get cluster(): boolean {
    return this.deployment.mode === "cluster";
  }

  async ensureIndex(): Promise<void> {
    if (this.indexReady) return;
    const s = this.config.search;
    await this.manager.ensureIndex(this.def, { dropIndex: s.dropIndex, recreateIndex: s.recreateIndex, skipIndexCreate: s.skipIndexCreate, timeoutSec: s.indexWaitTimeoutSec }, this.log);
    if (!this.loads) {
      // Without a vec-load in this run the vectors must be there already: an empty index would
      // turn every query into a zero-recall short reply.
      const { numDocs } = await this.manager.waitUntilReady(this.def.name, { timeoutSec: s.indexWaitTimeoutSec, expectedDocs: 0 }, this.log);
      if (numDocs === 0) throw new UserError(`index '${this.def.name}' has no documents under ${this.def.prefix}: load the vectors first (-t vec-load)`);
      await this.checkIdFieldsLoaded();
    }
    this.indexReady = true;
  }

  /**
   * A --numeric-filter on a field the dataset has no attribute for filters on each vector's id,
   * which vec-load writes only into the NUMERIC fields the index declares when it loads. Vectors
   * loaded before the filter was asked for lack the field, so every filtered query would come
   * back empty (recall 0, all short replies, nothing saying why): refused, naming the fix.
   * Checked on one key of the ground truth; standalone only (a cluster key's tag needs a SCAN).
   */
  private async checkIdFieldsLoaded(): Promise<void> {
    const fields = [...new Set(this.config.search.numericFilters.map((f) => f.field))].filter((f) => !this.facts.numericFields.includes(f));
    if (fields.length === 0 || this.cluster) return;
    const key = formatVectorKey(this.def.prefix, this.facts.groundTruthSample[0] ?? this.config.search.vectorOffset);
    await this.manager.onFirstPrimary(async (c) => {
      if ((await c.call(["EXISTS", key])) !== 1) return;
      for (const f of fields) {
        if ((await c.call(["HEXISTS", key, f])) === 0) {
          throw new UserError(
            `--numeric-filter ${f}: the vectors under ${this.def.prefix} have no '${f}' field (${key} lacks it: they were loaded before the index declared ${f} NUMERIC), so every filtered query would find nothing; write it with -t vec-load --reload`,
          );
        }
      }
    });
  }

  /** Present ids as u8 flags per slice index (1 = on the server), and their count. */
  async presentIds(): Promise<{ flags: Uint8Array; count: number; slots?: Int32Array }> {
    const { vectorOffset } = this.config.search;
    const n = this.facts.numVectors;
    const flags = new Uint8Array(n);
    // Cluster mode: the slot of each present key, so a rewrite keeps its tag (-1: not present).
    const slots = this.cluster ? new Int32Array(n).fill(-1) : undefined;
    let count = 0;
    await this.manager.scanKeys(this.config.search.prefix, (id, slot) => {
      const i = id - vectorOffset;
      if (i >= 0 && i < n && flags[i] === 0) {
        flags[i] = 1;
        if (slots) slots[i] = slot;
        count++;
      }
    });
    return slots ? { flags, count, slots } : { flags, count };
  }

  /** Cluster mode: the slot each key was loaded into, from SCAN on every primary. */
  async slotsOfIds(): Promise<Uint16Array | undefined> {
    if (!this.cluster) return undefined;
    if (this.idSlots) return this.idSlots;
    const { vectorOffset } = this.config.search;
    const n = this.facts.numVectors;
    const slots = new Uint16Array(n);
    const present = new Uint8Array(n);
    let found = 0;
    await this.manager.scanKeys(this.config.search.prefix, (id, slot) => {
      const i = id - vectorOffset;
      if (i >= 0 && i < n) {
        slots[i] = slot;
        present[i] = 1;
        found++;
      }
    });
    if (found === 0) throw new UserError(`no vector keys under ${this.config.search.prefix} on the cluster; run -t vec-load first`);
    this.idSlots = slots;
    this.idPresent = present;
    return slots;
  }

  /** --cleanup: index and keys go; a --loop round after it starts from scratch. */
  async cleanup(): Promise<void> {
    const first = this.config.search.vectorOffset;
    const end = first + this.facts.numVectors;
    await this.manager.cleanup(this.def.name, this.def.prefix, ownVectorKeys(this.def.prefix, first, end), `${first}..${end - 1}`, this.log);
    this.indexReady = false;
    this.idSlots = undefined;
  }

  /** Why recall cannot be scored against the dataset (the rewrite marker's text), or undefined. */
  async rewrittenReason(): Promise<string | undefined> {
    const marker = await this.manager.readMarker(this.config.search.prefix);
    if (marker === undefined) return undefined;
    const reason = `the vectors under ${this.config.search.prefix} no longer match the dataset (${marker}); reload them with -t vec-load --reload, or --cleanup`;
    this.log.info(`recall withheld: ${reason}`);
    return reason;
  }

  /**
   * Why recall cannot be scored because ground-truth vectors are not on the server (a partial
   * vec-load), or undefined. Checks the sampled ground-truth keys: one EXISTS standalone; in
   * cluster mode a key's tag is not derivable from its id, so the SCAN the slot map uses instead.
   */
  async missingGroundTruthReason(): Promise<string | undefined> {
    const sample = this.facts.groundTruthSample;
    if (sample.length === 0) return undefined;
    const prefix = this.config.search.prefix;
    let present = 0;
    if (this.cluster) {
      const wanted = new Set(sample);
      const seen = new Set<number>();
      await this.manager.scanKeys(prefix, (id) => {
        if (wanted.has(id)) seen.add(id);
      });
      present = seen.size;
    } else {
      present = await this.manager.existingKeys(sample.map((id) => formatVectorKey(prefix, id)));
    }
    const missing = sample.length - present;
    if (missing === 0) return undefined;
    const reason = `${missing} of ${sample.length} sampled ground-truth vectors are not on the server under ${prefix}; load them: run -t vec-load with the full dataset, or --num-vectors covering the ground truth`;
    this.log.info(`recall withheld: ${reason}`);
    return reason;
  }

  /**
   * After a vec-load wrote every vector of the slice: the keys hold the dataset's values again
   * and the rewrite marker goes, unless some vectors lack a tag or numeric attribute. HSET never
   * removes a field, so such a key may still carry the one an update gave it (from another
   * vector): then the marker stays, and the way out is --cleanup and a fresh load.
   */
  async restoredAll(): Promise<void> {
    const prefix = this.config.search.prefix;
    if ((await this.manager.readMarker(prefix)) === undefined) return;
    if (this.someVectorsLackFields()) {
      await this.manager.writeMarker(prefix, "an update gave keys tag or numeric fields that a reload cannot remove, since some vectors have none; run --cleanup and load again");
      this.log.info("vec-load: recall stays withheld: some vectors have no tags or numeric attributes, so fields an earlier update wrote may remain; --cleanup and load again");
      return;
    }
    await this.manager.clearMarker(prefix);
  }

  private someVectorsLackFields(): boolean {
    const s = this.config.search;
    const base = openDataset({ path: s.datasetPath, schemaPath: s.schemaPath, dataPath: s.dataPath });
    try {
      const ds = sliceDataset(base, { vectorOffset: s.vectorOffset, numVectors: s.numVectors });
      const numeric = this.def.numericFields ?? [];
      const attributes = numeric.filter((f) => ds.numericFields.includes(f));
      for (let i = 0; i < ds.numVectors; i++) {
        if (this.def.tagField !== undefined && ds.hasTags && ds.vectorTags(i).length === 0) return true;
        for (const f of attributes) if (ds.vectorNumeric(i, f) === undefined) return true;
      }
      return false;
    } finally {
      base.close();
    }
  }

  /** Before a vec-update that changes vector values: later runs must know (see IndexManager.markerKey). */
  async markRewritten(shift: number): Promise<string> {
    const what = `vec-update --update-shift ${shift} rewrote them at ${new Date().toISOString()}`;
    await this.manager.writeMarker(this.config.search.prefix, what);
    return `the vectors under ${this.config.search.prefix} are being rewritten by this test (${what.replace(/ at .*/, "")}), so they no longer match the dataset's ground truth`;
  }

  /**
   * Of the first `count` deletable ids (the keys a vec-delete of `count` requests deletes): how
   * many were looked up and how many are not on the server. Cluster mode: all of them, from the
   * slot map's SCAN; standalone: one EXISTS of at most GROUND_TRUTH_SAMPLE evenly spread keys.
   */
  async missingDeleteTargets(count: number): Promise<{ checked: number; missing: number }> {
    const s = this.config.search;
    const base = openDataset({ path: s.datasetPath, schemaPath: s.schemaPath, dataPath: s.dataPath });
    let targets: Uint32Array;
    try {
      targets = deletableIds(sliceDataset(base, { vectorOffset: s.vectorOffset, numVectors: s.numVectors }), s.vectorOffset).subarray(0, count);
    } finally {
      base.close();
    }
    if (this.cluster) {
      await this.slotsOfIds();
      const present = this.idPresent!;
      let missing = 0;
      for (const i of targets) if (present[i] === 0) missing++;
      return { checked: targets.length, missing };
    }
    const sample = targets.length <= GROUND_TRUTH_SAMPLE ? [...targets] : Array.from({ length: GROUND_TRUTH_SAMPLE }, (_, j) => targets[Math.floor((j * targets.length) / GROUND_TRUTH_SAMPLE)]!);
    const present = await this.manager.existingKeys(sample.map((i) => formatVectorKey(s.prefix, s.vectorOffset + i)));
    return { checked: sample.length, missing: sample.length - present };
  }

  /** Keys moved (vec-load wrote some): the slot map must be rebuilt before it is used again. */
  forgetSlots(): void {
    this.idSlots = undefined;
  }

}

function keyParams(config: BenchConfig, def: IndexDefinition, cluster: boolean): VectorKeyParams {
  const p: VectorKeyParams = { prefix: config.search.prefix, clusterTags: cluster, vectorField: def.vectorField };
  if (def.tagField !== undefined) p.tagField = def.tagField;
  if (def.numericFields !== undefined) p.numericFields = def.numericFields;
  return p;
}

/** The filter every query carries from the flags (`*` when none). */
export function flagFilter(config: BenchConfig, tagField: string | undefined): string {
  const s = config.search;
  const parts: string[] = [];
  if (s.tagFilter !== undefined) {
    if (tagField === undefined) throw new UserError("--tag-filter needs a TAG field: pass --tag-field NAME (or use a dataset with tags)");
    parts.push(tagFilter(tagField, s.tagFilter.split("|")));
  }
  for (const f of s.numericFilters) parts.push(numericFilter(f.field, { low: f.min, high: f.max, lowExclusive: f.minExclusive, highExclusive: f.maxExclusive }));
  return allOf(parts);
}

/**
 * The hash fields vec-load writes numbers into and the index declares NUMERIC (see
 * resolveNumericFields). With --filtered-search every range of the dataset's queries must be on
 * one of them, so an explicit list that leaves one out fails before the run rather than per query.
 */
function numericFieldsOf(config: BenchConfig, facts: DatasetFacts): string[] {
  const s = config.search;
  const fields = resolveNumericFields(s.numericFields, facts.numericFields, s.numericFilters.map((f) => f.field));
  for (const f of facts.queryRangeFields) {
    if (!fields.includes(f)) {
      throw new UserError(
        `--filtered-search: the dataset's queries filter on numeric attribute '${f}' but the index's NUMERIC fields are ${fields.length === 0 ? "none" : fields.join(",")}; pass --numeric-field ${[...fields, f].join(",")}`,
      );
    }
  }
  return fields;
}

function queryTitle(config: BenchConfig): string {
  const s = config.search;
  const details = [`k=${s.k}`];
  if (s.efSearch !== undefined) details.push(`ef=${s.efSearch}`);
  if (s.filteredSearch || s.tagFilter !== undefined || s.numericFilters.length > 0) details.push("filtered");
  return `VEC-QUERY (${details.join(", ")})`;
}

/**
 * The PlannedTests for the vector names of -t (in their order) and --mix (last). Connects to the
 * server to detect the platform; the index is touched only when the first vector test starts.
 */
export async function planVectorTests(config: BenchConfig, deployment: Deployment, log: SearchLog): Promise<PlannedTest[]> {
  const s = config.search;
  const names = config.tests.map(canonicalTestName).filter(isVectorTestName);
  const mixNames = (s.mix ?? []).map((p) => p.test);
  const queries = names.includes("vec-query") || mixNames.includes("vec-query");
  const facts = datasetFacts(config, queries, names.includes("vec-delete") || mixNames.includes("vec-delete"));
  log.info(`dataset: ${facts.description}`);
  log.info(`metric: ${facts.metric} (${facts.metricSource})`);
  if (facts.groundTruthMismatch !== undefined) log.info(`recall withheld: ${facts.groundTruthMismatch}`);
  // Every connection's send buffer holds -P requests of dim x 4 vector bytes (plus the command,
  // fields and filter): checked against the budget before any benchmark connection opens.
  checkSendBuffers({
    clients: config.clients,
    pipeline: config.pipeline,
    unitBytes: facts.dim * 4 + 512,
    spellings: { clients: "-c", pipeline: "-P", size: `the dataset's dimension (${facts.dim})` },
  });

  const cluster = deployment.mode === "cluster";
  const manager = new IndexManager(deployment, config.connection);
  const platform: SearchPlatform = await manager.onFirstPrimary((c) => detectPlatform(c, s.engine));
  checkCapabilities(platform, { dim: facts.dim, k: s.k, metric: facts.metric, algorithm: s.algorithm, efSearch: s.efSearch, efConstruction: s.efConstruction });
  log.info(`search platform: ${platform.engine} (${platform.source})`);

  const def: IndexDefinition = { name: s.indexName, prefix: s.prefix, vectorField: s.vectorField, algorithm: s.algorithm, dim: facts.dim, metric: facts.metric };
  if (s.hnswM !== undefined) def.m = s.hnswM;
  if (s.efConstruction !== undefined) def.efConstruction = s.efConstruction;
  if (s.initialCap !== undefined) def.initialCap = s.initialCap;
  const tagField = s.tagField ?? (facts.hasTags ? DEFAULT_TAG_FIELD : undefined);
  if (tagField !== undefined) def.tagField = tagField;
  const numericFields = numericFieldsOf(config, facts);
  if (numericFields.length > 0) def.numericFields = numericFields;
  if (!s.skipIndexCreate) log.info(`index ${describeDefinition(def)}`);
  const filter = flagFilter(config, tagField);

  const run = new SearchRun(config, deployment, facts, def, manager, log, names.includes("vec-load"));
  const keys = keyParams(config, def, cluster);
  const load: VecLoadParams = { ...keys, dataset: facts.ref, dim: facts.dim };
  const query: VecQueryParams = {
    ...keys,
    dataset: facts.ref,
    indexName: def.name,
    dim: facts.dim,
    k: s.k,
    nocontent: s.nocontent,
    returnFields: s.returnFields,
    withScores: s.withScores,
    filter,
    filterFromDataset: s.filteredSearch,
    distance: facts.metric,
  };
  if (s.efSearch !== undefined) query.efSearch = s.efSearch;
  const update: VecUpdateParams = { ...load, shift: s.updateShift };
  const del: VecDeleteParams = { ...keys, dataset: facts.ref, protectedIdsCount: facts.numVectors - facts.deletable };

  const tests: PlannedTest[] = [];
  for (const name of names) {
    if (name === "vec-load") tests.push(loadTest(run, load, names.length > 1 || s.mix !== undefined || config.tests.length > names.length || config.command !== undefined));
    else if (name === "vec-query") tests.push(queryTest(run, queryTitle(config), query));
    else if (name === "vec-update") tests.push(updateTest(run, update));
    else if (name === "vec-delete") {
      if (facts.deletable === 0) throw new UserError(`vec-delete: every vector of ${facts.ref.path ?? facts.ref.schemaPath} is in some query's ground truth, so none can be deleted without breaking recall`);
      tests.push(deleteTest(run, del));
    }
  }
  if (s.mix) tests.push(mixTest(run, s.mix, { "vec-query": query, "vec-update": update, "vec-delete": del }, cluster));
  if (s.cleanup && tests.length > 0) {
    const last = tests[tests.length - 1]!;
    const after = last.after;
    last.after = async (result) => {
      const added = await after?.(result);
      await run.cleanup();
      return added;
    };
  }
  // The report header's "N bytes payload": the FLOAT32 vector each load, update or query
  // carries. `order` keeps -t's order (and the mix last) after the key-value tests.
  tests.forEach((t, i) => {
    if (t.workload.kind !== "vec-delete") t.payloadBytes = facts.dim * 4;
    t.order = i + 1;
  });
  return tests;
}

/**
 * vec-load: each vector of the slice, exactly once. -n and --duration are for the run's other
 * tests (`withOthers`; alone, the config refuses them): when one was given, a line says that the
 * load does not read it, and which flag sets how many vectors it writes.
 */
function loadTest(run: SearchRun, params: VecLoadParams, withOthers: boolean): PlannedTest {
  const n = run.facts.numVectors;
  const c = run.config;
  if (withOthers && c.durationSec !== undefined) {
    run.log.info(`vec-load: writes the ${n} vectors of the slice once (--num-vectors sets how many), however long that takes; --duration ${c.durationSec} times the other tests`);
  } else if (withOthers && c.requestsGiven) {
    run.log.info(`vec-load: writes the ${n} vectors of the slice once (--num-vectors sets how many); -n ${c.requests} counts the other tests' requests`);
  }
  /** Vectors of the slice found on the server by this round's before() (skipped). */
  let present = 0;
  return {
    title: "VEC-LOAD",
    workload: { kind: "vec-load", params },
    readOnly: false,
    repliesPerUnit: 1,
    totalRequests: n,
    noWarmup: true,
    async before(): Promise<TestPatch> {
      await run.ensureIndex();
      present = 0;
      const whole: TestPatch = { params: { ...params, dataset: run.facts.ref }, totalRequests: n };
      // --shard: the other shards write the other id ranges at the same time, so what is
      // already on the server says nothing about this shard's part: write it whole.
      if (run.config.shard || (run.config.search.reload && !run.cluster)) return whole;
      const found = await run.presentIds();
      // Cluster mode: keys already there are rewritten under the tag they carry; a new tag would
      // make a second key (and a second document) for the same vector.
      const existingSlots = (from: number) => (found.slots && found.count > 0 ? { existingSlots: found.slots.slice(from) } : {});
      if (run.config.search.reload) return { ...whole, params: { ...params, dataset: run.facts.ref, ...existingSlots(0) } };
      present = found.count;
      const firstMissing = found.flags.indexOf(0);
      if (firstMissing === -1) {
        run.log.info(`vec-load: all ${n} vectors are already on the server; nothing to write (--reload rewrites them)`);
        return { ...whole, totalRequests: 0 };
      }
      if (firstMissing > 0) {
        // Loads write ids in claim order, so an earlier (interrupted) load left a prefix of the
        // slice: load the rest as a sub-slice, whose keys still carry their dataset ids.
        const rewritten = present - firstMissing;
        run.log.info(
          `vec-load: ${present} of ${n} vectors are already on the server; writing from vector ${run.facts.ref.vectorOffset + firstMissing} on${rewritten > 0 ? ` (${rewritten} present ones after it are rewritten)` : ""} (--reload rewrites all)`,
        );
        present = firstMissing;
        const dataset = { ...run.facts.ref, vectorOffset: run.facts.ref.vectorOffset + firstMissing, numVectors: n - firstMissing };
        return { params: { ...params, dataset, ...existingSlots(firstMissing) }, totalRequests: n - firstMissing };
      }
      if (present > 0) {
        run.log.info(`vec-load: ${present} of ${n} vectors are already on the server but not the first; writing all ${n} (--reload does the same without the SCAN)`);
        present = 0;
        return { ...whole, params: { ...params, dataset: run.facts.ref, ...existingSlots(0) } };
      }
      return whole;
    },
    async after(result: TestResult) {
      run.forgetSlots();
      const written = writtenVectors(result.extra?.["vec-load"]);
      // Every vector of the slice written again: the keys hold the dataset's values.
      if (present === 0 && written === n) await run.restoredAll();
      const wait = await run.manager.waitUntilReady(run.def.name, { timeoutSec: run.config.search.indexWaitTimeoutSec, expectedDocs: present + written }, run.log);
      const index: VecLoadIndexExtra = {
        index: run.def.name,
        alreadyPresent: present,
        indexedAfterSec: wait.seconds,
        numDocs: wait.numDocs,
        hashIndexingFailures: wait.hashIndexingFailures,
        numericFields: run.def.numericFields ?? [],
      };
      return { index };
    },
  };
}

/**
 * vec-query: recall is withheld (with the reason) when the vectors were rewritten by an update.
 * On a cluster, balance is judged by the searches each shard executed (FT.SEARCH fans out to
 * every shard, so which node received a query says nothing about the load it caused), counted
 * from before the test (its warmup included) to after it.
 */
function queryTest(run: SearchRun, title: string, params: VecQueryParams): PlannedTest {
  let invalid: string | undefined;
  let searchesBefore: Map<string, number> | undefined;
  return {
    title,
    workload: { kind: "vec-query", params },
    readOnly: true,
    repliesPerUnit: 1,
    async before() {
      await run.ensureIndex();
      invalid = run.facts.groundTruthMismatch ?? (await run.rewrittenReason()) ?? (await run.missingGroundTruthReason());
      searchesBefore = run.cluster ? await run.manager.shardSearches() : undefined;
    },
    async after(result) {
      const added: Record<string, unknown> = {};
      if (invalid !== undefined) added["vec-query"] = withheld(result.extra?.["vec-query"], invalid);
      const after = searchesBefore ? await run.manager.shardSearches() : undefined;
      if (searchesBefore && after) {
        const executed = new Map([...after].map(([address, n]) => [address, n - (searchesBefore!.get(address) ?? 0)]));
        const imbalance = imbalanceOfCounts(executed, run.config.cluster.imbalanceThresholdPct, "searches executed per shard");
        if (imbalance) added.imbalance = imbalance;
      }
      return added;
    },
  };
}

/**
 * vec-delete: request r deletes the r-th deletable id, the same ids in every run, so a second
 * run (or a --loop round) without a vec-load between finds them gone: DEL replies 0, removes
 * nothing and costs the index nothing, at a rate that looks like deletes. Before the test the
 * keys it will delete are looked up (the cluster's slot-map SCAN, or one EXISTS of a sample);
 * the ones already gone are named on stderr and in the report (`targetsMissing` of
 * `targetsChecked`). The test sends at most one DEL per deletable id, with -n (a larger -n
 * given on the command line is warned about) and with --duration (it may end early).
 */
function deleteTest(run: SearchRun, params: VecDeleteParams): PlannedTest {
  const t = slotMappedTest(run, "VEC-DELETE", "vec-delete", params, false);
  // A warmup would delete ids too, and the measured pass would then delete nothing new.
  t.noWarmup = true;
  // Past the deletable ids a DEL would find its key gone: -n and --duration both stop there.
  const deletable = run.facts.deletable;
  t.maxRequests = deletable;
  const c = run.config;
  const timed = c.durationSec !== undefined;
  const count = timed ? deletable : Math.min(c.requests, deletable);
  if (c.requestsGiven && c.requests > deletable) {
    run.log.warn(`vec-delete: -n ${c.requests} is more than the ${deletable} vectors it can delete (those in no query's ground truth, so recall stays valid): it sends ${deletable} DELs`);
  }
  const before = t.before!;
  let checked = 0;
  let missing = 0;
  t.before = async () => {
    const patch = await before();
    ({ checked, missing } = await run.missingDeleteTargets(count));
    if (missing > 0) {
      run.log.warn(
        `vec-delete: ${missing} of the ${checked}${checked < count ? " sampled" : ""} keys this test deletes are not on the server (an earlier vec-delete removed them?); their DEL removes nothing and costs the index nothing: load them again with -t vec-load`,
      );
    }
    return patch;
  };
  t.after = async (result) => {
    // The deleted keys are gone: the next vec-delete or vec-update must look again.
    run.forgetSlots();
    if (timed && result.issued >= deletable) {
      run.log.info(`vec-delete: sent a DEL for each of the ${deletable} deletable vectors after ${result.durationSec.toFixed(2)} s, before --duration ${c.durationSec} ended`);
    }
    const extra = result.extra?.["vec-delete"];
    if (extra === null || typeof extra !== "object") return;
    return { "vec-delete": { ...extra, targetsChecked: checked, targetsMissing: missing } };
  };
  return t;
}

/** vec-update: a shift that changes the values leaves the rewrite marker first. */
function updateTest(run: SearchRun, params: VecUpdateParams): PlannedTest {
  const t = slotMappedTest(run, "VEC-UPDATE", "vec-update", params, false);
  const before = t.before!;
  t.before = async () => {
    const patch = await before();
    if (changesValues(params.shift, run.facts.numVectors)) await run.markRewritten(params.shift);
    return patch;
  };
  return t;
}

function changesValues(shift: number, numVectors: number): boolean {
  return numVectors > 1 && shift % numVectors !== 0;
}

/** A vec-query summary (TestResult.extra["vec-query"] or a mix part's extra) marked as not valid. */
function withheld(summary: unknown, reason: string): unknown {
  return summary !== null && typeof summary === "object" ? { ...summary, invalidReason: reason } : summary;
}

function writtenVectors(extra: unknown): number {
  if (extra !== null && typeof extra === "object" && "vectorsWritten" in extra && typeof extra.vectorsWritten === "number") return extra.vectorsWritten;
  return 0;
}

/** vec-update / vec-delete: in cluster mode each key must be addressed with the tag it was loaded with. */
function slotMappedTest(run: SearchRun, title: string, kind: string, params: VecUpdateParams | VecDeleteParams, readOnly: boolean): PlannedTest {
  return {
    title,
    workload: { kind, params },
    readOnly,
    repliesPerUnit: 1,
    async before(): Promise<TestPatch> {
      await run.ensureIndex();
      const slots = await run.slotsOfIds();
      return slots ? { params: { ...params, idSlots: slots } } : {};
    },
  };
}

/**
 * A mix's vec-delete part gets its share of -n (or of --duration) by weight, which no cap can
 * hold to the deletable ids: past them its DELs come round to ids already deleted. Said after
 * the test, so the DEL rate is not read as deletes.
 */
function warnDeletesBeyondDeletable(run: SearchRun, extra: unknown): void {
  const sent = extra !== null && typeof extra === "object" && "deletesSent" in extra && typeof extra.deletesSent === "number" ? extra.deletesSent : 0;
  const deletable = run.facts.deletable;
  if (sent <= deletable) return;
  run.log.warn(
    `--mix: the vec-delete part sent ${sent} DELs, more than the ${deletable} vectors it can delete: at least ${sent - deletable} of them named a key already deleted (unless a vec-update part wrote it again) and removed nothing; lower -n (or --duration) or its weight`,
  );
}

function mixTest(
  run: SearchRun,
  mix: { test: string; weight: number }[],
  vector: Record<string, VecQueryParams | VecUpdateParams | VecDeleteParams>,
  cluster: boolean,
): PlannedTest {
  const parts: MixParams["parts"] = [];
  let readOnly = true;
  let needsSlots = false;
  for (const { test, weight } of mix) {
    const params = vector[test];
    if (params !== undefined) {
      parts.push({ kind: test, params, weight, title: test.toUpperCase() });
      readOnly &&= test === "vec-query";
      needsSlots ||= test !== "vec-query";
      continue;
    }
    // A key-value test: the same unit valkey-benchmark's test sends (the first, for `ping`).
    const kv = planKvTests({ ...run.config, tests: [test], command: undefined, commandSequence: undefined }, cluster)[0];
    if (kv === undefined) throw new UserError(`--mix: test '${test}' cannot be part of a mix`);
    parts.push({ kind: kv.workload.kind, params: kv.workload.params, weight, title: kv.title });
    readOnly &&= kv.readOnly;
  }
  const update = parts.find((p) => p.kind === "vec-update")?.params as VecUpdateParams | undefined;
  const queryIndex = parts.findIndex((p) => p.kind === "vec-query");
  const deleteIndex = parts.findIndex((p) => p.kind === "vec-delete");
  let invalid: string | undefined;
  return {
    title: `MIX (${mix.map((p) => `${p.test}:${p.weight}`).join(",")})`,
    workload: { kind: "mix", params: { parts } satisfies MixParams },
    readOnly,
    repliesPerUnit: 1,
    async before(): Promise<TestPatch> {
      await run.ensureIndex();
      invalid = queryIndex >= 0 ? (run.facts.groundTruthMismatch ?? (await run.rewrittenReason()) ?? (await run.missingGroundTruthReason())) : undefined;
      if (update && changesValues(update.shift, run.facts.numVectors)) {
        const reason = await run.markRewritten(update.shift);
        invalid ??= reason;
      }
      if (!needsSlots) return {};
      const slots = await run.slotsOfIds();
      if (!slots) return {};
      const withSlots = parts.map((p) => (p.kind === "vec-update" || p.kind === "vec-delete" ? { ...p, params: { ...(p.params as VecUpdateParams | VecDeleteParams), idSlots: slots } } : p));
      return { params: { parts: withSlots } satisfies MixParams };
    },
    async after(result) {
      const mixExtra = result.extra?.mix as { parts?: { extra?: unknown }[] } | undefined;
      if (deleteIndex >= 0) warnDeletesBeyondDeletable(run, mixExtra?.parts?.[deleteIndex]?.extra);
      if (invalid === undefined || queryIndex < 0 || !mixExtra?.parts) return;
      const reason = invalid;
      return { mix: { ...mixExtra, parts: mixExtra.parts.map((p, i) => (i === queryIndex ? { ...p, extra: withheld(p.extra, reason) } : p)) } };
    },
  };
}
