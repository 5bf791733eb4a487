/**
 * `valkey-search-benchmark dataset ...`: prepare and inspect vector datasets.
 * Subcommands: generate, info, ground-truth, verify, convert. Bad input throws UserError
 * (one-line message, exit code 2); the entry point prints it.
 */
import { type CommandDef, defineCommand, renderUsage, runCommand } from "citty";
import { readdirSync, renameSync, statSync } from "node:fs";
import { basename, extname, join, resolve } from "node:path";
import { checkNotAnInput, checkOutputTarget, type NamedPath } from "../config/output-target.ts";
import { removePendingFiles } from "../dataset/pending-files.ts";
import { log } from "../log.ts";
import { exitWhenFlushed } from "../stdio.ts";
import { exitCodeFor, onStopSignals } from "../stop-signals.ts";
import { convertToLegacy, type ConvertInputs, type ConvertProgress } from "../dataset/tools/convert.ts";
import * as v from "valibot";
import { numericFilterText } from "../config/value-schemas.ts";
import {
  type DatasetNumericRange, DISTANCE_METRICS, type DistanceMetric, openDataset, type OpenDatasetOptions, type VectorDataset, type VectorDtype,
} from "../dataset/index.ts";
import { UserError } from "../dataset/errors.ts";
import { generateDataset, type NumericSpec, type TagSpec } from "../dataset/tools/generate.ts";
import { computeGroundTruth, defaultWorkerCount } from "../dataset/tools/ground-truth.ts";
import { openHdf5 } from "../dataset/sources/hdf5-source.ts";
import { describeDataset, formatDatasetInfo, inconsistencies } from "../dataset/tools/info.ts";
import type { VectorLabels } from "../dataset/sources/parquet/labels.ts";
import { openParquetDirectory } from "../dataset/sources/parquet/source.ts";
import { openRawSource } from "../dataset/sources/raw-sources.ts";
import { storeGroundTruthInPlace, writeDatasetWithGroundTruth } from "../dataset/tools/rewrite.ts";
import { verifyGroundTruth } from "../dataset/tools/verify.ts";

type Args = Record<string, unknown>;

function str(args: Args, name: string): string | undefined {
  const v = args[name];
  return typeof v === "string" && v !== "" ? v : undefined;
}

function int(args: Args, name: string, dflt: number, min = 0): number {
  const v = str(args, name);
  if (v === undefined) return dflt;
  const n = Number(v.replace(/_/g, ""));
  if (!Number.isSafeInteger(n) || n < min) throw new UserError(`--${name} ${v} is invalid; expected an integer >= ${min}`);
  return n;
}

function fraction(args: Args, name: string): number | undefined {
  const v = str(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!(n >= 0 && n <= 1)) throw new UserError(`--${name} ${v} is invalid; expected a fraction in 0..1`);
  return n;
}

function metricArg(args: Args, fallback?: DistanceMetric, context = ""): DistanceMetric {
  const v = str(args, "metric");
  if (v === undefined) {
    if (fallback) return fallback;
    throw new UserError(`no distance metric${context}; pass --metric L2, IP or COSINE`);
  }
  const m = v.toUpperCase() as DistanceMetric;
  if (!DISTANCE_METRICS.includes(m)) throw new UserError(`--metric ${v} is invalid; expected L2, IP or COSINE`);
  return m;
}

function dtypeArg(args: Args): VectorDtype | undefined {
  const v = str(args, "dtype");
  if (v === undefined) return undefined;
  if (v !== "float32" && v !== "float16") throw new UserError(`--dtype ${v} is invalid; expected float32 or float16`);
  return v;
}

