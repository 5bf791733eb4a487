/**
 * `vec-load`: `HSET <prefix>[{XYZ}]<12-digit id> <vectorField> <float32 blob> [<tagField> <tags>]
 * [<numericField> <value>]...`, one vector per request, every vector of the slice exactly once.
 *
 * The value of each numeric field, decided per field: when the dataset carries a numeric attribute
 * of that name (dataset generate --numeric), the vector's value, written as numeric-value.ts
 * formats it (the text whose double the ground truth compared); a vector without the attribute
 * gets no such field. Otherwise (the field is not one of the dataset's attributes) the dataset id,
 * which lets a `@num:[lo hi]` filter select a known id range.
 *
 * Request r of the test writes slice vector r (the plan sets totalRequests to the slice size, which
 * -n and --duration do not change: src/search/plan.ts loadTest). The key carries the dataset id
 * (slice offset + r), the id the ground truth uses, so recall can be scored on what was loaded.
 *
 * Cluster mode: the key's `{XYZ}` tag is the slot `node.slots[id % node.slots.length]` of the
 * connection's node (loadSlotOfId), so no write is redirected. Which connection (hence which node)
 * claims an id is not deterministic, so a later run cannot recompute a key's tag from the id
 * alone: it rebuilds the id -> slot map with SCAN (the recall decoder ignores the tag anyway).
 *
 * Requests vary in size only when vectors carry tags or numbers, so every request is encoded whole into a
 * workload-owned buffer (allocate/patch/commandRange); the constant parts are pre-encoded once
 * and copied, the id and tag are written as digits, the vector is copied straight from the map.
 */
import { TAG_WIDTH, writeSlotTag } from "../cluster/slot-tags.ts";
import type { ConnectionWorkload, NodeAssignment, ReplyCounter, WorkerContext, WorkerWorkload } from "../engine/workload-api.ts";
import { openDataset, sliceDataset, type VectorDataset } from "../dataset/index.ts";
import { MAX_NUMERIC_TEXT_BYTES, writeNumericValue } from "../dataset/numeric-value.ts";
import { ReplyScanner } from "../resp/reply-scanner.ts";
import { fixedUnit, type CompiledUnit } from "../workload/template.ts";
import { ID_WIDTH } from "./key-id.ts";
import type { DatasetRef, VecLoadParams, VectorKeyParams } from "./workload-params.ts";

const encoder = new TextEncoder();
const CR = 13;
const LF = 10;

/** A worker's own mapping of the dataset slice (close `base` when done). */
export interface WorkerDataset {
  /** The slice, renumbered from 0. */
  ds: VectorDataset;
  /** Dataset id of slice vector 0 (ids in keys and ground truth are dataset ids). */
  offset: number;
  close(): void;
}

export function openWorkerDataset(ref: DatasetRef): WorkerDataset {
  const base = openDataset({ path: ref.path, schemaPath: ref.schemaPath, dataPath: ref.dataPath });
  try {
    const ds = sliceDataset(base, { vectorOffset: ref.vectorOffset, numVectors: ref.numVectors });
    return { ds, offset: ref.vectorOffset, close: () => base.close() };
  } catch (e) {
    base.close();
    throw e;
  }
}

/** The slot vec-load tags the key of dataset `id` with, on a node owning `slots`. */
export function loadSlotOfId(id: number, slots: Uint16Array): number {
  return slots[id % slots.length]!;
}

/** The key vec-load writes for dataset `id` (cluster: `slot` is the one its key was tagged with). */
export function vectorKeyBytes(prefix: string, id: number, slot?: number): Uint8Array {
  const tagWidth = slot === undefined ? 0 : TAG_WIDTH + 2;
  const p = encoder.encode(prefix);
  const out = new Uint8Array(p.length + tagWidth + ID_WIDTH);
  out.set(p, 0);
  if (slot !== undefined) {
    out[p.length] = 123; // '{'
    writeSlotTag(slot, out, p.length + 1);
    out[p.length + 1 + TAG_WIDTH] = 125; // '}'
  }
  writeIdDigits(out, p.length + tagWidth, id);
  return out;
}

/** Writes `v` as ID_WIDTH zero-padded digits at `offset`. */
export function writeIdDigits(buf: Uint8Array, offset: number, v: number): void {
  for (let i = offset + ID_WIDTH - 1; i >= offset; i--) {
    const q = Math.floor(v / 10);
    buf[i] = 48 + (v - q * 10);
    v = q;
  }
}

