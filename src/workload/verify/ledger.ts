/**
 * The record of acknowledged writes behind --verify-writes and --verify-reads: one
 * SharedArrayBuffer that every worker writes into and the main thread reads after the test.
 *
 * Each key (per shard in a cluster: the same key number is a different key on each shard, see
 * verify-keys.ts) has two 32-bit words:
 * - `acked`: the highest stamp of a write to it the server acknowledged (0 = none);
 * - `floor`: the highest stamp known to be superseded: when a write is sent, the key's `acked`
 *   at that moment belongs to a write already acknowledged, so once the new write is
 *   acknowledged too, the server must never again return that older value (or any before it).
 * A value read back is then present (stamp > floor), stale (stamp <= floor: an acknowledged
 * write was lost and an older one shows) or missing (no value of this run at all). Concurrent
 * writes to one key from different connections may be applied in either order; both outcomes
 * have a stamp above the floor, so races are not reported as losses.
 *
 * Stamps come from one shared counter, reserved a batch at a time (one atomic per batch).
 */

const NEXT_STAMP = 0;
const OVERFLOW = 1;
const NONCE = 2;
const HEADER_WORDS = 4;

export class WriteLedger {
  readonly words: Uint32Array;
  readonly nonce: number;
  readonly entries: number;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.words = new Uint32Array(buffer);
    this.nonce = this.words[NONCE]!;
    this.entries = (this.words.length - HEADER_WORDS) / 2;
  }

  static create(entries: number, nonce: number): WriteLedger {
    const sab = new SharedArrayBuffer((HEADER_WORDS + 2 * entries) * 4);
    const words = new Uint32Array(sab);
    words[NEXT_STAMP] = 1;
    words[NONCE] = nonce >>> 0;
    return new WriteLedger(sab);
  }

  /** Reserves `count` consecutive stamps; returns the first. */
  reserve(count: number): number {
    const first = Atomics.add(this.words, NEXT_STAMP, count);
    // 2^32 - 1 writes: stamps would wrap and compare wrongly; verification is then withheld.
    if (first + count >= 0xffffffff || first === 0) Atomics.store(this.words, OVERFLOW, 1);
    return first;
  }

  get overflowed(): boolean {
    return Atomics.load(this.words, OVERFLOW) !== 0;
  }

  /** Stamps handed out so far. */
  get writesSent(): number {
    return Atomics.load(this.words, NEXT_STAMP) - 1;
  }

  acked(entry: number): number {
    return Atomics.load(this.words, HEADER_WORDS + 2 * entry);
  }

  floor(entry: number): number {
    return Atomics.load(this.words, HEADER_WORDS + 2 * entry + 1);
  }

  /** The server acknowledged write `stamp`; `ackedAtSend` is what acked(entry) was when it was sent. */
  ack(entry: number, stamp: number, ackedAtSend: number): void {
    const i = HEADER_WORDS + 2 * entry;
    raise(this.words, i, stamp);
    if (ackedAtSend !== 0) raise(this.words, i + 1, ackedAtSend);
  }
}

/** words[i] = max(words[i], value), atomically. */
function raise(words: Uint32Array, i: number, value: number): void {
  let current = Atomics.load(words, i);
  while (value > current) {
    const seen = Atomics.compareExchange(words, i, current, value);
    if (seen === current) return;
    current = seen;
  }
}