function tagsArg(args: Args): TagSpec[] | undefined {
  const v = str(args, "tags");
  if (v === undefined) return undefined;
  return v.split(",").map((part) => {
    const i = part.lastIndexOf(":");
    const probability = Number(part.slice(i + 1));
    if (i <= 0 || !(probability >= 0 && probability <= 1)) {
      throw new UserError(`--tags ${part} is invalid; expected NAME:PROBABILITY with probability in 0..1, e.g. red:0.1,blue:0.5`);
    }
    return { name: part.slice(0, i), probability };
  });
}

/**
 * Every value of a repeatable flag (`--numeric a --numeric b`, `--numeric=a`): citty keeps only
 * the last, so they are read from the raw arguments.
 */
function repeated(rawArgs: readonly string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < rawArgs.length; i++) {
    const a = rawArgs[i]!;
    if (a === `--${name}` && i + 1 < rawArgs.length) out.push(rawArgs[++i]!);
    else if (a.startsWith(`--${name}=`)) out.push(a.slice(name.length + 3));
  }
  return out;
}

const NUMERIC_SPEC_HELP = "NAME:uniform:MIN:MAX or NAME:int:MIN:MAX, e.g. price:uniform:0:100";

/** `--numeric price:uniform:0:100` (repeatable, or comma-separated). */
function numericSpecsArg(rawArgs: readonly string[]): NumericSpec[] | undefined {
  const parts = repeated(rawArgs, "numeric").flatMap((v) => v.split(",")).filter((p) => p !== "");
  if (parts.length === 0) return undefined;
  return parts.map((part) => {
    const m = /^([^:]+):(uniform|int):([^:]+):([^:]+)$/.exec(part);
    const min = Number(m?.[3]);
    const max = Number(m?.[4]);
    if (!m || !Number.isFinite(min) || !Number.isFinite(max)) throw new UserError(`--numeric ${part} is invalid; expected ${NUMERIC_SPEC_HELP}`);
    return { name: m[1]!, distribution: m[2] as NumericSpec["distribution"], min, max };
  });
}

const numericFilterArg = {
  type: "string",
  description: "Numeric range every query must satisfy, as the benchmark's --numeric-filter (repeatable, ANDed; ( exclusive, -inf/+inf)",
  valueHint: "F:[LO HI]",
} as const;

/**
 * `--numeric-filter "price:[10 (20]"` (repeatable, ANDed): the benchmark flag's syntax and rules,
 * on attributes `ds` has.
 */
function numericFiltersArg(rawArgs: readonly string[], ds: VectorDataset): DatasetNumericRange[] {
  return repeated(rawArgs, "numeric-filter").map((text) => {
    const r = v.safeParse(numericFilterText, text);
    if (!r.success) throw new UserError(`--numeric-filter ${text} is invalid; it ${r.issues[0].message}`);
    const f = r.output;
    if (!ds.numericFields.includes(f.field)) {
      throw new UserError(`--numeric-filter ${f.field}:[...]: ${ds.path} has no numeric attribute '${f.field}' (it has: ${ds.numericFields.join(", ") || "none"}); generate one with \`dataset generate --numeric ${f.field}:uniform:MIN:MAX\``);
    }
    return f;
  });
}

function rawNumericFilters(fs: readonly DatasetNumericRange[]): string {
  const b = (x: number, excl: boolean): string => `${excl ? "(" : ""}${x === Infinity ? "+inf" : x === -Infinity ? "-inf" : x}`;
  return fs.map((f) => `${f.field}:[${b(f.min, f.minExclusive)} ${b(f.max, f.maxExclusive)}]`).join(" ");
}

/** True when the dataset's queries carry filters (tags or numeric ranges). */
function hasQueryMetadata(ds: VectorDataset): boolean {
  return ds.hasTags || ds.numericFields.length > 0;
}

/** The dataset a subcommand reads: a positional FILE, or --schema with --data. */
function datasetArg(args: Args): OpenDatasetOptions {
  const schemaPath = str(args, "schema");
  const dataPath = str(args, "data");
  if (schemaPath || dataPath) return { schemaPath, dataPath };
  const path = str(args, "file");
  if (!path) throw new UserError("no dataset given; pass FILE or --schema FILE --data FILE");
  return { path };
}

