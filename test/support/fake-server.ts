// A scriptable RESP server for tests where a real one cannot misbehave on demand: it answers the
// setup commands the benchmark sends (PING, INFO, CONFIG GET, CLUSTER -> not a cluster) like a
// standalone Valkey, and hands every other command to the test's `reply` function, which can
// answer, stay silent (a stalled server), answer late, or close the connection.
//
//   const fake = startFakeServer({ reply: (cmd) => (cmd[0] === "SET" ? "+OK\r\n" : null) });
//   ... runBench(["-p", String(fake.port), ...]) ...
//   fake.stop();

import { RequestDecoder } from "./search-server/resp.ts";

/** What to do with one command: raw RESP bytes to send, null = never answer, or an action. */
export type FakeReply = string | null | { delayMs: number; reply: string } | "close";

export interface FakeServerOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Called for every command that is not a setup command; upper-cased name first. */
  reply(cmd: string[], conn: FakeConnection): FakeReply;
}

export interface FakeConnection {
  /** Commands this connection answered so far (setup commands excluded). */
  answered: number;
  /** Number of this connection, from 1, in accept order. */
  id: number;
}

export interface FakeServer {
  host: "127.0.0.1";
  port: number;
  /** Commands received per name (setup commands included), upper-cased. */
  calls: Record<string, number>;
  /** Connections accepted so far. */
  connections: number;
  /** Closes the listener and every connection, and listens on the same port again after `downMs`
   *  (a server restart). Resolves once it listens again. */
  restart(downMs: number): Promise<void>;
  stop(): void;
}

const INFO =
  "# Server\r\nredis_version:8.0.0\r\nvalkey_version:8.0.0\r\nredis_mode:standalone\r\n" +
  "# Replication\r\nrole:master\r\nconnected_slaves:0\r\n# Cluster\r\ncluster_enabled:0\r\n";

function bulk(s: string): string {
  return `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
}

function setupReply(cmd: string[]): string | undefined {
  switch (cmd[0]) {
    case "PING":
      return "+PONG\r\n";
    case "INFO":
      return bulk(INFO);
    case "CONFIG":
      return "*0\r\n";
    case "CLUSTER":
      return "-ERR This instance has cluster support disabled\r\n";
    case "CLIENT":
    case "SELECT":
      return "+OK\r\n";
  }
  return undefined;
}

export function startFakeServer(opts: FakeServerOptions): FakeServer {
  const calls: Record<string, number> = {};
  let accepted = 0;
  type Data = { decoder: RequestDecoder; conn: FakeConnection; closed: boolean };
  const listen = (port: number) => Bun.listen<Data>({
    hostname: "127.0.0.1",
    port,
    socket: {
      open(socket) {
        socket.data = { decoder: new RequestDecoder(), conn: { answered: 0, id: ++accepted }, closed: false };
      },
      data(socket, chunk) {
        const d = socket.data;
        for (const args of d.decoder.push(chunk)) {
          if (d.closed) return;
          const cmd = args.map((a) => a.toString("latin1"));
          cmd[0] = cmd[0]!.toUpperCase();
          calls[cmd[0]] = (calls[cmd[0]] ?? 0) + 1;
          const setup = setupReply(cmd);
          if (setup !== undefined) {
            socket.write(setup);
            continue;
          }
          const r = opts.reply(cmd, d.conn);
          if (r === null) continue;
          if (r === "close") {
            d.closed = true;
            socket.end();
            return;
          }
          d.conn.answered++;
          if (typeof r === "string") socket.write(r);
          else setTimeout(() => !d.closed && socket.write(r.reply), r.delayMs);
        }
      },
      close(socket) {
        socket.data.closed = true;
      },
      error() {},
    },
  });
  let listener = listen(opts.port ?? 0);
  const port = listener.port;
  return {
    host: "127.0.0.1",
    port,
    calls,
    get connections() {
      return accepted;
    },
    async restart(downMs) {
      listener.stop(true);
      await Bun.sleep(downMs);
      listener = listen(port);
    },
    stop: () => listener.stop(true),
  };
}
