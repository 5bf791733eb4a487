/**
 * Builds the validated BenchConfig from the flags and custom command of one command line.
 * Each flag's value is checked by its own schema (src/config/flags.ts); the rules here are the
 * ones that involve several flags, written as one valibot pipe so they read as a list. Everything
 * is checked before any connection is made; every failure is a UserError naming the flag.
 */
import { accessSync, constants, statSync } from "node:fs";
import { createSecureContext } from "node:tls";
import * as v from "valibot";
import { UserError } from "../errors.ts";
import { refuseStreamingCommands } from "./streaming-commands.ts";
import { readCaDirectory } from "./tls-files.ts";
import { loadSnapshot } from "../metrics/snapshot-file.ts";
import { parseCommandSequence } from "./command-sequence.ts";
import { checkSendBuffers, checkSequenceSize, formatBytes, maxStdinBytes, SEND_BUFFER_BUDGET_BYTES, sequenceBytes } from "./memory-budget.ts";
import { MAX_DATA_SIZE_BYTES } from "./value-schemas.ts";
import { commandSecrets, commandTitle } from "./command-secrets.ts";
import { readRuntimeConfig } from "./runtime-config-file.ts";
import { parseHostPort } from "./endpoint.ts";
import { shellSplit } from "./shell-split.ts";
import { FLAGS, type FlagName } from "./flags.ts";
import { optimizeOptions } from "./optimize-options.ts";
import type { FlagReader } from "./flag-reader.ts";
import { didYouMean } from "./suggest.ts";
import { canonicalTestName, isVectorTestName, knownTestNames } from "./test-names.ts";
import type { BenchConfig, Endpoint, NumericFilter, OutputFormat, SearchOptions, TlsConfig } from "./types.ts";
import { parseServerUri, type ServerUri } from "./uri.ts";
import { checkNotAnInput, checkOutputTarget, type NamedPath } from "./output-target.ts";
import { checkTlsFiles } from "./tls-check.ts";
import { workloadOptions } from "./workload-options.ts";

export interface BuildOptions {
  /** The custom command (positional arguments), possibly empty. */
  command: readonly string[];
  /** Reads all of standard input, for `-x`. */
  readStdin: (maxBytes: number) => Promise<string>;
  /** Cores for `--threads auto`. */
  cores: number;
  /** Clock for the time-based default seed (injectable so tests can pin it). */
  nowMs: () => number;
}

/** Flags only vector tests read (help groups "Vector search" and "Dataset"). */
const VECTOR_ONLY_FLAGS = (Object.keys(FLAGS) as FlagName[]).filter((name) => FLAGS[name].group === "Vector search" || FLAGS[name].group === "Dataset");

const TLS_FILE_FLAGS = ["cacert", "cert", "key"] as const satisfies readonly FlagName[];
const TLS_ONLY_FLAGS = ["sni", "cacert", "cacertdir", "tlsCiphers", "cert", "key", "insecure"] as const satisfies readonly FlagName[];

interface RuleInput {
  flags: FlagReader;
  uri?: ServerUri;
  hasCommand: boolean;
}

/** A cross-flag rule: `ok` must hold, else `message` explains the fix. */
function rule(ok: (input: RuleInput) => boolean, message: (input: RuleInput) => string) {
  return v.check<RuleInput, v.ErrorMessage<v.CheckIssue<RuleInput>>>(ok, (issue) =>
    message(issue.input as RuleInput),
  );
}

const tlsWanted = ({ flags, uri }: RuleInput) => flags.get(FLAGS.tls) || uri?.tls === true;