const datasetArgs = {
  file: { type: "positional", required: false, description: "Dataset file (legacy 0xDECDB001, or a .yaml schema next to its .bin)" },
  schema: { type: "string", description: "YAML schema of a schema-driven dataset (with --data)", valueHint: "FILE" },
  data: { type: "string", description: "Headerless binary of a schema-driven dataset (with --schema)", valueHint: "FILE" },
} as const;

const workersArg = { type: "string", description: `Worker threads for exact k-NN (default: ${defaultWorkerCount()} = cores)`, valueHint: "N" } as const;

/** A single status line on a TTY (rewritten in place); nothing when stderr is not a terminal. */
function progress(text: string | null): void {
  if (!process.stderr.isTTY) return;
  process.stderr.write(text === null ? "\r\x1b[K" : `\r${text}\x1b[K`);
}

const percent = (f: number): string => `${(f * 100).toFixed(1)}%`;

const generate = defineCommand({
  meta: { name: "generate", description: "Write a synthetic clustered dataset with exact ground truth" },
  args: {
    output: { type: "string", alias: "o", description: "Output file (legacy format)", valueHint: "FILE" },
    dim: { type: "string", description: "Vector dimension", default: "128" },
    "num-vectors": { type: "string", description: "Base vectors", default: "10000" },
    "num-queries": { type: "string", description: "Query vectors", default: "100" },
    k: { type: "string", description: "Ground-truth neighbours per query (0 = none)", default: "100" },
    metric: { type: "string", description: "L2, IP or COSINE (IP/COSINE vectors are normalised)", default: "L2" },
    seed: { type: "string", description: "Random seed", default: "1" },
    dtype: { type: "string", description: "float32 or float16", default: "float32" },
    clusters: { type: "string", description: "Gaussian mixture components (default sqrt(n)/2)" },
    tags: { type: "string", description: "Tags with the probability a vector carries each: red:0.1,blue:0.5", valueHint: "NAME:P,..." },
    "filtered-queries": { type: "string", description: "Fraction of queries that filter (default 1 with --tags or --numeric-filter-selectivity)" },
    numeric: { type: "string", description: `Numeric attribute per vector, repeatable: ${NUMERIC_SPEC_HELP}`, valueHint: "NAME:DIST:MIN:MAX" },
    "numeric-filter-selectivity": {
      type: "string",
      description: "Filtered queries get a range on one numeric attribute covering this fraction of vectors (ground truth is the exact filtered k-NN)",
      valueHint: "FRACTION",
    },
    name: { type: "string", description: "Dataset name stored in the header" },
    workers: workersArg,
  },
  async run({ args, rawArgs }) {
    const output = str(args, "output");
    if (!output) throw new UserError("--output FILE is required");
    checkOutputTarget(output, "--output");
    const clusters = str(args, "clusters") ? int(args, "clusters", 1, 1) : undefined;
    await generateDataset({
      path: output, name: str(args, "name"), dim: int(args, "dim", 128, 1), numVectors: int(args, "num-vectors", 10000, 1),
      numQueries: int(args, "num-queries", 100), k: int(args, "k", 100), metric: metricArg(args, "L2"), seed: int(args, "seed", 1),
      dtype: dtypeArg(args), clusters, tags: tagsArg(args), filteredQueryFraction: fraction(args, "filtered-queries"),
      numeric: numericSpecsArg(rawArgs), numericFilterSelectivity: fraction(args, "numeric-filter-selectivity"),
      workers: str(args, "workers") ? int(args, "workers", 1, 1) : undefined,
      onProgress: (phase, f) => progress(`${phase}: ${percent(f)}`),
    });
    progress(null);
    const ds = openDataset(output);
    console.log(formatDatasetInfo(describeDataset(ds)));
    ds.close();
  },
});

