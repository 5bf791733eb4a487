/**
 * Wires one benchmark run together: discover the deployment, read the server settings, open
 * the connections, run the tests with a progress line, print each test's report in the chosen
 * format, write the -o file, and decide the exit code. Returns the exit code.
 */
import type { ConsolaInstance } from "consola";
import pkg from "../package.json" with { type: "json" };
import { discoverDeployment, resolveAll, type Deployment } from "./cluster/discovery.ts";
import { recognizeEndpoint } from "./cluster/endpoints.ts";
import type { BenchConfig } from "./config/types.ts";
import { runExitCleanup } from "./engine/exit-cleanup.ts";
import { Orchestrator, type RunOutcome } from "./engine/orchestrator.ts";
import { RuntimeConfig } from "./engine/runtime-config.ts";
import type { PlanLog, WorkloadCatalog } from "./engine/workload-api.ts";
import { planTests, reportOf } from "./engine/workload-catalog.ts";
import { firstUnreachable, serverSettings } from "./engine/server-info.ts";
import { LOST_REQUEST_TYPES, lostRequests, type TestResult } from "./metrics/types.ts";
import { consoleMode, createConsoleReporter } from "./report/console.ts";
import { formatJsonReport } from "./report/json.ts";
import { formatHdrLog } from "./report/hdr-log.ts";
import { passBarrier, waitUntil } from "./engine/start-gate.ts";
import { formatNodeTable } from "./report/nodes.ts";
import { formatServerMetrics } from "./report/server-metrics.ts";
import { formatServerTimeline } from "./report/server-timeline.ts";
import { formatSnapshotComparison } from "./report/snapshot-comparison.ts";
import { formatTrackedMetrics, joinCsvColumns, trackedCsvColumns } from "./report/tracked-metrics.ts";
import { openServerMetrics, type ServerMetricsSession } from "./server-metrics-session.ts";
import { ReportDocument, ReportFile } from "./report/report-file.ts";
import { exitWhenFlushed } from "./stdio.ts";
import { exitCodeFor, onStopSignals, type StopSignal } from "./stop-signals.ts";
import type { ProgressStream } from "./report/progress.ts";
import { formatErrorTypes } from "./report/text.ts";

export interface Io {
  /** Diagnostics (stderr), one line each: see src/log.ts. */
  log: ConsolaInstance;
  /** Reports (stdout). */
  stdout: ProgressStream;
}

/** What was detected, for stderr (stdout stays in valkey-benchmark's format). */
async function banner(config: BenchConfig, d: Deployment): Promise<string[]> {
  const lines = [`valkey-search-benchmark ${pkg.version}: ${d.description}`];
  const seed = config.connection.endpoints[0];
  if (seed && !config.connection.socketPath) {
    const addresses = await resolveAll(seed.host);
    if (addresses.length > 0) lines.push(`  ${seed.host} resolves to ${addresses.join(", ")}`);
    const e = recognizeEndpoint(seed.host);
    if (e.kind !== "generic") {
      lines.push(`  endpoint: ${e.kind}${e.region ? ` in ${e.region}` : ""}${e.clusterName ? ` (${e.clusterName})` : ""}`);
      if (e.tlsLikely && !config.connection.tls) lines.push("  note: this endpoint usually requires TLS; add --tls if connections fail");
    }
  }
  return lines;
}

/** Setup lines of planning (vector search) on stderr; the progress line only on a terminal. */
function planLog(io: Io, quiet: boolean): PlanLog {
  const tty = process.stderr.isTTY === true;
  let shown = false;
  return {
    info(line) {
      if (!quiet) io.log.info(line);
    },
    warn(line) {
      io.log.warn(line);
    },
    progress(line) {
      if (!tty || quiet) return;
      process.stderr.write(`\r\x1b[K${line}`);
      shown = true;
    },
    clearProgress() {
      if (shown) process.stderr.write("\r\x1b[K");
      shown = false;
    },
  };
}