/** Writes the decimal digits of a non-negative integer; returns the offset after them. */
export function writeUint(buf: Uint8Array, offset: number, v: number): number {
  const digits = digitCount(v);
  for (let i = offset + digits - 1; i >= offset; i--) {
    const q = Math.floor(v / 10);
    buf[i] = 48 + (v - q * 10);
    v = q;
  }
  return offset + digits;
}

/** `$<n>\r\n`; returns the offset after it. */
export function writeBulkHeader(buf: Uint8Array, offset: number, n: number): number {
  buf[offset] = 36; // '$'
  offset = writeUint(buf, offset + 1, n);
  buf[offset] = CR;
  buf[offset + 1] = LF;
  return offset + 2;
}

/** RESP bulk string bytes of `s` (pre-encoding only). */
export function bulk(s: string | Uint8Array): Uint8Array {
  const body = typeof s === "string" ? encoder.encode(s) : s;
  const head = encoder.encode(`$${body.length}\r\n`);
  const out = new Uint8Array(head.length + body.length + 2);
  out.set(head, 0);
  out.set(body, head.length);
  out[out.length - 2] = CR;
  out[out.length - 1] = LF;
  return out;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * The unit of a workload that encodes its own requests (allocate/patch/commandRange): one reply
 * per unit, and no template bytes (the engine never lays them down when allocate() exists).
 */
export function selfEncodedUnit(): CompiledUnit {
  return fixedUnit(new Uint8Array(0));
}

/** Longest value written into a numeric field: an id (at most 16 digits) or a dataset value. */
const MAX_NUMERIC_DIGITS = Math.max(16, MAX_NUMERIC_TEXT_BYTES);
/** Upper bound of one numeric value's bulk: `$<len>\r\n<digits>\r\n`. */
const MAX_NUMERIC_VALUE_BYTES = 1 + String(MAX_NUMERIC_DIGITS).length + 2 + MAX_NUMERIC_DIGITS + 2;

/** Decimal digits of a non-negative integer. */
function digitCount(v: number): number {
  let digits = 1;
  for (let t = v; t >= 10; t = Math.floor(t / 10)) digits++;
  return digits;
}

/**
 * Encodes `HSET key vectorField blob [tagField tags] [numericField value]...` commands for one
 * dataset slice. Shared by vec-load and vec-update (which writes another vector under the same key).
 */
export class VectorHsetWriter {
  /** Upper bound of one command's bytes (sizes the send buffer). */
  readonly maxCommandBytes: number;
  /** Everything from `$4 HSET` through the blob's `$<len>\r\n`, with placeholder tag and id. */
  private readonly head: Uint8Array;
  private readonly idOffset: number;
  private readonly tagOffset: number;
  private readonly blobBytes: number;
  private readonly tagFieldBulk?: Uint8Array;
  /** Pre-encoded name bulk of each numeric field, in --numeric-field order. */
  private readonly numericFieldBulks: Uint8Array[] = [];
  /** Per numeric field, the dataset attribute written into it; undefined = the dataset id. */
  private readonly numericAttributes: (string | undefined)[] = [];
  /**
   * Per numeric field, the value of the vector being written (NaN = the vector lacks the
   * attribute: no field). Read once per write, before the argument count is known; reused.
   */
  private readonly numericValues: Float64Array;
  /** Digits of one numeric value, written before its length is known (reused: no allocation). */
  private readonly numericScratch = new Uint8Array(MAX_NUMERIC_DIGITS);
  /** Encoded bytes of each tag seen (the vocabulary is small; strings come from the dataset). */
  private readonly tagBytes = new Map<string, Uint8Array>();

  constructor(
    private readonly ds: VectorDataset,
    private readonly idOffsetInDataset: number,
    p: VectorKeyParams,
    dim: number,
  ) {
    if (dim !== ds.dim) throw new Error(`vector dimension ${dim} does not match the dataset's ${ds.dim}; pass --vector-dim ${ds.dim} or omit it`);
    this.blobBytes = dim * 4;
    const prefix = encoder.encode(p.prefix);
    const tagPart = p.clusterTags ? TAG_WIDTH + 2 : 0;
    const keyLen = prefix.length + tagPart + ID_WIDTH;
    const key = new Uint8Array(keyLen);
    key.set(prefix, 0);
    if (p.clusterTags) {
      key[prefix.length] = 123;
      key.fill(65, prefix.length + 1, prefix.length + 1 + TAG_WIDTH);
      key[prefix.length + 1 + TAG_WIDTH] = 125;
    }
    key.fill(48, prefix.length + tagPart);
    const keyHead = concatBytes([bulk("HSET"), encoder.encode(`$${keyLen}\r\n`)]);
    this.head = concatBytes([keyHead, key, encoder.encode("\r\n"), bulk(p.vectorField), encoder.encode(`$${this.blobBytes}\r\n`)]);
    this.tagOffset = p.clusterTags ? keyHead.length + prefix.length + 1 : -1;
    this.idOffset = keyHead.length + prefix.length + tagPart;
    if (p.tagField !== undefined && ds.hasTags) this.tagFieldBulk = bulk(p.tagField);
    for (const field of p.numericFields ?? []) {
      this.numericFieldBulks.push(bulk(field));
      this.numericAttributes.push(ds.numericFields.includes(field) ? field : undefined);
    }
    this.numericValues = new Float64Array(this.numericFieldBulks.length);
    const maxArgs = 4 + (this.tagFieldBulk ? 2 : 0) + 2 * this.numericFieldBulks.length;
    let max = 1 + digitCount(maxArgs) + 2 + this.head.length + this.blobBytes + 2;
    if (this.tagFieldBulk) max += this.tagFieldBulk.length + 16 + this.maxTagValueBytes();
    for (const name of this.numericFieldBulks) max += name.length + MAX_NUMERIC_VALUE_BYTES;
    this.maxCommandBytes = max;
    this.fixedBytes = this.tagFieldBulk || this.numericFieldBulks.length > 0 ? 0 : max;
  }

  /**
   * Bytes of every command when they all have the same size (no tag or numeric field), else 0.
   * Then the constant bytes are laid down once (layFixed) and writeFixed patches only the key's
   * id and tag and the vector: the common case, and the throughput-critical one.
   */
  readonly fixedBytes: number;

  /** Lays down the constant bytes of a fixed-size command at `pos`. */
  layFixed(buf: Uint8Array, pos: number): void {
    buf[pos] = 42; // '*'
    buf[pos + 1] = 52; // '4'
    buf[pos + 2] = CR;
    buf[pos + 3] = LF;
    buf.set(this.head, pos + 4);
    const end = pos + 4 + this.head.length + this.blobBytes;
    buf[end] = CR;
    buf[end + 1] = LF;
  }

  /** Patches id, tag and vector into a command laid down by layFixed at `pos`. */
  writeFixed(buf: Uint8Array, pos: number, keyIndex: number, source: number, slot: number): void {
    const at = pos + 4;
    writeIdDigits(buf, at + this.idOffset, this.idOffsetInDataset + keyIndex);
    if (slot >= 0) writeSlotTag(slot, buf, at + this.tagOffset);
    this.ds.writeVectorF32(source, buf, at + this.head.length);
  }

  /** One pass over the slice's tags at start-up: the longest comma-joined tag value. */
  private maxTagValueBytes(): number {
    let max = 0;
    for (let i = 0; i < this.ds.numVectors; i++) max = Math.max(max, this.tagValueBytes(this.ds.vectorTags(i)));
    return max;
  }

  private tagValueBytes(tags: readonly string[]): number {
    let n = tags.length > 0 ? tags.length - 1 : 0;
    for (const t of tags) n += this.encodedTag(t).length;
    return n;
  }

  private encodedTag(t: string): Uint8Array {
    let b = this.tagBytes.get(t);
    if (b === undefined) {
      b = encoder.encode(t);
      this.tagBytes.set(t, b);
    }
    return b;
  }

  /**
   * Writes the HSET of slice vector `source` under the key of slice index `keyIndex` (slot < 0 =
   * no cluster tag) at `pos`; returns the offset after it.
   */
  write(buf: Uint8Array, pos: number, keyIndex: number, source: number, slot: number): number {
    // Tags come from the dataset as strings (its API allocates a small array per call; the
    // encoded bytes are cached per distinct tag). Vectors without tags get no tag field at all:
    // an empty TAG value is not something to rely on across engines.
    const tags = this.tagFieldBulk ? this.ds.vectorTags(source) : undefined;
    const withTags = tags !== undefined && tags.length > 0;
    const id = this.idOffsetInDataset + keyIndex;
    const values = this.numericValues;
    let numericFields = 0;
    for (let f = 0; f < values.length; f++) {
      const attribute = this.numericAttributes[f];
      const v = attribute === undefined ? id : this.ds.vectorNumeric(source, attribute);
      values[f] = v === undefined ? NaN : v;
      if (v !== undefined) numericFields++;
    }
    buf[pos++] = 42; // '*'
    pos = writeUint(buf, pos, 4 + (withTags ? 2 : 0) + 2 * numericFields);
    buf[pos++] = CR;
    buf[pos++] = LF;
    const head = this.head;
    buf.set(head, pos);
    writeIdDigits(buf, pos + this.idOffset, id);
    if (slot >= 0) writeSlotTag(slot, buf, pos + this.tagOffset);
    pos += head.length;
    pos += this.ds.writeVectorF32(source, buf, pos);
    buf[pos++] = CR;
    buf[pos++] = LF;
    if (withTags) {
      buf.set(this.tagFieldBulk!, pos);
      pos += this.tagFieldBulk!.length;
      pos = writeBulkHeader(buf, pos, this.tagValueBytes(tags));
      for (let t = 0; t < tags.length; t++) {
        if (t > 0) buf[pos++] = 44; // ','
        const b = this.encodedTag(tags[t]!);
        buf.set(b, pos);
        pos += b.length;
      }
      buf[pos++] = CR;
      buf[pos++] = LF;
    }
    for (let f = 0; f < values.length; f++) {
      const value = values[f]!;
      if (Number.isNaN(value)) continue;
      const name = this.numericFieldBulks[f]!;
      buf.set(name, pos);
      pos += name.length;
      if (this.numericAttributes[f] !== undefined) {
        // The dataset's value, in the exact text its ground truth compared (numeric-value.ts);
        // digits go to a reused scratch first because the bulk header needs their count.
        const len = writeNumericValue(this.numericScratch, 0, value);
        pos = writeBulkHeader(buf, pos, len);
        for (let b = 0; b < len; b++) buf[pos++] = this.numericScratch[b]!;
      } else {
        // No such dataset attribute: the dataset id itself, exact (never padded), which lets a
        // `@num:[lo hi]` filter select a known id range.
        pos = writeBulkHeader(buf, pos, digitCount(value));
        pos = writeUint(buf, pos, value);
      }
      buf[pos++] = CR;
      buf[pos++] = LF;
    }
    return pos;
  }
}

/** What vec-load / vec-update report: requests sent, acknowledged, and vector bytes acknowledged. */
export interface VectorWriteExtra {
  vectorsSent: number;
  vectorsWritten: number;
  vectorBytesWritten: number;
  errors: number;
}

/** Counts replies like ReplyScanner and keeps the per-worker written/error totals. */
export class CountingScanner implements ReplyCounter {
  private readonly inner = new ReplyScanner();
  errorCount = 0;
  constructor(private readonly onFeed: (replies: number, errors: number) => void) {}
  feed(buf: Uint8Array, start: number, end: number): number {
    const n = this.inner.feed(buf, start, end);
    this.errorCount = this.inner.errorCount;
    if (n > 0) this.onFeed(n, this.errorCount);
    return n;
  }
  forEachErrorDetail(cb: (code: string, ordinal: number, message: string) => void): void {
    this.inner.forEachErrorDetail(cb);
  }
  reserve(replies: number): void {
    this.inner.reserve(replies);
  }
  reset(): void {
    this.inner.reset();
    this.errorCount = 0;
  }
}

/** Maps a request to (key index, source vector, slot) for the HSET writer. */
export interface WritePlan {
  /** The slice index request `request` writes, sent on a connection to `node`. */
  keyIndex(request: number, node: NodeAssignment): number;
  source(keyIndex: number): number;
  /** Cluster slot of the key, given the connection's node; -1 outside cluster mode. */
  slot(keyIndex: number, node: NodeAssignment): number;
}

/** One connection writing vectors with VectorHsetWriter (vec-load and vec-update). */
export class VectorWriteConnection implements ConnectionWorkload {
  readonly unit = selfEncodedUnit();
  readonly scanner: CountingScanner;
  private starts = new Int32Array(1);
  /** The buffer allocate() laid fixed-size commands into (a --mix passes others: full writes). */
  private laid: Uint8Array | undefined;

  constructor(
    private readonly writer: VectorHsetWriter,
    private readonly plan: WritePlan,
    private readonly extra: VectorWriteExtra,
    private readonly vectorBytes: number,
    private node: NodeAssignment,
    clusterTags: boolean,
  ) {
    if (clusterTags && node.slots.length === 0) throw new Error(`node ${node.address} owns no slots; cannot place keys on it`);
    this.scanner = new CountingScanner((n, errors) => {
      extra.vectorsWritten += n - errors;
      extra.vectorBytesWritten += (n - errors) * this.vectorBytes;
      extra.errors += errors;
    });
  }

  allocate(pipeline: number): Uint8Array {
    this.starts = new Int32Array(pipeline + 1);
    const buffer = new Uint8Array(pipeline * this.writer.maxCommandBytes);
    const fixed = this.writer.fixedBytes;
    if (fixed > 0) {
      for (let u = 0; u < pipeline; u++) this.writer.layFixed(buffer, u * fixed);
      for (let u = 0; u <= pipeline; u++) this.starts[u] = u * fixed;
      this.laid = buffer;
    }
    return buffer;
  }

  patch(buffer: Uint8Array, units: number, firstRequest: number): number {
    const starts = this.starts;
    const plan = this.plan;
    const fixed = this.writer.fixedBytes;
    this.extra.vectorsSent += units;
    if (fixed > 0 && buffer === this.laid) {
      // Constant bytes were laid down by allocate(): only the id, tag and vector change.
      for (let u = 0; u < units; u++) {
        const keyIndex = plan.keyIndex(firstRequest + u, this.node);
        this.writer.writeFixed(buffer, u * fixed, keyIndex, plan.source(keyIndex), plan.slot(keyIndex, this.node));
      }
      return units * fixed;
    }
    let pos = 0;
    for (let u = 0; u < units; u++) {
      starts[u] = pos;
      const keyIndex = plan.keyIndex(firstRequest + u, this.node);
      pos = this.writer.write(buffer, pos, keyIndex, plan.source(keyIndex), plan.slot(keyIndex, this.node));
    }
    starts[units] = pos;
    return pos;
  }

  commandRange(index: number): [number, number] {
    return [this.starts[index]!, this.starts[index + 1]!];
  }

  /** A redirected write is not an error yet: the resend decides whether it was written. */
  onRedirect(_index: number): (ok: boolean) => void {
    this.extra.errors--;
    return this.settleRedirect;
  }

  private readonly settleRedirect = (ok: boolean): void => {
    if (ok) {
      this.extra.vectorsWritten++;
      this.extra.vectorBytesWritten += this.vectorBytes;
    } else {
      this.extra.errors++;
    }
  };

  abandonBatch(): void {
    this.scanner.reset();
  }

  retarget(node: NodeAssignment): void {
    this.node = node;
  }
}

export function emptyWriteExtra(): VectorWriteExtra {
  return { vectorsSent: 0, vectorsWritten: 0, vectorBytesWritten: 0, errors: 0 };
}

export function createVecLoadWorkload(p: VecLoadParams, _ctx: WorkerContext): WorkerWorkload<VectorWriteExtra> {
  const data = openWorkerDataset(p.dataset);
  try {
    const n = data.ds.numVectors;
    const writer = new VectorHsetWriter(data.ds, data.offset, p, p.dim);
    const extra = emptyWriteExtra();
    const existing = p.existingSlots !== undefined && p.existingSlots.length >= n ? p.existingSlots : undefined;
    const plan: WritePlan = {
      // Exactly once: totalRequests is at most n (the plan's loadTest).
      keyIndex: (r) => r % n,
      source: (i) => i,
      slot: !p.clusterTags
        ? () => -1
        : existing
          ? (i, node) => (existing[i]! >= 0 ? existing[i]! : loadSlotOfId(data.offset + i, node.slots))
          : (i, node) => loadSlotOfId(data.offset + i, node.slots),
    };
    return {
      forConnection: (_client, node) => new VectorWriteConnection(writer, plan, extra, p.dim * 4, node, p.clusterTags),
      extra: () => ({ ...extra }),
      close: () => data.close(),
    };
  } catch (e) {
    data.close();
    throw e;
  }
}
