/**
 * `vec-query`: `FT.SEARCH <idx> "<filter>=>[KNN k @<field> $BLOB [EF_RUNTIME ef]]" PARAMS 2 BLOB
 * <query> (NOCONTENT | RETURN n f... | nothing) LIMIT 0 k DIALECT 2`, scored for recall.
 *
 * Request r sends query q = r mod numQueries. LIMIT 0 k is always sent: the server's default
 * page is 10 results, which would cap recall@k for k > 10.
 *
 * Each reply is mapped back to its query through a per-connection FIFO of query indices written
 * in patch() (replies come back in request order on a connection). The SearchReplyScanner hands
 * the result ids of successful replies to a sink, but error replies never reach it, so the ids
 * are copied into a pending area during feed() and scored after it, once the error ordinals of
 * that feed are known: every reply, error or not, pops exactly one query from the FIFO.
 *
 * The query argument varies with the filter (per query when the dataset carries query filters),
 * so each query's command is encoded whole, once (EncodedQueries: pre-encoded pieces, then the
 * query vector from the map, widened to float32 if needed), and a send copies it into the
 * pipeline buffer.
 */
import type { ConnectionWorkload, ReplyCounter, WorkerContext, WorkerWorkload } from "../engine/workload-api.ts";
import type { VectorDataset } from "../dataset/index.ts";
import { NO_NEIGHBOR } from "../dataset/index.ts";
import { KeyIdDecoder } from "./key-id.ts";
import { allOf, knnQuery, numericFilter, tagFilter } from "./query-filter.ts";
import { RecallAccumulator, type RecallSnapshot, type RecallSummary } from "./recall.ts";
import { ORDER_FARTHEST_FIRST, ORDER_NEAREST_FIRST, TrueDistanceRanker } from "./result-order.ts";
import { ORDER_UNCHECKED, ReplyMemo } from "./reply-memo.ts";
import { SearchReplyScanner, type SearchReplySink } from "./search-reply-scanner.ts";
import { bulk, concatBytes, openWorkerDataset, selfEncodedUnit } from "./vec-load-workload.ts";
import type { VecQueryParams } from "./workload-params.ts";
import { keepOutOfFtl } from "../jit-tiers.ts";

const encoder = new TextEncoder();

/** Pre-encoded pieces of the FT.SEARCH command for one test. */
export interface QueryCommand {
  /** `*N`, FT.SEARCH, index name. */
  head: Uint8Array;
  /** The query argument (bulk) of each query; identical filters share one array. */
  queryArgs: Uint8Array[];
  /** PARAMS 2 BLOB and the blob's `$<len>\r\n`. */
  mid: Uint8Array;
  /** CRLF ending the blob, then NOCONTENT / RETURN, LIMIT 0 k, DIALECT 2. */
  tail: Uint8Array;
  /** Upper bound of one command's bytes. */
  maxBytes: number;
}

/** The arguments after the blob, from the options (exported for tests and the plan's help). */
/** The field valkey-search returns a KNN result's distance in (`__<vector field>_score`). */
export function scoreFieldOf(vectorField: string): string {
  return `__${vectorField}_score`;
}

export function queryTailArgs(p: Pick<VecQueryParams, "nocontent" | "returnFields" | "withScores" | "vectorField" | "k">): string[] {
  const out: string[] = [];
  const fields = [...p.returnFields];
  if (p.withScores) fields.push(scoreFieldOf(p.vectorField));
  if (fields.length > 0) out.push("RETURN", String(fields.length), ...fields);
  else if (p.nocontent) out.push("NOCONTENT");
  out.push("LIMIT", "0", String(p.k), "DIALECT", "2");
  return out;
}

/**
 * The filter text of query q: the flag filter ANDed with the dataset's filter of q, if asked
 * (its tags, then each numeric range as `@field:[lo hi]`, on whichever NUMERIC field it names;
 * bounds are the dataset's doubles, whose shortest text is the one numeric-value.ts wrote, so the
 * server compares what ground truth did).
 */
