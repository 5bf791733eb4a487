/**
 * What the rest of the tool uses of src/dataset/: the dataset types and opening a dataset
 * (whatever its format). Modules inside src/dataset/ import types.ts and each other directly,
 * never this file, so the folder has no import cycle.
 */
export * from "./types.ts";
export { openDataset, type OpenDatasetOptions, sliceDataset, type SliceOptions } from "./open.ts";
export { resolveMetric, resolveVectorDim, type ResolvedMetric } from "./resolve.ts";
