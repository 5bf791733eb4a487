/**
 * `vec-update`: rewrites existing vectors in place. Request r rewrites the key of slice index
 * i = r mod n with the base vector (i + shift) mod n (and that vector's tags): same keys, new
 * values, the same HSET as vec-load (VectorHsetWriter).
 *
 * Why recall no longer holds for updated ids: the ground truth says which ids are nearest to a
 * query given the ORIGINAL vectors. After an update the key of id i holds vector i + shift, so
 * the server rightly returns id i where the ground truth expects id i + shift (and vice versa):
 * an exact index would score below 1.0. Recall measured after vec-update is therefore only
 * meaningful once the original vectors are loaded again (vec-update, then vec-load with
 * --reload), or the update run measures throughput and latency only. A shift of 0 rewrites
 * identical vectors and keeps recall valid (pure re-indexing cost).
 *
 * Cluster mode: the key of id i must carry the tag it was loaded with (params.idSlots, from a
 * SCAN); the command goes out on this connection and, when another node owns the slot, the
 * engine follows the MOVED redirect.
 */
import type { WorkerContext, WorkerWorkload } from "../engine/workload-api.ts";
import {
  emptyWriteExtra,
  openWorkerDataset,
  VectorHsetWriter,
  VectorWriteConnection,
  type VectorWriteExtra,
  type WritePlan,
} from "./vec-load-workload.ts";
import type { VecUpdateParams } from "./workload-params.ts";

/** The slice vector written under the key of slice index `i`. */
export function updateSource(i: number, shift: number, n: number): number {
  const s = (i + (shift % n)) % n;
  return s < 0 ? s + n : s;
}

export function createVecUpdateWorkload(p: VecUpdateParams, _ctx: WorkerContext): WorkerWorkload<VectorWriteExtra> {
  const data = openWorkerDataset(p.dataset);
  try {
    const n = data.ds.numVectors;
    const slots = p.idSlots;
    if (p.clusterTags && (slots === undefined || slots.length < n)) {
      throw new Error(`vec-update in cluster mode needs the slot of every loaded key (${n} ids); load in the same run or let the plan rebuild the map with SCAN`);
    }
    const writer = new VectorHsetWriter(data.ds, data.offset, p, p.dim);
    const extra = emptyWriteExtra();
    const plan: WritePlan = {
      keyIndex: (r) => r % n,
      source: (i) => updateSource(i, p.shift, n),
      slot: slots && p.clusterTags ? (i) => slots[i]! : () => -1,
    };
    return {
      forConnection: (_client, node) => new VectorWriteConnection(writer, plan, extra, p.dim * 4, node, false),
      extra: () => ({ ...extra }),
      close: () => data.close(),
    };
  } catch (e) {
    data.close();
    throw e;
  }
}
