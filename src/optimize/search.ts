/**
 * The --optimize strategy. It uses what is known about the system instead of a blind grid:
 *
 * 1. Builds (--tune-rebuild): each combination of m / ef_construction is an outer step (lists as
 *    given; ranges at doubling points, since every value costs a rebuild).
 * 2. Recall: recall is monotone non-decreasing in ef_search for a fixed index and query set, so
 *    the smallest ef_search meeting the recall constraint is found by bisection over the measured
 *    recall of the whole query set, after checking that the largest ef_search meets it at all.
 *    The smallest such ef_search is also the cheapest for every objective (QPS falls and latency
 *    rises with ef_search), so the later steps keep it.
 * 3. Concurrency (clients, then pipeline, then threads, each with the others fixed): QPS rises
 *    then saturates while latency keeps rising, so values are tried at doubling steps until a
 *    latency bound breaks or QPS stops rising by more than --tolerance, then bisection finds the
 *    edge (the last value within the latency bounds, or the knee: the smallest value within
 *    --tolerance of the best QPS). minimize:p99 instead looks for the least concurrency that meets
 *    a qps floor (or the lowest p99 when there is none).
 * 4. Noise: a comparison closer than --tolerance re-measures before it decides, and at the end the
 *    settings within --tolerance of the best are re-measured before one is chosen.
 */
import type { Constraint, OptimizeOptions, Tunable, TuneAxis } from "../config/optimize-values.ts";
import { BUILD_TUNABLES } from "../config/optimize-values.ts";
import { closest, nearBest, pickBest } from "./choose.ts";
import { doublingIndices, firstHolding, lastHolding } from "./monotone.ts";
import { BudgetExhausted, SearchInterrupted, type Session } from "./session.ts";
import { isFeasible, violations, type Aggregate, type Setting } from "./trial.ts";

export interface SearchOutcome {
  chosen?: Aggregate;
  /** When nothing is feasible: the setting missing the constraints by the least. */
  closest?: Aggregate;
  /** Why the search ended early, if it did. */
  stopped?: "budget" | "interrupted" | "first-trial-failed";
  /** One line each, for the report (unreachable recall, saturation...). */
  notes: string[];
}

type Spec = Pick<OptimizeOptions, "objective" | "constraints" | "axes" | "tolerance">;

const CONCURRENCY: readonly Tunable[] = ["clients", "pipeline", "threads"];
/** Settings re-measured at the end of a build's search when they are within tolerance of the best. */
const MAX_FINAL_REMEASURES = 4;

class FirstTrialFailed extends Error {}

/** Every combination of the axes' values (first axis outermost). */
export function grid(axes: readonly { name: Tunable; values: readonly number[] }[]): Setting[] {
  let out: Setting[] = [{}];
  for (const a of axes) out = out.flatMap((s) => a.values.map((v) => ({ ...s, [a.name]: v })));
  return out;
}

function axisOf(spec: Spec, name: Tunable): TuneAxis | undefined {
  return spec.axes.find((a) => a.name === name);
}

/** The value of `domain` nearest to `v` (the lower one on a tie). */
function nearest(domain: readonly number[], v: number): number {
  let best = domain[0]!;
  for (const d of domain) if (Math.abs(d - v) < Math.abs(best - v)) best = d;
  return best;
}

/**
 * `start`: the run's own -c / -P / --threads. Trials before a concurrency parameter's own phase
 * run at this value (the nearest one in its --tune range), so every trial names every tuned value.
 */
/**
 * Per build, the ef_search the recall phase settled on. Only settings with that ef_search can be
 * chosen: QPS falls and latency rises with ef_search, so a larger one that measured faster
 * was measured with noise, not found to be better.
 */
type EfChoices = Map<string, number>;

function buildKeyOf(s: Setting): string {
  return `${s.m ?? ""}/${s.ef_construction ?? ""}`;
}

export async function optimize(session: Session, spec: Spec, start: Partial<Record<"clients" | "pipeline" | "threads", number>> = {}): Promise<SearchOutcome> {
  const notes: string[] = [];
  const efChoices: EfChoices = new Map();
  let stopped: SearchOutcome["stopped"];
  const buildAxes = spec.axes
    .filter((a) => BUILD_TUNABLES.includes(a.name))
    .map((a) => ({ name: a.name, values: a.kind === "range" ? doublingIndices(a.values).map((i) => a.values[i]!) : a.values }));
  try {
    const initial: Setting = {};
    for (const name of CONCURRENCY) {
      const axis = axisOf(spec, name);
      const v = start[name as keyof typeof start];
      if (axis) initial[name] = v === undefined ? axis.values[0]! : nearest(axis.values, v);
    }
    for (const build of grid(buildAxes)) {
      await searchBuild(session, spec, { ...build, ...initial }, notes, efChoices, start.clients);
    }
  } catch (e) {
    if (e instanceof BudgetExhausted) {
      stopped = "budget";
      notes.push(`${e.message}: the search had not finished; the choice is among the trials run`);
    } else if (e instanceof SearchInterrupted) {
      stopped = "interrupted";
      notes.push(`interrupted (Ctrl-C) after ${session.trials.length} trials; the choice is among the trials that completed`);
    } else if (e instanceof FirstTrialFailed) {
      stopped = "first-trial-failed";
      notes.push(e.message);
    } else {
      throw e;
    }
  }
  // A build whose recall phase had not settled (budget, Ctrl-C) keeps all its measured settings.
  const eligible = (a: Aggregate) => {
    const ef = efChoices.get(buildKeyOf(a.setting));
    return ef === undefined || a.setting.ef_search === ef;
  };
  return conclude(session, spec, notes, stopped, eligible);
}

