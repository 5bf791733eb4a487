/**
 * Exact ground truth in parallel Bun Workers. Queries are split into contiguous ranges, one per
 * worker; each worker maps the dataset itself (we pass the path, never the buffers) and scans all
 * base vectors for its queries (knn.ts).
 *
 * The worker entry is src/dataset/tools/ground-truth-worker.ts: it must be listed as an entry point of
 * `bun build --compile`.
 */
import { workerUrl } from "../../worker-url.ts";
import { availableParallelism } from "node:os";
import type { DatasetNumericRange, DistanceMetric } from "../types.ts";
import { UserError } from "../errors.ts";
import type { OpenDatasetOptions } from "../open.ts";
import type { KnnResult } from "./knn.ts";

export interface GroundTruthJob {
  dataset: OpenDatasetOptions;
  /** Vector slice the ids refer to (defaults: whole file). */
  numVectors?: number;
  vectorOffset?: number;
  k: number;
  metric: DistanceMetric;
  filtered: boolean;
  /** Numeric ranges every query must satisfy (knn.ts KnnScanOptions.numericFilters). */
  numericFilters?: DatasetNumericRange[];
  /** Query indices to compute, in output order. */
  queries: number[];
}

export type WorkerReply =
  | { type: "progress"; scanned: number; numVectors: number }
  | { type: "done"; ids: Float64Array; distances: Float64Array }
  | { type: "error"; message: string; userError: boolean };

export interface GroundTruthOptions extends Omit<GroundTruthJob, "queries"> {
  queries: number[];
  /** Worker count; default: available cores, at most the query count. */
  workers?: number;
  /** Fraction done in [0, 1], called from progress messages. */
  onProgress?: (fraction: number) => void;
}

export function defaultWorkerCount(): number {
  return Math.max(1, availableParallelism());
}

/** Computes exact k-NN for the given queries. Rows are in `queries` order. */
export async function computeGroundTruth(o: GroundTruthOptions): Promise<KnnResult> {
  const nq = o.queries.length;
  const workers = Math.max(1, Math.min(o.workers ?? defaultWorkerCount(), nq || 1));
  const ids = new Float64Array(nq * o.k);
  const distances = new Float64Array(nq * o.k);
  if (nq === 0) return { ids, distances };
  const per = Math.ceil(nq / workers);
  const scanned = new Array<number>(workers).fill(0);
  let totalVectors = 0;
  const jobs: Promise<void>[] = [];
  const started: Worker[] = [];
  for (let w = 0; w < workers; w++) {
    const from = w * per;
    const to = Math.min(nq, from + per);
    if (from >= to) break;
    const job: GroundTruthJob = {
      dataset: o.dataset, numVectors: o.numVectors, vectorOffset: o.vectorOffset,
      k: o.k, metric: o.metric, filtered: o.filtered, queries: o.queries.slice(from, to),
    };
    if (o.numericFilters?.length) job.numericFilters = o.numericFilters;
    const worker = new Worker(workerUrl("dataset/tools/ground-truth-worker.ts"));
    started.push(worker);
    jobs.push(
      new Promise<void>((resolve, reject) => {
        worker.onmessage = (ev: MessageEvent<WorkerReply>) => {
          const m = ev.data;
          if (m.type === "progress") {
            scanned[w] = m.scanned * (to - from);
            totalVectors = m.numVectors;
            if (o.onProgress && totalVectors) o.onProgress(scanned.reduce((a, b) => a + b, 0) / (totalVectors * nq));
          } else if (m.type === "done") {
            ids.set(m.ids, from * o.k);
            distances.set(m.distances, from * o.k);
            resolve();
          } else {
            reject(m.userError ? new UserError(m.message) : new Error(m.message));
          }
        };
        worker.onerror = (ev) => reject(new Error(`ground-truth worker failed: ${ev.message}`));
        worker.postMessage(job);
      }),
    );
  }
  try {
    await Promise.all(jobs);
  } finally {
    for (const w of started) w.terminate();
  }
  return { ids, distances };
}
