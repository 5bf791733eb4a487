/**
 * The optimizer's options from the flags, with the rules that involve other flags. A command line
 * without --optimize / --sweep gets no options (and optimizer flags alone are refused), so an
 * ordinary run is unchanged. Rules that need the server (the platform's maximum EF_RUNTIME) are
 * checked by the first trial.
 */
import { UserError } from "../errors.ts";
import type { FlagReader } from "./flag-reader.ts";
import { FLAGS, type FlagName } from "./flags.ts";
import { BUILD_TUNABLES, type OptimizeOptions, type TuneAxis } from "./optimize-values.ts";
import { isVectorTestName } from "./test-names.ts";
import type { BenchConfig } from "./types.ts";

const OPTIMIZER_FLAGS = ["objective", "constraint", "tune", "tuneRebuild", "maxOptimizeIterations", "tolerance"] as const satisfies readonly FlagName[];

/** Run-level flags a series of trials would not honour: refused rather than ignored. */
const REFUSED_WITH_TRIALS = ["loop", "idle", "mix", "csv", "cleanup", "trackMetric", "metricsInterval", "metricsSnapshot", "compareSnapshot", "runtimeConfig"] as const satisfies readonly FlagName[];

/** The test the trials measure: the one non-load test of -t (or the custom command). */
function measuredTest(config: Omit<BenchConfig, "optimize">, say: (n: FlagName) => string, flag: string): string {
  if (config.command !== undefined) return "custom";
  const measured = config.tests.filter((t) => t !== "vec-load");
  if (config.tests.length === 0) throw new UserError(`${flag} measures one test: name it with -t (for example -t vec-query or -t get)`);
  if (measured.length !== 1) {
    throw new UserError(`${flag} measures exactly one test, but ${say("tests")} names ${measured.length === 0 ? "only vec-load" : measured.join(", ")}; keep one (vec-load may come before vec-query)`);
  }
  if (config.tests.includes("vec-load") && measured[0] !== "vec-query") throw new UserError(`${flag}: vec-load can only precede vec-query in ${say("tests")}`);
  const t = measured[0]!;
  if (isVectorTestName(t) && t !== "vec-query") throw new UserError(`${flag} cannot measure ${t} (it changes the data each trial); use vec-query or a key-value test`);
  return t;
}

export function optimizeOptions(flags: FlagReader, config: Omit<BenchConfig, "optimize">): OptimizeOptions | undefined {
  const say = (n: FlagName) => flags.spelling(n);
  const optimize = flags.get(FLAGS.optimize);
  const sweep = flags.all(FLAGS.sweep);
  if (!optimize && sweep.length === 0) {
    const stray = OPTIMIZER_FLAGS.find((n) => flags.given(n));
    if (stray) throw new UserError(`${say(stray)} applies to --optimize and --sweep only: add --optimize (or --sweep), or drop ${say(stray)}`);
    return undefined;
  }
  if (optimize && sweep.length > 0) throw new UserError("--optimize and --sweep are both given: --optimize searches the --tune ranges, --sweep measures a grid; use one");
  const flag = optimize ? "--optimize" : say("sweep");
  if (sweep.length > 0 && flags.given("tune")) throw new UserError(`${say("tune")} is for --optimize; with --sweep give every parameter as --sweep NAME=VALUES`);
  const refused = REFUSED_WITH_TRIALS.find((n) => flags.given(n));
  if (refused) throw new UserError(`${say(refused)} cannot be combined with ${flag}: every trial is its own run; drop ${say(refused)}`);
  if (config.outputFormat === "html") throw new UserError(`${flag} writes text or JSON; make the HTML page from its JSON: report OPT.json -o OPT.html`);
  if (config.outputFormat === "csv") throw new UserError(`${flag} reports as text or JSON: use --output-format text|json (or -o FILE.json)`);
  const test = measuredTest(config, say, flag);
  const vector = test === "vec-query";

  const axes: TuneAxis[] = optimize ? flags.all(FLAGS.tune) : sweep;
  const axisFlag = optimize ? say("tune") : say("sweep");
  if (axes.length === 0) throw new UserError(`--optimize needs something to tune: add ${"--tune"} ef_search:10..500 (vector search) or --tune clients:1..256`);
  const seen = new Set<string>();
  for (const a of axes) {
    if (seen.has(a.name)) throw new UserError(`${axisFlag} names ${a.name} twice; give its values once`);
    seen.add(a.name);
    if ((a.name === "ef_search" || BUILD_TUNABLES.includes(a.name)) && !vector) throw new UserError(`${axisFlag} ${a.name} applies to vector search: measure -t vec-query`);
    if ((a.name === "ef_search" || BUILD_TUNABLES.includes(a.name)) && config.search.algorithm === "FLAT") {
      throw new UserError(`${axisFlag} ${a.name} applies to HNSW indexes only; use --search-algorithm HNSW`);
    }
    if (BUILD_TUNABLES.includes(a.name) && !flags.get(FLAGS.tuneRebuild)) {
      throw new UserError(`${axisFlag} ${a.name} re-creates and re-indexes the index for every value: add --tune-rebuild to allow it`);
    }
  }
  const rebuilds = axes.some((a) => BUILD_TUNABLES.includes(a.name));
  if (flags.get(FLAGS.tuneRebuild) && !rebuilds) throw new UserError(`${say("tuneRebuild")} needs ${axisFlag} m:... or ef_construction:... to rebuild for`);
  if (rebuilds && config.search.skipIndexCreate) throw new UserError(`${axisFlag} m/ef_construction rebuilds the index, but --skip-index-create creates none: drop one of them`);
  if (rebuilds && (config.search.dropIndex || config.search.recreateIndex)) {
    throw new UserError(`${say(config.search.dropIndex ? "dropIndex" : "recreateIndex")} is implied by --tune-rebuild (every build re-creates the index): drop it`);
  }
  // -c / -P / --threads stay allowed with their --tune: they apply to the trials before that
  // parameter's own phase (the recall phase runs at the run's -c).
  for (const [name, flagName] of [["ef_search", "efSearch"], ["m", "hnswM"], ["ef_construction", "efConstruction"]] as const) {
    if (seen.has(name) && flags.given(flagName)) throw new UserError(`${say(flagName)} and ${axisFlag} ${name} both set ${name}: drop ${say(flagName)}`);
  }

  const constraints = flags.all(FLAGS.constraint);
  const hasRecall = constraints.some((c) => c.metric === "recall");
  if (hasRecall && !vector) throw new UserError(`${say("constraint")} recall>=... needs a vector test: measure -t vec-query`);
  const objective = flags.get(FLAGS.objective);
  if (objective === "minimize:ef_search" && !seen.has("ef_search")) throw new UserError(`--objective minimize:ef_search needs ${axisFlag} ef_search:...`);
  if (optimize && seen.has("ef_search") && !hasRecall) {
    throw new UserError("--tune ef_search needs --constraint recall>=...: without a recall target the smallest ef_search is always the cheapest (use --sweep to map recall against ef_search)");
  }
  const tolerance = flags.get(FLAGS.tolerance);
  return {
    mode: optimize ? "optimize" : "sweep",
    objective,
    constraints,
    axes,
    maxIterations: flags.get(FLAGS.maxOptimizeIterations),
    tolerance,
    rebuild: rebuilds,
  };
}
