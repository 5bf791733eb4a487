/**
 * The key-value workload: valkey-benchmark's built-in tests and custom commands. Each request
 * gets fresh `__rand_int__` values (drawn by the --key-pattern stream) and, in cluster mode, a
 * hash tag for a slot of the connection's node, written into the pre-encoded buffer in place.
 * Value sizes other than -d are laid out per request by value-layout.ts; under --verify-writes /
 * --verify-reads every value carries a stamp and the replies are checked (verify/).
 */
import { rngStream } from "../engine/shard.ts";
import type { BenchConfig } from "../config/types.ts";
import { TAG_WIDTH, writeSlotTag } from "../cluster/slot-tags.ts";
import type { ConnectionWorkload, NodeAssignment, ReplyCounter, WorkerContext, WorkerWorkload } from "../engine/workload-api.ts";
import { Rng } from "../engine/rng.ts";
import { ReplyScanner } from "../resp/reply-scanner.ts";
import { createKeyStream, describeKeyPattern, patternFor, type KeyStream } from "./key-patterns/key-pattern.ts";
import { RAND_WIDTH, compileCommands, compileInline, type KvUnit } from "./template.ts";
import { ValueLayout } from "./value-layout.ts";
import { createSizeStream, describeSizes, maxSize, meanSize, type SizeStream } from "./value-sizes.ts";
import { ReadChecks, WriteAcks } from "./verify/checked-replies.ts";
import { WriteLedger } from "./verify/ledger.ts";
import { writeStamp } from "./verify/stamp.ts";
import { ledgerEntry, shardOfSlot, tagSlot, type VerifyParams } from "./verify/verify-keys.ts";

/** What one claim sends: an inline command or a sequence of commands with placeholders. */
export type UnitSpec =
  | { kind: "inline"; text: string }
  | { kind: "commands"; commands: string[][]; constantDataMarker?: string };

export interface KvParams {
  unit: UnitSpec;
  /** True in cluster mode: `{tag}` is patched per request. */
  clusterTags: boolean;
  /** Read-only test: keys follow the GET side of --key-pattern. */
  readOnly?: boolean;
  /** --verify-writes / --verify-reads: the shared ledger and how keys map to it. */
  verify?: VerifyParams;
}

