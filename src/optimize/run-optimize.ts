/**
 * Wires --optimize / --sweep together: discover the deployment, load the vectors once if -t has
 * vec-load, run the search (search.ts) or the grid (sweep.ts) with trials on the engine
 * (engine-trials.ts), then print the report (text on stdout, or the JSON document) and decide
 * the exit code: 0 when a setting meets every constraint, 1 when none does (the closest one is
 * reported) or nothing could be measured, 130 after Ctrl-C.
 */
import pkg from "../../package.json" with { type: "json" };
import { discoverDeployment, type Deployment } from "../cluster/discovery.ts";
import { selectNodes } from "../cluster/read-from.ts";
import type { OptimizeOptions } from "../config/optimize-values.ts";
import { UserError } from "../errors.ts";
import type { BenchConfig } from "../config/types.ts";
import type { Io } from "../run-benchmark.ts";
import type { PlanLog, WorkloadCatalog } from "../engine/workload-api.ts";
import { datasetFacts } from "../search/plan.ts";
import { reproduceCommand } from "./command-line.ts";
import { EngineTrials } from "./engine-trials.ts";
import { paretoFront } from "./pareto.ts";
import { buildOptimizeReport, type OptimizeReport } from "./report-json.ts";
import { formatOptimizeText } from "./report-text.ts";
import { optimize, type SearchOutcome } from "./search.ts";
import { Session, type TrialRecord } from "./session.ts";
import { gridSize, sweep } from "./sweep.ts";
import { trialConfig } from "./trial-config.ts";
import { describeSetting, violations, type Aggregate } from "./trial.ts";

function trialLine(t: TrialRecord, vector: boolean, options: OptimizeOptions): string {
  const m = t.measurement;
  const head = `trial ${t.index} (${t.phase}) ${describeSetting(t.setting)}: `;
  if (m.failed !== undefined) return `${head}FAILED: ${m.failed}`;
  const single: Aggregate = { ...m, key: "", setting: t.setting, runs: 1, qpsMin: m.qps, qpsMax: m.qps, p99MinMs: m.p99Ms, p99MaxMs: m.p99Ms };
  const misses = violations(single, options.constraints).map((c) => c.text);
  const recall = vector ? `recall ${m.recall?.toFixed(4) ?? "-"}, ` : "";
  return `${head}${recall}${m.qps.toFixed(1)} requests/s, p99 ${m.p99Ms.toFixed(3)} ms${misses.length > 0 ? `; misses ${misses.join(", ")}` : ""}`;
}

function describeTrialLength(c: BenchConfig, numQueries: number | undefined): string {
  const length = c.durationSec !== undefined ? `${c.durationSec} s` : `${c.requests} requests${numQueries ? ` (${c.requests / numQueries} pass${c.requests === numQueries ? "" : "es"} over ${numQueries} queries)` : ""}`;
  const w = c.warmup;
  return `${length}, warmup ${w ? (w.kind === "seconds" ? `${w.seconds} s` : `${w.requests} requests`) : "none"}`;
}

/**
 * Every node serving the test needs a connection of its own: client counts below the number of
 * nodes cannot run there, so they leave the clients range (refused when nothing is left).
 */
function fitClientsToNodes(options: OptimizeOptions, deployment: Deployment, config: BenchConfig, io: Io): OptimizeOptions {
  const nodes = Math.max(selectNodes(deployment.nodes, true, config.cluster).length, selectNodes(deployment.nodes, false, config.cluster).length);
  const axis = options.axes.find((a) => a.name === "clients");
  if (!axis || nodes <= 1 || axis.values[0]! >= nodes) return options;
  const values = axis.values.filter((v) => v >= nodes);
  if (values.length === 0) throw new UserError(`${axis.text}: the test runs on ${nodes} nodes and needs at least one client each; tune clients from ${nodes}`);
  if (!config.quiet) io.log.info(`clients below ${nodes} left out of ${axis.text}: each of the ${nodes} nodes serving the test needs a connection`);
  return { ...options, axes: options.axes.map((a) => (a === axis ? { ...a, values } : a)) };
}

