// One FT index: the documents it holds, kept current by HSET/DEL on keys under its prefixes.

import { asciiLower, type FilterableDoc } from "./filter.ts";
import { toStoredVector } from "./knn.ts";
import type { Keyspace } from "./keyspace.ts";
import type { IndexSchema } from "./schema.ts";

export type IndexedDoc = FilterableDoc & { key: string };

type Backfill = { startedMs: number; durationMs: number; docs: number };

export class SearchIndex {
  readonly docs = new Map<string, IndexedDoc>();
  /** Per vector attribute alias: key → stored (COSINE: normalised) vector. */
  readonly vectors = new Map<string, Map<string, Float32Array>>();
  hashIndexingFailures = 0;
  private backfill: Backfill | undefined;

  constructor(readonly schema: IndexSchema) {
    for (const a of schema.attributes) if (a.kind === "VECTOR") this.vectors.set(a.alias, new Map());
  }

  covers(key: string): boolean {
    if (this.schema.on !== "HASH") return false; // JSON documents are not modelled
    return this.schema.prefixes.length === 0 || this.schema.prefixes.some((p) => key.startsWith(p));
  }

  /** Indexes every existing key under the prefixes; with `backfillMs` FT.INFO reports progress for that long. */
  backfillFrom(keyspace: Keyspace, backfillMs: number): void {
    let docs = 0;
    for (const key of keyspace.keys()) {
      const value = keyspace.get(key);
      if (value?.type !== "hash" || !this.covers(key)) continue;
      this.upsert(key, value.fields);
      if (this.docs.has(key)) docs++;
    }
    if (backfillMs > 0 && docs > 0) this.backfill = { startedMs: performance.now(), durationMs: backfillMs, docs };
  }

  /** 0..1; 1 once the simulated backfill has finished (or none was simulated). */
  backfillProgress(): number {
    if (this.backfill === undefined) return 1;
    const progress = (performance.now() - this.backfill.startedMs) / this.backfill.durationMs;
    if (progress >= 1) this.backfill = undefined;
    return Math.min(1, progress);
  }

  /** Documents FT.INFO reports: during a simulated backfill the pre-existing ones appear gradually. */
  reportedDocs(): number {
    const progress = this.backfillProgress();
    if (this.backfill === undefined) return this.docs.size;
    return this.docs.size - this.backfill.docs + Math.floor(this.backfill.docs * progress);
  }

  /**
   * (Re)indexes a hash. A vector of the wrong byte length, or a numeric field that is not a number,
   * counts as an indexing failure and leaves the key out of the index (the HSET itself succeeds).
   */
  upsert(key: string, fields: Map<string, Buffer>): void {
    const doc: IndexedDoc = { key, tags: new Map(), numbers: new Map() };
    const vectors = new Map<string, Float32Array>();
    let indexed = 0;
    for (const attribute of this.schema.attributes) {
      const raw = fields.get(attribute.identifier);
      if (raw === undefined) continue;
      if (attribute.kind === "VECTOR") {
        if (raw.length !== attribute.dim * 4) return this.fail(key);
        vectors.set(attribute.alias, toStoredVector(attribute.metric, raw));
      } else if (attribute.kind === "NUMERIC") {
        const text = raw.toString("latin1").trim();
        const value = Number(text);
        if (text === "" || Number.isNaN(value)) return this.fail(key);
        doc.numbers.set(attribute.alias, value);
      } else {
        const tags = raw
          .toString("latin1")
          .split(attribute.separator)
          .map((t) => t.trim())
          .filter((t) => t.length > 0)
          .map((t) => (attribute.caseSensitive ? t : asciiLower(t)));
        doc.tags.set(attribute.alias, new Set(tags));
      }
      indexed++;
    }
    if (indexed === 0) return this.remove(key);
    this.docs.set(key, doc);
    for (const [alias, store] of this.vectors) {
      const vector = vectors.get(alias);
      if (vector === undefined) store.delete(key);
      else store.set(key, vector);
    }
  }

  remove(key: string): void {
    this.docs.delete(key);
    for (const store of this.vectors.values()) store.delete(key);
  }

  private fail(key: string): void {
    this.hashIndexingFailures++;
    this.remove(key);
  }
}

/** All indexes of one server, notified of every key write so each can update itself. */
export class IndexRegistry {
  readonly byName = new Map<string, SearchIndex>();

  keyWritten(key: string, fields: Map<string, Buffer> | undefined): void {
    for (const index of this.byName.values()) {
      if (!index.covers(key)) continue;
      if (fields === undefined) index.remove(key);
      else index.upsert(key, fields);
    }
  }

  clearDocuments(): void {
    for (const index of this.byName.values()) {
      index.docs.clear();
      for (const store of index.vectors.values()) store.clear();
    }
  }
}
