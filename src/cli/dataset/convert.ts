/**
 * `dataset convert`: fvecs/ivecs/bvecs, fbin/ibin/u8bin, .npy, HDF5 and VectorDBBench parquet
 * directories into the legacy format.
 */
import { defineCommand } from "citty";
import { readdirSync, renameSync, statSync } from "node:fs";
import { basename, extname, join, resolve } from "node:path";
import { convertToLegacy, type ConvertInputs, type ConvertProgress } from "../../dataset/tools/convert.ts";
import { type DistanceMetric, openDataset } from "../../dataset/index.ts";
import { UserError } from "../../dataset/errors.ts";
import { computeGroundTruth } from "../../dataset/tools/ground-truth.ts";
import { openHdf5 } from "../../dataset/sources/hdf5-source.ts";
import type { VectorLabels } from "../../dataset/sources/parquet/labels.ts";
import { openParquetDirectory } from "../../dataset/sources/parquet/source.ts";
import { openRawSource } from "../../dataset/sources/raw-sources.ts";
import { writeDatasetWithGroundTruth } from "../../dataset/tools/rewrite.ts";
import { checkOutput, str, int, metricArg, dtypeArg, workersArg, progress, percent } from "./args.ts";

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

export const convert = defineCommand({
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
    // Every option is read before anything is written: a bad --compute-ground-truth or --workers
    // used to fail after the conversion had written the output.
    const computeK = str(args, "compute-ground-truth") ? int(args, "compute-ground-truth", 1, 1) : 0;
    const workers = str(args, "workers") ? int(args, "workers", 1, 1) : undefined;
    const maxNeighbors = str(args, "max-neighbors") ? int(args, "max-neighbors", 1, 1) : undefined;
    const dtype = dtypeArg(args);
    const metric = str(args, "metric") ? metricArg(args) : undefined;
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
        output, dtype, metric, name: str(args, "name"),
        maxNeighbors,
        onProgress: (p: ConvertProgress) => progress(`${p.section}: ${p.rows}/${p.totalRows} rows, ${(p.bytes / 1e6).toFixed(1)} MB read`),
      });
      progress(null);
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `converted ${summary.numVectors} vectors x ${summary.dim}, ${summary.numQueries} queries, ${summary.neighborsPerQuery} neighbours (${summary.metric}) to ${output}: ${(summary.inputBytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s`,
      );
      if (computeK && summary.neighborsPerQuery === 0 && summary.numQueries > 0) {
        const ds = openDataset(output);
        try {
          const result = await computeGroundTruth({
            dataset: { path: output }, k: computeK, metric: summary.metric, filtered: false,
            queries: Array.from({ length: ds.numQueries }, (_, q) => q),
            workers,
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