const crossFlagRules = v.pipe(
  v.custom<RuleInput>(() => true),
  rule(
    ({ flags }) => !(flags.given("duration") && flags.given("requests")),
    ({ flags }) =>
      `${flags.spelling("duration")} and ${flags.spelling("requests")} are mutually exclusive: ` +
      "use --duration to run for a time or -n to run a request count",
  ),
  rule(
    ({ flags, uri }) => !flags.given("user") || flags.given("password") || uri?.password !== undefined,
    ({ flags }) => `${flags.spelling("user")} needs a password: add -a PASSWORD (or user:password@ in the -u URI)`,
  ),
  rule(
    ({ flags }) => flags.given("cert") === flags.given("key"),
    ({ flags }) =>
      flags.given("cert")
        ? `${flags.spelling("cert")} needs --key with the client certificate's private key`
        : `${flags.spelling("key")} needs --cert with the client certificate`,
  ),
  rule(
    (input) => tlsWanted(input) || TLS_ONLY_FLAGS.every((name) => !input.flags.given(name)),
    ({ flags }) => {
      const name = TLS_ONLY_FLAGS.find((candidate) => flags.given(candidate)) ?? "tls";
      return `${flags.spelling(name)} only applies to TLS connections: add --tls (or use a valkeys:// URI)`;
    },
  ),
  rule(
    (input) => !(input.flags.given("socket") && tlsWanted(input)),
    ({ flags }) => `${flags.spelling("socket")} cannot be combined with TLS: drop -s or drop --tls`,
  ),
  rule(
    ({ flags }) => !(flags.given("socket") && flags.get(FLAGS.cluster)),
    ({ flags }) => `${flags.spelling("socket")} cannot be combined with --cluster: cluster nodes are reached over TCP`,
  ),
  rule(
    ({ flags, hasCommand }) => !(flags.given("command") && hasCommand),
    () => "--command and a command after the options are both given: use one of them",
  ),
  rule(
    ({ flags, hasCommand }) => !flags.get(FLAGS.stdinArg) || hasCommand || flags.given("command"),
    ({ flags }) => `${flags.spelling("stdinArg")} needs a command to append standard input to, like: -x SET key`,
  ),
  rule(
    ({ flags }) => {
      const threads = flags.get(FLAGS.threads);
      return threads === "auto" || threads <= flags.get(FLAGS.clients);
    },
    ({ flags }) =>
      `${flags.spelling("threads")} (${flags.get(FLAGS.threads)}) must not exceed -c (${flags.get(FLAGS.clients)}): ` +
      "every thread needs at least one client",
  ),
);