export function queryFilterText(p: VecQueryParams, ds: VectorDataset, q: number): string {
  if (!p.filterFromDataset) return p.filter || "*";
  const tags = ds.queryFilter(q);
  const ranges = ds.queryNumericRanges(q);
  if (tags.length === 0 && ranges.length === 0) return p.filter || "*";
  const parts = [p.filter];
  if (tags.length > 0) {
    if (p.tagField === undefined) throw new Error(`query ${q} of the dataset filters on tags but no tag field is configured; pass --tag-field NAME`);
    const field = p.tagField;
    parts.push(...tags.map((t) => tagFilter(field, [t])));
  }
  const indexed = p.numericFields ?? [];
  for (const r of ranges) {
    if (!indexed.includes(r.field)) {
      throw new Error(
        `query ${q} of the dataset filters on numeric attribute '${r.field}' but the NUMERIC fields are ${indexed.length === 0 ? "not configured" : indexed.join(",")}; pass --numeric-field ${[...indexed, r.field].join(",")}`,
      );
    }
    parts.push(numericFilter(r.field, { low: r.min, high: r.max, lowExclusive: r.minExclusive, highExclusive: r.maxExclusive }));
  }
  return allOf(parts);
}

export function compileQueryCommand(p: VecQueryParams, ds: VectorDataset): QueryCommand {
  if (p.dim !== ds.dim) throw new Error(`vector dimension ${p.dim} does not match the dataset's ${ds.dim}; pass --vector-dim ${ds.dim} or omit it`);
  const blobBytes = p.dim * 4;
  const tailArgs = queryTailArgs(p);
  const argc = 3 + 4 + tailArgs.length;
  const head = concatBytes([encoder.encode(`*${argc}\r\n`), bulk("FT.SEARCH"), bulk(p.indexName)]);
  const byText = new Map<string, Uint8Array>();
  const queryArgs: Uint8Array[] = [];
  let maxArg = 0;
  const clause = { k: p.k, vectorField: p.vectorField, blobParam: "BLOB", efRuntime: p.efSearch };
  const count = p.filterFromDataset ? ds.numQueries : 1;
  for (let q = 0; q < count; q++) {
    const text = knnQuery(queryFilterText(p, ds, q), clause);
    let arg = byText.get(text);
    if (arg === undefined) {
      arg = bulk(text);
      byText.set(text, arg);
      maxArg = Math.max(maxArg, arg.length);
    }
    queryArgs.push(arg);
  }
  const mid = concatBytes([bulk("PARAMS"), bulk("2"), bulk("BLOB"), encoder.encode(`$${blobBytes}\r\n`)]);
  const tail = concatBytes([encoder.encode("\r\n"), ...tailArgs.map((a) => bulk(a))]);
  return { head, queryArgs, mid, tail, maxBytes: head.length + maxArg + mid.length + blobBytes + tail.length };
}

/** Bytes of encoded commands one worker keeps (beyond it, queries are encoded at each send). */
const ENCODED_QUERIES_BYTES = 32 * 1024 * 1024;

/**
 * Each query's whole FT.SEARCH command, encoded on its first send and kept, so a send is one copy
 * into the pipeline buffer (not five, plus a view of the mapped query vector). Query sets too large
 * to keep (ENCODED_QUERIES_BYTES) keep their first queries and encode the rest into a scratch
 * buffer at each send.
 */
export class EncodedQueries {
  private readonly cache: (Uint8Array | undefined)[];
  private readonly cached: number;
  private readonly scratch: Uint8Array;

  constructor(
    private readonly command: QueryCommand,
    private readonly ds: VectorDataset,
    budgetBytes = ENCODED_QUERIES_BYTES,
  ) {
    this.cached = Math.min(ds.numQueries, Math.floor(budgetBytes / command.maxBytes));
    this.cache = new Array<Uint8Array | undefined>(this.cached);
    this.scratch = new Uint8Array(command.maxBytes);
  }

  /** Query q's command; past the budget, a view of a scratch buffer valid until the next call. */
  get(q: number): Uint8Array {
    if (q < this.cached) {
      const hit = this.cache[q];
      if (hit !== undefined) return hit;
      const encoded = this.scratch.slice(0, this.encode(q, this.scratch));
      this.cache[q] = encoded;
      return encoded;
    }
    return this.scratch.subarray(0, this.encode(q, this.scratch));
  }

