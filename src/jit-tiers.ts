/**
 * Keeps compile-heavy functions out of JavaScriptCore's top JIT tier (FTL).
 *
 * FTL compiles run on a background thread and cost CPU the benchmark's client pays. For the
 * vector-query reply path they cost about 0.1-0.3 CPU-s per run (BUN_JSC_reportCompileTimes=1:
 * FTL 180 ms, of which the general reply state machine, its helpers and the workload's glue made
 * most), while only a few tight loops run measurably faster in FTL code than in DFG code. So the
 * search modules mark their classes with keepOutOfFtlExcept([...tight loops], ...classes): a
 * 20,000-query run uses about 20% less client CPU, and a 200,000-query run no more than before
 * (README, "Client efficiency"). Call at module load, before the functions get hot.
 */
import { noFTL } from "bun:jsc";

// biome-ignore lint/suspicious/noExplicitAny: any function or class is accepted
type AnyFunction = (...args: any[]) => any;
type Target = AnyFunction | (abstract new (...args: never[]) => unknown);

/** Marks plain functions, and every method (prototype and static) of the given classes. */
export function keepOutOfFtl(...targets: Target[]): void {
  keepOutOfFtlExcept([], ...targets);
}

/** keepOutOfFtl, except the methods named (tight loops that FTL makes faster). */
export function keepOutOfFtlExcept(keep: readonly string[], ...targets: Target[]): void {
  for (const t of targets) {
    noFTL(t as AnyFunction);
    const proto = (t as { prototype?: object }).prototype;
    if (proto === undefined) continue;
    for (const owner of [proto, t]) {
      for (const name of Object.getOwnPropertyNames(owner)) {
        if (name === "constructor" || name === "prototype" || keep.includes(name)) continue;
        const d = Object.getOwnPropertyDescriptor(owner, name);
        if (d === undefined) continue;
        for (const f of [d.value, d.get, d.set]) if (typeof f === "function") noFTL(f as AnyFunction);
      }
    }
  }
}
