// Free loopback ports for test servers.
//
// Several test processes (other engineers, parallel CI jobs) start servers at the same time, so
// ports are never fixed: each process starts at a random point in 30000-39999 and walks
// forward, keeping a port only when both it and port+10000 (the cluster bus Valkey derives from
// it) can be listened on right now. A port can still be taken between this probe and the
// server's bind; startValkey retries with the next port when that happens.

const FIRST_PORT = 30000;
const LAST_PORT = 39999;
/** Valkey's cluster bus listens on the client port plus this offset. */
export const CLUSTER_BUS_OFFSET = 10000;

let nextPort = FIRST_PORT + Math.floor(Math.random() * (LAST_PORT - FIRST_PORT + 1));

/** True when nothing listens on 127.0.0.1:port (probed by listening and closing at once). */
export function canListen(port: number): boolean {
  try {
    const listener = Bun.listen({ hostname: "127.0.0.1", port, socket: { data() {} } });
    listener.stop(true);
    return true;
  } catch {
    return false;
  }
}

/**
 * Returns a port in 30000-39999 whose cluster-bus twin (and port + each of `extraOffsets`) is also free. Successive calls in one
 * process never return the same port until the whole range has been walked.
 */
export function reservePort(extraOffsets: readonly number[] = []): number {
  for (let tried = 0; tried <= LAST_PORT - FIRST_PORT; tried++) {
    const port = nextPort;
    nextPort = port === LAST_PORT ? FIRST_PORT : port + 1;
    if (canListen(port) && canListen(port + CLUSTER_BUS_OFFSET) && extraOffsets.every((o) => canListen(port + o))) return port;
  }
  throw new Error(
    "no free port pair in 30000-39999 (+10000) on 127.0.0.1; stop leftover servers (ps aux | grep valkey-server)",
  );
}
