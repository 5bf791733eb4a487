/**
 * Commands the benchmark cannot measure: after them the server sends messages as they happen
 * (pub/sub messages, RESP3 push frames, MONITOR's feed) instead of one reply per request, so
 * replies cannot be matched to requests. Refused before connecting, with the reason.
 */
import { UserError } from "../errors.ts";
import type { CommandSequence } from "./types.ts";

const STREAMING = new Set(["SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE", "MONITOR"]);

export function refuseStreamingCommands(sequence: CommandSequence): void {
  for (const step of sequence) {
    const name = step.args[0]?.toUpperCase();
    if (name === undefined || !STREAMING.has(name)) continue;
    const what = name === "MONITOR" ? "the server's command feed" : "published messages (push frames with -3)";
    const instead = name === "MONITOR" ? "" : "; benchmark PUBLISH (or SPUBLISH) instead";
    throw new UserError(`${name} cannot be benchmarked: it turns the connection into a stream of ${what} instead of one reply per request${instead}`);
  }
}
