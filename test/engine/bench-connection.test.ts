// The benchmark connection against a fake socket: what it writes, and what it tells the
// schedule and the recorder (src/engine/connection-contracts.ts) for each read.
import { beforeAll, describe, expect, test } from "bun:test";
import type { ConnectionConfig } from "../../src/config/types.ts";
import { BenchConnection, type SocketOpener } from "../../src/engine/bench-connection.ts";
import type { WorkerClusterState } from "../../src/engine/cluster-state.ts";
import type { ClaimSchedule, ReplyRecorder } from "../../src/engine/connection-contracts.ts";
import { NodeStats } from "../../src/engine/interval-recorder.ts";
import type { TestSpec } from "../../src/engine/messages.ts";
import { RunRecorder } from "../../src/engine/run-recorder.ts";
import { createSharedState } from "../../src/engine/shared-state.ts";
import { TestRun } from "../../src/engine/test-run.ts";
import type { ConnectionWorkload, NodeAssignment } from "../../src/engine/workload-api.ts";
import { initHistograms } from "../../src/metrics/histogram.ts";
import type { ByteSocket } from "../../src/net/transport.ts";
import { ReplyScanner } from "../../src/resp/reply-scanner.ts";
import { compileCommands } from "../../src/workload/template.ts";

beforeAll(async () => {
  await initHistograms();
});

const NODE: NodeAssignment = { address: "127.0.0.1:7000", host: "127.0.0.1", port: 7000, role: "primary", slots: new Uint16Array([1]) };
const CONN = { requestTimeoutMs: 1000 } as ConnectionConfig;
const bytes = (s: string) => new TextEncoder().encode(s);

class FakeSocket implements ByteSocket {
  data = { sink: { onData() {}, onDrain() {}, onClose() {} } as ByteSocket["data"]["sink"] };
  writes: string[] = [];
  write(buf: Uint8Array, offset: number, length: number): number {
    this.writes.push(new TextDecoder().decode(buf.subarray(offset, offset + length)));
    return length;
  }
  terminate(): void {}
}

/** A schedule with `budget` units; under --rps unit k is due at 1000 + 10 k (ms) once `due`. */
class FakeSchedule implements ClaimSchedule {
  keepalive = true;
  claimStart = 0;
  due = true;
  private next = 0;
  constructor(
    public budget: number,
    readonly unitsPerClaim: number,
    readonly rateLimited = false,
  ) {}
  canClaim() {
    return this.budget > 0;
  }
  claim(maxUnits: number) {
    const units = Math.min(maxUnits, this.budget);
    this.budget -= units;
    this.claimStart = this.next;
    this.next += units;
    return units;
  }
  peekSlotMs() {
    return this.due ? 0 : performance.now() + 60_000;
  }
  claimDueUnits(intended: Float64Array, _now: number, perUnit: number) {
    const first = this.next;
    const units = this.claim(this.unitsPerClaim);
    for (let i = 0; i < units; i++) intended[i] = 1000 + 10 * (first + i);
    void perUnit;
    return units;
  }
  clusterDownHoldMs() {
    return 0;
  }
  nodeTooFarAhead() {
    return false;
  }
  nodeMoved() {}
}

/** Records every call; latencies are kept as (ms, count) pairs. */
class FakeRecorder implements ReplyRecorder {
  stats = new NodeStats(3);
  sentRequests = 0;
  latencies: [number, number][] = [];
  completed = 0;
  errors = 0;
  problems: string[] = [];
  redirects: { code: string; startMs: number; command: string }[] = [];
  finished = 0;
  statsFor() {
    return this.stats;
  }
  sent(n: number) {
    this.sentRequests += n;
  }
  record(ms: number, count: number) {
    this.latencies.push([ms, count]);
  }
  account(completed: number, errors: number) {
    this.completed += completed;
    this.errors += errors;
  }
  countError() {}
  countErrorN() {}
  addErrors(_code: string, n: number) {
    this.errors += n;
  }
  noteProblem(m: string) {
    this.problems.push(m);
  }
  publishProgress() {}
  redirect(_from: NodeAssignment, code: string, _message: string, command: Uint8Array, startMs: number) {
    this.redirects.push({ code, startMs, command: new TextDecoder().decode(command) });
  }
  requestTimedOut() {
    this.problems.push("timed out");
  }
  connectionFinished() {
    this.finished++;
  }
}

/** PING per unit, replies counted by the real scanner; onReplies calls are kept. */
function pingWorkload(): ConnectionWorkload & { replies: [number, number, number][] } {
  const unit = compileCommands([["PING"]], { expandRandom: false, dataSize: 3 });
  const replies: [number, number, number][] = [];
  return {
    unit,
    scanner: new ReplyScanner(),
    replies,
    patch: (_buf, units) => units * unit.bytes.length,
    abandonBatch() {},
    onReplies(first, count, latencyMs) {
      replies.push([first, count, latencyMs]);
    },
  };
}

async function connected(cluster?: WorkerClusterState): Promise<{ c: BenchConnection; socket: FakeSocket }> {
  const socket = new FakeSocket();
  const open: SocketOpener = async () => socket;
  const c = new BenchConnection(NODE, CONN, 0, cluster, open);
  await c.connect();
  return { c, socket };
}

