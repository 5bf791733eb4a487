/**
 * `vec-delete`: `DEL <key>` for ids outside every query's ground truth, so recall measured after
 * the deletes is still valid (no expected neighbour ever disappears).
 *
 * Each worker computes the protected set from the dataset itself (a bitset over the slice), then
 * the list of deletable slice indices in order (4 bytes per id, once). Request r deletes the r-th
 * deletable id; the plan caps the test at deletableIds(...).length requests (maxRequests, under -n
 * and --duration alike), so only a --mix part wraps around (its DELs of keys already gone are no-ops).
 *
 * The command has a fixed size, so it is pre-encoded once and only the id digits (and, in
 * cluster mode, the tag the key was loaded with: params.idSlots) are patched per request.
 */
import { TAG_WIDTH, writeSlotTag } from "../cluster/slot-tags.ts";
import type { ConnectionWorkload, NodeAssignment, WorkerContext, WorkerWorkload } from "../engine/workload-api.ts";
import type { VectorDataset } from "../dataset/index.ts";
import { fixedUnit, type CompiledUnit } from "../workload/template.ts";
import { ID_WIDTH } from "./key-id.ts";
import {
  bulk,
  concatBytes,
  CountingScanner,
  openWorkerDataset,
  writeIdDigits,
} from "./vec-load-workload.ts";
import type { VecDeleteParams } from "./workload-params.ts";

const encoder = new TextEncoder();

/** Bitset over slice indices: bit i set when dataset id (offset + i) is in some query's ground truth. */
export function protectedIdBits(ds: VectorDataset, offset: number): Uint8Array {
  const n = ds.numVectors;
  const bits = new Uint8Array(Math.ceil(n / 8));
  for (let q = 0; q < ds.numQueries; q++) {
    for (let j = 0; j < ds.neighborsPerQuery; j++) {
      // Padding entries (NO_NEIGHBOR = 2^64) and ids outside the slice fall out of the range test.
      const i = ds.neighborId(q, j) - offset;
      if (i >= 0 && i < n) bits[i >>> 3]! |= 1 << (i & 7);
    }
  }
  return bits;
}

/** Slice indices that may be deleted, ascending. */
export function deletableIds(ds: VectorDataset, offset: number): Uint32Array {
  const bits = protectedIdBits(ds, offset);
  const n = ds.numVectors;
  let count = 0;
  for (let i = 0; i < n; i++) if ((bits[i >>> 3]! & (1 << (i & 7))) === 0) count++;
  const out = new Uint32Array(count);
  let k = 0;
  for (let i = 0; i < n; i++) if ((bits[i >>> 3]! & (1 << (i & 7))) === 0) out[k++] = i;
  return out;
}

export interface VectorDeleteExtra {
  deletesSent: number;
  /** DEL replies without error (a DEL of a missing key also counts: it replies 0). */
  deletesAcknowledged: number;
  errors: number;
  /** Ids the worker protected (in some query's ground truth) and deletable ones. */
  protectedIds: number;
  deletableIds: number;
}

interface DeleteUnit {
  unit: CompiledUnit;
  idOffset: number;
  tagOffset: number;
}

function compileDelete(prefix: string, clusterTags: boolean): DeleteUnit {
  const p = encoder.encode(prefix);
  const tagPart = clusterTags ? TAG_WIDTH + 2 : 0;
  const key = new Uint8Array(p.length + tagPart + ID_WIDTH);
  key.set(p, 0);
  if (clusterTags) {
    key[p.length] = 123;
    key.fill(65, p.length + 1, p.length + 1 + TAG_WIDTH);
    key[p.length + 1 + TAG_WIDTH] = 125;
  }
  key.fill(48, p.length + tagPart);
  const head = concatBytes([encoder.encode("*2\r\n"), bulk("DEL"), encoder.encode(`$${key.length}\r\n`)]);
  const bytes = concatBytes([head, key, encoder.encode("\r\n")]);
  return {
    unit: fixedUnit(bytes),
    idOffset: head.length + p.length + tagPart,
    tagOffset: clusterTags ? head.length + p.length + 1 : -1,
  };
}

class DeleteConnection implements ConnectionWorkload {
  readonly unit: CompiledUnit;
  readonly scanner: CountingScanner;

  constructor(
    private readonly compiled: DeleteUnit,
    private readonly ids: Uint32Array,
    private readonly idOffset: number,
    private readonly idSlots: Uint16Array | undefined,
    private readonly extra: VectorDeleteExtra,
  ) {
    this.unit = compiled.unit;
    this.scanner = new CountingScanner((n, errors) => {
      extra.deletesAcknowledged += n - errors;
      extra.errors += errors;
    });
  }

  patch(buffer: Uint8Array, units: number, firstRequest: number): number {
    const unitLen = this.unit.bytes.length;
    const ids = this.ids;
    const { idOffset, tagOffset } = this.compiled;
    for (let u = 0; u < units; u++) {
      const i = ids[(firstRequest + u) % ids.length]!;
      const base = u * unitLen;
      writeIdDigits(buffer, base + idOffset, this.idOffset + i);
      if (tagOffset >= 0) writeSlotTag(this.idSlots![i]!, buffer, base + tagOffset);
    }
    this.extra.deletesSent += units;
    return units * unitLen;
  }

  /** A redirected delete is not an error yet: the resend decides. */
  onRedirect(_index: number): (ok: boolean) => void {
    this.extra.errors--;
    return this.settleRedirect;
  }

  private readonly settleRedirect = (ok: boolean): void => {
    if (ok) this.extra.deletesAcknowledged++;
    else this.extra.errors++;
  };

  abandonBatch(): void {
    this.scanner.reset();
  }

  retarget(_node: NodeAssignment): void {
    // Keys keep the tag they were loaded with; the engine follows MOVED to the new owner.
  }
}

export function createVecDeleteWorkload(p: VecDeleteParams, _ctx: WorkerContext): WorkerWorkload<VectorDeleteExtra> {
  const data = openWorkerDataset(p.dataset);
  try {
    const n = data.ds.numVectors;
    if (p.clusterTags && (p.idSlots === undefined || p.idSlots.length < n)) {
      throw new Error(`vec-delete in cluster mode needs the slot of every loaded key (${n} ids); load in the same run or let the plan rebuild the map with SCAN`);
    }
    const ids = deletableIds(data.ds, data.offset);
    if (ids.length === 0) throw new Error(`vec-delete: every vector of the slice is in some query's ground truth; nothing can be deleted without invalidating recall`);
    const compiled = compileDelete(p.prefix, p.clusterTags);
    const extra: VectorDeleteExtra = { deletesSent: 0, deletesAcknowledged: 0, errors: 0, protectedIds: n - ids.length, deletableIds: ids.length };
    return {
      forConnection: () => new DeleteConnection(compiled, ids, data.offset, p.clusterTags ? p.idSlots : undefined, extra),
      extra: () => ({ ...extra }),
      close: () => data.close(),
    };
  } catch (e) {
    data.close();
    throw e;
  }
}