export async function buildConfig(flags: FlagReader, options: BuildOptions): Promise<BenchConfig> {
  flags.checkAll();
  // Other tools' flags this one cannot honour: the reason, before any rule that would ask for more.
  for (const name of Object.keys(FLAGS) as FlagName[]) {
    const reason = FLAGS[name].refused;
    if (reason !== undefined && flags.given(name)) throw new UserError(`${flags.spelling(name)} ${reason}`);
  }
  const uriText = flags.get(FLAGS.uri);
  const uri = uriText === undefined ? undefined : parseServerUri(uriText, flags.spelling("uri"));
  const hasCommand = options.command.length > 0;

  const checked = v.safeParse(crossFlagRules, { flags, uri, hasCommand }, { abortPipeEarly: true });
  if (!checked.success) throw new UserError(checked.issues[0].message);

  const port = flags.get(FLAGS.port);
  const endpoints: Endpoint[] = [];
  if (uri !== undefined) endpoints.push({ host: uri.host, port: uri.port ?? port });
  for (const host of flags.all(FLAGS.host)) endpoints.push(parseHostPort(host, port, flags.spelling("host")));
  if (endpoints.length === 0) endpoints.push({ host: "127.0.0.1", port });

  const tls = tlsWanted({ flags, uri, hasCommand }) ? tlsConfig(flags) : undefined;
  const tests = testNames(flags);
  const clients = flags.get(FLAGS.clients);
  const threads = flags.get(FLAGS.threads);
  const workload = workloadOptions(flags, tests, hasCommand || flags.given("command"));
  const output = flags.get(FLAGS.output);
  const hdrLog = flags.get(FLAGS.hdrLog);
  checkOutputFiles(flags);
  // Last, so that `-x` reads standard input only for an otherwise valid command line.
  const command = await customCommand(flags, options);
  const commandSequence = command === undefined ? undefined : parseCommandSequence(command);
  if (commandSequence) refuseStreamingCommands(commandSequence);
  const fromStdin = command !== undefined && flags.get(FLAGS.stdinArg);

  const config: BenchConfig = {
    connection: {
      endpoints,
      socketPath: flags.get(FLAGS.socket),
      tls,
      user: flags.get(FLAGS.user) ?? uri?.user,
      password: flags.get(FLAGS.password) ?? uri?.password,
      ...(flags.get(FLAGS.password) === undefined && uri?.password !== undefined ? { passwordFromUri: true as const } : {}),
      dbnum: flags.given("dbnum") ? flags.get(FLAGS.dbnum) : (uri?.dbnum ?? flags.get(FLAGS.dbnum)),
      resp3: flags.get(FLAGS.resp3),
      connectTimeoutMs: flags.get(FLAGS.connectTimeout),
      requestTimeoutMs: flags.get(FLAGS.requestTimeout),
      enableTracking: flags.get(FLAGS.enableTracking),
    },
    clients,
    requests: flags.get(FLAGS.requests),
    ...(flags.given("requests") ? { requestsGiven: true as const } : {}),
    durationSec: flags.get(FLAGS.duration),
    warmup: flags.get(FLAGS.warmup),
    maxErrors: flags.get(FLAGS.maxErrors),
    dataSize: flags.get(FLAGS.dataSize),
    keyspaceLen: workload.keyspaceLen,
    sequential: workload.keys.set === "S" && workload.keys.get === "S",
    keys: workload.keys,
    valueSizes: workload.valueSizes,
    addressType: workload.addressType,
    verifyWrites: workload.verifyWrites,
    verifyReads: workload.verifyReads,
    pipeline: flags.get(FLAGS.pipeline),
    // `auto` never starts more threads than there are clients to give them.
    threads: threads === "auto" ? Math.max(1, Math.min(options.cores, clients)) : threads,
    // Resolved now, so the report shows the seed and the run can be repeated with --seed.
    seed: flags.get(FLAGS.seed) ?? options.nowMs() % 0x1_0000_0000,
    rps: flags.get(FLAGS.rps),
    precision: flags.get(FLAGS.precision),
    keepalive: flags.get(FLAGS.keepalive),
    tests,
    command,
    commandSequence,
    ...(command !== undefined
      ? {
          commandTitle: commandTitle(command, fromStdin),
          commandSecrets: commandSecrets(command, fromStdin ? command[command.length - 1] : undefined),
          ...(fromStdin ? { stdinValue: command[command.length - 1]! } : {}),
        }
      : {}),
    clusterMode: flags.get(FLAGS.cluster) ? "force" : "auto",
    cluster: {
      readFrom: flags.get(FLAGS.readFrom),
      az: flags.get(FLAGS.az),
      balanceNodes: flags.get(FLAGS.balanceNodes),
      balanceTolerancePct: flags.get(FLAGS.balanceTolerance),
      imbalanceThresholdPct: flags.get(FLAGS.imbalanceThreshold),
      announceMap: flags.get(FLAGS.clusterAnnounceMap),
    },
    keyPrefix: flags.get(FLAGS.keyPrefix),
    search: searchOptions(flags, tests, command !== undefined),
    quiet: flags.get(FLAGS.quiet),
    csv: flags.get(FLAGS.csv),
    loop: flags.get(FLAGS.loop),
    idle: flags.get(FLAGS.idle),
    verbose: flags.get(FLAGS.verbose),
    serverMetrics: !flags.get(FLAGS.serverMetrics) ? "off" : flags.given("serverMetrics") ? "on" : "auto",
    ...serverMetricsOptions(flags),
    outputFile: output,
    outputFormat: flags.given("outputFormat") ? flags.get(FLAGS.outputFormat) : formatFromFileName(output),
    intervalSec: flags.get(FLAGS.interval),
    hdrLogFile: hdrLog,
    shard: flags.get(FLAGS.shard),
    startAtMs: flags.get(FLAGS.startAt),
    barrier: barrierOf(flags),
  };
  if (config.outputFormat === "html" && output === undefined) {
    throw new UserError(`${flags.spelling("outputFormat")} html writes a file: add -o FILE.html`);
  }
  const optimize = optimizeOptions(flags, config);
  if (optimize !== undefined) config.optimize = optimize;
  checkBufferBudget(config, flags);
  return config;
}