/** The choice among everything measured (after the search or when it stopped early). */
export function conclude(session: Session, spec: Spec, notes: string[], stopped?: SearchOutcome["stopped"], eligible: (a: Aggregate) => boolean = () => true): SearchOutcome {
  const chosen = pickBest(session.feasible().filter(eligible), spec.objective, spec.tolerance);
  const out: SearchOutcome = { notes };
  if (stopped) out.stopped = stopped;
  if (chosen) out.chosen = chosen;
  else {
    const c = closest(session.aggregates(), spec.constraints);
    if (c) out.closest = c;
  }
  return out;
}

async function searchBuild(session: Session, spec: Spec, start: Setting, notes: string[], efChoices: EfChoices, runClients: number | undefined): Promise<void> {
  const build: Setting = {};
  for (const n of BUILD_TUNABLES) if (start[n] !== undefined) build[n] = start[n];
  const check = (a: Aggregate): Aggregate => {
    if (session.trials.length === 1 && a.failed !== undefined) throw new FirstTrialFailed(`the first trial failed (${a.failed}); nothing else was tried`);
    return a;
  };
  let base: Setting = { ...start };
  const ef = axisOf(spec, "ef_search");
  const recall = spec.constraints.find((c) => c.metric === "recall");
  if (ef && recall) {
    const found = await searchEf(session, base, ef, recall, check);
    base = { ...base, ef_search: found.ef };
    if (found.reachable) efChoices.set(buildKeyOf(build), found.ef);
    if (!found.reachable) {
      notes.push(`${describeBuild(build)}recall ${recall.value} is not reached even at ef_search=${found.ef} (recall ${fmtRecall(session.known(base))})`);
      return;
    }
  }
  for (const name of CONCURRENCY) {
    let axis = axisOf(spec, name);
    if (!axis) continue;
    // Every thread needs a client: thread counts above the clients would run as that many.
    const clients = base.clients ?? runClients;
    if (name === "threads" && clients !== undefined) {
      const fit = axis.values.filter((v) => v <= clients);
      axis = { ...axis, values: fit.length > 0 ? fit : [axis.values[0]!] };
    }
    base = await searchConcurrency(session, spec, base, axis, check);
  }
  if (!CONCURRENCY.some((n) => axisOf(spec, n))) {
    if (!(ef && recall)) check(await session.measure(base, "concurrency"));
    return;
  }
  await remeasureNearTies(session, spec, base);
}

function describeBuild(build: Setting): string {
  const parts = Object.entries(build).map(([k, v]) => `${k}=${v}`);
  return parts.length > 0 ? `build ${parts.join(" ")}: ` : "";
}

function fmtRecall(a: Aggregate | undefined): string {
  return a?.recall === undefined ? "not measured" : a.recall.toFixed(4);
}

async function searchEf(session: Session, base: Setting, axis: TuneAxis, recall: Constraint, check: (a: Aggregate) => Aggregate): Promise<{ ef: number; reachable: boolean }> {
  const values = axis.values;
  const at = async (i: number) => check(await session.measure({ ...base, ef_search: values[i]! }, "recall"));
  const meets = async (i: number) => {
    const a = await at(i);
    return a.failed === undefined && violations(a, [recall]).length === 0;
  };
  const top = values.length - 1;
  // The largest ef_search first: if it misses, nothing smaller can meet the target.
  if (!(await meets(top))) return { ef: values[top]!, reachable: false };
  if (top === 0 || (await meets(0))) return { ef: values[0]!, reachable: true };
  return { ef: values[await firstHolding(0, top, meets)]!, reachable: true };
}

/**
 * One concurrency parameter with the others fixed at `base`. Returns `base` with this
 * parameter set to the value chosen among the trials it ran.
 */
