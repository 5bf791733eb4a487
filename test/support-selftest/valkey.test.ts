// Specifications of the test helpers in test/support/valkey.ts: each helper starts what it
// promises, and the servers behave as configured when reached without the helpers' own cli().

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import {
  parseCommandstats,
  parseInfo,
  type ValkeyCluster,
  type ValkeyReplicaSet,
  type ValkeyServer,
  startCluster,
  startReplicaSet,
  startValkey,
} from "../support/valkey.ts";

type Target =
  | { port: number; tls?: { ca: string; cert?: string; key?: string } }
  | { unix: string };

/**
 * Sends raw bytes and collects what comes back until `expected` appears, the peer closes, or
 * 3 s pass. Resolves with the text received and why it stopped; never rejects, so a refused
 * handshake is an observable outcome rather than an exception.
 */
function exchange(target: Target, payload: string, expected: string): Promise<{ text: string; ended: string }> {
  return new Promise((resolve) => {
    let text = "";
    let done = false;
    const finish = (ended: string, socket?: { end(): void }) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket?.end();
      resolve({ text, ended });
    };
    const timer = setTimeout(() => finish("timeout"), 3000);
    const handlers = {
      open(socket: { write(data: string): number }) {
        if (!("tls" in target && target.tls)) socket.write(payload);
      },
      handshake(socket: { write(data: string): number; end(): void }, success: boolean, error: Error | null) {
        if (success) socket.write(payload);
        else finish(`handshake failed: ${error?.message}`, socket);
      },
      data(socket: { end(): void }, chunk: Buffer) {
        text += chunk.toString();
        if (text.includes(expected)) finish("expected", socket);
      },
      close() {
        finish("closed");
      },
      error(_socket: unknown, error: Error) {
        finish(`error: ${error.message}`);
      },
      connectError(_socket: unknown, error: Error) {
        finish(`connect error: ${error.message}`);
      },
    };
    const connecting =
      "unix" in target
        ? Bun.connect({ unix: target.unix, socket: handlers })
        : Bun.connect({
            hostname: "127.0.0.1",
            port: target.port,
            tls: target.tls
              ? {
                  ca: readFileSync(target.tls.ca, "utf8"),
                  cert: target.tls.cert ? readFileSync(target.tls.cert, "utf8") : undefined,
                  key: target.tls.key ? readFileSync(target.tls.key, "utf8") : undefined,
                  serverName: "localhost",
                }
              : undefined,
            socket: target.tls ? handlers : { ...handlers, handshake: undefined },
          });
    connecting.catch((err: Error) => finish(`connect failed: ${err.message}`));
  });
}

const PING = "*1\r\n$4\r\nPING\r\n";

describe("startValkey (plain)", () => {
  let server: ValkeyServer;
  beforeAll(async () => {
    server = await startValkey();
  });
  afterAll(() => server.stop());

  test("listens on loopback at a port in 30000-39999 and answers PING", async () => {
    expect(server.host).toBe("127.0.0.1");
    expect(server.port).toBeGreaterThanOrEqual(30000);
    expect(server.port).toBeLessThanOrEqual(39999);
    expect(await exchange({ port: server.port }, PING, "+PONG")).toEqual({ text: "+PONG\r\n", ended: "expected" });
  });

  test("persists nothing: save and appendonly are off", async () => {
    expect(await server.cli("CONFIG", "GET", "save")).toBe("save");
    expect(await server.cli("CONFIG", "GET", "appendonly")).toBe("appendonly\nno");
  });

  test("commandstats counts calls and failed calls per command", async () => {
    await server.cli("SET", "selftest:k", "not-a-number");
    await server.cli("SET", "selftest:k", "still-not");
    expect(await server.cli("INCR", "selftest:k")).toContain("ERR");
    const stats = await server.commandstats();
    expect(stats.set).toEqual({ calls: 2, failed: 0, rejected: 0 });
    expect(stats.incr).toEqual({ calls: 1, failed: 1, rejected: 0 });
  });

  test("info(section) returns the section's fields", async () => {
    const info = await server.info("server");
    expect(info.tcp_port).toBe(String(server.port));
    expect(info.server_mode).toBe("standalone");
  });

  test("two servers started together get different ports", async () => {
    const [a, b] = await Promise.all([startValkey(), startValkey()]);
    try {
      expect(a!.port).not.toBe(b!.port);
      expect(a!.port).not.toBe(server.port);
    } finally {
      await Promise.all([a!.stop(), b!.stop()]);
    }
  });

  test("stop() kills the process and removes its directory", async () => {
    const temp = await startValkey();
    await temp.stop();
    await temp.stop(); // idempotent
    expect(() => process.kill(temp.pid, 0)).toThrow();
    expect(await Bun.file(`${temp.dir}/valkey.log`).exists()).toBe(false);
  });

  test("a bad server argument fails fast with the server's own error message", async () => {
    await expect(startValkey({ args: ["--no-such-option", "1"] })).rejects.toThrow(/exited during startup[\s\S]*no-such-option/);
  });
});

