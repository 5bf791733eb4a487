import { describe, expect, test } from "bun:test";
import { attachNodeSample, type ClientInterval, type Timeline } from "../../src/metrics/timeline.ts";

const client: ClientInterval = { requests: 0, completed: 0, errors: 0, errorsByType: {}, throughput: 0, errorRate: 0, latencyMs: null };

function timeline(): Timeline {
  return {
    intervalMs: 1000,
    points: [
      { startMs: 1000, endMs: 2000, client },
      { startMs: 2000, endMs: 3000, client },
      { startMs: 3000, endMs: 3400, client },
    ],
  };
}

describe("attachNodeSample", () => {
  test("a sample goes to the interval that ends when it is taken", () => {
    const t = timeline();
    expect(attachNodeSample(t, 2000, "a:1", { ops: 5 })).toBe(true);
    expect(attachNodeSample(t, 2001, "a:1", { ops: 6 })).toBe(true);
    expect(attachNodeSample(t, 2500, "b:1", { ops: 7 })).toBe(true);
    expect(t.points[0]!.nodes).toEqual({ "a:1": { ops: 5 } });
    expect(t.points[1]!.nodes).toEqual({ "a:1": { ops: 6 }, "b:1": { ops: 7 } });
    expect(t.points[2]!.nodes).toBeUndefined();
  });

  test("a sample just after the end goes to the last point; others are refused", () => {
    const t = timeline();
    expect(attachNodeSample(t, 3900, "a:1", { ops: 1 })).toBe(true);
    expect(t.points[2]!.nodes).toEqual({ "a:1": { ops: 1 } });
    expect(attachNodeSample(t, 5000, "a:1", { ops: 1 })).toBe(false);
    expect(attachNodeSample(t, 1000, "a:1", { ops: 1 })).toBe(false);
    expect(attachNodeSample({ intervalMs: 1000, points: [] }, 1500, "a:1", {})).toBe(false);
  });
});
