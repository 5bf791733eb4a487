/**
 * Runs trials through the engine's public run API (planRun + Orchestrator), one fresh set of
 * workers per trial because clients, pipeline and threads are fixed when workers start. Every
 * trial queries the same loaded index: nothing is reloaded between trials. With --tune-rebuild,
 * a trial whose m / ef_construction differ from the index's drops and re-creates the index over
 * the keys already loaded first (the server re-indexes them) and records the build.
 */
import pkg from "../../package.json" with { type: "json" };
import type { Deployment } from "../cluster/discovery.ts";
import type { BenchConfig } from "../config/types.ts";
import { Orchestrator } from "../engine/orchestrator.ts";
import type { PlanLog, PlannedTest, WorkloadCatalog } from "../engine/workload-api.ts";
import { planTests, reportOf } from "../engine/workload-catalog.ts";
import { UserError } from "../errors.ts";
import type { TestResult } from "../metrics/types.ts";
import { ConnectionError } from "../net/errors.ts";
import { buildJsonReport, type JsonTestReport } from "../report/json.ts";
import { latencyStats } from "../report/latency-stats.ts";
import { formatErrorTypes } from "../report/text.ts";
import { IndexManager, SILENT_LOG } from "../search/index-manager.ts";
import { recallOf } from "./recall-of.ts";
import type { Phase, TrialOutcome } from "./session.ts";
import { loadConfig, trialConfig } from "./trial-config.ts";
import { describeSetting, type Measurement, type Setting } from "./trial.ts";

/** One index build of --tune-rebuild. */
export interface BuildRecord {
  setting: Setting;
  /** Seconds from FT.DROPINDEX until every primary reported the re-created index ready. */
  buildSec: number;
  numDocs: number;
  /** INFO SEARCH search_used_memory_bytes summed over the primaries, after the build. */
  indexMemoryBytes?: number;
  /** The trial that needed it. */
  beforeTrial: number;
}

function buildKey(s: Setting): string {
  return `m=${s.m ?? ""} efc=${s.ef_construction ?? ""}`;
}

export class EngineTrials {
  readonly builds: BuildRecord[] = [];
  /** vec-load's result when -t had one (run once before the trials). */
  load?: JsonTestReport;
  private currentBuild: string;
  private active?: Orchestrator;
  private stop = false;
  /** Planning repeats the same setup lines every trial: they are shown for the first plan only. */
  private planLog: PlanLog;

  constructor(
    private readonly config: BenchConfig,
    private readonly deployment: Deployment,
    private readonly catalog: WorkloadCatalog,
    private readonly log: PlanLog,
    private readonly numQueries: number | undefined,
    private readonly rebuilds: boolean,
  ) {
    this.currentBuild = buildKey({});
    this.planLog = log;
  }

  /** Ctrl-C: the running trial ends after its in-flight replies. */
  interrupt(): void {
    this.stop = true;
    this.active?.interrupt();
  }

  /** -t vec-load,...: loads the vectors once, with the run's own flags. */
  async loadOnce(): Promise<void> {
    const config = loadConfig(this.config);
    const { result, tests } = await this.runOnce(config);
    if (result.errors > 0 || result.completed < result.issued) throw new UserError(`vec-load before the trials failed: ${result.errors} errors (${formatErrorTypes(result.errorsByType)})`);
    this.load = this.toJson(config, result, tests);
    result.latencyUs.destroy();
  }

  readonly run = async (setting: Setting, _phase: Phase, index: number): Promise<TrialOutcome> => {
    const config = trialConfig(this.config, setting, this.numQueries);
    if (this.rebuilds && buildKey(setting) !== this.currentBuild) await this.rebuild(setting, index);
    let ran: { result: TestResult; problems: string[]; lost: number; tests: PlannedTest[] };
    try {
      ran = await this.runOnce(config);
    } catch (e) {
      // The first trial's bad input (an ef_search the platform refuses...) is the user's to fix:
      // named with the trial's setting, since the flag it mentions may not be on the command line.
      if (index === 1 && e instanceof UserError) throw new UserError(`first trial (${describeSetting(setting)}): ${e.message}`);
      if (e instanceof UserError || e instanceof ConnectionError) return { measurement: failedMeasurement(e.message) };
      throw e;
    }
    const { result, problems, lost, tests } = ran;
    try {
      const measurement = measure(result, config.tests.includes("vec-query"), problems, lost, this.stop);
      return { measurement, detail: this.toJson(config, result, tests) };
    } finally {
      result.latencyUs.destroy();
    }
  };

