/**
 * The key-value workload: valkey-benchmark's built-in tests and custom commands. Each request
 * gets fresh `__rand_int__` values (random or --sequential) and, in cluster mode, a hash tag for
 * a random slot of the connection's node, written into the pre-encoded buffer in place.
 */
import { rngStream } from "../engine/shard.ts";
import type { BenchConfig } from "../config/types.ts";
import { TAG_WIDTH, writeSlotTag } from "../cluster/slot-tags.ts";
import type { ConnectionWorkload, NodeAssignment, WorkerContext, WorkerWorkload } from "../engine/workload-api.ts";
import { Rng } from "../engine/rng.ts";
import { ReplyScanner } from "../resp/reply-scanner.ts";
import { RAND_WIDTH, compileCommands, compileInline, type CompiledUnit } from "./template.ts";

/** What one claim sends: an inline command or a sequence of commands with placeholders. */
export type UnitSpec =
  | { kind: "inline"; text: string }
  | { kind: "commands"; commands: string[][]; constantDataMarker?: string };

export interface KvParams {
  unit: UnitSpec;
  /** True in cluster mode: `{tag}` is patched per request. */
  clusterTags: boolean;
}

const DATA_ALPHABET = new TextEncoder().encode("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");

export function compileKvUnit(unit: UnitSpec, config: BenchConfig, clusterTags: boolean): CompiledUnit {
  if (unit.kind === "inline") return compileInline(unit.text);
  return compileCommands(unit.commands, {
    expandRandom: config.keyspaceLen > 0,
    dataSize: config.dataSize,
    constantDataMarker: unit.constantDataMarker,
    clusterTagWidth: clusterTags ? TAG_WIDTH : undefined,
    dropTagMarker: unit.constantDataMarker !== undefined,
  });
}

export function createKvWorkload(p: KvParams, ctx: WorkerContext): WorkerWorkload<never> {
  const unit = compileKvUnit(p.unit, ctx.config, p.clusterTags);
  return {
    forConnection: (clientIndex, node) => new KvConnection(unit, ctx, clientIndex, node),
  };
}

class KvConnection implements ConnectionWorkload {
  readonly scanner = new ReplyScanner();
  private readonly rng: Rng;
  private readonly config: BenchConfig;
  private readonly nthValues = new Float64Array(10);
  private readonly nthSet = new Uint8Array(10);
  private readonly hasNth: boolean;
  private readonly keyspace: number;
  private readonly sequential: boolean;
  private readonly sequenceOffset: number;
  /**
   * Digits that can change: values stay below the keyspace, so the leading ones of the 12 are
   * always the template's '0's and are never rewritten.
   */
  private readonly digits: number;

  constructor(
    readonly unit: CompiledUnit,
    private readonly ctx: WorkerContext,
    clientIndex: number,
    private node: NodeAssignment,
  ) {
    this.config = ctx.config;
    this.rng = new Rng(this.config.seed, rngStream(clientIndex, this.config.clients, this.config.shard));
    // --shard: --sequential values continue where the previous shards' requests end.
    let draws = 0;
    const kindsSeen = new Set<number>();
    for (const k of unit.randKinds) if (k === 0 || !kindsSeen.has(k)) (draws++, kindsSeen.add(k));
    this.sequenceOffset = ((ctx.firstRequest ?? 0) / Math.max(1, unit.replies)) * draws;
    this.hasNth = unit.randKinds.some((k) => k !== 0);
    this.keyspace = this.config.keyspaceLen;
    this.sequential = this.config.sequential;
    this.digits = Math.min(RAND_WIDTH, String(Math.max(0, this.config.keyspaceLen - 1)).length);
    if (unit.tagOffsets.length > 0 && node.slots.length === 0) {
      throw new Error(`node ${node.address} owns no slots; cannot place keys on it`);
    }
  }

  /** Random alphanumeric payload for `__data__`, different in every pipeline slot. */
  fillData(buffer: Uint8Array, pipeline: number): void {
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
    const unit = this.unit;
    const unitLen = unit.bytes.length;
    if (this.filled * unitLen < buffer.length) {
      // First use of this buffer: lay down the random payloads once.
      this.fillData(buffer, buffer.length / unitLen);
      this.filled = buffer.length / unitLen;
    }
    const offsets = unit.randOffsets;
    const kinds = unit.randKinds;
    const n = offsets.length;
    const tags = unit.tagOffsets;
    const slots = this.node.slots;
    const digits = this.digits;
    for (let u = 0; u < units; u++) {
      const base = u * unitLen;
      if (n > 0) {
        if (this.hasNth) this.nthSet.fill(0);
        for (let i = 0; i < n; i++) {
          const kind = kinds[i]!;
          let v: number;
          if (kind === 0) v = this.nextValue();
          else if (this.nthSet[kind] === 1) v = this.nthValues[kind]!;
          else {
            v = this.nextValue();
            this.nthValues[kind] = v;
            this.nthSet[kind] = 1;
          }
          writeDigits(buffer, base + offsets[i]!, v, digits);
        }
      }
      if (tags.length > 0) {
        // Every key of one unit shares a slot (MSET's keys must), picked among the node's slots.
        const slot = slots[this.rng.below(slots.length)]!;
        for (let i = 0; i < tags.length; i++) writeSlotTag(slot, buffer, base + tags[i]!);
      }
    }
    return units * unitLen;
  }

  private nextValue(): number {
    // --sequential: one counter shared by every connection, so 0..keyspace-1 are each used.
    if (this.sequential) return (this.sequenceOffset + this.ctx.nextSequence()) % this.keyspace;
    return this.rng.below(this.keyspace);
  }

  abandonBatch(): void {
    this.scanner.reset();
  }

  retarget(node: NodeAssignment): void {
    this.node = node;
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