describe("cleanup when the test process dies", () => {
  test("servers of a SIGKILLed process are killed by its watchdog and their directory removed", async () => {
    const child = Bun.spawn([process.execPath, `${import.meta.dir}/fixtures/abandon-server.ts`], {
      stdout: "pipe",
      stderr: "inherit",
    });
    const reader = child.stdout.getReader();
    const first = await reader.read();
    const serverPid = Number(new TextDecoder().decode(first.value).trim());
    expect(serverPid).toBeGreaterThan(0);
    expect(() => process.kill(serverPid, 0)).not.toThrow();
    child.kill("SIGKILL");
    await child.exited;
    const deadline = Date.now() + 5000;
    let alive = true;
    while (alive && Date.now() < deadline) {
      await Bun.sleep(100);
      try {
        process.kill(serverPid, 0);
      } catch {
        alive = false;
      }
    }
    expect(alive).toBe(false);
  });
});

describe("INFO parsers", () => {
  test("parseInfo skips section headers and keeps values containing colons", () => {
    expect(parseInfo("# Server\r\nserver_mode:standalone\r\nexecutable:/usr/bin/x:y\r\n\r\n")).toEqual({
      server_mode: "standalone",
      executable: "/usr/bin/x:y",
    });
  });

  test("parseCommandstats keys counters by command, subcommands joined with |", () => {
    const text = "# Commandstats\r\ncmdstat_client|setname:calls=3,usec=9,usec_per_call=3.00,rejected_calls=1,failed_calls=2\r\n";
    expect(parseCommandstats(text)).toEqual({ "client|setname": { calls: 3, failed: 2, rejected: 1 } });
  });
});

describe("startValkey({ tls: true })", () => {
  let server: ValkeyServer;
  beforeAll(async () => {
    server = await startValkey({ tls: true });
  });
  afterAll(() => server.stop());

  test("accepts a TLS connection verified against the test CA, without a client certificate", async () => {
    expect(server.tlsPort).toBe(server.port);
    const reply = await exchange({ port: server.port, tls: { ca: server.tls!.caCert } }, PING, "+PONG");
    expect(reply.ended).toBe("expected");
  });

  test("accepts a TLS connection with the test client certificate", async () => {
    const tls = { ca: server.tls!.caCert, cert: server.tls!.clientCert, key: server.tls!.clientKey };
    expect((await exchange({ port: server.port, tls }, PING, "+PONG")).ended).toBe("expected");
  });

  test("rejects plain-text RESP on the TLS port", async () => {
    const reply = await exchange({ port: server.port }, PING, "+PONG");
    expect(reply.text).not.toContain("+PONG");
    expect(reply.ended).not.toBe("expected");
  });

  test("cli() talks TLS", async () => {
    expect(await server.cli("PING")).toBe("PONG");
  });

  test('tlsAuthClients "yes" refuses clients without a certificate', async () => {
    const strict = await startValkey({ tls: true, tlsAuthClients: "yes" });
    try {
      const anonymous = await exchange({ port: strict.port, tls: { ca: strict.tls!.caCert } }, PING, "+PONG");
      expect(anonymous.text).not.toContain("+PONG");
      const tls = { ca: strict.tls!.caCert, cert: strict.tls!.clientCert, key: strict.tls!.clientKey };
      expect((await exchange({ port: strict.port, tls }, PING, "+PONG")).ended).toBe("expected");
    } finally {
      await strict.stop();
    }
  });
});

