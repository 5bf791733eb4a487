/**
 * The scalar top-level fields of an FT.INFO reply (num_docs, state, backfill_complete_percent,
 * hash_indexing_failures, and any memory field a platform adds), for the per-test snapshot.
 * Works on RESP2 flat key/value arrays and RESP3 maps; nested values (attributes) are skipped.
 */
import { RespError, RespMap, type RespValue } from "../resp/types.ts";

function scalar(v: RespValue): string | number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  const t = typeof v === "string" ? v : v instanceof Uint8Array ? new TextDecoder().decode(v) : undefined;
  if (t === undefined) return undefined;
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : t;
}

/** undefined for an error reply (unknown index) or an unexpected shape. */
export function ftInfoScalars(reply: RespValue): Record<string, string | number> | undefined {
  if (reply instanceof RespError) return undefined;
  const pairs: [RespValue, RespValue][] = [];
  if (reply instanceof RespMap) for (const [k, v] of reply) pairs.push([k, v]);
  else if (Array.isArray(reply)) for (let i = 0; i + 1 < reply.length; i += 2) pairs.push([reply[i]!, reply[i + 1]!]);
  else return undefined;
  const out: Record<string, string | number> = {};
  for (const [k, v] of pairs) {
    const key = scalar(k);
    const value = scalar(v);
    if (typeof key === "string" && value !== undefined && key !== "index_name") out[key] = value;
  }
  return out;
}
