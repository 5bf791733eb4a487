// Slots move between primaries while a SET run is writing into them: requests answered with
// MOVED or ASK are resent to the new owner and counted as redirects, never as errors or
// successes of their own, and no request is lost (issued = completed + errors, and the servers
// executed at least every SET we count as completed).

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { callDelta, errorCounts, migrateSlots, send, slotsOf, snapshotCalls } from "../support/cluster-ops.ts";
import { describeRun, parseJsonReport, spawnBench, waitFor } from "../support/run-cli.ts";
import { startCluster, type ValkeyCluster, type ValkeyServer } from "../support/valkey.ts";
import type { NodeResult } from "../../src/metrics/node-results.ts";

const MIGRATED_SLOTS = 50;
/**
 * Long enough that the migration (wait for 3000 SETs, then 50 slots with a 500 ms hold) ends while
 * the run still writes, also on a loaded 2-core machine (4 s was too short there).
 */
const RUN_SECONDS = 8;

let cluster: ValkeyCluster;
let primaries: ValkeyServer[];

beforeAll(async () => {
  cluster = await startCluster({ primaries: 3, replicasPerPrimary: 1 });
  primaries = await cluster.primaries();
}, 60_000);
afterAll(() => cluster.stop());

const address = (node: ValkeyServer) => `127.0.0.1:${node.port}`;

describe("live slot migration during a run", () => {
  test("MOVED and ASK are resent and counted as redirects; nothing is lost", async () => {
    const [from, to] = [primaries[0]!, primaries[1]!];
    const slots = (await slotsOf(from)).slice(0, MIGRATED_SLOTS);
    const errorsBefore = await errorCounts(from);
    const before = await snapshotCalls(primaries);

    const proc = spawnBench(
      [
        "-p", String(from.port), "-t", "set", "--duration", String(RUN_SECONDS), "-c", "12", "-r", "100000",
        "--request-timeout", "15000", "--output-format", "json",
      ],
      { timeoutMs: 30_000 },
    );
    const stdout = new Response(proc.stdout).text();
    const stderr = new Response(proc.stderr).text();

    // Move the slots only once the run is writing, so requests are in flight to the old owner.
    await waitFor("the run to write 3000 SETs on the source", async () => ((await from.commandstats()).set?.calls ?? 0) - (before.get(address(from))?.get("set") ?? 0) >= 3000, 10_000);
    // The run writes keys into the slots about to move: the migration has keys to carry.
    const keysToMove = await send(from, ...slots.map((s) => ["CLUSTER", "COUNTKEYSINSLOT", String(s)]));
    expect(keysToMove.reduce<number>((n, k) => n + Number(k), 0)).toBeGreaterThan(0);
    const { keysMoved } = await migrateSlots(cluster, from, to, slots, { holdMs: 500 });
    // Still mid-run when the migration completed: the redirects below happened under load.
    expect(proc.exitCode).toBeNull();

    const code = await proc.exited;
    const run = { stdout: await stdout, stderr: await stderr, code, timedOut: proc.signalCode === "SIGKILL", args: [] };
    if (code !== 0) throw new Error(`expected exit 0\n${describeRun(run)}`);
    const after = await snapshotCalls(primaries);
    const [t] = parseJsonReport(run.stdout).tests;
    if (!t) throw new Error(`no test in the report\n${describeRun(run)}`);

    expect(keysMoved).toBeGreaterThan(0);
    // The target owns the slots now, and holds keys in them.
    const owned = new Set(await slotsOf(to));
    for (const s of slots) expect(owned.has(s)).toBe(true);
    const keysOnTarget = await send(to, ...slots.map((s) => ["CLUSTER", "COUNTKEYSINSLOT", String(s)]));
    expect(keysOnTarget.reduce<number>((n, k) => n + Number(k), 0)).toBeGreaterThan(0);

    // The source really answered with both kinds of redirect...
    const errorsAfter = await errorCounts(from);
    expect((errorsAfter.MOVED ?? 0) - (errorsBefore.MOVED ?? 0)).toBeGreaterThan(0);
    expect((errorsAfter.ASK ?? 0) - (errorsBefore.ASK ?? 0)).toBeGreaterThan(0);
    // ...and the report counts them as redirects, not as errors.
    const redirects = (t.extra.redirects ?? {}) as Record<string, number>;
    expect(redirects.MOVED ?? 0).toBeGreaterThan(0);
    expect(redirects.ASK ?? 0).toBeGreaterThan(0);
    expect(t.requests.errors).toBe(0);
    expect(t.errorsByType).toEqual({});
    expect(t.requests.issued).toBe(t.requests.completed + t.requests.errors);
    const nodes = (t.extra.nodes ?? []) as NodeResult[];
    expect(nodes.reduce((n, r) => n + r.redirects, 0)).toBeGreaterThan(0);
    expect(nodes.reduce((n, r) => n + r.completed, 0)).toBe(t.requests.completed);

    // No request lost: every SET we count as completed was executed by some primary.
    const executed = primaries.reduce((n, p) => n + callDelta(before, after, address(p), "set"), 0);
    expect(executed).toBeGreaterThanOrEqual(t.requests.completed);
  }, 60_000);
});