  private encode(q: number, out: Uint8Array): number {
    const command = this.command;
    let pos = 0;
    out.set(command.head, pos);
    pos += command.head.length;
    const arg = command.queryArgs.length === 1 ? command.queryArgs[0]! : command.queryArgs[q]!;
    out.set(arg, pos);
    pos += arg.length;
    out.set(command.mid, pos);
    pos += command.mid.length;
    pos += this.ds.writeQueryF32(q, out, pos);
    out.set(command.tail, pos);
    return pos + command.tail.length;
  }
}

/** Per-worker query counters beside the recall snapshot. */
export interface QueryCounts {
  /** Replies that were errors (not scored). */
  errorReplies: number;
  /** Successful replies that could not be matched to their query (too many errors in one read). */
  unscoredReplies: number;
  /** Result keys beyond k (never expected with LIMIT 0 k). */
  droppedResults: number;
  /** Queries a cluster redirected (MOVED/ASK...): resent and answered elsewhere, not scored. */
  redirectedReplies: number;
  /** Scored replies with at least two results, whose order was checked against true distances. */
  orderChecked: number;
  /** Of those, replies listing a farther result before a nearer one (farthestFirst included). */
  orderDisagreements: number;
  /** Of those, replies listed entirely farthest-first. */
  farthestFirst: number;
  /** Of those, replies ranked by the scores the server returned (--with-scores) rather than true distances. */
  rankedByScores: number;
}

export type VecQueryExtra = RecallSnapshot & QueryCounts;
export type VecQuerySummary = RecallSummary & QueryCounts;

/** Main-thread merger for vec-query extras. */
export function mergeVecQueryExtras(xs: readonly VecQueryExtra[]): VecQuerySummary {
  const sum = (f: (x: VecQueryExtra) => number): number => xs.reduce((n, x) => n + (f(x) ?? 0), 0);
  return {
    ...RecallAccumulator.merge(xs),
    errorReplies: sum((x) => x.errorReplies),
    unscoredReplies: sum((x) => x.unscoredReplies),
    droppedResults: sum((x) => x.droppedResults),
    redirectedReplies: sum((x) => x.redirectedReplies),
    orderChecked: sum((x) => x.orderChecked),
    orderDisagreements: sum((x) => x.orderDisagreements),
    farthestFirst: sum((x) => x.farthestFirst),
    rankedByScores: sum((x) => x.rankedByScores ?? 0),
  };
}

/** Which replies of a feed belong to this connection workload (set by --mix; default: all). */
export interface ReplyOwner {
  /** `ordinal` counts replies completed by the current feed() call, from 0. */
  isMine(ordinal: number): boolean;
}

/** Ground truth rows as float ids (-1 = padding), converted once per query and cached. */
export class GroundTruthCache {
  private readonly rows: (Float64Array | undefined)[];
  private readonly width: number;
  constructor(private readonly ds: VectorDataset, k: number) {
    this.rows = new Array<Float64Array | undefined>(ds.numQueries);
    this.width = Math.min(k, ds.neighborsPerQuery);
  }
  row(q: number): Float64Array {
    let r = this.rows[q];
    if (r === undefined) {
      r = new Float64Array(this.width);
      for (let j = 0; j < this.width; j++) {
        const id = this.ds.neighborId(q, j);
        r[j] = id === NO_NEIGHBOR || id > Number.MAX_SAFE_INTEGER ? -1 : id;
      }
      this.rows[q] = r;
    }
    return r;
  }
}

/**
 * The vec-query connection's ReplyCounter: SearchReplyScanner plus the query FIFO and scoring.
 * Also usable as the counting scanner of a --mix (with `owner` telling which replies are ours).
 */
export class QueryRecallScanner implements ReplyCounter, SearchReplySink {
  readonly inner: SearchReplyScanner;
  errorCount = 0;
  owner?: ReplyOwner;

  // FIFO (ring) of query indices of requests sent and not yet answered.
  private fifo = new Int32Array(16);
  private fifoHead = 0;
  private fifoLength = 0;

