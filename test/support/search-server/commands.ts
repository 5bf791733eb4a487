// Command table of the stand-in: the generic Valkey commands a benchmark client touches, and the
// FT.* family. A handler writes its reply into `out`; one that must wait (fault delays) returns a
// promise and the connection holds back later replies until it settles, keeping pipelines in order.

import { clusterCommand, routingError } from "./cluster.ts";
import { sleep, text, type Command, type Session } from "./command.ts";
import { ftCreate, ftDropIndex, ftInfo, ftList } from "./ft-admin.ts";
import { ftSearch } from "./ft-search.ts";
import { infoText, SEARCH_MODULE_VERSION, VALKEY_VERSION } from "./info.ts";
import { globMatch } from "./keyspace.ts";
import { KEYSPACE_COMMANDS } from "./keyspace-commands.ts";
import type { ReplyWriter } from "./resp.ts";
import type { ServerState } from "./state.ts";

export type { Session } from "./command.ts";

const MODULE_PATH = "/usr/lib/valkey/libsearch.so";

function writeHello(state: ServerState, session: Session, out: ReplyWriter): void {
  out.map(7);
  out.bulk("server");
  out.bulk("valkey");
  out.bulk("version");
  out.bulk(VALKEY_VERSION);
  out.bulk("proto");
  out.int(session.resp3 ? 3 : 2);
  out.bulk("id");
  out.int(session.id);
  out.bulk("mode");
  out.bulk(state.cluster === undefined ? "standalone" : "cluster");
  out.bulk("role");
  out.bulk("master");
  out.bulk("modules");
  writeModuleList(out);
}

function writeModuleList(out: ReplyWriter): void {
  out.array(1);
  out.map(4);
  out.bulk("name");
  out.bulk("search");
  out.bulk("ver");
  out.int(SEARCH_MODULE_VERSION);
  out.bulk("path");
  out.bulk(MODULE_PATH);
  out.bulk("args");
  out.array(0);
}

function checkCredentials(state: ServerState, user: string, password: string): boolean {
  const auth = state.auth;
  return auth !== undefined && user === auth.user && password === auth.password;
}

const COMMANDS: Record<string, Command> = {
  PING: { arity: -1, run: (_s, _c, a, out) => (a.length > 1 ? out.bulk(a[1]) : out.simple("PONG")) },
  ECHO: { arity: 2, run: (_s, _c, a, out) => out.bulk(a[1]) },
  QUIT: {
    arity: -1,
    run: (_s, session, _a, out) => {
      session.quit = true;
      out.ok();
    },
  },
  HELLO: {
    arity: -1,
    run: (state, session, args, out) => {
      let resp3 = session.resp3;
      let i = 1;
      if (args.length > 1) {
        const proto = text(args[1]);
        if (proto !== "2" && (proto !== "3" || !state.resp3Allowed)) {
          return out.error("NOPROTO unsupported protocol version");
        }
        resp3 = proto === "3";
        i = 2;
      }
      for (; i < args.length; i++) {
        const option = text(args[i]).toUpperCase();
        if (option === "AUTH" && i + 2 < args.length) {
          if (!checkCredentials(state, text(args[i + 1]), text(args[i + 2]))) {
            return out.error("WRONGPASS invalid username-password pair or user is disabled.");
          }
          session.authenticated = true;
          i += 2;
        } else if (option === "SETNAME" && i + 1 < args.length) {
          session.name = text(args[++i]);
        } else return out.error(`ERR Syntax error in HELLO option '${text(args[i])}'`);
      }
      if (!session.authenticated) {
        return out.error(
          "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time",
        );
      }
      session.resp3 = resp3;
      out.resp3 = resp3;
      writeHello(state, session, out);
    },
  },
  AUTH: {
    arity: -2,
    run: (state, session, args, out) => {
      if (args.length > 3) return out.error("ERR syntax error");
      if (state.auth === undefined) {
        return out.error(
          "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?",
        );
      }
      const user = args.length === 3 ? text(args[1]) : "default";
      if (!checkCredentials(state, user, text(args[args.length - 1]))) {
        return out.error("WRONGPASS invalid username-password pair or user is disabled.");
      }
      session.authenticated = true;
      out.ok();
    },
  },
  SELECT: {
    arity: 2,
    run: (_s, _c, args, out) => {
      const db = Number(text(args[1]));
      if (!Number.isInteger(db)) return out.error("ERR value is not an integer or out of range");
      if (db < 0 || db > 15) return out.error("ERR DB index is out of range");
      out.ok(); // one keyspace shared by every db number: enough for a benchmark's SELECT
    },
  },
  CLIENT: {
    arity: -2,
    run: (_s, session, args, out) => {
      const sub = text(args[1]).toUpperCase();
      if (sub === "ID") return out.int(session.id);
      if (sub === "SETNAME") {
        session.name = args.length > 2 ? text(args[2]) : undefined;
        return out.ok();
      }
      if (sub === "GETNAME") return session.name === undefined ? out.nullBulk() : out.bulk(session.name);
      if (["SETINFO", "TRACKING", "NO-EVICT", "NO-TOUCH", "REPLY", "KILL"].includes(sub)) return out.ok();
      if (sub === "INFO" || sub === "LIST") {
        const line = `id=${session.id} addr=127.0.0.1:0 name=${session.name ?? ""} db=0 resp=${session.resp3 ? 3 : 2}\n`;
        return out.verbatim(line);
      }
      out.error(`ERR unknown subcommand '${text(args[1])}'. Try CLIENT HELP.`);
    },
  },
  READONLY: { arity: 1, run: (_s, _c, _a, out) => out.ok() },
  READWRITE: { arity: 1, run: (_s, _c, _a, out) => out.ok() },
  INFO: { arity: -1, run: (state, _c, args, out) => out.verbatim(infoText(state, args.slice(1).map(text))) },
  MODULE: {
    arity: -2,
    run: (_s, _c, args, out) => {
      if (text(args[1]).toUpperCase() !== "LIST") return out.error(`ERR unknown subcommand '${text(args[1])}'. Try MODULE HELP.`);
      writeModuleList(out);
    },
  },
  COMMAND: {
    arity: -1,
    run: (_s, _c, args, out) => {
      const sub = args.length > 1 ? text(args[1]).toUpperCase() : "";
      if (sub === "COUNT") return out.int(0);
      if (sub === "DOCS") return out.map(0);
      if (sub === "INFO") {
        out.array(args.length - 2);
        for (let i = 2; i < args.length; i++) out.nullBulk();
        return;
      }
      out.array(0);
    },
  },
  CONFIG: {
    arity: -2,
    run: (state, _c, args, out) => {
      const config = state.config;
      const sub = text(args[1]).toUpperCase();
      if (sub === "SET") {
        for (let i = 2; i + 1 < args.length; i += 2) config.set(text(args[i]).toLowerCase(), text(args[i + 1]));
        return out.ok();
      }
      if (sub === "RESETSTAT" || sub === "REWRITE") return out.ok();
      if (sub !== "GET") return out.error(`ERR unknown subcommand '${text(args[1])}'. Try CONFIG HELP.`);
      const found: [string, string][] = [];
      for (const [name, value] of config) {
        if (args.slice(2).some((p) => globMatch(text(p).toLowerCase(), name))) found.push([name, value]);
      }
      out.map(found.length);
      for (const [name, value] of found) {
        out.bulk(name);
        out.bulk(value);
      }
    },
  },
  ...KEYSPACE_COMMANDS,
  CLUSTER: {
    arity: -2,
    run: (state, _c, args, out) => {
      if (state.cluster === undefined) return out.error("ERR This instance has cluster support disabled");
      clusterCommand(state.cluster, state, text(args[1]).toUpperCase(), args.slice(2).map(text), out);
    },
  },
  ASKING: { arity: 1, run: (_s, _c, _a, out) => out.ok() },
  "FT.CREATE": { arity: -2, run: (state, _c, args, out) => ftCreate(state, args.slice(1).map(text), out) },
  "FT.INFO": { arity: 2, run: (state, _c, args, out) => ftInfo(state, args.slice(1).map(text), out) },
  "FT._LIST": { arity: 1, run: (state, _c, _a, out) => ftList(state, out) },
  "FT.DROPINDEX": { arity: -2, run: (state, _c, args, out) => ftDropIndex(state, args.slice(1).map(text), out) },
  "FT.SEARCH": { arity: -3, run: searchWithFaults },
};

