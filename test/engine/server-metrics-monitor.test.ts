// The snapshot taker of --server-metrics: what a
// node that cannot be reached means (no metrics for it, one warning, the run goes on).

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { parseCli } from "../../src/cli/parse-cli.ts";
import type { DeployedNode } from "../../src/cluster/discovery.ts";
import { ServerMetricsMonitor } from "../../src/engine/server-metrics-monitor.ts";
import { reservePort } from "../support/ports.ts";
import { startValkey, type ValkeyServer } from "../support/valkey.ts";

describe("ServerMetricsMonitor", () => {
  let server: ValkeyServer;
  beforeAll(async () => {
    server = await startValkey();
  });
  afterAll(() => server.stop());

  const node = (port: number, shard: number): DeployedNode => ({
    address: `127.0.0.1:${port}`,
    host: "127.0.0.1",
    port,
    role: "primary",
    slots: new Uint16Array(0),
    health: "online",
    shard,
  });

  test("a node that refuses connections: one warning, no metrics for it, the others measured", async () => {
    const parsed = await parseCli(["-p", String(server.port)]);
    if (parsed.kind !== "bench") throw new Error("expected a bench configuration");
    const warnings: string[] = [];
    const deadPort = reservePort();
    const monitor = await ServerMetricsMonitor.open(parsed.config.connection, [node(deadPort, 1), node(server.port, 0)], (w) => warnings.push(w));
    try {
      for (let i = 0; i < 2; i++) {
        await monitor.beforeTest();
        await server.cli("SET", "k", "v");
        const m = await monitor.afterTest({ durationSec: 1, serving: [`127.0.0.1:${server.port}`, `127.0.0.1:${deadPort}`], testCommands: ["set"] });
        expect(m!.nodes.map((n) => n.address)).toEqual([`127.0.0.1:${server.port}`]);
        expect(m!.nodes[0]!.commands!.set!.calls).toBe(1);
        expect(m!.total.nodes).toEqual([`127.0.0.1:${server.port}`]);
      }
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(`127.0.0.1:${deadPort}`);
      expect(warnings[0]).toContain("connection refused");
    } finally {
      monitor.close();
    }
  });
});
