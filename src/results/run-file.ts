/**
 * Reading JSON reports back (`compare`, `merge`, `report`): a file that is missing, is not JSON,
 * or is not one of our reports is a one-line UserError naming the file.
 */
import { readFileSync } from "node:fs";
import { UserError } from "../errors.ts";
import type { JsonReport, JsonTestReport } from "../report/json.ts";

export interface RunFile {
  path: string;
  report: JsonReport;
}

export function loadRunFile(path: string): RunFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`cannot read ${path}: ${code === "ENOENT" ? "no such file" : (e as Error).message}`);
  }
  let report: unknown;
  try {
    report = JSON.parse(text);
  } catch {
    throw new UserError(`${path} is not JSON; give a report written with -o FILE.json or --output-format json`);
  }
  const r = report as Partial<JsonReport>;
  if (r === null || typeof r !== "object" || r.tool !== "valkey-search-benchmark" || !Array.isArray(r.tests)) {
    throw new UserError(`${path} is not a valkey-search-benchmark JSON report (no "tool" and "tests" fields)`);
  }
  return { path, report: r as JsonReport };
}

/** The dataset a run used (its file name), or undefined for key-value runs. */
export function datasetOf(report: JsonReport): string | undefined {
  const search = (report.config as unknown as { search?: { datasetPath?: string; dataPath?: string } }).search;
  const path = search?.datasetPath ?? search?.dataPath;
  return path === undefined ? undefined : path.replace(/^.*[\\/]/, "");
}

/** Recall summary of a vector-query test (schema 2's `recall`, or schema 1's vec-query extra). */
export interface RecallOfTest {
  k: number;
  mean: number;
  queries: number;
  min?: number;
  p1?: number;
  p5?: number;
  p50?: number;
  max?: number;
}

export function recallOf(t: JsonTestReport): RecallOfTest | undefined {
  const candidates: unknown[] = [(t as unknown as { recall?: unknown }).recall, t.extra?.["vec-query"]];
  const mix = t.extra?.mix as { parts?: { kind: string; extra?: unknown }[] } | undefined;
  for (const part of mix?.parts ?? []) if (part.kind === "vec-query") candidates.push(part.extra);
  for (const c of candidates) {
    const r = c as Partial<RecallOfTest> | null | undefined;
    if (r && typeof r.mean === "number" && typeof r.queries === "number" && r.queries > 0) {
      return { k: r.k ?? 0, mean: r.mean, queries: r.queries, min: r.min, p1: r.p1, p5: r.p5, p50: r.p50, max: r.max };
    }
  }
  return undefined;
}