const info = defineCommand({
  meta: { name: "info", description: "Show header, counts, sections, metadata and consistency of a dataset" },
  args: {
    ...datasetArgs,
    full: { type: "boolean", description: "Range-check every ground-truth id and check every vector for NaN/infinity (default: a sample)" },
    json: { type: "boolean", description: "Print JSON" },
  },
  run({ args }) {
    const ds = openDataset(datasetArg(args));
    try {
      const i = describeDataset(ds, args.full === true);
      console.log(args.json ? JSON.stringify(i, null, 2) : formatDatasetInfo(i));
      if (!i.consistent) throw new UserError(`${ds.path}: ${inconsistencies(i).join("; ")}`);
    } finally {
      ds.close();
    }
  },
});

const groundTruth = defineCommand({
  meta: { name: "ground-truth", description: "Compute exact k-NN ground truth (L2, IP, COSINE) in parallel workers" },
  args: {
    ...datasetArgs,
    k: { type: "string", description: "Neighbours per query", default: "100" },
    metric: { type: "string", description: "L2, IP or COSINE (default: the file's metric hint)" },
    output: { type: "string", alias: "o", description: "Write a new legacy file with the ground truth", valueHint: "FILE" },
    "in-place": { type: "boolean", description: "Overwrite the ground truth of FILE (same k only)" },
    "ignore-filters": { type: "boolean", description: "Ignore the dataset's per-query filters (tags, numeric ranges)" },
    "numeric-filter": numericFilterArg,
    workers: workersArg,
  },
  async run({ args, rawArgs }) {
    const dataset = datasetArg(args);
    const output = str(args, "output");
    if (!output && args["in-place"] !== true) throw new UserError("pass --output FILE (new file) or --in-place (overwrite FILE's ground truth)");
    if (output) checkOutput(output, [["FILE", dataset.path], ["--schema", dataset.schemaPath], ["--data", dataset.dataPath]]);
    const ds = openDataset(dataset);
    try {
      const k = int(args, "k", 100, 1);
      const metric = metricArg(args, ds.metricHint, ` in ${ds.path}`);
      const numericFilters = numericFiltersArg(rawArgs, ds);
      const result = await computeGroundTruth({
        dataset, k, metric, filtered: hasQueryMetadata(ds) && args["ignore-filters"] !== true, numericFilters,
        queries: Array.from({ length: ds.numQueries }, (_, q) => q),
        workers: str(args, "workers") ? int(args, "workers", 1, 1) : undefined,
        onProgress: (f) => progress(`ground truth: ${percent(f)}`),
      });
      progress(null);
      if (output) writeDatasetWithGroundTruth(ds, output, k, result.ids);
      else storeGroundTruthInPlace(ds, k, result.ids);
      const filterNote = numericFilters.length ? `, filtered by ${rawNumericFilters(numericFilters)}` : "";
      console.log(`ground truth: ${ds.numQueries} queries x ${k} neighbours (${metric}${filterNote}) written to ${output ?? ds.path}`);
    } finally {
      ds.close();
    }
  },
});

