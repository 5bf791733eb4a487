/**
 * Wires one benchmark run together: probe the server, open the connections, run the tests with
 * a progress line, print each test's report in the chosen format, write the -o file, and decide
 * the exit code. Returns the exit code.
 */
import pkg from "../package.json" with { type: "json" };
import type { BenchConfig } from "./config/types.ts";
import { Orchestrator } from "./engine/orchestrator.ts";
import { probeServer } from "./engine/server-info.ts";
import type { ServerConfigInfo, TestResult } from "./metrics/types.ts";
import { formatCsvHeader, formatCsvRow } from "./report/csv.ts";
import { buildJsonReport, formatJsonReport } from "./report/json.ts";
import { createProgress } from "./report/progress.ts";
import { formatQuietLine } from "./report/quiet.ts";
import { formatErrorTypes, formatTextReport } from "./report/text.ts";

export interface Io {
  out(s: string): void;
  err(s: string): void;
  stdout: { write(s: string): unknown; isTTY?: boolean; columns?: number };
}

type StdoutFormat = "text" | "quiet" | "csv" | "json" | "none";

function stdoutFormat(c: BenchConfig): StdoutFormat {
  if (c.outputFormat === "json" && !c.outputFile) return "json";
  if (c.csv || (c.outputFormat === "csv" && !c.outputFile)) return "csv";
  if (c.quiet) return "quiet";
  return "text";
}

export async function runBenchmark(config: BenchConfig, io: Io): Promise<number> {
  const startedAt = new Date();
  const servers: ServerConfigInfo[] = [await probeServer(config)];
  const orchestrator = new Orchestrator(config);
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    io.err("\ninterrupted: finishing in-flight requests (Ctrl-C again to quit now)");
    orchestrator.interrupt();
  };
  let interrupted = false;
  process.on("SIGINT", onSigint);
  try {
    await orchestrator.connect();
    if (config.idle) {
      io.out(`Creating ${config.clients} idle connections and waiting forever (Ctrl+C when done)`);
      await new Promise(() => {});
    }
    const format = stdoutFormat(config);
    const progress = createProgress({ enabled: format !== "csv" && format !== "json", stream: io.stdout });
    if (format === "csv") io.out(formatCsvHeader());
    const allProblems: string[] = [];
    const outcome = await orchestrator.runAll({
      onProgress: (s) => progress.update(s),
      onTestEnd: () => progress.clear(),
      onResult(r, problems) {
        allProblems.push(...problems);
        if (config.verbose) for (const p of problems) io.err(`warning: ${r.title}: ${p}`);
        if (format === "text") io.out(formatTextReport(r, { servers, threads: r.threads, precision: config.precision }));
        else if (format === "quiet") io.out(formatQuietLine(r));
        else if (format === "csv") io.out(formatCsvRow(r));
        if (r.errors > 0 && format !== "json") io.err(`${r.title}: ${r.errors} of ${r.issued} requests failed (${formatErrorTypes(r.errorsByType)})`);
      },
    });
    const finishedAt = new Date();
    if (format === "json" || config.outputFile) {
      const doc = formatJsonReport(buildJsonReport(config, outcome.results, { version: pkg.version, startedAt, finishedAt, servers }));
      if (config.outputFile) await writeOutputFile(config, outcome.results, doc);
      else io.out(doc);
    }
    return exitCode(outcome.results, outcome.unsent, outcome.interrupted, allProblems, io);
  } finally {
    process.off("SIGINT", onSigint);
    orchestrator.close();
  }
}

async function writeOutputFile(config: BenchConfig, results: TestResult[], json: string): Promise<void> {
  const body = config.outputFormat === "csv" ? [formatCsvHeader(), ...results.map((r) => formatCsvRow(r))].join("\n") + "\n" : json + "\n";
  await Bun.write(config.outputFile!, body);
}

/** 0 = every request answered; 1 = a test had no successful reply, or requests were lost. */
function exitCode(results: TestResult[], unsent: number, interrupted: boolean, problems: string[], io: Io): number {
  let code = 0;
  for (const r of results) {
    if (r.issued > 0 && r.completed === 0) {
      io.err(`error: every request of ${r.title} failed (${formatErrorTypes(r.errorsByType)}); the numbers above measure errors, not the command`);
      code = 1;
    }
  }
  if (unsent > 0) {
    io.err(`error: ${unsent} requests were never sent because connections were lost: ${problems[0] ?? "see -v"}`);
    code = 1;
  }
  if (interrupted) return 130;
  return code;
}
