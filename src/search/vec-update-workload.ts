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
 * SCAN), so it lives on the node owning that slot. A connection rewrites only keys its node owns
 * (request r: the (r mod m)-th of the node's m keys), as valkey-benchmark --cluster and memtier
 * send each key to its node: sent anywhere else, two thirds of the updates on three shards were
 * MOVED and their latency counted two round trips. A node owning none of the keys (or a slot
 * that moved since) falls back to r mod n, and the engine follows the MOVED redirect.
 */
import type { NodeAssignment, WorkerContext, WorkerWorkload } from "../engine/workload-api.ts";
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
    const owned = slots && p.clusterTags ? keysByNode(slots, n) : undefined;
    const plan: WritePlan = {
      keyIndex: owned
        ? (r, node) => {
            const keys = owned(node);
            return keys.length > 0 ? keys[r % keys.length]! : r % n;
          }
        : (r) => r % n,
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

/**
 * The slice indices whose key (tagged with `slots[i]`) a node owns, ascending; computed once per
 * node assignment (a retargeted connection gets a new one, with the slots it owns then).
 */
export function keysByNode(slots: Uint16Array, n: number): (node: NodeAssignment) => Uint32Array {
  const lists = new Map<NodeAssignment, Uint32Array>();
  return (node) => {
    let keys = lists.get(node);
    if (keys === undefined) {
      const owns = new Uint8Array(16384);
      for (const s of node.slots) owns[s] = 1;
      let count = 0;
      for (let i = 0; i < n; i++) count += owns[slots[i]!]!;
      keys = new Uint32Array(count);
      for (let i = 0, k = 0; i < n; i++) if (owns[slots[i]!] === 1) keys[k++] = i;
      lists.set(node, keys);
    }
    return keys;
  };
}