export async function runBenchmark(config: BenchConfig, io: Io, catalog: WorkloadCatalog): Promise<number> {
  const startedAt = new Date();
  const deployment = await discoverDeployment(config);
  // --runtime-config goes on before anything else touches the servers and comes off on every
  // way out: the finally below, and a stop signal through engine/exit-cleanup.ts. Until the run
  // installs its own signal handling (after planning), a signal quits after that cleanup: the
  // default action would kill the process with the settings still applied.
  const quitBeforeRun = (signal: StopSignal) => void runExitCleanup().then(() => exitWhenFlushed(exitCodeFor(signal)));
  let beforeRunHandlers: (() => void) | undefined = config.runtimeConfig ? onStopSignals(quitBeforeRun, quitBeforeRun) : undefined;
  const handOver = () => {
    beforeRunHandlers?.();
    beforeRunHandlers = undefined;
  };
  try {
    const runtime = config.runtimeConfig ? await RuntimeConfig.apply(config.connection, deployment.nodes, config.runtimeConfig.settings, (m) => io.log.warn(m)) : undefined;
    try {
      if (runtime && config.verbose) io.log.info(`runtime config: ${runtime.describe()}`);
      return await runWithDeployment(config, io, catalog, deployment, startedAt, handOver);
    } finally {
      if (runtime) {
        // The run's own handlers are gone by now: a signal during the restore waits for this
        // same restore (exit-cleanup.ts), then quits.
        handOver();
        beforeRunHandlers = onStopSignals(quitBeforeRun, quitBeforeRun);
        await runtime.restore();
      }
    }
  } finally {
    handOver();
  }
}

