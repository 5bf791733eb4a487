/**
 * The error replies of one feed() of a scanner, kept for the caller (code, position among the
 * feed's replies, and the whole line of MOVED/ASK, which the engine needs to follow them).
 *
 * A feed can complete at most as many replies as the connection has in flight, so the engine
 * sizes the ring from the pipeline (ReplyCounter.reserve): every error of a batch keeps its
 * details, and every redirect is followed. A caller that never reserves gets DEFAULT_SIZE; past
 * the size the oldest details are overwritten (errorCount stays exact; the engine counts the
 * errors without details as UNKNOWN).
 */
export const DEFAULT_ERROR_RING_SIZE = 64;

export class ErrorRing {
  private codes: string[];
  private ordinals: Int32Array;
  private messages: string[];

  constructor(size = DEFAULT_ERROR_RING_SIZE) {
    this.codes = new Array<string>(size).fill("");
    this.ordinals = new Int32Array(size);
    this.messages = new Array<string>(size).fill("");
  }

  get size(): number {
    return this.ordinals.length;
  }

  /** Grows the ring to hold at least `size` errors per feed (never shrinks). */
  reserve(size: number): void {
    if (size <= this.size) return;
    this.codes = new Array<string>(size).fill("");
    this.ordinals = new Int32Array(size);
    this.messages = new Array<string>(size).fill("");
  }

  /** Stores error number `index` (0-based within the feed). */
  put(index: number, code: string, ordinal: number, message: string): void {
    const slot = index % this.ordinals.length;
    this.codes[slot] = code;
    this.ordinals[slot] = ordinal;
    this.messages[slot] = message;
  }

  /** Calls `cb` for the kept ones of the feed's `count` errors, oldest first. */
  forEach(count: number, cb: (code: string, ordinal: number, message: string) => void): void {
    const size = this.ordinals.length;
    const kept = Math.min(count, size);
    for (let k = count - kept; k < count; k++) {
      const slot = k % size;
      cb(this.codes[slot]!, this.ordinals[slot]!, this.messages[slot]!);
    }
  }

  /** Codes only (forEachError). */
  forEachCode(count: number, cb: (code: string) => void): void {
    const size = this.ordinals.length;
    const kept = Math.min(count, size);
    for (let k = count - kept; k < count; k++) cb(this.codes[k % size]!);
  }
}
