/**
 * --sweep: every point of the grid (index builds outermost, so each build is made once), measured
 * with the same trial runner as --optimize, then the same choice (objective, constraints).
 */
import type { OptimizeOptions } from "../config/optimize-values.ts";
import { BUILD_TUNABLES } from "../config/optimize-values.ts";
import { conclude, grid, type SearchOutcome } from "./search.ts";
import { SearchInterrupted, type Session } from "./session.ts";

type Spec = Pick<OptimizeOptions, "objective" | "constraints" | "axes" | "tolerance">;

export async function sweep(session: Session, spec: Spec): Promise<SearchOutcome> {
  const builds = spec.axes.filter((a) => BUILD_TUNABLES.includes(a.name));
  const rest = spec.axes.filter((a) => !BUILD_TUNABLES.includes(a.name));
  const notes: string[] = [];
  try {
    for (const setting of grid([...builds, ...rest])) await session.measure(setting, "sweep");
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
