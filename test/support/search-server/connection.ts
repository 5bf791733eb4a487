// One client connection: decode, execute in order, write back. Replies of a pipeline are batched
// into one socket write; a deliberately delayed command holds back the commands queued after it so
// replies never overtake each other.

import { execute, isKnownCommand, type Session } from "./commands.ts";
import { ProtocolError, ReplyWriter, RequestDecoder } from "./resp.ts";
import type { ServerState } from "./state.ts";

/** The part of a Bun socket a connection needs. */
export type SocketLike = { write(data: Uint8Array): number; end(): void };

/** The commands on which the real module runs an internal ACL GETUSER. */
const ACL_CHECKED = new Set(["FT.SEARCH", "FT.INFO", "FT.CREATE", "FT.DROPINDEX"]);

export class Connection {
  private readonly decoder = new RequestDecoder();
  private readonly out: ReplyWriter;
  private readonly session: Session;
  private queue: Buffer[][] = [];
  private head = 0;
  private waiting = false;
  private closing = false;
  private unsent: Buffer | undefined;
  private commandsRun = 0;

  constructor(
    private readonly socket: SocketLike,
    private readonly state: ServerState,
  ) {
    this.session = {
      id: state.nextClientId++,
      resp3: false,
      authenticated: state.auth === undefined,
      name: undefined,
      quit: false,
    };
    this.out = new ReplyWriter(false);
  }

  onData(chunk: Uint8Array): void {
    if (this.closing) return;
    try {
      for (const command of this.decoder.push(chunk)) this.queue.push(command);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.out.error(`ERR ${error.message}`);
      this.closing = true;
    }
    this.drainQueue();
  }

  onDrain(): void {
    this.flush();
  }

  private drainQueue(): void {
    while (!this.waiting && !this.closing && this.head < this.queue.length) {
      const args = this.queue[this.head++];
      const startedMs = performance.now();
      const pending = this.run(args);
      const name = args[0].toString("latin1").toUpperCase();
      if (isKnownCommand(name)) this.state.countCommand(name, (performance.now() - startedMs) * 1000);
      // valkey-search 1.0.3 checks the caller's ACL by running ACL GETUSER itself on these
      // commands (one call each, on the node that received the command; counted in commandstats
      // and total_commands_processed as a client's would be).
      if (ACL_CHECKED.has(name)) this.state.countCommand("ACL|GETUSER", 0);
      if (pending !== undefined) {
        this.waiting = true;
        this.flush();
        pending.then(
          () => this.resume(),
          (error: unknown) => {
            this.out.error(`ERR search stand-in internal error: ${String(error)}`);
            this.resume();
          },
        );
        return;
      }
      this.afterCommand();
    }
    if (this.head >= this.queue.length) {
      this.queue = [];
      this.head = 0;
    }
    this.flush();
  }

  /** Executes one command; a bug in the stand-in becomes an error reply rather than a hung client. */
  private run(args: Buffer[]): void | Promise<void> {
    const mark = this.out.mark();
    try {
      return execute(this.state, this.session, args, this.out);
    } catch (error) {
      this.out.rollback(mark); // drop this command's partial reply, keep earlier ones
      this.out.error(`ERR search stand-in internal error: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private resume(): void {
    this.waiting = false;
    this.afterCommand();
    this.drainQueue();
  }

  private afterCommand(): void {
    this.commandsRun++;
    const limit = this.state.faults.disconnectAfter;
    if (this.session.quit || (limit !== undefined && limit > 0 && this.commandsRun >= limit)) this.closing = true;
  }

  /** Writes buffered replies; keeps what the kernel did not take for the next drain event. */
  private flush(): void {
    if (!this.out.empty) {
      const fresh = this.out.take();
      this.unsent = this.unsent === undefined ? fresh : Buffer.concat([this.unsent, fresh]);
    }
    if (this.unsent !== undefined) {
      const written = this.socket.write(this.unsent);
      this.unsent = written >= this.unsent.length ? undefined : this.unsent.subarray(Math.max(0, written));
    }
    if (this.closing && this.unsent === undefined && !this.waiting) this.socket.end();
  }
}