/** --track-metric, --metrics-interval, snapshots and --runtime-config, files read now. */
function serverMetricsOptions(flags: FlagReader): Pick<BenchConfig, "trackMetrics" | "metricsIntervalSec" | "metricsSnapshotFile" | "compareSnapshotFile" | "runtimeConfig"> {
  const needMetrics = (["trackMetric", "metricsInterval", "metricsSnapshot", "compareSnapshot"] as const).find((name) => flags.given(name));
  if (needMetrics && !flags.get(FLAGS.serverMetrics)) {
    throw new UserError(`${flags.spelling(needMetrics)} reads the servers' INFO, which --no-server-metrics turns off: drop one of them`);
  }
  const compareFile = flags.get(FLAGS.compareSnapshot);
  if (compareFile !== undefined) loadSnapshot(compareFile, flags.spelling("compareSnapshot"));
  const runtimeFile = flags.get(FLAGS.runtimeConfig);
  return {
    trackMetrics: flags.all(FLAGS.trackMetric),
    metricsIntervalSec: flags.get(FLAGS.metricsInterval),
    metricsSnapshotFile: flags.get(FLAGS.metricsSnapshot),
    compareSnapshotFile: compareFile,
    runtimeConfig: runtimeFile === undefined ? undefined : { file: runtimeFile, settings: readRuntimeConfig(runtimeFile, flags.spelling("runtimeConfig")) },
  };
}

function tlsConfig(flags: FlagReader): TlsConfig {
  for (const name of TLS_FILE_FLAGS) {
    const path = flags.get(FLAGS[name]);
    if (path !== undefined) checkReadableFile(path, flags.spelling(name));
  }
  const named = (name: "cacert" | "cert" | "key") => {
    const path = flags.get(FLAGS[name]);
    return path === undefined ? undefined : { spelling: flags.spelling(name), path };
  };
  checkTlsFiles({ ca: named("cacert"), cert: named("cert"), key: named("key") });
  const caDir = flags.get(FLAGS.cacertdir);
  if (caDir !== undefined) checkCaDirectory(caDir, flags.spelling("cacertdir"));
  const ciphers = flags.get(FLAGS.tlsCiphers);
  if (ciphers !== undefined) checkCiphers(ciphers, flags.spelling("tlsCiphers"));
  return {
    sni: flags.get(FLAGS.sni),
    caFile: flags.get(FLAGS.cacert),
    ...(caDir !== undefined ? { caDir } : {}),
    ...(ciphers !== undefined ? { ciphers } : {}),
    certFile: flags.get(FLAGS.cert),
    keyFile: flags.get(FLAGS.key),
    insecure: flags.get(FLAGS.insecure),
  };
}

/** `-t set,GET, lrange` → ["set", "get", "lrange"]; unknown names fail with a suggestion. */
function testNames(flags: FlagReader): string[] {
  const text = flags.get(FLAGS.tests);
  if (text === undefined) return [];
  const spelling = flags.spelling("tests");
  const names = text
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== "");
  if (names.length === 0) throw new UserError(`${spelling} needs at least one test name, like -t set,get`);
  const known = knownTestNames();
  for (const name of names) {
    if (!known.includes(name)) {
      const hint = didYouMean(name, known);
      throw new UserError(
        `${spelling}: unknown test '${name}'${hint === "" ? ` (known tests: ${known.join(", ")})` : hint}`,
      );
    }
  }
  // vec_load and vecload are the seed's spellings of vec-load.
  return [...new Set(names.map(canonicalTestName))];
}