const verify = defineCommand({
  meta: { name: "verify", description: "Recompute a random sample of queries and compare with the stored ground truth" },
  args: {
    ...datasetArgs,
    sample: { type: "string", description: "Queries to recompute", default: "100" },
    seed: { type: "string", description: "Sampling seed", default: "1" },
    metric: { type: "string", description: "L2, IP or COSINE (default: the file's metric hint)" },
    "ignore-filters": { type: "boolean", description: "Unfiltered k-NN even when queries carry tag filters" },
    "numeric-filter": { ...numericFilterArg, description: "Check ground truth computed with `ground-truth --numeric-filter`: the same filter (repeatable, ANDed)" },
    workers: workersArg,
  },
  async run({ args, rawArgs }) {
    const dataset = datasetArg(args);
    const ds = openDataset(dataset);
    try {
      if (ds.neighborsPerQuery === 0) throw new UserError(`${ds.path}: no ground truth to verify; run \`dataset ground-truth\``);
      const metric = metricArg(args, ds.metricHint, ` in ${ds.path}`);
      const r = await verifyGroundTruth(ds, {
        dataset, metric, sample: int(args, "sample", 100, 1), seed: int(args, "seed", 1),
        filtered: hasQueryMetadata(ds) && args["ignore-filters"] !== true,
        numericFilters: numericFiltersArg(rawArgs, ds),
        workers: str(args, "workers") ? int(args, "workers", 1, 1) : undefined,
      });
      console.log(`verified ${r.checked} queries (${metric}): ${r.exact} exact, ${r.ties} equal up to ties, ${r.mismatches.length} mismatched`);
      if (r.mismatches.length) {
        const m = r.mismatches[0];
        throw new UserError(
          `${ds.path}: ground truth differs in ${r.mismatches.length} of ${r.checked} sampled queries; first: query ${m.query} rank ${m.rank} stores id ${m.storedId} (distance ${m.storedDistance}) but the nearest is ${m.expectedId} (distance ${m.expectedDistance}); is --metric right?`,
        );
      }
    } finally {
      ds.close();
    }
  },
});

/**
 * VectorDBBench's parquet files do not record their metric, and a wrong one silently skews
 * recall: take it from VectorDBBench's own dataset definitions when the directory is one of them
 * (`cohere_medium_1m`...), else ask for --metric.
 */
function vectorDbBenchMetric(dir: string): DistanceMetric {
  const name = basename(resolve(dir)).toLowerCase();
  const known: [RegExp, DistanceMetric][] = [[/^(cohere|openai|glove)_/, "COSINE"], [/^(sift|gist|laion)_/, "L2"]];
  const hit = known.find(([pattern]) => pattern.test(name));
  if (!hit) throw new UserError(`${dir}: parquet files do not record the distance metric; pass --metric L2, IP or COSINE (the one its ground truth was computed with)`);
  console.error(`metric: ${hit[1]} (VectorDBBench's metric for ${name}; --metric overrides it)`);
  return hit[1];
}

/** `labels: 1000000 from DIR/scalar_labels.parquet, 3 distinct: label_1p (10000), ...`, so the user can pick --tag-filter. */
function describeLabels(l: VectorLabels): string {
  const shown = l.values.slice(0, 20).map((v, i) => `${v} (${l.counts[i]})`).join(", ");
  const more = l.values.length > 20 ? `, and ${l.values.length - 20} more` : "";
  const unlabelled = l.unlabelled > 0 ? `; ${l.unlabelled} vectors have none` : "";
  const read = l.counts.reduce((s, n) => s + n, 0);
  return `labels: ${read} from ${l.path}, ${l.values.length} distinct: ${shown}${more}${unlabelled}`;
}

/** --output must be writable and none of the inputs (`convert -o b.fvecs --base b.fvecs` replaced its own source). */
function checkOutput(output: string, inputs: [string, string | undefined][]): void {
  checkOutputTarget(output, "--output");
  checkNotAnInput({ spelling: "--output", path: output }, inputs.filter((i): i is [string, string] => i[1] !== undefined).map(([spelling, path]): NamedPath => ({ spelling, path })));
}

/** The parquet files of a VectorDBBench directory (inputs an output must not replace). */
function parquetFiles(dir: string | undefined): string[] {
  if (dir === undefined) return [];
  try {
    if (!statSync(dir).isDirectory()) return [];
    return readdirSync(dir).filter((f) => f.endsWith(".parquet")).map((f) => join(dir, f));
  } catch {
    return [];
  }
}

