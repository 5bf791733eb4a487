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

// Read by the HTML report too, which sits below results/: the definition lives in report/.
export { recallOf, type RecallOfTest } from "../report/test-recall.ts";