async function searchConcurrency(session: Session, spec: Spec, base: Setting, axis: TuneAxis, check: (a: Aggregate) => Aggregate): Promise<Setting> {
  const values = axis.values;
  const settingAt = (i: number): Setting => ({ ...base, [axis.name]: values[i]! });
  const at = async (i: number) => check(await session.measure(settingAt(i), "concurrency"));
  // Bounds that more concurrency only makes worse (latency) or does not change (recall).
  const bounds = spec.constraints.filter((c) => c.metric !== "qps");
  const withinBounds = (a: Aggregate) => a.failed === undefined && violations(a, bounds).length === 0;
  const floor = spec.constraints.find((c) => c.metric === "qps")?.value;
  const steps = doublingIndices(values);
  const tol = spec.tolerance;

  if (spec.objective === "minimize:p99") {
    let prev: number | undefined;
    let best: Aggregate | undefined;
    for (const i of steps) {
      const a = await at(i);
      if (!withinBounds(a)) break;
      if (floor !== undefined) {
        if (a.qps < floor) {
          prev = i;
          continue;
        }
        // The least concurrency reaching the floor: QPS rises with concurrency below the knee.
        if (prev !== undefined && i - prev > 1) await firstHolding(prev, i, async (j) => (await at(j)).qps >= floor && withinBounds(await at(j)));
        break;
      }
      if (best && a.p99Ms >= best.p99Ms * (1 - tol)) break; // p99 stopped improving
      best = a;
    }
  } else {
    let best: { a: Aggregate; i: number } | undefined;
    let beforeBest: number | undefined;
    let stop: { kind: "bound" | "saturated"; i: number } | undefined;
    for (const i of steps) {
      let a = await at(i);
      // A latency bound ends the doubling: make sure it was not one noisy trial.
      if (!withinBounds(a) && a.failed === undefined && a.runs < 2) a = await session.remeasure(a.setting);
      if (!withinBounds(a)) {
        stop = { kind: "bound", i };
        break;
      }
      if (best && a.qps <= best.a.qps * (1 + tol)) {
        // Not better than the best by more than the noise: this would end the doubling, so it is
        // measured again first (and so is the best, when the two are within --tolerance).
        if (a.runs < 2) a = await session.remeasure(a.setting);
        if (Math.abs(a.qps - best.a.qps) < tol * best.a.qps && best.a.runs < 2) best = { a: await session.remeasure(best.a.setting), i: best.i };
        if (!withinBounds(a)) {
          stop = { kind: "bound", i };
          break;
        }
        if (a.qps <= best.a.qps * (1 + tol)) {
          stop = { kind: "saturated", i };
          break;
        }
      }
      beforeBest = best?.i;
      best = { a, i };
    }
    if (best && stop?.kind === "bound" && stop.i - best.i > 1) {
      // The most concurrency still within the latency bounds lies between the two.
      await lastHolding(best.i, stop.i, async (j) => withinBounds(await at(j)));
    } else if (best && stop?.kind === "saturated" && beforeBest !== undefined && best.i - beforeBest > 1) {
      // The knee: the least concurrency within tolerance of the best QPS.
      const target = best.a.qps / (1 + tol);
      await firstHolding(beforeBest, best.i, async (j) => {
        const a = await at(j);
        return withinBounds(a) && a.qps >= target;
      });
    }
  }
  // Choose among this axis's trials (same base, this parameter varied).
  const mine = session.aggregates().filter((a) => sameExcept(a.setting, base, axis.name));
  const pick = pickBest(
    mine.filter((a) => isFeasible(a, spec.constraints)),
    spec.objective,
    tol,
  ) ?? pickBest(mine.filter(withinBounds), spec.objective, tol) ?? closest(mine, spec.constraints);
  return pick ? { ...base, [axis.name]: pick.setting[axis.name]! } : settingAt(0);
}

function sameExcept(s: Setting, base: Setting, name: Tunable): boolean {
  if (s[name] === undefined) return false;
  const keys = new Set([...Object.keys(s), ...Object.keys(base)] as Tunable[]);
  for (const k of keys) if (k !== name && s[k] !== base[k]) return false;
  return true;
}

/**
 * Re-measures (once) the feasible concurrency settings within tolerance of the best, for this
 * build and ef_search (the recall phase's other ef_search values are never cheaper).
 */
async function remeasureNearTies(session: Session, spec: Spec, base: Setting): Promise<void> {
  const fixed: Tunable[] = ["m", "ef_construction", "ef_search"];
  const same = (a: Aggregate) => fixed.every((k) => a.setting[k] === base[k]);
  const feasible = session.aggregates().filter((a) => same(a) && isFeasible(a, spec.constraints));
  const near = nearBest(feasible, spec.objective, spec.tolerance);
  if (near.length < 2) return;
  for (const a of near.filter((x) => x.runs < 2).slice(0, MAX_FINAL_REMEASURES)) await session.remeasure(a.setting);
}
