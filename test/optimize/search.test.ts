// The --optimize and --sweep search logic against synthetic response surfaces: functions from a
// setting to recall / QPS / latency whose optimum is known in advance, with and without noise.

import { describe, expect, test } from "bun:test";
import type { Constraint, Objective, TuneAxis, Tunable } from "../../src/config/optimize-values.ts";
import { paretoFront } from "../../src/optimize/pareto.ts";
import { grid, optimize } from "../../src/optimize/search.ts";
import { Session, type TrialRunner } from "../../src/optimize/session.ts";
import { sweep } from "../../src/optimize/sweep.ts";
import { aggregate, type Measurement, type Setting } from "../../src/optimize/trial.ts";
import { doublingIndices } from "../../src/optimize/monotone.ts";

type Surface = (s: Setting) => Measurement;

function range(name: Tunable, lo: number, hi: number): TuneAxis {
  return { name, kind: "range", values: Array.from({ length: hi - lo + 1 }, (_, i) => lo + i), text: `${name}:${lo}..${hi}` };
}

function list(name: Tunable, values: number[]): TuneAxis {
  return { name, kind: "list", values, text: `${name}:${values.join(",")}` };
}

function c(text: string): Constraint {
  const m = /^(\w+)(>=|<=)([\d.]+)$/.exec(text)!;
  return { metric: m[1] as Constraint["metric"], op: m[2] as ">=" | "<=", value: Number(m[3]), text };
}

/** A deterministic PRNG (mulberry32) so noisy surfaces are repeatable. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function run(surface: Surface, axes: TuneAxis[], constraints: Constraint[], opts: { objective?: Objective; maxTrials?: number; tolerance?: number } = {}) {
  const runner: TrialRunner = async (s) => ({ measurement: surface(s) });
  const session = new Session(runner, { maxTrials: opts.maxTrials ?? 50, constraints });
  const spec = { objective: opts.objective ?? "maximize:qps", constraints, axes, tolerance: opts.tolerance ?? 0.04 };
  return { session, spec, outcome: optimize(session, spec) };
}

/** HNSW-like: recall 1 - 0.5 e^(-ef/40); QPS falls with ef and rises with clients up to a knee at 24. */
function vectorSurface(noise?: { qps: number; recall: number; seed: number }): Surface {
  const r = noise ? rng(noise.seed) : () => 0.5;
  return (s) => {
    const ef = s.ef_search ?? 10;
    const clients = s.clients ?? 1;
    const recall = Math.min(1, 1 - 0.5 * Math.exp(-ef / 40) + (noise ? (r() * 2 - 1) * noise.recall : 0));
    const qps = (200_000 / (ef + 20)) * Math.min(1, clients / 24) * (noise ? 1 + (r() * 2 - 1) * noise.qps : 1);
    const p99 = 0.2 + clients * 0.1 + ef * 0.01;
    return { qps, p50Ms: p99 / 2, p99Ms: p99, p999Ms: p99 * 1.5, recall, errors: 0 };
  };
}

/** Smallest ef in 1..1000 with 1 - 0.5 e^(-ef/40) >= 0.95: 40 ln 10 = 92.1 -> 93. */
const TRUE_MIN_EF = 93;

describe("recall: bisection over ef_search", () => {
  test("finds the known minimal ef_search for recall >= 0.95 in a handful of trials", async () => {
    const { session, outcome } = run(vectorSurface(), [range("ef_search", 1, 1000)], [c("recall>=0.95")]);
    const o = await outcome;
    expect(o.chosen?.setting.ef_search).toBe(TRUE_MIN_EF);
    expect(session.trials.length).toBeLessThanOrEqual(12); // 2 ends + log2(1000) bisection steps
    expect(session.trials.every((t) => t.phase === "recall")).toBe(true);
  });

  test("with recall noise of +-0.002 the chosen ef_search meets the target as measured and is near the true minimum", async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { outcome } = run(vectorSurface({ qps: 0, recall: 0.002, seed }), [range("ef_search", 1, 1000)], [c("recall>=0.95")]);
      const o = await outcome;
      expect(o.chosen).toBeDefined();
      expect(o.chosen!.recall!).toBeGreaterThanOrEqual(0.95);
      // +-0.002 of recall moves the boundary by at most 40 * ln(0.05/0.048) = 1.7 ef steps.
      expect(Math.abs(o.chosen!.setting.ef_search! - TRUE_MIN_EF)).toBeLessThanOrEqual(2);
    }
  });

  test("a larger ef_search that measured faster by noise is not chosen: the bisection's answer is", async () => {
    for (const seed of [21, 22, 23, 24]) {
      const { outcome } = run(vectorSurface({ qps: 0.3, recall: 0, seed }), [range("ef_search", 1, 1000)], [c("recall>=0.95")]);
      expect((await outcome).chosen?.setting.ef_search).toBe(TRUE_MIN_EF);
    }
  });

  test("an unreachable recall target is reported with the closest trial after one trial", async () => {
    const { session, outcome } = run(vectorSurface(), [range("ef_search", 1, 50)], [c("recall>=0.95")]);
    const o = await outcome;
    expect(o.chosen).toBeUndefined();
    expect(o.closest?.setting.ef_search).toBe(50);
    expect(session.trials.length).toBe(1);
    expect(o.notes.join(" ")).toContain("not reached even at ef_search=50");
  });
});