  // Ids of the successful replies of the current feed, in order, scored after it.
  private pending: Float64Array[] = [];
  /** Scores of the pending replies (--with-scores), parallel to `pending`. */
  private pendingScores: Float64Array[] = [];
  private pendingHasScores = new Uint8Array(0);
  private pendingCounts = new Int32Array(0);
  /** Where each pending reply lay in the buffer being fed (-1: not read whole), for the memo. */
  private pendingStart = new Int32Array(0);
  private pendingEnd = new Int32Array(0);
  private pendingN = 0;
  /** Replies the current feed counted from the memo, before those the inner scanner read. */
  private replayed = 0;
  private errorCallback?: (code: string, ordinal: number, message: string) => void;
  private readonly shiftedError = (code: string, ordinal: number, message: string): void => this.errorCallback!(code, ordinal + this.replayed, message);
  private errorAt = new Uint8Array(16);
  private errorsSeen = 0;
  private readonly markError = (_code: string, ordinal: number): void => {
    this.errorsSeen++;
    if (ordinal < this.errorAt.length) this.errorAt[ordinal] = 1;
  };

  constructor(
    decoder: KeyIdDecoder,
    private readonly k: number,
    private readonly groundTruth: GroundTruthCache,
    private readonly recall: RecallAccumulator,
    private readonly counts: QueryCounts,
    private readonly ranker: TrueDistanceRanker,
    /** --with-scores: the returned field holding each result's score (ranks by it when present). */
    scoreField?: string,
    /** Replies remembered per query (not with scoreField: scores vary between identical rankings). */
    private readonly memo?: ReplyMemo,
  ) {
    this.inner = new SearchReplyScanner(decoder, this, scoreField === undefined ? { maxResults: k } : { maxResults: k, scoreField });
    if (scoreField !== undefined) this.memo = undefined;
    this.reserve(16);
  }

  /** Sizes the FIFO and pending area for `pipeline` requests in flight. */
  reserve(pipeline: number): void {
    // Every reply of a read may be an error (MOVED during resharding): keep all their details.
    this.inner.reserve(pipeline);
    if (pipeline <= this.pendingCounts.length) return;
    this.fifo = new Int32Array(pipeline);
    this.fifoHead = 0;
    this.fifoLength = 0;
    this.pending = Array.from({ length: pipeline }, () => new Float64Array(this.k));
    this.pendingScores = Array.from({ length: pipeline }, () => new Float64Array(this.k));
    this.pendingHasScores = new Uint8Array(pipeline);
    this.pendingCounts = new Int32Array(pipeline);
    this.pendingStart = new Int32Array(pipeline);
    this.pendingEnd = new Int32Array(pipeline);
    this.errorAt = new Uint8Array(pipeline);
  }

  /** Records that query q was sent (in request order). */
  push(q: number): void {
    if (this.fifoLength === this.fifo.length) throw new Error("query FIFO overflow: more requests in flight than reserved");
    this.fifo[(this.fifoHead + this.fifoLength) % this.fifo.length] = q;
    this.fifoLength++;
  }

  private pop(): number {
    if (this.fifoLength === 0) return -1;
    const q = this.fifo[this.fifoHead]!;
    this.fifoHead = (this.fifoHead + 1) % this.fifo.length;
    this.fifoLength--;
    return q;
  }

  onSearchReply(ids: Float64Array, count: number, _total: number, scores?: Float64Array): void {
    const slot = this.pendingN;
    if (slot >= this.pendingCounts.length) {
      // More replies in one read than requests in flight: nothing to match them with.
      this.counts.unscoredReplies++;
      return;
    }
    const k = this.k;
    const n = count < k ? count : k;
    const row = this.pending[slot]!;
    for (let j = 0; j < n; j++) row[j] = ids[j]!;
    // Scores rank the reply only when every result came with one.
    let scored = scores !== undefined && n > 0 ? 1 : 0;
    if (scored === 1) {
      const scoreRow = this.pendingScores[slot]!;
      for (let j = 0; j < n; j++) {
        const v = scores![j]!;
        if (Number.isNaN(v)) scored = 0;
        scoreRow[j] = v;
      }
    }
    this.pendingHasScores[slot] = scored;
    this.pendingCounts[slot] = n;
    this.pendingStart[slot] = this.inner.replyStart;
    this.pendingEnd[slot] = this.inner.replyEnd;
    this.pendingN = slot + 1;
  }