export async function runOptimize(config: BenchConfig, argv: readonly string[], io: Io, catalog: WorkloadCatalog): Promise<number> {
  const startedAt = new Date();
  const deployment = await discoverDeployment(config);
  const options = fitClientsToNodes(config.optimize!, deployment, config, io);
  const vector = config.tests.includes("vec-query");
  const numQueries = vector ? datasetFacts(config, true, false).numQueries : undefined;
  const log: PlanLog = { info: (l) => (config.quiet ? undefined : io.log.info(l)), warn: (l) => io.log.warn(l), progress: () => {}, clearProgress: () => {} };
  const engine = new EngineTrials(config, deployment, catalog, log, numQueries, options.rebuild);
  const session = new Session(engine.run, {
    maxTrials: options.mode === "sweep" ? Number.POSITIVE_INFINITY : options.maxIterations,
    constraints: options.constraints,
    onTrial: (t) => {
      if (!config.quiet) io.log.info(trialLine(t, vector, options));
    },
  });
  let interrupts = 0;
  const onSigint = () => {
    if (++interrupts > 1) process.exit(130);
    io.log.warn("interrupted: finishing the running trial, then reporting (Ctrl-C again to quit now)");
    session.interrupted = true;
    engine.interrupt();
  };
  process.on("SIGINT", onSigint);
  let outcome: SearchOutcome;
  try {
    if (config.tests.includes("vec-load")) await engine.loadOnce();
    outcome = options.mode === "sweep" ? await sweep(session, options, config.clients) : await optimize(session, options, { clients: config.clients, pipeline: config.pipeline, threads: config.threads });
  } finally {
    process.off("SIGINT", onSigint);
  }
  const aggregates = session.aggregates();
  const frontAxes = vector ? "recall-qps" : "qps-p99";
  const pick = outcome.chosen ?? outcome.closest;
  const tuned = new Set<string>(options.axes.map((a) => a.name));
  const first = session.trials.find((t) => t.detail !== undefined)?.detail as { title?: string } | undefined;
  const base = trialConfig(config, {}, numQueries);
  const report: OptimizeReport = buildOptimizeReport({
    options,
    config,
    version: pkg.version,
    startedAt,
    finishedAt: new Date(),
    // The test's title without the first trial's ef (every trial has its own).
    test: first?.title?.replace(/, ef=\d+/, "") ?? (config.command ? (config.commandTitle ?? config.command.join(" ")) : config.tests.filter((t) => t !== "vec-load").join(",")),
    trialLength: describeTrialLength(base, numQueries),
    gridPoints: gridSize(options.axes),
    trials: session.trials,
    aggregates,
    outcome,
    builds: engine.builds,
    ...(engine.load ? { load: engine.load } : {}),
    frontAxes,
    front: paretoFront(aggregates, frontAxes),
    ...(pick ? { reproduce: reproduceCommand(argv, trialConfig(config, pick.setting, numQueries), tuned, options.rebuild) } : {}),
  });
  const json = JSON.stringify(report, null, 2) + "\n";
  const text = formatOptimizeText(report, aggregates, options.constraints);
  const jsonToStdout = config.outputFormat === "json" && !config.outputFile;
  // Bun.write awaits the whole document: a large one piped to another program is not cut short.
  await Bun.write(Bun.stdout, jsonToStdout ? json : text);
  if (config.outputFile) await Bun.write(config.outputFile, config.outputFormat === "json" ? json : text);
  if (outcome.stopped === "interrupted") return 130;
  if (outcome.chosen) return 0;
  io.log.error(
    outcome.closest
      ? `no configuration meets ${options.constraints.map((c) => c.text).join(", ")}; closest: ${describeSetting(outcome.closest.setting)} (see the report)`
      : "no trial could be measured; see the failed trials in the report",
  );
  return 1;
}