const convert = defineCommand({
  meta: { name: "convert", description: "Convert fvecs/ivecs/bvecs, fbin/ibin/u8bin, .npy, ann-benchmarks HDF5 or VectorDBBench parquet" },
  args: {
    output: { type: "string", alias: "o", description: "Output file (legacy format)", valueHint: "FILE" },
    base: { type: "string", description: "Base vectors: .fvecs .bvecs .fbin .u8bin .i8bin .npy", valueHint: "FILE" },
    queries: { type: "string", description: "Query vectors, same formats", valueHint: "FILE" },
    "ground-truth": { type: "string", description: "Neighbour ids: .ivecs .ibin .npy", valueHint: "FILE" },
    hdf5: { type: "string", description: "ann-benchmarks HDF5 (train/test/neighbors)", valueHint: "FILE" },
    parquet: { type: "string", description: "VectorDBBench directory ([shuffle_]train*.parquet, test.parquet, neighbors.parquet)", valueHint: "DIR" },
    neighbors: { type: "string", description: "With --parquet: ground truth from this file instead of neighbors.parquet (e.g. neighbors_head_1p.parquet)", valueHint: "FILE" },
    labels: { type: "string", description: "With --parquet: per-vector labels (written as tags) from this file; without it scalar_labels.parquet is read for label-filter cases (--neighbors neighbors_labels_*) only", valueHint: "FILE" },
    metric: { type: "string", description: "L2, IP or COSINE stored as the hint (default: from HDF5, else L2)" },
    dtype: { type: "string", description: "Stored vector type: float32 or float16 (default: as the input)" },
    "max-neighbors": { type: "string", description: "Keep at most this many neighbours per query" },
    "compute-ground-truth": { type: "string", description: "Compute k neighbours when the input has none", valueHint: "K" },
    name: { type: "string", description: "Dataset name stored in the header" },
    workers: workersArg,
  },
  async run({ args }) {
    const output = str(args, "output");
    if (!output) throw new UserError("--output FILE is required");
    const chosen = ["base", "hdf5", "parquet"].filter((n) => str(args, n));
    if (chosen.length !== 1) throw new UserError("pass exactly one input: --base FILE [--queries FILE] [--ground-truth FILE], --hdf5 FILE or --parquet DIR");
    if (str(args, "neighbors") && !str(args, "parquet")) throw new UserError("--neighbors goes with --parquet DIR; for other inputs use --ground-truth FILE");
    if (str(args, "labels") && !str(args, "parquet")) throw new UserError("--labels goes with --parquet DIR");
    const parquetDir = str(args, "parquet");
    checkOutput(output, [
      ...(["base", "queries", "ground-truth", "hdf5", "neighbors", "labels"] as const).map((name) => [`--${name}`, str(args, name)] as [string, string | undefined]),
      ...parquetFiles(parquetDir).map((path) => ["--parquet", path] as [string, string]),
    ]);
    let inputs: ConvertInputs;
    const hdf5 = str(args, "hdf5") ?? (extname(str(args, "base") ?? "").match(/^\.(hdf5|h5)$/i) ? str(args, "base") : undefined);
    if (hdf5) inputs = await openHdf5(hdf5);
    else if (str(args, "parquet")) {
      const dir = str(args, "parquet") as string;
      const parquet = await openParquetDirectory(dir, "emb", { neighbors: str(args, "neighbors"), labels: str(args, "labels") });
      if (parquet.labels) console.error(describeLabels(parquet.labels));
      inputs = { ...parquet, metric: str(args, "metric") ? undefined : vectorDbBenchMetric(dir) };
    }
    else {
      const q = str(args, "queries");
      const g = str(args, "ground-truth");
      inputs = { base: openRawSource(str(args, "base") as string), queries: q ? openRawSource(q) : undefined, groundTruth: g ? openRawSource(g) : undefined };
    }
    const started = performance.now();
    try {
      const summary = await convertToLegacy(inputs, {
        output, dtype: dtypeArg(args), metric: str(args, "metric") ? metricArg(args) : undefined, name: str(args, "name"),
        maxNeighbors: str(args, "max-neighbors") ? int(args, "max-neighbors", 1, 1) : undefined,
        onProgress: (p: ConvertProgress) => progress(`${p.section}: ${p.rows}/${p.totalRows} rows, ${(p.bytes / 1e6).toFixed(1)} MB read`),
      });
      progress(null);
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `converted ${summary.numVectors} vectors x ${summary.dim}, ${summary.numQueries} queries, ${summary.neighborsPerQuery} neighbours (${summary.metric}) to ${output}: ${(summary.inputBytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s`,
      );
      const computeK = str(args, "compute-ground-truth") ? int(args, "compute-ground-truth", 1, 1) : 0;
      if (computeK && summary.neighborsPerQuery === 0 && summary.numQueries > 0) {
        const ds = openDataset(output);
        try {
          const result = await computeGroundTruth({
            dataset: { path: output }, k: computeK, metric: summary.metric, filtered: false,
            queries: Array.from({ length: ds.numQueries }, (_, q) => q),
            workers: str(args, "workers") ? int(args, "workers", 1, 1) : undefined,
            onProgress: (f) => progress(`ground truth: ${percent(f)}`),
          });
          progress(null);
          writeDatasetWithGroundTruth(ds, `${output}.gt`, computeK, result.ids);
        } finally {
          ds.close();
        }
        renameSync(`${output}.gt`, output);
        console.log(`ground truth: ${summary.numQueries} queries x ${computeK} neighbours computed`);
      }
    } finally {
      for (const s of [inputs.base, inputs.queries, inputs.groundTruth]) s?.close();
    }
  },
});