const INDEX_SHAPE_FLAGS = ["efConstruction", "hnswM", "initialCap"] as const satisfies readonly FlagName[];

/**
 * The vector search options, with the rules that involve several of them. Rules that need the
 * dataset (dimension, metric, ground truth depth) are checked when it is opened (src/search/plan.ts).
 */
function searchOptions(flags: FlagReader, tests: readonly string[], hasCommand: boolean): SearchOptions {
  const say = (name: FlagName) => flags.spelling(name);
  const mix = flags.get(FLAGS.mix)?.map((p) => ({ test: canonicalTestName(p.test), weight: p.weight }));
  const known = knownTestNames();
  for (const part of mix ?? []) {
    if (!known.includes(part.test)) {
      throw new UserError(`${say("mix")}: unknown test '${part.test}'${didYouMean(part.test, known)}`);
    }
    if (part.test === "vec-load") {
      throw new UserError(`${say("mix")}: vec-load cannot be part of a mix (it writes each vector once); run -t vec-load before the mix`);
    }
  }
  const vectorTests = tests.filter(isVectorTestName);
  const mixUsesVectors = (mix ?? []).some((p) => isVectorTestName(p.test));
  const datasetGiven = flags.given("dataset") || flags.given("schema") || flags.given("data");
  if (flags.given("dataset") && (flags.given("schema") || flags.given("data"))) {
    throw new UserError(`${say("dataset")} and ${say(flags.given("schema") ? "schema" : "data")} both name a dataset: use --dataset FILE or --schema FILE --data FILE`);
  }
  if (flags.given("schema") !== flags.given("data")) {
    throw new UserError(flags.given("schema") ? `${say("schema")} needs --data with the dataset's .bin file` : `${say("data")} needs --schema with the dataset's .yaml file`);
  }
  if ((vectorTests.length > 0 || mixUsesVectors) && !datasetGiven) {
    const what = vectorTests.length > 0 ? `-t ${vectorTests[0]}` : say("mix");
    throw new UserError(`${what} needs a dataset: add --dataset FILE (or --schema FILE --data FILE); \`dataset generate\` makes one`);
  }
  for (const flag of ["dataset", "schema", "data"] as const) {
    const path = flags.get(FLAGS[flag]);
    if (path !== undefined) checkReadableFile(path, say(flag));
  }
  if (vectorTests.length === 0 && mix === undefined) {
    // Without a vector test these flags would be read by nothing: say so instead of ignoring them.
    const stray = VECTOR_ONLY_FLAGS.find((name) => flags.given(name));
    if (stray) {
      const spec = FLAGS[stray] as { short?: string; shortFormNote?: string };
      const note = spec.shortFormNote !== undefined && say(stray) === `-${spec.short}` ? `; ${spec.shortFormNote}` : "";
      throw new UserError(`${say(stray)} applies to vector tests only: add -t vec-load,vec-query (or --mix), or drop ${say(stray)}${note}`);
    }
  }
  const contradictions: [FlagName, FlagName | undefined, boolean, string][] = [
    ["skipLoad", undefined, flags.get(FLAGS.skipLoad) && vectorTests.includes("vec-load"), "-t vec-load loads the vectors: drop --skip-load or drop vec-load from -t"],
    ["reload", "skipLoad", flags.get(FLAGS.reload) && flags.get(FLAGS.skipLoad), "--reload rewrites vectors --skip-load says not to write: use one of them"],
    ["recreateIndex", "skipIndexCreate", flags.get(FLAGS.recreateIndex) && flags.get(FLAGS.skipIndexCreate), "--recreate-index creates the index --skip-index-create says not to: use one of them"],
    ["dropIndex", "skipIndexCreate", flags.get(FLAGS.dropIndex) && flags.get(FLAGS.skipIndexCreate), "--dropindex would leave no index with --skip-index-create: use one of them"],
    ["filteredSearch", "tagFilter", flags.get(FLAGS.filteredSearch) && flags.given("tagFilter"), "--filtered-search takes each query's filter from the dataset; --tag-filter sets one for all: use one of them"],
  ];
  for (const [name, other, bad, fix] of contradictions) {
    if (bad) throw new UserError(`${say(name)}${other ? ` with ${say(other)}` : ""}: ${fix}`);
  }
  refuseUnreadLoadFlags(flags, tests, mix !== undefined || hasCommand);
  const algorithm = flags.get(FLAGS.searchAlgorithm);
  if (algorithm === "FLAT") {
    for (const name of ["efSearch", "efConstruction", "hnswM"] as const) {
      if (flags.given(name)) throw new UserError(`${say(name)} applies to HNSW indexes only; drop it or use --search-algorithm HNSW`);
    }
  }
  if (flags.get(FLAGS.skipIndexCreate)) {
    const shape = INDEX_SHAPE_FLAGS.find((name) => flags.given(name));
    if (shape) throw new UserError(`${say(shape)} shapes a new index, but --skip-index-create creates none: drop one of them`);
  }
  const returnFields = flags.get(FLAGS.returnFields) ?? [];
  const withScores = flags.get(FLAGS.withScores);
  const wantsContent = returnFields.length > 0 || withScores;
  if (wantsContent && flags.given("nocontent") && flags.get(FLAGS.nocontent)) {
    throw new UserError(`${say("nocontent")} returns keys only, but ${say(returnFields.length > 0 ? "returnFields" : "withScores")} asks for fields: drop one of them`);
  }
  const numericFilters: NumericFilter[] = flags.all(FLAGS.numericFilter);
  const numericFields = flags.get(FLAGS.numericField);
  // An explicit list is the whole set of NUMERIC fields: a filter on another field could only
  // fail on the server (or match nothing), so it is refused here.
  for (const f of numericFilters) {
    if (numericFields !== undefined && !numericFields.includes(f.field)) {
      throw new UserError(
        `${say("numericFilter")} ${f.field}:[...] filters on '${f.field}' but the index's NUMERIC fields are ${numericFields.join(",")}: use --numeric-field ${[...numericFields, f.field].join(",")} or filter on one of them`,
      );
    }
  }
  return {
    datasetPath: flags.get(FLAGS.dataset),
    schemaPath: flags.get(FLAGS.schema),
    dataPath: flags.get(FLAGS.data),
    indexName: flags.get(FLAGS.searchIndex),
    vectorField: flags.get(FLAGS.searchVectorField),
    prefix: flags.get(FLAGS.searchPrefix),
    algorithm,
    distance: flags.get(FLAGS.searchDistance),
    vectorDim: flags.get(FLAGS.vectorDim),
    k: flags.get(FLAGS.searchK),
    efConstruction: flags.get(FLAGS.efConstruction),
    hnswM: flags.get(FLAGS.hnswM),
    efSearch: flags.get(FLAGS.efSearch),
    initialCap: flags.get(FLAGS.initialCap),
    // Fields asked for switch NOCONTENT off (the default is on).
    nocontent: wantsContent ? false : flags.get(FLAGS.nocontent),
    returnFields,
    withScores,
    filteredSearch: flags.get(FLAGS.filteredSearch),
    tagField: flags.get(FLAGS.tagField),
    tagFilter: flags.get(FLAGS.tagFilter),
    numericFields,
    numericFilters,
    numVectors: flags.get(FLAGS.numVectors),
    vectorOffset: flags.get(FLAGS.vectorOffset),
    skipIndexCreate: flags.get(FLAGS.skipIndexCreate),
    skipLoad: flags.get(FLAGS.skipLoad),
    recreateIndex: flags.get(FLAGS.recreateIndex),
    dropIndex: flags.get(FLAGS.dropIndex),
    cleanup: flags.get(FLAGS.cleanup),
    reload: flags.get(FLAGS.reload),
    mix,
    updateShift: flags.get(FLAGS.updateShift),
    engine: flags.get(FLAGS.engine),
    indexWaitTimeoutSec: flags.get(FLAGS.indexWaitTimeout),
  };
}