  feed(buf: Uint8Array, start: number, end: number): number {
    this.pendingN = 0;
    this.replayed = 0;
    let from = start;
    // Replies identical to their query's last one are counted with its remembered score.
    if (this.memo !== undefined && this.owner === undefined && this.fifoLength > 0 && this.inner.atReplyBoundary()) {
      from = this.replay(this.memo, buf, start, end);
      if (from > start) {
        this.inner.skip(from - start);
        if (from === end) {
          this.errorCount = 0;
          return this.replayed;
        }
      }
    }
    return this.replayed + this.scan(buf, from, end);
  }

  /** Counts the remembered replies at the start of buf[start, end); returns where they end. */
  private replay(memo: ReplyMemo, buf: Uint8Array, start: number, end: number): number {
    let pos = start;
    let replayed = 0;
    while (pos < end && this.fifoLength > 0) {
      const q = this.fifo[this.fifoHead]!;
      const length = memo.match(q, buf, pos, end);
      if (length === 0) break;
      this.pop();
      memo.replay(q, this.recall, this.counts, this.k);
      pos += length;
      replayed++;
    }
    this.replayed = replayed;
    return pos;
  }

  /** Reads buf[start, end) with the reply scanner and scores its replies. */
  private scan(buf: Uint8Array, start: number, end: number): number {
    const droppedBefore = this.inner.droppedResults;
    const n = this.inner.feed(buf, start, end);
    this.counts.droppedResults += this.inner.droppedResults - droppedBefore;
    const errors = this.inner.errorCount;
    this.errorCount = errors;
    if (n === 0) return 0;
    const errorAt = this.errorAt;
    const limit = n < errorAt.length ? n : errorAt.length;
    for (let r = 0; r < limit; r++) errorAt[r] = 0;
    this.errorsSeen = 0;
    if (errors > 0) this.inner.forEachErrorDetail(this.markError);
    // The scanner keeps the ordinals of its last few errors only; past that, replies can no
    // longer be matched to queries: drop this read's results rather than mis-score them.
    const aligned = this.errorsSeen === errors && n <= errorAt.length;
    let p = 0;
    for (let r = 0; r < n; r++) {
      const isError = r < errorAt.length && errorAt[r] === 1;
      if (this.owner !== undefined && !this.owner.isMine(r)) {
        if (!isError) p++;
        continue;
      }
      const q = this.pop();
      if (isError) {
        this.counts.errorReplies++;
        continue;
      }
      if (!aligned || q < 0 || p >= this.pendingN) {
        this.counts.unscoredReplies++;
        p++;
        continue;
      }
      const ids = this.pending[p]!;
      const count = this.pendingCounts[p]!;
      let order = ORDER_UNCHECKED;
      if (count >= 2) {
        // Rank metrics use the true-distance order (or the server's own scores, when asked for
        // and returned), whatever order the server listed.
        const byScores = this.pendingHasScores[p] === 1;
        order = byScores ? this.ranker.rankByScores(ids, this.pendingScores[p]!, count) : this.ranker.rank(q, ids, count);
        this.counts.orderChecked++;
        if (byScores) this.counts.rankedByScores++;
        if (order !== ORDER_NEAREST_FIRST) this.counts.orderDisagreements++;
        if (order === ORDER_FARTHEST_FIRST) this.counts.farthestFirst++;
      }
      this.recall.add(ids, count, this.groundTruth.row(q), this.k);
      if (this.memo !== undefined && this.pendingStart[p]! >= 0) this.memo.store(q, buf, this.pendingStart[p]!, this.pendingEnd[p]!, order, this.recall);
      p++;
    }
    return n;
  }

  forEachErrorDetail(cb: (code: string, ordinal: number, message: string) => void): void {
    if (this.replayed === 0) return this.inner.forEachErrorDetail(cb);
    // The inner scanner numbers its replies from the first one it read itself.
    this.errorCallback = cb;
    this.inner.forEachErrorDetail(this.shiftedError);
    this.errorCallback = undefined;
  }

  /** Drops the queries in flight (batch abandoned) and the scanner's partial state. */
  clearInFlight(): void {
    this.fifoHead = 0;
    this.fifoLength = 0;
    this.pendingN = 0;
  }

  reset(): void {
    this.inner.reset();
    this.errorCount = 0;
    this.pendingN = 0;
  }
}

