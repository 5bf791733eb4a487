/**
 * Worker entry for computeGroundTruth (ground-truth.ts). Receives one GroundTruthJob, maps the
 * dataset itself, scans, posts the result (transferring its buffers) and waits to be terminated.
 */
import { openDataset, sliceDataset } from "../open.ts";
import { UserError } from "../errors.ts";
import type { GroundTruthJob, WorkerReply } from "./ground-truth.ts";
import { knnScan } from "./knn.ts";
import { normalJitPolicy } from "../../jit-tiers.ts";

declare const self: Worker;

self.onmessage = (ev: MessageEvent<GroundTruthJob>) => {
  normalJitPolicy();
  const job = ev.data;
  try {
    const file = openDataset(job.dataset);
    const ds = sliceDataset(file, { numVectors: job.numVectors, vectorOffset: job.vectorOffset });
    const result = knnScan(ds, {
      k: job.k,
      metric: job.metric,
      queries: job.queries,
      filtered: job.filtered,
      numericFilters: job.numericFilters,
      onProgress: (scanned) => {
        const progress: WorkerReply = { type: "progress", scanned, numVectors: ds.numVectors };
        self.postMessage(progress);
      },
    });
    file.close();
    const reply: WorkerReply = { type: "done", ids: result.ids, distances: result.distances };
    self.postMessage(reply, [result.ids.buffer as ArrayBuffer, result.distances.buffer as ArrayBuffer]);
  } catch (e) {
    const reply: WorkerReply = { type: "error", message: e instanceof Error ? e.message : String(e), userError: e instanceof UserError };
    self.postMessage(reply);
  }
};