describe("concurrency: doubling, then bisection", () => {
  test("saturating QPS: the knee (least clients within --tolerance of the best QPS) after ef_search is fixed", async () => {
    const { session, outcome } = run(vectorSurface(), [range("ef_search", 1, 1000), range("clients", 1, 512)], [c("recall>=0.95")]);
    const o = await outcome;
    // QPS = q * min(1, clients/24): within 4% of the best from clients >= 24/1.04 = 23.08.
    expect(o.chosen?.setting).toEqual({ ef_search: TRUE_MIN_EF, clients: 24 });
    expect(session.trials.length).toBeLessThanOrEqual(28); // 12 recall + 7 doubling + re-measures + knee bisection
    expect(session.trials.some((t) => t.phase === "concurrency")).toBe(true);
  });

  test("a p99 bound: the most clients within it (QPS still rising there)", async () => {
    // p99 = 0.2 + 0.1 c + 0.93 (ef 93) <= 3 ms -> c <= 18; QPS rises until 24, so 18 is best.
    const { outcome } = run(vectorSurface(), [range("ef_search", 1, 1000), range("clients", 1, 512)], [c("recall>=0.95"), c("p99<=3")]);
    const o = await outcome;
    expect(o.chosen?.setting.clients).toBe(18);
    expect(o.chosen!.p99Ms).toBeLessThanOrEqual(3);
  });

  test("noisy QPS (+-3%): near-ties are re-measured and the choice stays within tolerance of the true optimum", async () => {
    for (const seed of [11, 12, 13]) {
      const surface = vectorSurface({ qps: 0.03, recall: 0, seed });
      const { session, outcome } = run(surface, [range("clients", 1, 256)], [], { tolerance: 0.04 });
      const o = await outcome;
      expect(session.trials.some((t) => t.phase === "re-measure")).toBe(true);
      const clients = o.chosen!.setting.clients!;
      // True QPS at the chosen clients is within 4% + noise of the plateau, and it is not far past the knee.
      expect(Math.min(1, clients / 24)).toBeGreaterThanOrEqual(0.9);
      expect(clients).toBeLessThanOrEqual(64);
      const spread = session.aggregates().find((a) => a.runs > 1)!;
      expect(spread.qpsMax).toBeGreaterThanOrEqual(spread.qpsMin);
    }
  });

  test("one stalled trial (QPS a quarter of its true value) is measured again instead of ending the doubling", async () => {
    const smooth = vectorSurface();
    let stalled = false;
    const surface: Surface = (s) => {
      const m = smooth(s);
      if (s.clients === 4 && !stalled) {
        stalled = true;
        return { ...m, qps: m.qps / 4 };
      }
      return m;
    };
    const { session, outcome } = run(surface, [range("clients", 1, 512)], []);
    expect((await outcome).chosen?.setting.clients).toBe(24);
    expect(session.trials.filter((t) => t.setting.clients === 4).length).toBe(2);
  });

  test("minimize:p99 with a qps floor: the least clients that reach the floor", async () => {
    // QPS = 200000/30 * min(1, c/24) at ef 10 -> 6667 * c / 24 >= 3000 -> c >= 10.8 -> 11.
    const { outcome } = run(vectorSurface(), [range("clients", 1, 512)], [c("qps>=3000")], { objective: "minimize:p99" });
    const o = await outcome;
    expect(o.chosen?.setting.clients).toBe(11);
  });

  test("minimize:ef_search: the smallest ef_search meeting recall, and among its trials the most QPS", async () => {
    const { outcome } = run(vectorSurface(), [range("ef_search", 1, 1000), list("clients", [1, 8, 32])], [c("recall>=0.95")], { objective: "minimize:ef_search" });
    const o = await outcome;
    expect(o.chosen?.setting).toEqual({ ef_search: TRUE_MIN_EF, clients: 32 });
  });

  test("an unreachable p99 bound gives no choice and the closest trial (lowest p99)", async () => {
    const { outcome } = run(vectorSurface(), [list("clients", [4, 8, 16])], [c("p99<=0.1")]);
    const o = await outcome;
    expect(o.chosen).toBeUndefined();
    expect(o.closest?.setting.clients).toBe(4);
  });
});

