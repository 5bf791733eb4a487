/**
 * Each query's last whole reply, byte for byte, with what scoring it gave: a reply that arrives
 * again identical (the same query against an index that has not changed, which is most repeats
 * of a query) is counted with the remembered score instead of being decoded, ranked and scored
 * again.
 *
 * The score is a function of (query, reply bytes): the ids are decoded from the bytes, ranked by
 * true distance to that query's vector and scored against that query's ground truth. So
 * replaying it changes no number, and a reply that differs in any byte is read as usual (and
 * remembered in place of the old one). A RESP reply ends where its bytes say, so bytes that
 * equal a whole remembered reply are that reply and nothing more.
 *
 * Memory: up to REPLY_MEMO_BYTES of reply bytes per worker, for the first MAX_QUERIES queries;
 * replies past the budget are read as usual every time.
 */
import type { RecallAccumulator } from "./recall.ts";
import { keepOutOfFtl } from "../jit-tiers.ts";
import { ORDER_FARTHEST_FIRST, ORDER_NEAREST_FIRST } from "./result-order.ts";

/** Reply bytes kept per worker. */
export const REPLY_MEMO_BYTES = 32 * 1024 * 1024;
/** Queries with a memo slot (the per-query arrays cost about 40 bytes each). */
const MAX_QUERIES = 100_000;
/** The order field when the reply's order was not checked (fewer than two results). */
export const ORDER_UNCHECKED = -128;

/** What replaying a reply adds besides recall: the order check's counters. */
export interface OrderCounts {
  orderChecked: number;
  orderDisagreements: number;
  farthestFirst: number;
}

export class ReplyMemo {
  private readonly slots: number;
  private readonly bytes: (Uint8Array | undefined)[];
  /** Length of the remembered reply (0: none). */
  private readonly lengths: Int32Array;
  private readonly recall: Float64Array;
  private readonly reciprocalRank: Float64Array;
  private readonly ndcg: Float64Array;
  private readonly flags: Uint8Array;
  private readonly order: Int8Array;
  private used = 0;

  constructor(
    numQueries: number,
    private readonly budgetBytes = REPLY_MEMO_BYTES,
  ) {
    this.slots = Math.min(numQueries, MAX_QUERIES);
    this.bytes = new Array<Uint8Array | undefined>(this.slots);
    this.lengths = new Int32Array(this.slots);
    this.recall = new Float64Array(this.slots);
    this.reciprocalRank = new Float64Array(this.slots);
    this.ndcg = new Float64Array(this.slots);
    this.flags = new Uint8Array(this.slots);
    this.order = new Int8Array(this.slots);
  }

  /** The length of q's remembered reply when buf[pos, end) begins with exactly it; 0 otherwise. */
  match(q: number, buf: Uint8Array, pos: number, end: number): number {
    if (q >= this.slots) return 0;
    const length = this.lengths[q]!;
    if (length === 0 || end - pos < length) return 0;
    const saved = this.bytes[q]!;
    for (let i = 0; i < length; i++) {
      if (buf[pos + i] !== saved[i]) return 0;
    }
    return length;
  }

  /** Counts q's remembered reply again: order counters and recall, as the first time. */
  replay(q: number, recall: RecallAccumulator, counts: OrderCounts, k: number): void {
    const order = this.order[q]!;
    if (order !== ORDER_UNCHECKED) {
      counts.orderChecked++;
      if (order !== ORDER_NEAREST_FIRST) counts.orderDisagreements++;
      if (order === ORDER_FARTHEST_FIRST) counts.farthestFirst++;
    }
    recall.addScored(this.recall[q]!, this.reciprocalRank[q]!, this.ndcg[q]!, this.flags[q]!, k);
  }

  /**
   * Remembers buf[start, end) as q's reply, scored as recall's last add() and with this order
   * verdict (ORDER_UNCHECKED when not checked).
   */
  store(q: number, buf: Uint8Array, start: number, end: number, order: number, recall: RecallAccumulator): void {
    if (q >= this.slots) return;
    const length = end - start;
    let saved = this.bytes[q];
    if (saved === undefined || saved.length < length) {
      const grow = length - (saved?.length ?? 0);
      if (this.used + grow > this.budgetBytes) {
        this.lengths[q] = 0;
        return;
      }
      this.used += grow;
      saved = new Uint8Array(length);
      this.bytes[q] = saved;
    }
    for (let i = 0; i < length; i++) saved[i] = buf[start + i]!;
    this.lengths[q] = length;
    this.recall[q] = recall.lastRecall;
    this.reciprocalRank[q] = recall.lastReciprocalRank;
    this.ndcg[q] = recall.lastNdcg;
    this.flags[q] = recall.lastFlags;
    this.order[q] = order;
  }
}

keepOutOfFtl(ReplyMemo);
