/**
 * `dataset generate`: a synthetic clustered dataset with exact ground truth.
 */
import { defineCommand } from "citty";
import { checkOutputTarget } from "../../config/output-target.ts";
import { openDataset } from "../../dataset/index.ts";
import { UserError } from "../../dataset/errors.ts";
import { generateDataset } from "../../dataset/tools/generate.ts";
import { describeDataset, formatDatasetInfo } from "../../dataset/tools/info.ts";
import { str, int, fraction, metricArg, dtypeArg, tagsArg, NUMERIC_SPEC_HELP, numericSpecsArg, workersArg, progress, percent } from "./args.ts";

export const generate = defineCommand({
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
