/**
 * `dataset info`: header, counts, sections, metadata and consistency of a dataset.
 */
import { defineCommand } from "citty";
import { openDataset } from "../../dataset/index.ts";
import { UserError } from "../../dataset/errors.ts";
import { describeDataset, formatDatasetInfo, inconsistencies } from "../../dataset/tools/info.ts";
import { datasetArg, datasetArgs } from "./args.ts";

export const info = defineCommand({
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
