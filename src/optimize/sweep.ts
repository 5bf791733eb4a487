/**
 * --sweep: every point of the grid (index builds outermost, so each build is made once), measured
 * with the same trial runner as --optimize, then the same choice (objective, constraints).
 */
import type { OptimizeOptions } from "../config/optimize-values.ts";
import { BUILD_TUNABLES } from "../config/optimize-values.ts";
import { conclude, grid, type SearchOutcome } from "./search.ts";
import { SearchInterrupted, type Session } from "./session.ts";

type Spec = Pick<OptimizeOptions, "objective" | "constraints" | "axes" | "tolerance">;

/**
 * `runClients`: the run's -c. Grid points with more threads than clients are skipped (every
 * thread needs a client: they would run as a point with fewer threads).
 */
export async function sweep(session: Session, spec: Spec, runClients?: number): Promise<SearchOutcome> {
  const builds = spec.axes.filter((a) => BUILD_TUNABLES.includes(a.name));
  const rest = spec.axes.filter((a) => !BUILD_TUNABLES.includes(a.name));
  const notes: string[] = [];
  try {
    const points = grid([...builds, ...rest]);
    const runnable = points.filter((p) => p.threads === undefined || p.threads <= (p.clients ?? runClients ?? Infinity));
    if (runnable.length < points.length) notes.push(`${points.length - runnable.length} grid points with more threads than clients were skipped`);
    for (const setting of runnable) await session.measure(setting, "sweep");
  } catch (e) {
    if (e instanceof SearchInterrupted) {
      notes.push(`interrupted (Ctrl-C) after ${session.trials.length} of ${gridSize(spec.axes)} grid points`);
      return conclude(session, spec, notes, "interrupted");
    }
    throw e;
  }
  return conclude(session, spec, notes);
}

/** Grid points a full sweep over the axes needs. */
export function gridSize(axes: readonly { values: readonly number[] }[]): number {
  return axes.reduce((n, a) => n * a.values.length, 1);
}