describe("budget, failures, sweep", () => {
  test("the budget stops the search and the choice is among the trials run", async () => {
    const { session, outcome } = run(vectorSurface(), [range("ef_search", 1, 1000), range("clients", 1, 512)], [c("recall>=0.95")], { maxTrials: 4 });
    const o = await outcome;
    expect(session.trials.length).toBe(4);
    expect(o.stopped).toBe("budget");
    expect(o.chosen?.recall).toBeGreaterThanOrEqual(0.95);
  });

  test("failed trials are never chosen, and a failed first trial ends the search", async () => {
    const failing: Surface = (s) => ({ ...vectorSurface()(s), failed: (s.clients ?? 0) > 16 ? "2 error replies" : undefined, errors: (s.clients ?? 0) > 16 ? 2 : 0 });
    const o1 = await run(failing, [range("clients", 1, 512)], []).outcome;
    expect(o1.chosen!.setting.clients!).toBeLessThanOrEqual(16);
    const { session, outcome } = run(() => ({ qps: 0, p50Ms: 0, p99Ms: 0, p999Ms: 0, errors: 5, failed: "5 error replies" }), [range("clients", 1, 512)], []);
    const o2 = await outcome;
    expect(o2.stopped).toBe("first-trial-failed");
    expect(session.trials.length).toBe(1);
    expect(o2.chosen).toBeUndefined();
  });

  test("a sweep measures every grid point once and its Pareto front is the non-dominated recall/QPS set", async () => {
    const session = new Session(async (s) => ({ measurement: vectorSurface()(s) }), { maxTrials: 1000, constraints: [] });
    const axes = [list("ef_search", [10, 40, 160]), list("clients", [8, 32])];
    await sweep(session, { objective: "maximize:qps", constraints: [], axes, tolerance: 0.04 });
    expect(session.trials.length).toBe(6);
    const front = paretoFront(session.aggregates(), "recall-qps");
    // At each ef, 32 clients beat 8 (same recall, more QPS); across ef, recall up means QPS down.
    expect(front.map((a) => a.setting)).toEqual([
      { ef_search: 10, clients: 32 },
      { ef_search: 40, clients: 32 },
      { ef_search: 160, clients: 32 },
    ]);
  });

  test("thread counts above the clients are not tried (they would run as fewer threads)", async () => {
    const { session, outcome } = run(vectorSurface(), [list("clients", [2]), list("threads", [1, 2, 4, 8])], []);
    await outcome;
    expect(session.trials.length).toBeGreaterThan(1);
    expect(session.trials.every((t) => t.setting.threads! <= 2)).toBe(true);
    const s = new Session(async (x) => ({ measurement: vectorSurface()(x) }), { maxTrials: 100, constraints: [] });
    const o = await sweep(s, { objective: "maximize:qps", constraints: [], axes: [list("clients", [1, 4]), list("threads", [1, 2])], tolerance: 0.04 });
    expect(s.trials.map((t) => t.setting)).toEqual([{ clients: 1, threads: 1 }, { clients: 4, threads: 1 }, { clients: 4, threads: 2 }]);
    expect(o.notes).toEqual(["1 grid points with more threads than clients were skipped"]);
  });

  test("grid and doubling steps", () => {
    expect(grid([list("m", [8, 16]), list("clients", [1, 2])])).toEqual([{ m: 8, clients: 1 }, { m: 8, clients: 2 }, { m: 16, clients: 1 }, { m: 16, clients: 2 }]);
    expect(doublingIndices(range("clients", 1, 100).values).map((i) => i + 1)).toEqual([1, 2, 4, 8, 16, 32, 64, 100]);
    expect(doublingIndices([1, 8, 32])).toEqual([0, 1, 2]);
    expect(doublingIndices([5])).toEqual([0]);
  });

  test("aggregates keep the spread and any failure", () => {
    const a = aggregate({ clients: 4 }, [
      { qps: 100, p50Ms: 1, p99Ms: 2, p999Ms: 3, errors: 0 },
      { qps: 110, p50Ms: 1, p99Ms: 4, p999Ms: 3, errors: 1, failed: "1 error reply" },
    ]);
    expect(a.runs).toBe(2);
    expect(a.failed).toBe("1 error reply");
    expect(a.qps).toBe(100); // means over the successful runs
  });
});
