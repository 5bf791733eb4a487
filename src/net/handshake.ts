/**
 * The commands that prepare a connection before benchmarking: HELLO 3 (RESP3, with AUTH folded
 * in), or AUTH for RESP2, then SELECT and CLIENT TRACKING. Shared by the control client and the
 * benchmark connections so both authenticate the same way.
 */
import type { ConnectionConfig } from "../config/types.ts";
import { RespError, type RespValue } from "../resp/types.ts";
import { ConnectionError } from "./errors.ts";

export function handshakeCommands(conn: ConnectionConfig, opts: { select: boolean; tracking: boolean }): string[][] {
  const cmds: string[][] = [];
  if (conn.resp3) {
    const hello = ["HELLO", "3"];
    if (conn.password !== undefined) hello.push("AUTH", conn.user ?? "default", conn.password);
    cmds.push(hello);
  } else if (conn.password !== undefined) {
    cmds.push(conn.user !== undefined ? ["AUTH", conn.user, conn.password] : ["AUTH", conn.password]);
  }
  if (opts.select && conn.dbnum !== 0) cmds.push(["SELECT", String(conn.dbnum)]);
  if (opts.tracking && conn.enableTracking) cmds.push(["CLIENT", "TRACKING", "on"]);
  return cmds;
}

/**
 * Throws a user-facing ConnectionError if a handshake command failed. Never echoes the password.
 * `passwordFromUri`: the password came from -u's URI, not -a (the messages name the one given).
 */
export function checkHandshakeReply(cmd: readonly string[], reply: RespValue, where: string, passwordFromUri = false): void {
  if (!(reply instanceof RespError)) return;
  const name = cmd[0] === "CLIENT" ? "CLIENT TRACKING" : cmd[0];
  const m = reply.message;
  if (reply.code === "WRONGPASS" || reply.code === "NOAUTH" || /invalid password|invalid username-password/i.test(m)) {
    throw new ConnectionError(`authentication to ${where} failed (${reply.code}); check -a/--user or the URI's credentials`, "AUTH");
  }
  if (name === "AUTH" && /without any password configured|no password is set/i.test(m)) {
    const fix = passwordFromUri ? "the -u URI carries a password; drop it from the URI (valkey://host:port)" : "-a was given; drop -a/--user";
    throw new ConnectionError(`${where} has no password configured but ${fix}`, "AUTH");
  }
  if (name === "HELLO" && /unknown command/i.test(m)) {
    throw new ConnectionError(`${where} does not support RESP3 (HELLO unknown); drop -3`, "PROTOCOL");
  }
  if (name === "SELECT") {
    throw new ConnectionError(`${where} rejected SELECT ${cmd[1]}: ${m}; check --dbnum (cluster mode only has db 0)`, "SELECT");
  }
  throw new ConnectionError(`${where} rejected ${name}: ${m}`, reply.code);
}