describe("startValkey({ acl })", () => {
  let server: ValkeyServer;
  beforeAll(async () => {
    server = await startValkey({ acl: { user: "bench", password: "s3cret" } });
  });
  afterAll(() => server.stop());

  test("the ACL user can AUTH and run commands", async () => {
    const auth = "*3\r\n$4\r\nAUTH\r\n$5\r\nbench\r\n$6\r\ns3cret\r\n";
    const reply = await exchange({ port: server.port }, auth + PING, "+PONG");
    expect(reply.text).toBe("+OK\r\n+PONG\r\n");
  });

  test("a wrong password is refused with WRONGPASS", async () => {
    const auth = "*3\r\n$4\r\nAUTH\r\n$5\r\nbench\r\n$5\r\nwrong\r\n";
    expect((await exchange({ port: server.port }, auth, "\r\n")).text).toStartWith("-WRONGPASS");
  });

  test("the default user is disabled, so unauthenticated commands are refused", async () => {
    expect((await exchange({ port: server.port }, PING, "\r\n")).text).toStartWith("-NOAUTH");
  });

  test("cli() authenticates as the ACL user", async () => {
    expect(await server.cli("ACL", "WHOAMI")).toBe("bench");
  });

  test("requirepass protects the default user", async () => {
    const guarded = await startValkey({ requirepass: "pw1" });
    try {
      expect((await exchange({ port: guarded.port }, PING, "\r\n")).text).toStartWith("-NOAUTH");
      expect(await guarded.cli("ACL", "WHOAMI")).toBe("default");
    } finally {
      await guarded.stop();
    }
  });
});

describe("startValkey({ unixSocket: true })", () => {
  test("answers PING on the unix socket", async () => {
    const server = await startValkey({ unixSocket: true });
    try {
      expect(server.socketPath).toBe(`${server.dir}/valkey.sock`);
      expect((await exchange({ unix: server.socketPath! }, PING, "+PONG")).ended).toBe("expected");
    } finally {
      await server.stop();
    }
  });
});

describe("startCluster()", () => {
  let cluster: ValkeyCluster;
  beforeAll(async () => {
    cluster = await startCluster();
  });
  afterAll(() => cluster.stop());

  test("has 6 nodes: 3 primaries and 3 replicas", async () => {
    expect(cluster.nodes).toHaveLength(6);
    expect(await cluster.primaries()).toHaveLength(3);
    expect(await cluster.replicas()).toHaveLength(3);
  });

  test("the primaries together own all 16384 slots", async () => {
    let slots = 0;
    for (const primary of await cluster.primaries()) {
      const myself = (await primary.cli("CLUSTER", "NODES")).split("\n").find((l) => l.includes("myself"))!;
      for (const range of myself.split(" ").slice(8)) {
        const [first, last] = range.split("-").map(Number);
        slots += (last ?? first!) - first! + 1;
      }
    }
    expect(slots).toBe(16384);
  });

  test("every node reports cluster_state:ok", async () => {
    for (const node of cluster.nodes) {
      expect(await node.cli("CLUSTER", "INFO")).toContain("cluster_state:ok");
    }
  });
});

describe("startCluster({ server: { tls: true } })", () => {
  test("forms a TLS-only cluster whose replicas sync over TLS", async () => {
    const cluster = await startCluster({ primaries: 3, replicasPerPrimary: 1, server: { tls: true } });
    try {
      expect(await cluster.primaries()).toHaveLength(3);
      const replicas = await cluster.replicas();
      expect(replicas).toHaveLength(3);
      for (const replica of replicas) expect((await replica.info("replication")).master_link_status).toBe("up");
      const seed = cluster.nodes[0]!;
      const reply = await exchange({ port: seed.port, tls: { ca: seed.tls!.caCert } }, "*2\r\n$7\r\nCLUSTER\r\n$4\r\nINFO\r\n", "cluster_known_nodes");
      expect(reply.text).toContain("cluster_state:ok");
    } finally {
      await cluster.stop();
    }
  });
});

describe("startReplicaSet()", () => {
  let set: ValkeyReplicaSet;
  beforeAll(async () => {
    set = await startReplicaSet();
  });
  afterAll(() => set.stop());

  test("has two replicas of the primary with links up", async () => {
    expect(set.replicas).toHaveLength(2);
    for (const replica of set.replicas) {
      const info = await replica.info("replication");
      expect(info.role).toBe("slave");
      expect(info.master_port).toBe(String(set.primary.port));
      expect(info.master_link_status).toBe("up");
    }
  });

  test("a SET on the primary is readable on every replica", async () => {
    // WAIT only covers writes made on its own connection, so SET and WAIT share one.
    const setThenWait =
      "*3\r\n$3\r\nSET\r\n$19\r\nselftest:replicated\r\n$3\r\nyes\r\n" + "*3\r\n$4\r\nWAIT\r\n$1\r\n2\r\n$4\r\n5000\r\n";
    expect((await exchange({ port: set.primary.port }, setThenWait, ":2\r\n")).text).toBe("+OK\r\n:2\r\n");
    for (const replica of set.replicas) {
      expect(await replica.cli("GET", "selftest:replicated")).toBe("yes");
    }
  });
});
