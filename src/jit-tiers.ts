/**
 * How our code moves through JavaScriptCore's JIT tiers, where that costs the client CPU.
 *
 * JIT compiles run on a background thread and cost CPU the benchmark's client pays, at the
 * start of every run:
 * - Start-up code runs once (option schemas, planning, set-up), yet the normal tier-up
 *   thresholds compile much of it. The executable starts with the thresholds raised
 *   (scripts/build.ts, `jitPolicy`); `normalJitPolicy()` restores them when a test starts, in
 *   each thread, so the request path tiers up as usual.
 * - FTL, the top tier, compiles slowly: for the vector-query reply path about 150-200 ms of CPU
 *   per run (BUN_JSC_reportCompileTimes=1: the reply scanner 73 ms, recall 42 ms, ranking 30 ms),
 *   while the DFG code it replaces is fast enough that a 200,000-query run costs the same
 *   either way. So the search modules keep their classes out of FTL with keepOutOfFtl(): a
 *   20,000-query run uses about 10-20% less client CPU (README, "Client efficiency"). The
 *   key-value path keeps FTL: its scanner is twice as fast there and its runs are long.
 */
import { noFTL } from "bun:jsc";

// biome-ignore lint/suspicious/noExplicitAny: any function or class is accepted
type AnyFunction = (...args: any[]) => any;
type Target = AnyFunction | (abstract new (...args: never[]) => unknown);

/** Marks plain functions, and every method (prototype and static) of the given classes. Call at module load. */
export function keepOutOfFtl(...targets: Target[]): void {
  for (const t of targets) {
    noFTL(t as AnyFunction);
    const proto = (t as { prototype?: object }).prototype;
    if (proto === undefined) continue;
    for (const owner of [proto, t]) {
      for (const name of Object.getOwnPropertyNames(owner)) {
        if (name === "constructor" || name === "prototype") continue;
        const d = Object.getOwnPropertyDescriptor(owner, name);
        if (d === undefined) continue;
        for (const f of [d.value, d.get, d.set]) if (typeof f === "function") noFTL(f as AnyFunction);
      }
    }
  }
}

/** The normal JIT tier-up thresholds for this thread, from now on (see the top of this file). */
export function normalJitPolicy(): void {
  Bun.unsafe.setJITPolicy(1);
}
