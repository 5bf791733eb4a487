/**
 * Main-thread merging of the vector workloads' per-worker extras (WorkerWorkload.extra()) into
 * what reports show under TestResult.extra[kind] (the modules' mergeExtras, src/search/modules.ts).
 */
import type { WorkloadCatalog } from "../engine/workload-api.ts";
import { createLatencyHistogram, encodeHistogram, mergeEncodedInto } from "../metrics/histogram.ts";
import type { MixExtra, MixPartExtra } from "./mix-workload.ts";

/**
 * Sums every numeric field (vec-load / vec-update: vectorsSent, vectorsWritten,
 * vectorBytesWritten, errors; vec-delete: deletesSent, deletesAcknowledged, errors, and
 * protectedIds / deletableIds, which every worker computes alike and are kept from the first).
 */
export function sumCounters(parts: readonly object[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of parts) {
    for (const [key, value] of Object.entries(part)) {
      if (typeof value !== "number") continue;
      if (key === "protectedIds" || key === "deletableIds") out[key] ??= value;
      else out[key] = (out[key] ?? 0) + value;
    }
  }
  return out;
}

/** A mix part once merged: counts summed, histograms merged, the part's own extras merged by kind. */
export type MixPartSummary = MixPartExtra;

export interface MixSummary {
  parts: MixPartSummary[];
}

/** Per part over the workers; a part's own extras are merged by its kind's module. */
export function mergeMixExtras(workers: readonly MixExtra[], catalog: WorkloadCatalog): MixSummary {
  const first = workers[0];
  if (!first) return { parts: [] };
  return {
    parts: first.parts.map((head, i): MixPartSummary => {
      const same: MixPartExtra[] = workers.map((w) => w.parts[i]).filter((x): x is MixPartExtra => x !== undefined);
      const hist = createLatencyHistogram();
      try {
        for (const s of same) mergeEncodedInto(hist, s.histogram);
        const extras = same.map((s) => s.extra).filter((x) => x !== undefined);
        return {
          title: head.title,
          kind: head.kind,
          weight: head.weight,
          replies: same.reduce((n, s) => n + s.replies, 0),
          errors: same.reduce((n, s) => n + s.errors, 0),
          histogram: encodeHistogram(hist),
          ...(extras.length > 0 ? { extra: catalog.mergeExtras(head.kind, extras) } : {}),
        };
      } finally {
        hist.destroy();
      }
    }),
  };
}