async function runWithDeployment(config: BenchConfig, io: Io, catalog: WorkloadCatalog, deployment: Deployment, startedAt: Date, handOver: () => void): Promise<number> {
  const servers = await serverSettings(config, deployment.nodes);
  const cluster = deployment.mode === "cluster";
  const jsonToStdout = config.outputFormat === "json" && !config.outputFile;
  const mode = consoleMode(config);
  if (config.verbose || (mode === "text" && !jsonToStdout && (cluster || deployment.nodes.length > 1))) for (const l of await banner(config, deployment)) io.log.info(l);
  const tests = await planTests(catalog, config, deployment, planLog(io, config.quiet));
  const workloadReport = reportOf(catalog, tests);
  const csvExtraColumns = joinCsvColumns(workloadReport.csvExtraColumns, trackedCsvColumns(config.trackMetrics.map((d) => d.spec)));
  const report = { ...workloadReport, ...(csvExtraColumns ? { csvExtraColumns } : {}) };
  const orchestrator = new Orchestrator(config, deployment, tests, catalog);
  let stopSignal: StopSignal | undefined;
  // A second signal quits now, but only after the shared cleanup (--runtime-config restore).
  const quitNow = (signal: StopSignal) => void runExitCleanup().then(() => exitWhenFlushed(exitCodeFor(signal)));
  const stopHandlers = onStopSignals((signal) => {
    stopSignal = signal;
    if (config.idle) return quitNow(signal);
    io.log.warn(`interrupted by ${signal}: finishing in-flight requests (${signal === "SIGINT" ? "Ctrl-C" : "the signal"} again to quit now)`);
    orchestrator.interrupt();
  }, quitNow);
  handOver();
  const meta0 = { version: pkg.version, startedAt, servers };
  const reportFile = config.outputFile ? new ReportFile(config.outputFile, { format: config.outputFormat, config, meta: meta0, cluster, ...report }) : undefined;
  let metrics: ServerMetricsSession | undefined;
  try {
    await orchestrator.connect();
    for (const w of orchestrator.warnings) io.log.warn(w);
    await startGates(config, deployment, io);
    if (config.idle) {
      io.stdout.write(`Creating ${config.clients} idle connections and waiting forever (Ctrl+C when done)\n`);
      await new Promise(() => {});
    }
    // `--output-format json` without -o prints only the JSON document on stdout.
    const silent: ProgressStream = { write: () => true, isTTY: false };
    const stream = jsonToStdout ? silent : io.stdout;
    const reporter = createConsoleReporter({ mode, stream, servers, cluster, ...report });
    const allProblems: string[] = [];
    const failedChecks: string[] = [];
    // Server metrics in text only where the per-node table is printed (or when asked for):
    // a single server's report stays valkey-benchmark's layout, line for line.
    const metricsInText = mode === "text" && !jsonToStdout && (config.serverMetrics === "on" || (config.serverMetrics === "auto" && (cluster || deployment.nodes.length > 1)));
    const extrasAsked = config.trackMetrics.length > 0 || config.metricsIntervalSec !== undefined || config.metricsSnapshotFile !== undefined || config.compareSnapshotFile !== undefined;
    const metricsWanted = config.serverMetrics !== "off" && (metricsInText || config.outputFormat === "json" || config.outputFormat === "html" || extrasAsked);
    const textBlocks = mode === "text" && !jsonToStdout;
    metrics = metricsWanted
      ? await openServerMetrics(config, deployment, {
          warn: (m) => io.log.warn(m),
          servingNodes: (t) => orchestrator.nodesFor(t).map((n) => n.address),
          testCommands: (t) => catalog.commandNames(t.workload),
          ftIndex: tests.some((t) => t.workload.kind !== "kv") ? config.search.indexName : undefined,
        })
      : undefined;
    reporter.runStarted();
    reportFile?.write("running");
    const stdoutJson = jsonToStdout ? new ReportDocument({ format: "json", config, meta: meta0, cluster, ...report }) : undefined;
    const outcome = await orchestrator.runAll({
      onProgress: (s) => reporter.progress.update(s),
      onTestEnd: () => reporter.progress.clear(),
      ...(metrics?.hooks ?? {}),
      onResult(r, problems) {
        // Rendered and written now: the file keeps every finished test whatever happens next.
        stdoutJson?.add(r, stopSignal !== undefined);
        if (reportFile) {
          reportFile.document.add(r, stopSignal !== undefined);
          reportFile.write("running");
        }
        allProblems.push(...problems);
        for (const p of problems) io.log.warn(`${r.title}: ${p}`);
        reporter.testFinished(r);
        if (mode === "text") stream.write(formatNodeTable(r, config.cluster.imbalanceThresholdPct));
        if (metricsInText) stream.write(formatServerMetrics(r));
        if (textBlocks) stream.write(formatTrackedMetrics(r) + formatServerTimeline(r, config.cluster.imbalanceThresholdPct));
        if (r.errors > 0) io.log.warn(`${r.title}: ${r.errors} of ${r.issued} requests failed (${formatErrorTypes(r.errorsByType)})`);
        failedChecks.push(...(report.failures?.(r) ?? []));
      },
    });
    reporter.runFinished();
    const comparison = await metrics?.finish(outcome.results, pkg.version);
    if (comparison) {
      if (textBlocks) stream.write(formatSnapshotComparison(comparison));
      stdoutJson?.setSnapshotComparison(comparison);
      reportFile?.document.setSnapshotComparison(comparison);
    }
    const status = outcome.interrupted ? "interrupted" : "complete";
    const reason = stopSignal && `stopped by ${stopSignal}`;
    if (stdoutJson) io.stdout.write(formatJsonReport(stdoutJson.json(status)) + "\n");
    reportFile?.write(status, reason);
    if (config.hdrLogFile) await Bun.write(config.hdrLogFile, formatHdrLog(outcome.results, startedAt.getTime(), pkg.version));
    for (const f of failedChecks) io.log.error(f);
    // A timed test that sent nothing: say why when a server cannot be reached now.
    const unreachable = outcome.emptyTimedTests.length > 0 && !outcome.interrupted ? await firstUnreachable(config, deployment.nodes) : undefined;
    let code = exitCode(outcome, allProblems, io, config, unreachable);
    if (code === 0 && failedChecks.length > 0) code = 1;
    return outcome.interrupted ? exitCodeFor(stopSignal ?? "SIGINT") : code;
  } catch (error) {
    // Keep what finished, marked as failed, then report the error as usual.
    try {
      reportFile?.write("failed", (error as Error)?.message);
    } catch {}
    throw error;
  } finally {
    stopHandlers();
    metrics?.close();
    orchestrator.close();
  }
}