/** Shared per worker: the compiled command, the dataset and the recall accumulator. */
interface QueryShared {
  p: VecQueryParams;
  ds: VectorDataset;
  command: QueryCommand;
  /** Each query's whole FT.SEARCH command, encoded once. */
  commands: EncodedQueries;
  groundTruth: GroundTruthCache;
  recall: RecallAccumulator;
  counts: QueryCounts;
  decoder: KeyIdDecoder;
  ranker: TrueDistanceRanker;
  /** Each query's last whole reply and its score (none with --with-scores). */
  memo?: ReplyMemo;
}

export class QueryConnection implements ConnectionWorkload {
  readonly unit = selfEncodedUnit();
  readonly scanner: QueryRecallScanner;
  private starts = new Int32Array(1);

  constructor(private readonly s: QueryShared) {
    this.scanner = new QueryRecallScanner(s.decoder, s.p.k, s.groundTruth, s.recall, s.counts, s.ranker, s.p.withScores ? scoreFieldOf(s.p.vectorField) : undefined, s.memo);
  }

  /** Bytes one request may take (a --mix sizes its slots with it). */
  get maxCommandBytes(): number {
    return this.s.command.maxBytes;
  }

  allocate(pipeline: number): Uint8Array {
    this.starts = new Int32Array(pipeline + 1);
    this.scanner.reserve(pipeline);
    return new Uint8Array(pipeline * this.s.command.maxBytes);
  }

  patch(buffer: Uint8Array, units: number, firstRequest: number): number {
    const commands = this.s.commands;
    const numQueries = this.s.ds.numQueries;
    const starts = this.starts;
    let pos = 0;
    for (let u = 0; u < units; u++) {
      if (u < starts.length) starts[u] = pos;
      const q = (firstRequest + u) % numQueries;
      const bytes = commands.get(q);
      buffer.set(bytes, pos);
      pos += bytes.length;
      this.scanner.push(q);
    }
    if (units < starts.length) starts[units] = pos;
    return pos;
  }

  commandRange(index: number): [number, number] {
    return [this.starts[index]!, this.starts[index + 1]!];
  }

  /** The scanner took the redirect for an error reply; the resend's reply is not scored. */
  onRedirect(_index: number): (ok: boolean) => void {
    this.s.counts.errorReplies--;
    this.s.counts.redirectedReplies++;
    return this.settleRedirect;
  }

  private readonly settleRedirect = (ok: boolean): void => {
    if (ok) return;
    this.s.counts.redirectedReplies--;
    this.s.counts.errorReplies++;
  };

  abandonBatch(): void {
    this.scanner.clearInFlight();
    this.scanner.reset();
  }
}

export function createVecQueryWorkload(p: VecQueryParams, _ctx: WorkerContext): WorkerWorkload<VecQueryExtra> {
  const data = openWorkerDataset(p.dataset);
  try {
    const ds = data.ds;
    if (ds.numQueries === 0) throw new Error(`dataset ${ds.path} has no queries; vec-query needs a query set`);
    const command = compileQueryCommand(p, ds);
    const shared: QueryShared = {
      p,
      ds,
      command,
      commands: new EncodedQueries(command, ds),
      groundTruth: new GroundTruthCache(ds, p.k),
      recall: new RecallAccumulator(p.k),
      counts: { errorReplies: 0, unscoredReplies: 0, droppedResults: 0, redirectedReplies: 0, orderChecked: 0, orderDisagreements: 0, farthestFirst: 0, rankedByScores: 0 },
      decoder: new KeyIdDecoder(p.prefix),
      ranker: new TrueDistanceRanker(ds, data.offset, p.distance, p.k),
      ...(p.withScores ? {} : { memo: new ReplyMemo(ds.numQueries) }),
    };
    return {
      forConnection: () => new QueryConnection(shared),
      extra: (): VecQueryExtra => ({ ...shared.recall.toJSON(), ...shared.counts }),
      recallTotals: () => shared.recall.totals(),
      close: () => data.close(),
    };
  } catch (e) {
    data.close();
    throw e;
  }
}

keepOutOfFtl(GroundTruthCache, QueryRecallScanner, QueryConnection, EncodedQueries);
