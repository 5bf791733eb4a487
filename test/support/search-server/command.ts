// What every command handler shares: the per-connection session and the handler signature.

import type { ReplyWriter } from "./resp.ts";
import type { ServerState } from "./state.ts";

export type Session = { id: number; resp3: boolean; authenticated: boolean; name: string | undefined; quit: boolean };

export type Handler = (state: ServerState, session: Session, args: Buffer[], out: ReplyWriter) => void | Promise<void>;
/**
 * arity like Valkey's: positive = exact argument count (with the name), negative = at least.
 * keys: where the key arguments are, for cluster routing (one key first, or every argument after the name).
 */
export type Command = { arity: number; run: Handler; keys?: "first" | "all" };

export const text = (b: Buffer): string => b.toString("latin1");
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