const DATA_ALPHABET = new TextEncoder().encode("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
/** Extra random bytes in the payload pool, so values start at different offsets. */
const POOL_SLACK = 64;

export function compileKvUnit(unit: UnitSpec, config: BenchConfig, clusterTags: boolean): KvUnit {
  if (unit.kind === "inline") return compileInline(unit.text);
  return compileCommands(unit.commands, {
    expandRandom: config.keyspaceLen > 0,
    dataSize: config.dataSize,
    constantDataMarker: unit.constantDataMarker,
    clusterTagWidth: clusterTags ? TAG_WIDTH : undefined,
    dropTagMarker: unit.constantDataMarker !== undefined,
    binaryArg: config.stdinValue,
  });
}

/** A worker's numbers: values checked under --verify-reads, and the shape of the keys and values. */
export interface KvExtra {
  /** "keys: zipfian (exponent 0.99) over 0..99999; values: 32-96 random, mean 64 bytes" (only when not uniform keys and a fixed -d). */
  shape?: string;
  verifyReads?: VerifyReadsCounts;
}

export interface VerifyReadsCounts {
  /** Values compared with what this run wrote to their key. */
  checked: number;
  /** Replies for keys this run never wrote (empty, or a value not of this run): not judged. */
  neverWritten: number;
  failed: number;
  connectionsGaveUp: number;
}

export function createKvWorkload(p: KvParams, ctx: WorkerContext): WorkerWorkload<KvExtra> {
  const unit = compileKvUnit(p.unit, ctx.config, p.clusterTags);
  const ledger = p.verify ? new WriteLedger(p.verify.ledger) : undefined;
  const connections: KvConnection[] = [];
  return {
    forConnection: (clientIndex, node) => {
      const c = new KvConnection(unit, ctx, clientIndex, node, p, ledger).init();
      connections.push(c);
      return c;
    },
    extra: (): KvExtra => {
      const shape = workloadShape(ctx.config, unit, p.readOnly === true);
      if (!p.verify || p.verify.role !== "read") return shape ? { shape } : {};
      let checked = 0;
      let neverWritten = 0;
      let failed = 0;
      let gaveUp = 0;
      for (const c of connections) {
        const s = c.scanner;
        if (s instanceof ReadChecks) {
          checked += s.checked;
          neverWritten += s.neverWritten;
          failed += s.failedChecks;
          gaveUp += s.gaveUp ? 1 : 0;
        }
      }
      return { ...(shape ? { shape } : {}), verifyReads: { checked, neverWritten, failed, connectionsGaveUp: gaveUp } };
    },
  };
}

/** What the report says about the keys and values of a test, when they are not -r uniform and -d. */
function workloadShape(config: BenchConfig, unit: KvUnit, readOnly: boolean): string | undefined {
  const parts: string[] = [];
  const kind = patternFor(config.keys, readOnly);
  if (unit.randOffsets.length > 0 && (kind !== "R" || config.keys.minimum > 0)) {
    parts.push(`keys: ${describeKeyPattern(kind, config.keys)} over ${config.keys.minimum}..${config.keys.maximum}`);
  }
  const sizes = config.valueSizes;
  if (unit.payloads.length > 0 && sizes.kind !== "fixed") parts.push(`values: ${describeSizes(sizes)} bytes, mean ${+meanSize(sizes).toFixed(1)}`);
  return parts.length > 0 ? parts.join("; ") : undefined;
}

class KvConnection implements ConnectionWorkload {
  readonly scanner: ReplyCounter;
  private readonly rng: Rng;
  private readonly nthValues = new Float64Array(10);
  private readonly nthSet = new Uint8Array(10);
  private readonly hasNth: boolean;
  private readonly keys: KeyStream | undefined;
  private readonly sequenceOffset: number;
  /**
   * Digits that can change: values stay below the keyspace, so the leading ones of the 12 are
   * always the template's '0's and are never rewritten.
   */
  private readonly digits: number;
  // Varying value sizes (undefined with a fixed -d).
  private readonly layout: ValueLayout | undefined;
  private readonly sizes: SizeStream | undefined;
  private readonly sizeScratch: Int32Array;
  private poolStart = 0;
  private readonly pooled = new WeakSet<Uint8Array>();
  private commandStarts = new Int32Array(0);
  private readonly randPiece: Int32Array;
  private readonly randDelta: Int32Array;
  private readonly tagPiece: Int32Array;
  private readonly tagDelta: Int32Array;
  private readonly commandPiece: Int32Array;
  private readonly commandDelta: Int32Array;
  // Verification.
  private readonly acks: WriteAcks | undefined;
  private readonly checks: ReadChecks | undefined;
  private readonly verifyShard: number;
  private readonly verifySlots: Uint16Array | undefined;

  constructor(
    readonly unit: KvUnit,
    private readonly ctx: WorkerContext,
    clientIndex: number,
    private node: NodeAssignment,
    private readonly params: KvParams,
    private readonly ledger: WriteLedger | undefined,
  ) {
    const config = ctx.config;
    this.rng = new Rng(config.seed, rngStream(clientIndex, config.clients, config.shard));
    // --shard: --sequential values continue where the previous shards' requests end.
    let draws = 0;
    const kindsSeen = new Set<number>();
    for (const k of unit.randKinds) if (k === 0 || !kindsSeen.has(k)) (draws++, kindsSeen.add(k));
    this.sequenceOffset = ((ctx.firstRequest ?? 0) / Math.max(1, unit.replies)) * draws;
    const offset = this.sequenceOffset;
    const nextSequence = offset === 0 ? ctx.nextSequence : () => offset + ctx.nextSequence();
    this.hasNth = unit.randKinds.some((k) => k !== 0);
    this.keys = config.keyspaceLen > 0 ? createKeyStream(patternFor(config.keys, params.readOnly === true), config.keys, this.rng, nextSequence) : undefined;
    this.digits = Math.min(RAND_WIDTH, String(Math.max(0, config.keyspaceLen - 1)).length);
    if (unit.tagOffsets.length > 0 && node.slots.length === 0) {
      throw new Error(`node ${node.address} owns no slots; cannot place keys on it`);
    }
    const pipeline = config.pipeline;
    const varying = config.valueSizes.kind !== "fixed" && unit.payloads.length > 0;
    this.layout = varying ? new ValueLayout(unit, maxSize(config.valueSizes)) : undefined;
    this.sizes = varying ? createSizeStream(config.valueSizes, this.rng, clientIndex) : undefined;
    this.sizeScratch = new Int32Array(unit.payloads.length / 3);
    const at = (offsets: Int32Array, piece: Int32Array, delta: Int32Array) => {
      for (let i = 0; i < offsets.length; i++) {
        piece[i] = this.layout!.pieceOf(offsets[i]!);
        delta[i] = offsets[i]! - this.layout!.pieceOrigin(piece[i]!);
      }
    };
    this.randPiece = new Int32Array(unit.randOffsets.length);
    this.randDelta = new Int32Array(unit.randOffsets.length);
    this.tagPiece = new Int32Array(unit.tagOffsets.length);
    this.tagDelta = new Int32Array(unit.tagOffsets.length);
    this.commandPiece = new Int32Array(unit.commandOffsets.length);
    this.commandDelta = new Int32Array(unit.commandOffsets.length);
    if (this.layout) {
      at(unit.randOffsets, this.randPiece, this.randDelta);
      at(unit.tagOffsets, this.tagPiece, this.tagDelta);
      at(unit.commandOffsets, this.commandPiece, this.commandDelta);
    }
    const verify = params.verify;
    if (verify && ledger) {
      this.verifyShard = shardOfSlot(verify.shardSlots, node.slots.length > 0 ? node.slots[0] : undefined);
      const slots = verify.shardSlots[this.verifyShard];
      this.verifySlots = slots && slots.length > 0 && unit.tagOffsets.length > 0 ? slots : undefined;
      if (verify.role === "write") this.acks = new WriteAcks(ledger, pipeline * unit.replies);
      else this.checks = new ReadChecks(ledger, pipeline * unit.replies);
    } else {
      this.verifyShard = 0;
      this.verifySlots = undefined;
    }
    this.scanner = this.acks ?? this.checks ?? new ReplyScanner();
  }

  /** Varying sizes: room for `pipeline` of the largest unit, then the random payload pool. */
  allocate?(pipeline: number): Uint8Array;

  /** Random alphanumeric payload for `__data__`, different in every pipeline slot. */
  private fillData(buffer: Uint8Array, pipeline: number): void {
    const regions = this.unit.dataRegions;
    if (regions.length === 0) return;
    const unitLen = this.unit.bytes.length;
    for (let u = 0; u < pipeline; u++) {
      for (let r = 0; r < regions.length; r += 2) {
        const start = u * unitLen + regions[r]!;
        const end = start + regions[r + 1]!;
        for (let i = start; i < end; i++) buffer[i] = DATA_ALPHABET[this.rng.nextU32() % DATA_ALPHABET.length]!;
      }
    }
  }

  private filled = 0;

  patch(buffer: Uint8Array, units: number, _firstRequest: number): number {
    this.acks?.startBatch();
    this.checks?.startBatch();
    if (this.layout) return this.patchVarying(buffer, units);
    const unit = this.unit;
    const unitLen = unit.bytes.length;
    if (this.filled * unitLen < buffer.length) {
      // First use of this buffer: lay down the random payloads once.
      this.fillData(buffer, buffer.length / unitLen);
      this.filled = buffer.length / unitLen;
    }
    const offsets = unit.randOffsets;
    const tags = unit.tagOffsets;
    const firstStamp = this.acks ? this.ledger!.reserve(units) : 0;
    const slots = this.node.slots;
    const verifySlots = this.verifySlots;
    for (let u = 0; u < units; u++) {
      const base = u * unitLen;
      const key = this.patchKeys(buffer, base, offsets, undefined, undefined);
      if (tags.length > 0) {
        // Same choice as patchTags, written out for the fixed layout: this loop runs per request
        // and the generic form (piece offsets, optional arguments) cost about 30 ns more each.
        const slot = verifySlots ? tagSlot(verifySlots, key) : slots[this.rng.below(slots.length)]!;
        for (let i = 0; i < tags.length; i++) writeSlotTag(slot, buffer, base + tags[i]!);
      }
      if (this.ledger) this.expect(buffer, u, key, firstStamp + u, base, undefined);
    }
    return units * unitLen;
  }

  /** Varying value sizes: each unit is laid out afresh (see value-layout.ts). */
  private patchVarying(buffer: Uint8Array, units: number): number {
    const layout = this.layout!;
    const sizes = this.sizes!;
    const scratch = this.sizeScratch;
    const replies = this.unit.replies;
    const starts = this.commandStarts;
    if (!this.pooled.has(buffer)) {
      // First use of this buffer (a --mix hands out one view per pipeline slot): random payload pool.
      for (let i = this.poolStart; i < buffer.length; i++) buffer[i] = DATA_ALPHABET[this.rng.nextU32() % DATA_ALPHABET.length]!;
      this.pooled.add(buffer);
    }
    const firstStamp = this.acks ? this.ledger!.reserve(units) : 0;
    let pos = 0;
    for (let u = 0; u < units; u++) {
      for (let i = 0; i < scratch.length; i++) scratch[i] = sizes.next();
      pos = layout.write(buffer, pos, scratch, this.poolStart, this.rng.nextU32() % POOL_SLACK);
      const pieceStart = layout.pieceStart;
      const key = this.patchKeys(buffer, 0, this.unit.randOffsets, pieceStart, this.randPiece);
      if (this.unit.tagOffsets.length > 0) this.patchTags(buffer, 0, this.unit.tagOffsets, pieceStart, this.tagPiece, key);
      for (let c = 0; c < replies; c++) starts[u * replies + c] = pieceStart[this.commandPiece[c]!]! + this.commandDelta[c]!;
      if (this.ledger) this.expect(buffer, u, key, firstStamp + u, 0, layout);
    }
    starts[units * replies] = pos;
    return pos;
  }

  /**
   * Writes the unit's key digits; returns the first `__rand_int__` value (the key a verified
   * write goes to). Fixed layout: offsets are relative to `base`; varying: to their piece.
   */
  private patchKeys(buffer: Uint8Array, base: number, offsets: Int32Array, pieceStart: Int32Array | undefined, piece: Int32Array | undefined): number {
    const n = offsets.length;
    if (n === 0) return 0;
    const kinds = this.unit.randKinds;
    const digits = this.digits;
    let first = -1;
    if (this.hasNth) this.nthSet.fill(0);
    for (let i = 0; i < n; i++) {
      const kind = kinds[i]!;
      let v: number;
      if (kind === 0) v = this.keys!.next();
      else if (this.nthSet[kind] === 1) v = this.nthValues[kind]!;
      else {
        v = this.keys!.next();
        this.nthValues[kind] = v;
        this.nthSet[kind] = 1;
      }
      if (first < 0) first = v;
      const at = pieceStart ? pieceStart[piece![i]!]! + this.randDelta[i]! : base + offsets[i]!;
      writeDigits(buffer, at, v, digits);
    }
    return first;
  }

  private patchTags(buffer: Uint8Array, base: number, tags: Int32Array, pieceStart: Int32Array | undefined, piece: Int32Array | undefined, key: number): void {
    // Every key of one unit shares a slot (MSET's keys must), picked among the node's slots;
    // verified keys always get the same slot of their shard (verify-keys.ts).
    const slots = this.node.slots;
    const slot = this.verifySlots ? tagSlot(this.verifySlots, key) : slots[this.rng.below(slots.length)]!;
    for (let i = 0; i < tags.length; i++) {
      const at = pieceStart ? pieceStart[piece![i]!]! + this.tagDelta[i]! : base + tags[i]!;
      writeSlotTag(slot, buffer, at);
    }
  }

  /** Verification: stamps the unit's values (writes) and notes what its reply must show. */
  private expect(buffer: Uint8Array, u: number, key: number, stamp: number, base: number, layout: ValueLayout | undefined): void {
    const ledger = this.ledger!;
    const entry = ledgerEntry(this.params.verify!, this.verifyShard, key);
    const expected = (this.acks ?? this.checks)!.expected;
    expected.entry[u] = entry;
    expected.key[u] = key;
    if (!this.acks) return;
    expected.stamp[u] = stamp;
    expected.ackedAtSend[u] = ledger.acked(entry);
    const payloads = this.unit.payloads;
    for (let p = 0; p < payloads.length / 3; p++) {
      const at = layout ? layout.valueStart[p]! : base + payloads[p * 3 + 1]!;
      const length = layout ? layout.valueLength[p]! : payloads[p * 3 + 2]!;
      writeStamp(buffer, at, ledger.nonce, stamp, key, length, p);
    }
  }

  commandRange?(index: number): [start: number, end: number];

  onRedirect?(index: number): ((ok: boolean) => void) | undefined;

  abandonBatch(): void {
    this.scanner.reset();
  }

  retarget(node: NodeAssignment): void {
    this.node = node;
  }

  /**
   * Wires the optional hooks this connection needs: varying sizes bring their own buffer and
   * command ranges; verified writes count a redirected request that succeeds on its resend.
   * Without them the engine's defaults (fixed-size units) apply.
   */
  init(): this {
    if (this.layout) {
      const layout = this.layout;
      this.allocate = (pipeline) => {
        this.poolStart = pipeline * layout.maxUnitBytes;
        this.commandStarts = new Int32Array(pipeline * this.unit.replies + 1);
        return new Uint8Array(this.poolStart + maxSize(this.ctx.config.valueSizes) + POOL_SLACK);
      };
      this.commandRange = (index) => [this.commandStarts[index]!, this.commandStarts[index + 1]!];
    }
    if (this.acks) {
      const acks = this.acks;
      this.onRedirect = (index) => acks.settleRedirect(index);
    }
    return this;
  }
}

/**
 * Writes `v` as the last `digits` of a RAND_WIDTH zero-padded decimal (valkey-benchmark's %012d;
 * the leading zeros are already in the buffer). Integer arithmetic while v fits 31 bits.
 */
function writeDigits(buf: Uint8Array, offset: number, v: number, digits: number): void {
  let i = offset + RAND_WIDTH - 1;
  const stop = offset + RAND_WIDTH - digits;
  if (v < 0x80000000) {
    for (; i >= stop; i--) {
      const q = (v / 10) | 0;
      buf[i] = 48 + v - q * 10;
      v = q;
    }
    return;
  }
  for (; i >= stop; i--) {
    const q = Math.floor(v / 10);
    buf[i] = 48 + (v - q * 10);
    v = q;
  }
}