  private async runOnce(config: BenchConfig): Promise<{ result: TestResult; problems: string[]; lost: number; tests: PlannedTest[] }> {
    const tests = await planTests(this.catalog, config, this.deployment, this.planLog);
    this.planLog = SILENT_LOG;
    const orchestrator = new Orchestrator(config, this.deployment, tests, this.catalog);
    this.active = orchestrator;
    try {
      await orchestrator.connect();
      const problems: string[] = [];
      const outcome = await orchestrator.runAll({ onResult: (_r, p) => problems.push(...p) });
      const result = outcome.results[outcome.results.length - 1];
      if (!result) throw new UserError("the trial ran no test");
      return { result, problems, lost: outcome.unsent + outcome.lostConnections, tests };
    } finally {
      this.active = undefined;
      orchestrator.close();
    }
  }

  /** FT.DROPINDEX (keys stay), FT.CREATE with the build's parameters, wait until indexed. */
  private async rebuild(setting: Setting, index: number): Promise<void> {
    const config = { ...trialConfig(this.config, setting, this.numQueries) };
    config.search = { ...config.search, dropIndex: true };
    // Silent: the planner's own lines would name --dropindex, which the user did not give.
    const tests = await planTests(this.catalog, config, this.deployment, SILENT_LOG);
    const query = tests.find((t) => t.workload.kind === "vec-query");
    const t0 = performance.now();
    await query?.before?.();
    const buildSec = (performance.now() - t0) / 1000;
    const manager = new IndexManager(this.deployment, config.connection);
    const infos = await manager.onPrimaries(async (c) => ({ info: await IndexManager.info(c, config.search.indexName), search: await c.call(["INFO", "SEARCH"]) }));
    const record: BuildRecord = {
      setting: { ...(setting.m !== undefined ? { m: setting.m } : {}), ...(setting.ef_construction !== undefined ? { ef_construction: setting.ef_construction } : {}) },
      buildSec,
      numDocs: infos.reduce((n, i) => n + (i.info?.numDocs ?? 0), 0),
      beforeTrial: index,
    };
    const memory = infos.map((i) => searchMemory(i.search));
    if (memory.every((m) => m !== undefined)) record.indexMemoryBytes = memory.reduce((a, b) => a! + b!, 0);
    this.builds.push(record);
    this.currentBuild = buildKey(setting);
    this.log.info(`build ${describeSetting(record.setting)}: index re-created in ${buildSec.toFixed(2)} s, ${record.numDocs} documents${record.indexMemoryBytes !== undefined ? `, ${(record.indexMemoryBytes / 1e6).toFixed(1)} MB` : ""}`);
  }

  /** The result as a normal report's tests[] entry (with the workload's fields: recall...). */
  private toJson(config: BenchConfig, result: TestResult, tests: readonly PlannedTest[]): JsonTestReport {
    const now = new Date();
    const { testFields } = reportOf(this.catalog, tests);
    const report = buildJsonReport(config, [result], { version: pkg.version, startedAt: now, finishedAt: now, servers: [], ...(testFields ? { testFields } : {}) });
    return report.tests[0]!;
  }
}

/** `search_used_memory_bytes:123` from an INFO SEARCH reply. */
function searchMemory(reply: unknown): number | undefined {
  const text = typeof reply === "string" ? reply : reply instanceof Uint8Array ? new TextDecoder().decode(reply) : "";
  const m = /^search_used_memory_bytes:(\d+)/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

function failedMeasurement(reason: string): Measurement {
  return { qps: 0, p50Ms: 0, p99Ms: 0, p999Ms: 0, errors: 0, failed: reason };
}

/** The trial's numbers, and why it cannot be chosen if anything went wrong. */
export function measure(result: TestResult, vector: boolean, problems: string[], lost: number, interrupted: boolean): Measurement {
  const s = latencyStats(result.latencyUs);
  const m: Measurement = {
    qps: result.throughput,
    p50Ms: s.p50 / 1000,
    p99Ms: s.p99 / 1000,
    p999Ms: s.p99_9 / 1000,
    errors: result.errors,
  };
  const recall = vector ? recallOf(result) : undefined;
  if (recall !== undefined && "mean" in recall) m.recall = recall.mean;
  if (interrupted) m.failed = "interrupted";
  else if (result.errors > 0) m.failed = `${result.errors} of ${result.issued} requests failed (${formatErrorTypes(result.errorsByType)})`;
  else if (lost > 0) m.failed = `connections lost: ${problems[0] ?? `${lost} requests unsent`}`;
  else if (result.completed === 0) m.failed = "no reply";
  else if (recall !== undefined && "missing" in recall) m.failed = recall.missing;
  return m;
}
