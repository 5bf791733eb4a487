// Free loopback ports for test servers.
//
// Several test processes (other engineers, parallel CI jobs) start servers at the same time, so
// ports are never fixed: each process starts at a random point in 30000-39999 and walks
// forward, keeping a port only when both it and port+10000 (the cluster bus Valkey derives from
// it) can be listened on right now. A port can still be taken between this probe and the
// server's bind; startValkey retries with the next port when that happens.

// Scripts run by hand next to the tests can move to another range: VSB_PORT_RANGE=40900-41199.
const RANGE = /^(\d+)-(\d+)$/.exec(process.env.VSB_PORT_RANGE ?? "");
const FIRST_PORT = RANGE ? Number(RANGE[1]) : 30000;
const LAST_PORT = RANGE ? Number(RANGE[2]) : 39999;
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
 * Returns a port in 30000-39999 (or VSB_PORT_RANGE) whose cluster-bus twin (and port + each of `extraOffsets`) is also free. Successive calls in one
 * process never return the same port until the whole range has been walked.
 */
export function reservePort(extraOffsets: readonly number[] = []): number {
  for (let tried = 0; tried <= LAST_PORT - FIRST_PORT; tried++) {
    const port = nextPort;
    nextPort = port === LAST_PORT ? FIRST_PORT : port + 1;
    if (canListen(port) && canListen(port + CLUSTER_BUS_OFFSET) && extraOffsets.every((o) => canListen(port + o))) return port;
  }
  throw new Error(
    `no free port pair in ${FIRST_PORT}-${LAST_PORT} (+10000) on 127.0.0.1; stop leftover servers (ps aux | grep valkey-server)`,
  );
}