/**
 * vec-load writes each vector of the slice exactly once, without a warmup, so it reads neither
 * -n nor --duration nor --warmup (vec-delete takes no warmup either). In a run where no other test
 * reads one of them (no other -t test, no --mix, no custom command), the flag would do nothing:
 * refused, naming the flag that does what it seems to ask. With another test it counts that one.
 */
function refuseUnreadLoadFlags(flags: FlagReader, tests: readonly string[], othersRun: boolean): void {
  if (othersRun || tests.length === 0) return;
  const say = (name: FlagName) => flags.spelling(name);
  const once = "vec-load writes each vector of the dataset slice exactly once";
  const onlyLoad = tests.length === 1 && tests[0] === "vec-load";
  if (onlyLoad && flags.given("requests")) {
    const n = flags.get(FLAGS.requests);
    throw new UserError(`${say("requests")} ${n}: ${once}, so it takes no request count; to load ${n} vectors use --num-vectors ${n} (counted from --vector-offset), or drop ${say("requests")}`);
  }
  if (onlyLoad && flags.given("duration")) {
    throw new UserError(`${say("duration")}: ${once} and then stops, so it takes no duration; drop ${say("duration")} (--num-vectors N loads fewer vectors)`);
  }
  if (flags.given("warmup") && tests.every((t) => t === "vec-load" || t === "vec-delete")) {
    throw new UserError(
      `${say("warmup")}: ${tests.join(" and ")} run${tests.length === 1 ? "s" : ""} without a warmup (a warmup would already write or delete what the measured pass does); drop ${say("warmup")}`,
    );
  }
}

