// Data commands of the stand-in: strings, hashes (HSET drives the search indexes), key
// iteration and deletion. Each declares its key positions for cluster routing.

import { sleep, text, type Command } from "./command.ts";
import { globMatch, type HashValue } from "./keyspace.ts";
import type { ReplyWriter } from "./resp.ts";
import type { ServerState } from "./state.ts";

const WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";

function hashOf(state: ServerState, key: string): HashValue | undefined | "wrongtype" {
  const value = state.keyspace.get(key);
  if (value === undefined) return undefined;
  return value.type === "hash" ? value : "wrongtype";
}

function deleteKeys(state: ServerState, keys: Buffer[], out: ReplyWriter): void {
  let removed = 0;
  for (const k of keys) {
    const key = text(k);
    if (state.keyspace.delete(key)) {
      removed++;
      state.indexes.keyWritten(key, undefined);
    }
  }
  out.int(removed);
}

function hset(state: ServerState, args: Buffer[], out: ReplyWriter): void {
  if ((args.length - 2) % 2 !== 0) return out.error("ERR wrong number of arguments for 'hset' command");
  const key = text(args[1]);
  const existing = hashOf(state, key);
  if (existing === "wrongtype") return out.error(WRONGTYPE);
  const hash: HashValue = existing ?? { type: "hash", fields: new Map() };
  let added = 0;
  for (let i = 2; i < args.length; i += 2) {
    const field = text(args[i]);
    if (!hash.fields.has(field)) added++;
    hash.fields.set(field, Buffer.from(args[i + 1])); // copy: the request buffer is transient
  }
  state.keyspace.set(key, hash);
  state.indexes.keyWritten(key, hash.fields);
  out.int(added);
}

function flush(state: ServerState, out: ReplyWriter): void {
  state.keyspace.clear();
  state.indexes.clearDocuments();
  out.ok();
}

export const KEYSPACE_COMMANDS: Record<string, Command> = {
  DBSIZE: { arity: 1, run: (state, _c, _a, out) => out.int(state.keyspace.size) },
  FLUSHALL: { arity: -1, run: (state, _c, _a, out) => flush(state, out) },
  FLUSHDB: { arity: -1, run: (state, _c, _a, out) => flush(state, out) },
  DEL: { arity: -2, keys: "all", run: (state, _c, args, out) => deleteKeys(state, args.slice(1), out) },
  UNLINK: { arity: -2, keys: "all", run: (state, _c, args, out) => deleteKeys(state, args.slice(1), out) },
  EXISTS: {
    arity: -2,
    keys: "all",
    run: (state, _c, args, out) => out.int(args.slice(1).filter((k) => state.keyspace.get(text(k)) !== undefined).length),
  },
  TYPE: { arity: 2, keys: "first", run: (state, _c, args, out) => out.simple(state.keyspace.get(text(args[1]))?.type ?? "none") },
  SET: {
    arity: -3,
    keys: "first",
    run: (state, _c, args, out) => {
      const key = text(args[1]);
      if (state.keyspace.get(key)?.type === "hash") state.indexes.keyWritten(key, undefined);
      state.keyspace.set(key, { type: "string", value: Buffer.from(args[2]) });
      out.ok();
    },
  },
  GET: {
    arity: 2,
    keys: "first",
    run: (state, _c, args, out) => {
      const value = state.keyspace.get(text(args[1]));
      if (value === undefined) {
        state.keyspaceMisses++;
        return out.nullBulk();
      }
      if (value.type !== "string") return out.error(WRONGTYPE);
      state.keyspaceHits++;
      out.bulk(value.value);
    },
  },
  HSET: {
    arity: -4,
    keys: "first",
    run: (state, _c, args, out) => {
      const delayMs = state.faults.hsetDelayMs ?? 0;
      if (delayMs <= 0) return hset(state, args, out);
      return sleep(delayMs).then(() => hset(state, args, out));
    },
  },
  HGET: {
    arity: 3,
    keys: "first",
    run: (state, _c, args, out) => {
      const hash = hashOf(state, text(args[1]));
      if (hash === "wrongtype") return out.error(WRONGTYPE);
      const value = hash?.fields.get(text(args[2]));
      if (value === undefined) {
        state.keyspaceMisses++;
        return out.nullBulk();
      }
      state.keyspaceHits++;
      out.bulk(value);
    },
  },
  HEXISTS: {
    arity: 3,
    keys: "first",
    run: (state, _c, args, out) => {
      const hash = hashOf(state, text(args[1]));
      if (hash === "wrongtype") return out.error(WRONGTYPE);
      out.int(hash?.fields.has(text(args[2])) ? 1 : 0);
    },
  },
  HGETALL: {
    arity: 2,
    keys: "first",
    run: (state, _c, args, out) => {
      const hash = hashOf(state, text(args[1]));
      if (hash === "wrongtype") return out.error(WRONGTYPE);
      if (hash === undefined) state.keyspaceMisses++;
      else state.keyspaceHits++;
      const fields = hash?.fields ?? new Map<string, Buffer>();
      out.map(fields.size);
      for (const [field, value] of fields) {
        out.bulk(field);
        out.bulk(value);
      }
    },
  },
  HDEL: {
    arity: -3,
    keys: "first",
    run: (state, _c, args, out) => {
      const key = text(args[1]);
      const hash = hashOf(state, key);
      if (hash === "wrongtype") return out.error(WRONGTYPE);
      if (hash === undefined) return out.int(0);
      const removed = args.slice(2).filter((f) => hash.fields.delete(text(f))).length;
      if (hash.fields.size === 0) state.keyspace.delete(key);
      state.indexes.keyWritten(key, hash.fields.size === 0 ? undefined : hash.fields);
      out.int(removed);
    },
  },
  SCAN: {
    arity: -2,
    run: (state, _c, args, out) => {
      const cursorText = text(args[1]);
      if (!/^\d+$/.test(cursorText)) return out.error("ERR invalid cursor");
      let count = 10;
      let match: string | undefined;
      let type: string | undefined;
      for (let i = 2; i < args.length; i += 2) {
        const option = text(args[i]).toUpperCase();
        if (i + 1 >= args.length) return out.error("ERR syntax error");
        const value = text(args[i + 1]);
        if (option === "COUNT") {
          count = Number(value);
          if (!Number.isInteger(count)) return out.error("ERR value is not an integer or out of range");
          if (count < 1) return out.error("ERR syntax error");
        } else if (option === "MATCH") match = value;
        else if (option === "TYPE") type = value.toLowerCase();
        else return out.error("ERR syntax error");
      }
      const { next, keys } = state.keyspace.scan(Number(cursorText), { count, match, type });
      out.array(2);
      out.bulk(String(next));
      out.bulkArray(keys);
    },
  },
  KEYS: {
    arity: 2,
    run: (state, _c, args, out) => {
      const pattern = text(args[1]);
      out.bulkArray([...state.keyspace.keys()].filter((k) => globMatch(pattern, k)));
    },
  },
};
