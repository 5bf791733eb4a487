/**
 * `--mix vec-query:90,vec-update:10` (any workloads of the catalog, key-value ones too): a weighted
 * mix on the same connections, with per-part statistics.
 *
 * Per unit a seeded RNG (per connection: --seed and the client index) picks a part with
 * probability weight / total. The part patches one request into its own slot of the mix's
 * buffer, then the bytes are moved down so the batch goes out contiguous (copyWithin: no
 * allocation). A FIFO of the part of each request in the batch routes replies: per-part replies,
 * errors and a latency histogram (onReplies).
 *
 * Latency of a part counts as for the test's own histogram: from the write of the whole batch
 * (in a pipelined mix a query queued behind a large vec-update waits for it, and that wait is
 * part of what a client would see), and under --rps from the request's intended send time.
 *
 * Reply contents reach only a vec-query part (for recall; at most one per mix): its scanner
 * counts every reply of the stream and is told which ones are its own. Other parts' scanners
 * are not fed, so their own extras (vectors written...) stay zero in a mix: the per-part
 * counters here are the numbers to use. Parts receive the mix's global request number (a load
 * part in a mix therefore writes a scattered subset of ids; updates and deletes are still valid).
 * Every part must have one reply per unit (single commands).
 */
import { rngStream } from "../engine/shard.ts";
import type { ConnectionWorkload, NodeAssignment, ReplyCounter, WorkerContext, WorkerWorkload } from "../engine/workload-api.ts";
import { Rng } from "../engine/rng.ts";
import { createLatencyHistogram, encodeHistogram, type Histogram } from "../metrics/histogram.ts";
import { ReplyScanner } from "../resp/reply-scanner.ts";
import { QueryConnection } from "./vec-query-workload.ts";
import { selfEncodedUnit } from "./vec-load-workload.ts";
import type { MixParams } from "./workload-params.ts";

/** What one worker reports per part. */
export interface MixPartExtra {
  title: string;
  kind: string;
  weight: number;
  /** Replies received for this part (errors included). */
  replies: number;
  errors: number;
  /** Encoded latency histogram (µs), from the batch write. */
  histogram: string;
  /** The part's own WorkerWorkload.extra() (vec-query: the recall snapshot). */
  extra?: unknown;
}

export interface MixExtra {
  parts: MixPartExtra[];
}

interface PartStats {
  replies: number;
  errors: number;
  hist: Histogram;
}

/** Cumulative weights for the pick; weights must be positive finite numbers. */
export function cumulativeWeights(weights: readonly number[]): Float64Array {
  const out = new Float64Array(weights.length);
  let sum = 0;
  weights.forEach((w, i) => {
    if (!(w > 0) || !Number.isFinite(w)) throw new Error(`--mix weight ${w} must be a positive number`);
    sum += w;
    out[i] = sum;
  });
  return out;
}

/** Picks a part index for a uniform draw u in [0, 1). */
export function pickPart(cumulative: Float64Array, u: number): number {
  const x = u * cumulative[cumulative.length - 1]!;
  for (let i = 0; i < cumulative.length - 1; i++) if (x < cumulative[i]!) return i;
  return cumulative.length - 1;
}

class MixScanner implements ReplyCounter {
  errorCount = 0;
  /** Replies of the current batch consumed so far. */
  received = 0;
  private readonly countError = (_code: string, ordinal: number): void => {
    const part = this.conn.partAt(this.received + ordinal);
    if (part >= 0) this.stats[part]!.errors++;
  };
  constructor(
    private readonly base: ReplyCounter,
    private readonly conn: MixConnection,
    private readonly stats: PartStats[],
  ) {}
  feed(buf: Uint8Array, start: number, end: number): number {
    const n = this.base.feed(buf, start, end);
    this.errorCount = this.base.errorCount;
    if (this.errorCount > 0) this.base.forEachErrorDetail(this.countError);
    this.received += n;
    return n;
  }
  forEachErrorDetail(cb: (code: string, ordinal: number, message: string) => void): void {
    this.base.forEachErrorDetail(cb);
  }
  reserve(replies: number): void {
    this.base.reserve?.(replies);
  }
  reset(): void {
    this.base.reset();
    this.errorCount = 0;
  }
}

class MixConnection implements ConnectionWorkload {
  readonly unit = selfEncodedUnit();
  readonly scanner: MixScanner;
  private readonly rng: Rng;
  private readonly query: QueryConnection | undefined;
  private readonly queryPart: number;
  private partOf = new Int16Array(0);
  private starts = new Int32Array(1);
  private views: Uint8Array[][] = [];
  private slotBytes = 0;

  constructor(
    private readonly parts: ConnectionWorkload[],
    private readonly cumulative: Float64Array,
    private readonly stats: PartStats[],
    seed: number,
    clientIndex: number,
  ) {
    this.rng = new Rng(seed, clientIndex);
    parts.forEach((p, i) => {
      if (p.unit.replies !== 1) throw new Error(`--mix part ${i + 1} sends ${p.unit.replies} commands per request; only single-command workloads can be mixed`);
    });
    this.queryPart = parts.findIndex((p) => p instanceof QueryConnection);
    this.query = this.queryPart >= 0 ? (parts[this.queryPart] as QueryConnection) : undefined;
    if (this.query) this.query.scanner.owner = { isMine: (ordinal) => this.partAt(this.scanner.received + ordinal) === this.queryPart };
    this.scanner = new MixScanner(this.query ? this.query.scanner : new ReplyScanner(), this, stats);
  }

