// Keeps one throw-away topology of valkey-server processes running for manual benchmarking,
// using the same helpers as the tests. Started in the background by scripts/servers.sh, which
// waits for the description this writes to OUT_FILE and stops us with SIGTERM.
// Usage: bun scripts/lib/servers.ts KIND OUT_FILE

import { renameSync, writeFileSync } from "node:fs";
import { startCluster, startReplicaSet, startValkey, type ValkeyServer } from "../../test/support/valkey.ts";

const KINDS = ["standalone", "tls", "acl", "unix", "cluster", "replicas"] as const;
type Kind = (typeof KINDS)[number];

const ACL_USER = { user: "bench", password: "bench" };

interface Running {
  lines: string[];
  stop(): Promise<void>;
}

const address = (s: ValkeyServer) => `127.0.0.1:${s.port}`;

async function start(kind: Kind): Promise<Running> {
  switch (kind) {
    case "standalone": {
      const s = await startValkey();
      return { lines: [`standalone ${address(s)}`], stop: s.stop };
    }
    case "tls": {
      const s = await startValkey({ tls: true });
      const t = s.tls!;
      return {
        lines: [`tls ${address(s)} (TLS only, client certificate optional)`, `  --cacert ${t.caCert}`, `  --cert ${t.clientCert} --key ${t.clientKey}`],
        stop: s.stop,
      };
    }
    case "acl": {
      const s = await startValkey({ acl: ACL_USER });
      return { lines: [`acl ${address(s)} user ${ACL_USER.user} password ${ACL_USER.password} (default user off)`], stop: s.stop };
    }
    case "unix": {
      const s = await startValkey({ unixSocket: true });
      return { lines: [`unix ${s.socketPath} (also ${address(s)})`], stop: s.stop };
    }
    case "cluster": {
      const c = await startCluster();
      const primaries = new Set(await c.primaries());
      const lines = c.nodes.map((n) => `cluster ${address(n)} ${primaries.has(n) ? "primary" : "replica"}`);
      return { lines, stop: c.stop };
    }
    case "replicas": {
      const r = await startReplicaSet();
      return { lines: [`primary ${address(r.primary)}`, ...r.replicas.map((n) => `replica ${address(n)}`)], stop: r.stop };
    }
  }
}

const [kindArg, outFile] = process.argv.slice(2);
if (!KINDS.includes(kindArg as Kind) || outFile === undefined) {
  console.error(`usage: bun scripts/lib/servers.ts ${KINDS.join("|")} OUT_FILE`);
  process.exit(2);
}
const running = await start(kindArg as Kind);

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  await running.stop();
  process.exit(0);
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);

// Written last and renamed into place, so the shell only ever sees a complete description.
writeFileSync(`${outFile}.part`, `${running.lines.join("\n")}\n`);
renameSync(`${outFile}.part`, outFile);
