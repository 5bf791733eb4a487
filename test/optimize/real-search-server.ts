// Starts a real valkey-server with the valkey-search module from a directory holding
// start-search-server.sh (VSB_SEARCH_SERVER_DIR), on a free test port; stop() kills it.

import { join } from "node:path";
import { reservePort } from "../support/ports.ts";

export interface RealSearchServer {
  host: "127.0.0.1";
  port: number;
  stop(): Promise<void>;
}

export async function startRealSearchServer(dir: string): Promise<RealSearchServer> {
  const port = reservePort();
  const proc = Bun.spawn(["bash", join(dir, "start-search-server.sh"), String(port)], { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  const pid = Number(out.trim().split("\n").pop());
  if (code !== 0 || !Number.isInteger(pid) || pid <= 0) throw new Error(`start-search-server.sh ${port} failed (exit ${code}): ${err || out}`);
  return {
    host: "127.0.0.1",
    port,
    async stop() {
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        return;
      }
      for (let i = 0; i < 50; i++) {
        try {
          process.kill(pid, 0);
        } catch {
          return;
        }
        await Bun.sleep(100);
      }
      process.kill(pid, "SIGKILL");
    },
  };
}
