/**
 * `dataset ground-truth`: exact k-NN ground truth in parallel workers.
 */
import { defineCommand } from "citty";
import { openDataset } from "../../dataset/index.ts";
import { UserError } from "../../dataset/errors.ts";
import { computeGroundTruth } from "../../dataset/tools/ground-truth.ts";
import { storeGroundTruthInPlace, writeDatasetWithGroundTruth } from "../../dataset/tools/rewrite.ts";
import { str, int, metricArg, numericFilterArg, numericFiltersArg, rawNumericFilters, hasQueryMetadata, datasetArg, datasetArgs, workersArg, progress, percent , checkOutput } from "./args.ts";

export const groundTruth = defineCommand({
  meta: { name: "ground-truth", description: "Compute exact k-NN ground truth (L2, IP, COSINE) in parallel workers" },
  args: {
    ...datasetArgs,
    k: { type: "string", description: "Neighbours per query", default: "100" },
    metric: { type: "string", description: "L2, IP or COSINE (default: the file's metric hint, which becomes this metric)" },
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
      const hintBefore = ds.metricHint;
      if (output) writeDatasetWithGroundTruth(ds, output, k, result.ids, metric);
      else storeGroundTruthInPlace(ds, k, result.ids, metric);
      const filterNote = numericFilters.length ? `, filtered by ${rawNumericFilters(numericFilters)}` : "";
      const hintNote = hintBefore !== metric ? `; metric hint set to ${metric} (was ${hintBefore ?? "none"})` : "";
      console.log(`ground truth: ${ds.numQueries} queries x ${k} neighbours (${metric}${filterNote}) written to ${output ?? ds.path}${hintNote}`);
    } finally {
      ds.close();
    }
  },
});