  /** The part of reply `index` of the current batch (-1 past it). */
  partAt(index: number): number {
    return index < this.partOf.length ? this.partOf[index]! : -1;
  }

  allocate(pipeline: number): Uint8Array {
    // Each part gets a slot per pipeline position, sized for its largest request.
    const sizes = this.parts.map((p) => (p.allocate ? p.allocate(1).length : p.unit.bytes.length));
    this.query?.scanner.reserve(pipeline);
    this.slotBytes = Math.max(...sizes);
    const buffer = new Uint8Array(pipeline * this.slotBytes);
    this.views = sizes.map((size) => Array.from({ length: pipeline }, (_, u) => buffer.subarray(u * this.slotBytes, u * this.slotBytes + size)));
    this.partOf = new Int16Array(pipeline).fill(-1);
    this.starts = new Int32Array(pipeline + 1);
    return buffer;
  }

  patch(buffer: Uint8Array, units: number, firstRequest: number): number {
    const parts = this.parts;
    const slotBytes = this.slotBytes;
    this.scanner.received = 0;
    let pos = 0;
    for (let u = 0; u < units; u++) {
      const p = pickPart(this.cumulative, this.rng.nextU32() / 4294967296);
      this.partOf[u] = p;
      const part = parts[p]!;
      const view = this.views[p]![u]!;
      // Fixed-size parts patch a template in place: lay it down again (another part may have
      // used this slot last time).
      if (!part.allocate) view.set(part.unit.bytes);
      const len = part.patch(view, 1, firstRequest + u);
      const slotStart = u * slotBytes;
      if (slotStart !== pos) buffer.copyWithin(pos, slotStart, slotStart + len);
      this.starts[u] = pos;
      pos += len;
    }
    this.starts[units] = pos;
    return pos;
  }

  commandRange(index: number): [number, number] {
    return [this.starts[index]!, this.starts[index + 1]!];
  }

  onReplies(firstIndex: number, count: number, latencyMs: number): void {
    let us = Math.round(latencyMs * 1000);
    if (us < 1) us = 1;
    for (let i = firstIndex; i < firstIndex + count; i++) {
      const p = this.partAt(i);
      if (p < 0) continue;
      const s = this.stats[p]!;
      s.replies++;
      s.hist.recordValue(us);
    }
  }

  /**
   * The part's error count waits for the resend's outcome. Parts' own scanners are not fed in a
   * mix, except the vec-query part's (the mix's scanner): only that part is told as well.
   */
  onRedirect(index: number): ((ok: boolean) => void) | undefined {
    const p = this.partAt(index);
    if (p < 0) return undefined;
    const stats = this.stats[p]!;
    stats.errors--;
    const inner = p === this.queryPart ? this.query!.onRedirect(index) : undefined;
    return (ok) => {
      if (!ok) stats.errors++;
      inner?.(ok);
    };
  }

  abandonBatch(): void {
    for (const p of this.parts) p.abandonBatch();
    this.scanner.reset();
    this.scanner.received = 0;
  }

  retarget(node: NodeAssignment): void {
    for (const p of this.parts) p.retarget?.(node);
  }
}

export async function createMixWorkload(p: MixParams, ctx: WorkerContext): Promise<WorkerWorkload<MixExtra>> {
  if (p.parts.length === 0) throw new Error("--mix needs at least one workload");
  if (p.parts.length > 32767) throw new Error("--mix has too many parts");
  const cumulative = cumulativeWeights(p.parts.map((x) => x.weight));
  const workers: WorkerWorkload[] = [];
  try {
    for (const part of p.parts) workers.push(await ctx.catalog.create(part.kind, part.params, ctx));
  } catch (e) {
    for (const w of workers) w.close?.();
    throw e;
  }
  if (p.parts.filter((x) => x.kind === "vec-query").length > 1) {
    for (const w of workers) w.close?.();
    throw new Error("--mix may contain vec-query once (its recall needs the reply contents)");
  }
  const stats: PartStats[] = p.parts.map(() => ({ replies: 0, errors: 0, hist: createLatencyHistogram() }));
  const snapshot = (): MixExtra => ({
    parts: p.parts.map((part, i) => ({
      title: part.title,
      kind: part.kind,
      weight: part.weight,
      replies: stats[i]!.replies,
      errors: stats[i]!.errors,
      histogram: encodeHistogram(stats[i]!.hist),
      extra: workers[i]!.extra?.(),
    })),
  });
  // The engine closes the workload before asking for extra(): keep the last snapshot then, as
  // the histograms' WebAssembly memory is freed on close.
  let final: MixExtra | undefined;
  return {
    forConnection: (clientIndex, node) =>
      new MixConnection(
        workers.map((w) => w.forConnection(clientIndex, node)),
        cumulative,
        stats,
        ctx.config.seed,
        rngStream(clientIndex, ctx.config.clients, ctx.config.shard),
      ),
    extra: (): MixExtra => final ?? snapshot(),
    // The vec-query part's recall (at most one part queries).
    recallTotals: () => {
      for (const w of workers) {
        const t = w.recallTotals?.();
        if (t) return t;
      }
      return undefined;
    },
    close: () => {
      if (final) return;
      final = snapshot();
      for (const w of workers) w.close?.();
      for (const s of stats) s.hist.destroy();
    },
  };
}
