/**
 * The optimizer's text report: every trial in the order run, the builds (--tune-rebuild), the
 * Pareto front, the chosen setting (or the closest one and what it misses) and the command line
 * that reproduces it.
 */
import type { Constraint } from "../config/optimize-values.ts";
import type { OptimizeReport } from "./report-json.ts";
import { describeMiss, describeSetting, violations, type Aggregate } from "./trial.ts";

function num(x: number | undefined, digits: number): string {
  return x === undefined || !Number.isFinite(x) ? "-" : x.toFixed(digits);
}

function table(rows: string[][], rightAligned: boolean[]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  return rows.map((r) =>
    r
      .map((cell, c) => (rightAligned[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join("  ")
      .trimEnd(),
  );
}

function constraintList(cs: readonly Constraint[]): string {
  return cs.length === 0 ? "no constraint" : cs.map((c) => c.text).join(", ");
}

function summary(a: Aggregate, vector: boolean): string {
  const parts: string[] = [];
  if (vector) parts.push(`recall ${num(a.recall, 4)}`);
  const qpsSpread = a.runs > 1 ? ` (${a.runs} runs: ${a.qpsMin.toFixed(0)}..${a.qpsMax.toFixed(0)})` : "";
  const p99Spread = a.runs > 1 ? ` (${a.p99MinMs.toFixed(3)}..${a.p99MaxMs.toFixed(3)})` : "";
  parts.push(`${a.qps.toFixed(1)} requests/s${qpsSpread}`, `p50 ${a.p50Ms.toFixed(3)} ms`, `p99 ${a.p99Ms.toFixed(3)} ms${p99Spread}`, `p99.9 ${a.p999Ms.toFixed(3)} ms`);
  return parts.join(", ");
}

export function formatOptimizeText(r: OptimizeReport, aggregates: readonly Aggregate[], constraints: readonly Constraint[]): string {
  const vector = r.frontAxes === "recall-qps";
  const out: string[] = [];
  const goal = r.mode === "optimize" ? `${r.objective} subject to ${constraintList(constraints)}` : `sweep of ${r.axes.map((a) => a.text).join(" x ")}${constraints.length > 0 ? ` (constraints: ${constraintList(constraints)})` : ""}`;
  out.push(`Optimizer: ${goal}`);
  if (r.mode === "optimize") out.push(`  tuning ${r.axes.map((a) => a.text).join(", ")}; tolerance ${r.tolerance}; at most ${r.maxIterations} trials`);
  out.push(`  test: ${r.test}; each trial: ${r.trialLength}`, "");

  out.push("Trials (in the order run):");
  const rows = [["#", "phase", "setting", ...(vector ? ["recall"] : []), "requests/s", "p50 ms", "p99 ms", "p99.9 ms", "errors", "result"]];
  for (const t of r.trials) {
    const verdict = t.failed !== null ? `FAILED: ${t.failed}` : t.misses.length === 0 ? "meets all" : `misses ${t.misses.join(", ")}`;
    rows.push([
      String(t.index),
      t.phase,
      describeSetting(t.setting),
      ...(vector ? [num(t.recall ?? undefined, 4)] : []),
      t.qps.toFixed(1),
      t.p50Ms.toFixed(3),
      t.p99Ms.toFixed(3),
      t.p999Ms.toFixed(3),
      String(t.errors),
      verdict,
    ]);
  }
  const right = rows[0]!.map((h) => !["phase", "setting", "result"].includes(h));
  out.push(...table(rows, right).map((l) => `  ${l}`));

  if (r.builds.length > 0) {
    out.push("", "Index builds (--tune-rebuild; FT.DROPINDEX + FT.CREATE over the loaded keys until indexed):");
    for (const b of r.builds) {
      const mem = b.indexMemoryBytes === null ? "index memory not reported" : `${(b.indexMemoryBytes / 1e6).toFixed(2)} MB (INFO SEARCH search_used_memory_bytes)`;
      out.push(`  ${describeSetting(b.setting)}: built in ${b.buildSec.toFixed(3)} s, ${b.numDocs} documents, ${mem}`);
    }
  }

  const byKey = new Map(aggregates.map((a) => [a.key, a]));
  out.push("", vector ? "Pareto front (recall vs requests/s; no other setting has both higher):" : "Pareto front (requests/s vs p99; no other setting has more of the one and less of the other):");
  if (r.paretoFront.length === 0) out.push("  (no successful trial)");
  for (const key of r.paretoFront) {
    const a = byKey.get(key);
    if (a) out.push(`  ${describeSetting(a.setting).padEnd(36)} ${summary(a, vector)}`);
  }

  out.push("");
  for (const n of r.notes) out.push(`Note: ${n}`);
  if (r.chosen) {
    const a = byKey.get(r.chosen.key)!;
    out.push(`Chosen: ${describeSetting(a.setting)}`, `  ${summary(a, vector)}`);
    if (constraints.length > 0) out.push(`  meets ${constraintList(constraints)}`);
  } else if (r.closest) {
    const a = byKey.get(r.closest.key)!;
    out.push(`No configuration met ${constraintList(constraints)}.`);
    out.push(`Closest: ${describeSetting(a.setting)}`, `  ${summary(a, vector)}`);
    out.push(`  misses ${violations(a, constraints).map((c) => describeMiss(a, c)).join("; ")}`);
  } else {
    out.push("No configuration could be measured (every trial failed).");
  }
  if (r.reproduce) out.push(`${r.chosen ? "Reproduce" : "Reproduce the closest"}: ${r.reproduce}`);
  out.push("", `${r.trials.length} trials in ${r.wallSec.toFixed(1)} s; a full grid over the same values is ${r.gridPoints} points.`);
  return out.join("\n") + "\n";
}