/** The positional command or `--command`, with standard input appended for `-x`. */
async function customCommand(flags: FlagReader, options: BuildOptions): Promise<string[] | undefined> {
  const commandText = flags.get(FLAGS.command);
  let command: string[] | undefined;
  if (commandText !== undefined) {
    command = shellSplit(commandText, flags.spelling("command"));
  } else if (options.command.length > 0) {
    command = [...options.command];
  }
  if (command === undefined) return undefined;
  // Reject a malformed or oversized sequence before reading stdin.
  const sequence = parseCommandSequence(command);
  checkSequenceSize(sequence);
  if (flags.get(FLAGS.stdinArg)) {
    // As valkey-benchmark -x: the whole of stdin, unmodified (a trailing newline is kept), up to
    // what every connection's send buffer can hold within the budget.
    const clients = flags.get(FLAGS.clients);
    const pipeline = flags.get(FLAGS.pipeline);
    const repeat = sequence[sequence.length - 1]!.repeat;
    const limit = Math.floor(maxStdinBytes(clients, pipeline, sequenceBytes(sequence, flags.get(FLAGS.dataSize)), MAX_DATA_SIZE_BYTES) / repeat);
    const value = await options.readStdin(limit);
    if (value.length > limit) throw stdinTooLarge(flags, limit);
    command.push(value);
  }
  return command;
}

export function stdinTooLarge(flags: Pick<FlagReader, "spelling" | "get">, limit: number): UserError {
  return new UserError(
    `${flags.spelling("stdinArg")}: standard input is larger than ${formatBytes(limit)}, the most each of the ${flags.get(FLAGS.clients)} connections x ${flags.get(FLAGS.pipeline)} pipeline slots can hold within the ${formatBytes(SEND_BUFFER_BUDGET_BYTES)} send-buffer budget (values are at most 512 MiB): send less, or lower -c / -P`,
  );
}