/** FT.SEARCH behind the `errorRate` and `delayMs` fault switches. */
function searchWithFaults(state: ServerState, _session: Session, args: Buffer[], out: ReplyWriter): void | Promise<void> {
  const n = ++state.counters.searchCalls;
  const rate = state.faults.errorRate ?? 0;
  const run = () => {
    if (rate > 0 && Math.floor(n * rate) > Math.floor((n - 1) * rate)) {
      state.counters.failed++;
      return out.error("ERR search stand-in injected failure (errorRate fault)");
    }
    ftSearch(state, args.slice(1), out);
  };
  const delayMs = state.faults.delayMs ?? 0;
  if (delayMs <= 0) return run();
  return sleep(delayMs).then(run);
}

export function isKnownCommand(name: string): boolean {
  return COMMANDS[name] !== undefined;
}

const NO_AUTH_NEEDED = new Set(["AUTH", "HELLO", "QUIT"]);

/** Runs one command; returns a promise only when the reply is deliberately delayed. */
export function execute(state: ServerState, session: Session, args: Buffer[], out: ReplyWriter): void | Promise<void> {
  const name = text(args[0]).toUpperCase();
  const command = COMMANDS[name];
  if (command === undefined) {
    const shown = args
      .slice(1)
      .map((a) => `'${text(a).slice(0, 128)}' `)
      .join("");
    return out.error(`ERR unknown command '${text(args[0])}', with args beginning with: ${shown}`);
  }
  // Valkey's order of checks: unknown command, arity, authentication, then cluster routing.
  if (command.arity > 0 ? args.length !== command.arity : args.length < -command.arity) {
    return out.error(`ERR wrong number of arguments for '${name.toLowerCase()}' command`);
  }
  if (!session.authenticated && !NO_AUTH_NEEDED.has(name)) return out.error("NOAUTH Authentication required.");
  if (state.cluster !== undefined && command.keys !== undefined) {
    const keys = command.keys === "first" ? [text(args[1])] : args.slice(1).map(text);
    const redirect = routingError(state.cluster, state, keys);
    if (redirect !== null) return out.error(redirect);
  }
  return command.run(state, session, args, out);
}
