/**
 * `dataset verify`: recompute a sample of queries and compare with the stored ground truth.
 */
import { defineCommand } from "citty";
import { openDataset } from "../../dataset/index.ts";
import { UserError } from "../../dataset/errors.ts";
import { verifyGroundTruth } from "../../dataset/tools/verify.ts";
import { str, int, metricArg, numericFilterArg, numericFiltersArg, hasQueryMetadata, datasetArg, datasetArgs, workersArg } from "./args.ts";

export const verify = defineCommand({
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