/** --barrier, then --start-at: every shard connected before the first test starts. */
async function startGates(config: BenchConfig, deployment: Deployment, io: Io): Promise<void> {
  const b = config.barrier;
  if (b) {
    await passBarrier(config.connection, deployment, b.name, b.count, b.timeoutSec * 1000, (arrived) => {
      if (!config.quiet) io.log.info(`--barrier ${b.name}: ${arrived} of ${b.count} processes here; waiting for the others`);
    });
  }
  if (config.startAtMs !== undefined) {
    await waitUntil(config.startAtMs, (ms) => {
      if (!config.quiet) io.log.info(`--start-at: waiting ${(ms / 1000).toFixed(1)} s until ${new Date(config.startAtMs!).toISOString()}`);
    });
  }
}

/**
 * 0 = every request answered; 1 = a test had no successful reply, requests were lost (or, with
 * --max-errors, a test had more errors than it allows), or requests were never sent.
 */
function exitCode(outcome: RunOutcome, problems: string[], io: Io, config: BenchConfig, unreachable?: string): number {
  const { results, unsent, interrupted, lostConnections, emptyTimedTests } = outcome;
  let code = 0;
  for (const r of results) {
    if (r.issued > 0 && r.completed === 0) {
      io.log.error(`every request of ${r.title} failed (${formatErrorTypes(r.errorsByType)}); the numbers above measure errors, not the command`);
      code = 1;
      continue;
    }
    const budget = config.maxErrors;
    if (budget) {
      const allowed = budget.kind === "count" ? budget.count : Math.floor((budget.percent / 100) * r.issued);
      if (r.errors > allowed) {
        io.log.error(`${r.title}: ${r.errors} of ${r.issued} requests failed (${formatErrorTypes(r.errorsByType)}), more than --max-errors allows (${allowed})`);
        code = 1;
      }
      continue;
    }
    const lost = lostRequests(r);
    if (lost > 0) {
      const types = formatErrorTypes(Object.fromEntries(LOST_REQUEST_TYPES.map((t) => [t, r.errorsByType[t] ?? 0])));
      io.log.error(`${r.title}: ${lost} requests got no reply (${types}); to accept a bounded number (failover tests), use --max-errors N or P%`);
      code = 1;
    }
  }
  if (unsent > 0) {
    io.log.error(`${unsent} requests were never sent because connections were lost: ${problems[0] ?? "run with -v for details"}`);
    code = 1;
  }
  if (unsent === 0 && lostConnections > 0) {
    const why = problems[0] ?? "run with -v for details";
    if (config.durationSec !== undefined) {
      // A timed test goes on only while connections are left: it may have ended early.
      io.log.error(`${lostConnections} connections were lost and could not be re-established, so --duration tests ran with fewer connections or ended early: ${why}`);
      code = 1;
    } else {
      // Every request of a -n test was still sent (unsent is 0): the others carried the load.
      io.log.warn(`${lostConnections} connections were lost and could not be re-established; the other connections sent their requests: ${why}`);
    }
  }
  for (const title of emptyTimedTests) {
    io.log.error(unreachable ? `${title} sent no request within --duration: ${unreachable}` : `${title} sent no request within --duration; give it more time`);
    code = 1;
  }
  if (interrupted) return 130;
  return code;
}