/** Every connection's send buffer together stays within the budget (checked before connecting). */
function checkBufferBudget(config: BenchConfig, flags: FlagReader): void {
  let unitBytes: number;
  let size = flags.spelling("dataSize");
  if (config.commandSequence) {
    unitBytes = sequenceBytes(config.commandSequence, config.dataSize);
    size = flags.get(FLAGS.stdinArg) ? `${flags.spelling("stdinArg")} input` : "the command's size";
  } else {
    // The largest catalog request: MSET's 10 keys and values (vector tests size theirs from the dataset).
    const mset = config.tests.length === 0 || config.tests.includes("mset");
    unitBytes = (mset ? 10 : 1) * (config.dataSize + 64) + 32;
  }
  checkSendBuffers({
    clients: config.clients,
    pipeline: config.pipeline,
    unitBytes,
    spellings: { clients: flags.spelling("clients"), pipeline: flags.spelling("pipeline"), size },
  });
}

function formatFromFileName(output: string | undefined): OutputFormat {
  const lower = output?.toLowerCase() ?? "";
  if (lower.endsWith(".json")) return "json";
  if (lower.endsWith(".csv")) return "csv";
  if (lower.endsWith(".html") || lower.endsWith(".htm")) return "html";
  return "text";
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  return code ?? String(error);
}

function checkReadableFile(path: string, spelling: string): void {
  try {
    if (!statSync(path).isFile()) throw new UserError(`${spelling}: cannot read ${path}: not a regular file`);
    accessSync(path, constants.R_OK);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`${spelling}: cannot read ${path}: ${describeFsError(error)}`);
  }
}

function checkCaDirectory(path: string, spelling: string): void {
  let count: number;
  try {
    if (!statSync(path).isDirectory()) throw new UserError(`${spelling}: ${path} is not a directory; use --cacert for a single file`);
    count = readCaDirectory(path).length;
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`${spelling}: cannot read ${path}: ${describeFsError(error)}`);
  }
  if (count === 0) throw new UserError(`${spelling}: ${path} holds no PEM certificate file; point it at a directory of CA certificates`);
}

/** The TLS library rejects a cipher list it understands nothing of: say so before connecting. */
function checkCiphers(list: string, spelling: string): void {
  try {
    createSecureContext({ ciphers: list });
  } catch {
    throw new UserError(
      `${spelling} ${list}: the TLS library knows none of these ciphers; give OpenSSL names separated by ':' (e.g. ECDHE-RSA-AES256-GCM-SHA384)`,
    );
  }
}

/**
 * Every file the run writes is writable now (not after a long run) and none of them is an input:
 * `-o c5.bin --dataset c5.bin` would replace the dataset with the report.
 */
function checkOutputFiles(flags: FlagReader): void {
  const named = (name: FlagName): NamedPath | undefined => {
    const path = flags.get(FLAGS[name] as (typeof FLAGS)["output"]);
    return path === undefined ? undefined : { spelling: flags.spelling(name), path };
  };
  const outputs = (["output", "hdrLog", "metricsSnapshot"] as const).map(named);
  const inputs = (["dataset", "schema", "data", "cacert", "cert", "key", "runtimeConfig", "compareSnapshot"] as const).map(named);
  for (const [i, output] of outputs.entries()) {
    if (output === undefined) continue;
    checkOutputTarget(output.path, output.spelling);
    // --metrics-snapshot may be --compare-snapshot's file: it is read before it is rewritten (a
    // rolling baseline). -o and --hdr-log would destroy it.
    const read = output.spelling === flags.spelling("metricsSnapshot") ? inputs.filter((x) => x?.spelling !== flags.spelling("compareSnapshot")) : inputs;
    checkNotAnInput(output, [...read, ...outputs.slice(i + 1)]);
  }
}

function barrierOf(flags: FlagReader): BenchConfig["barrier"] {
  const b = flags.get(FLAGS.barrier);
  return b === undefined ? undefined : { ...b, timeoutSec: flags.get(FLAGS.barrierTimeout) };
}