describe("BenchConnection over a fake socket", () => {
  test("a batch of -P requests goes out in one write; its replies are counted, timed once, and the next batch follows", async () => {
    const { c, socket } = await connected();
    const schedule = new FakeSchedule(6, 3);
    const rec = new FakeRecorder();
    const work = pingWorkload();
    c.attach(schedule, rec, work, 3);
    c.kick();
    expect(socket.writes).toEqual(["*1\r\n$4\r\nPING\r\n".repeat(3)]);
    expect(rec.sentRequests).toBe(3);
    c.onData(bytes("+PONG\r\n+PO"));
    expect([rec.completed, rec.latencies.length, socket.writes.length]).toEqual([1, 1, 1]);
    c.onData(bytes("NG\r\n-ERR x\r\n"));
    expect([rec.completed, rec.errors]).toEqual([2, 1]);
    expect(socket.writes).toHaveLength(2); // the next batch went out when the last reply came
    c.onData(bytes("+PONG\r\n+PONG\r\n+PONG\r\n"));
    expect([rec.completed, rec.errors, rec.finished]).toEqual([5, 1, 1]);
    expect(rec.latencies.map(([, count]) => count)).toEqual([1, 2, 3]);
    expect(work.replies.map(([first, count]) => [first, count])).toEqual([[0, 1], [1, 2], [0, 3]]);
    c.close();
  });

  test("a RESP3 push split across a --rps pacing wait reaches the scanner whole (was: a protocol error)", async () => {
    const { c, socket } = await connected();
    const schedule = new FakeSchedule(2, 1, true);
    const rec = new FakeRecorder();
    c.attach(schedule, rec, pingWorkload(), 1);
    c.kick();
    schedule.due = false;
    c.onData(bytes("+PONG\r\n")); // batch done; the next slot is not due: the connection waits
    expect(socket.writes).toHaveLength(1);
    const push = ">2\r\n$10\r\ninvalidate\r\n*1\r\n$3\r\nkey\r\n";
    c.onData(bytes(push.slice(0, 12))); // while waiting: no batch in flight
    schedule.due = true;
    await Bun.sleep(120); // the wait ends (checked every 50 ms) and batch 2 goes out
    expect(socket.writes).toHaveLength(2);
    c.onData(bytes(push.slice(12) + "+PONG\r\n"));
    expect(rec.problems).toEqual([]);
    expect([rec.completed, rec.errors]).toEqual([2, 0]);
    c.close();
  });

  test("under --rps each reply is timed from its own unit's intended time; a redirected one from its own, on the resend", async () => {
    const { c } = await connected({} as WorkerClusterState);
    const schedule = new FakeSchedule(2, 2, true);
    const rec = new FakeRecorder();
    const work = pingWorkload();
    c.attach(schedule, rec, work, 2);
    c.kick(); // units 0 and 1, intended at 1000 and 1010 ms
    const before = performance.now();
    c.onData(bytes("-MOVED 1 127.0.0.1:7001\r\n+PONG\r\n"));
    const after = performance.now();
    expect(rec.redirects).toEqual([{ code: "MOVED", startMs: 1000, command: "*1\r\n$4\r\nPING\r\n" }]);
    // Only the answered reply (unit 1) is recorded here, from 1010 ms (was: from unit 0's 1000).
    expect(rec.latencies).toHaveLength(1);
    const [ms, count] = rec.latencies[0]!;
    expect(count).toBe(1);
    expect(ms).toBeGreaterThanOrEqual(before - 1010);
    expect(ms).toBeLessThanOrEqual(after - 1010);
    // A workload's own statistics (--mix parts) get the same per-reply latencies.
    expect(work.replies.map(([first, n]) => [first, n])).toEqual([[0, 1], [1, 1]]);
    expect(work.replies[0]![2]).toBeGreaterThanOrEqual(before - 1000);
    expect(work.replies[1]![2]).toBeLessThanOrEqual(after - 1010);
    expect([rec.completed, rec.errors]).toEqual([1, 0]);
    c.close();
  });
});

describe("RunRecorder", () => {
  test("a latency above 60 s is recorded as it was (was: capped at 60 s)", () => {
    const rec = new RunRecorder(createSharedState(1), 0, 3, undefined, { followRedirect() {}, requestTimedOut() {}, connectionFinished() {} });
    const stats = rec.statsFor(NODE.address);
    rec.record(150_000, 1, stats);
    stats.drain();
    expect(stats.total.maxValue).toBeGreaterThan(149_000_000);
    stats.destroy();
    rec.hist.destroy();
  });
});

describe("TestRun", () => {
  test("the measured window ends at the last reply, not when the test has finished tidying up (was: +3-4 ms per test)", async () => {
    const { c, socket } = await connected();
    const spec: TestSpec = { title: "PING", workload: { kind: "kv", params: {} }, nodes: [NODE], totalRequests: 1, firstRequest: 0, rpsPerWorker: 0, warmup: false, timeline: { startMs: performance.timeOrigin + performance.now(), intervalMs: 1000 } };
    const shared = createSharedState(1);
    const run = new TestRun(spec, { forConnection: () => pingWorkload() }, shared, { pipeline: 1, keepalive: true, workerIndex: 0, workers: 1, requestTimeoutMs: 1000, balanceTolerance: 0, precision: 3 }, undefined, undefined);
    const started = run.start([c]);
    expect(socket.writes).toEqual(["*1\r\n$4\r\nPING\r\n"]);
    c.onData(bytes("+PONG\r\n"));
    const afterReply = performance.timeOrigin + performance.now();
    await started;
    const result = run.result();
    expect([result.issued, result.completed]).toEqual([1, 1]);
    expect(result.finishedAtMs).toBeGreaterThanOrEqual(result.startedAtMs);
    expect(result.finishedAtMs).toBeLessThanOrEqual(afterReply);
    expect(shared.progress[0]).toBe(1); // the counters are still published
    c.close();
  });
});
