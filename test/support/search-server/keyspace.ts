// The stand-in's data: hashes and plain strings keyed by latin1 strings (so any byte sequence
// round-trips). Keys live in insertion-ordered slots so SCAN cursors stay valid while keys are
// added or deleted: a cursor is a slot number, deleted keys leave holes that are skipped.

export type HashValue = { type: "hash"; fields: Map<string, Buffer> };
export type StringValue = { type: "string"; value: Buffer };
export type StoredValue = HashValue | StringValue;

export type ScanOptions = { count: number; match?: string; type?: string };

export class Keyspace {
  private values = new Map<string, StoredValue>();
  private slotOf = new Map<string, number>();
  private slots: (string | undefined)[] = [];

  get size(): number {
    return this.values.size;
  }

  get(key: string): StoredValue | undefined {
    return this.values.get(key);
  }

  set(key: string, value: StoredValue): void {
    if (!this.slotOf.has(key)) {
      this.slotOf.set(key, this.slots.length);
      this.slots.push(key);
    }
    this.values.set(key, value);
  }

  delete(key: string): boolean {
    const slot = this.slotOf.get(key);
    if (slot === undefined) return false;
    this.slots[slot] = undefined;
    this.slotOf.delete(key);
    this.values.delete(key);
    return true;
  }

  clear(): void {
    this.values.clear();
    this.slotOf.clear();
    this.slots = [];
  }

  /** Live keys in slot order (insertion order). */
  *keys(): IterableIterator<string> {
    for (const key of this.slots) if (key !== undefined) yield key;
  }

  /** One SCAN step: examines `count` slots (holes included, as Valkey counts buckets). */
  scan(cursor: number, options: ScanOptions): { next: number; keys: string[] } {
    const keys: string[] = [];
    let slot = cursor;
    let examined = 0;
    while (slot < this.slots.length && examined < options.count) {
      const key = this.slots[slot++];
      examined++;
      if (key === undefined) continue;
      if (options.match !== undefined && !globMatch(options.match, key)) continue;
      if (options.type !== undefined && this.values.get(key)?.type !== options.type) continue;
      keys.push(key);
    }
    return { next: slot >= this.slots.length ? 0 : slot, keys };
  }
}

/** Valkey-style glob: `*`, `?`, `[abc]`, `[^a]`, `[a-z]`, `\x` escapes. */
export function globMatch(pattern: string, text: string): boolean {
  return matchFrom(pattern, 0, text, 0);
}

function matchFrom(p: string, pi: number, s: string, si: number): boolean {
  while (pi < p.length) {
    const c = p[pi];
    if (c === "*") {
      while (p[pi + 1] === "*") pi++;
      if (pi + 1 === p.length) return true;
      for (let k = si; k <= s.length; k++) if (matchFrom(p, pi + 1, s, k)) return true;
      return false;
    }
    if (si >= s.length) return false;
    if (c === "?") {
      pi++;
      si++;
      continue;
    }
    if (c === "[") {
      const close = p.indexOf("]", pi + 2);
      if (close < 0) {
        if (s[si] !== "[") return false;
        pi++;
        si++;
        continue;
      }
      let body = p.slice(pi + 1, close);
      const negate = body.startsWith("^");
      if (negate) body = body.slice(1);
      let hit = false;
      for (let i = 0; i < body.length; i++) {
        if (body[i] === "\\" && i + 1 < body.length) {
          if (body[++i] === s[si]) hit = true;
        } else if (body[i + 1] === "-" && i + 2 < body.length) {
          const lo = body.charCodeAt(i);
          const hi = body.charCodeAt(i + 2);
          const ch = s.charCodeAt(si);
          if (ch >= Math.min(lo, hi) && ch <= Math.max(lo, hi)) hit = true;
          i += 2;
        } else if (body[i] === s[si]) hit = true;
      }
      if (hit === negate) return false;
      pi = close + 1;
      si++;
      continue;
    }
    if (c === "\\" && pi + 1 < p.length) pi++;
    if (p[pi] !== s[si]) return false;
    pi++;
    si++;
  }
  return si === s.length;
}