export const datasetCommand = defineCommand({
  meta: { name: "dataset", description: "Prepare and inspect vector datasets" },
  subCommands: { generate, info, "ground-truth": groundTruth, verify, convert },
});

const SUBCOMMANDS: Record<string, CommandDef> = { generate, info, "ground-truth": groundTruth, verify, convert } as Record<string, CommandDef>;

/**
 * Runs `dataset ARGV...`: prints usage for --help/-h or no subcommand, and turns citty's parse
 * errors (unknown subcommand, bad flag) into UserError. Returns the exit code.
 */
export async function runDatasetCommand(argv: string[]): Promise<number> {
  const name = argv[0];
  const sub = name === undefined || name.startsWith("-") ? undefined : SUBCOMMANDS[name];
  if (name !== undefined && !name.startsWith("-") && !sub) {
    throw new UserError(`unknown dataset subcommand '${name}'; expected one of ${Object.keys(SUBCOMMANDS).join(", ")}`);
  }
  if (!sub || argv.includes("--help") || argv.includes("-h")) {
    const usage = sub ? await renderUsage(sub, datasetCommand as CommandDef) : await renderUsage(datasetCommand as CommandDef);
    // citty colours its usage whatever the output is; keep pipes and files plain.
    console.log(process.stdout.isTTY ? usage : usage.replace(/\u001b\[[0-9;]*m/g, ""));
    return 0;
  }
  // SIGINT/SIGTERM: remove the files still being written (x.partial, a dataset without its
  // ground truth yet), then exit 130/143.
  const stopHandlers = onStopSignals(
    (signal) => {
      const removed = removePendingFiles();
      log.warn(`interrupted by ${signal}${removed.length > 0 ? `; removed the unfinished ${removed.join(", ")}` : ""}`);
      void exitWhenFlushed(exitCodeFor(signal));
    },
    (signal) => void exitWhenFlushed(exitCodeFor(signal)),
  );
  try {
    await runCommand(datasetCommand, { rawArgs: argv });
  } catch (e) {
    if (e instanceof Error && e.name === "CLIError") throw new UserError(`dataset ${name}: ${e.message}`);
    throw e;
  } finally {
    stopHandlers();
  }
  return 0;
}
