import type { MetricDef } from "../metrics/metric-def.ts";
import type { RuntimeSetting } from "./runtime-config-file.ts";
/**
 * The validated configuration of one benchmark run. Built by src/config/schema.ts from the CLI
 * (src/cli/) and consumed by the engine. Nothing downstream re-validates it.
 */
import type { OptimizeOptions } from "./optimize-values.ts";

export interface Endpoint {
  host: string;
  port: number;
}

export interface TlsConfig {
  /** Server name for SNI and certificate verification (defaults to the host). */
  sni?: string;
  caFile?: string;
  /** `--cacertdir`: every PEM certificate file in it is a trusted CA (with `caFile`, if given). */
  caDir?: string;
  /** `--tls-ciphers`: OpenSSL cipher list for TLS 1.2 and older. */
  ciphers?: string;
  certFile?: string;
  keyFile?: string;
  /** Skip certificate verification (`--insecure` / `--tls-skip-verify`). */
  insecure: boolean;
}

/** How to authenticate and prepare each connection. */
export interface ConnectionConfig {
  /** Seeds: every `-h`/`-u` given; at least one. Ignored when `socketPath` is set. */
  endpoints: Endpoint[];
  socketPath?: string;
  tls?: TlsConfig;
  user?: string;
  /** Never printed or written: reports use redactConfig(). */
  password?: string;
  /** Set when the password came from the -u URI (not -a): messages about it name the URI. */
  passwordFromUri?: true;
  dbnum: number;
  resp3: boolean;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  enableTracking: boolean;
}

export type Warmup = { kind: "seconds"; seconds: number } | { kind: "requests"; requests: number };

export type OutputFormat = "text" | "json" | "csv" | "html";

/** Which nodes serve read-only commands (`--rfr`). Writes always go to primaries. */
export type ReadFrom = "primary" | "prefer-replica" | "round-robin" | "az-affinity";

export interface ClusterOptions {
  readFrom: ReadFrom;
  /** The client's availability zone, for `--rfr az-affinity`. */
  az?: string;
  /** `--balance-nodes`: throttle fast nodes so per-node completed requests stay within tolerance. */
  balanceNodes: boolean;
  balanceTolerancePct: number;
  /** Warn when the per-node request imbalance (max/min - 1) exceeds this many percent. */
  imbalanceThresholdPct: number;
  /** `--cluster-announce-map old=new,...` as given (parsed by src/cluster/announce-map.ts). */
  announceMap?: string;
}

/**
 * A custom command split on `';'` arguments: each step runs `repeat` times in a row
 * (`3 SET a b ; GET a` = SET three times, then GET). Placeholders (`__rand_int__`,
 * `__rand_1st__`..`__rand_9th__`, `__data__`) are left as text for the engine.
 */
export type CommandSequence = { repeat: number; args: string[] }[];

/** `auto`: detect a cluster from the server; `force` (`--cluster`): fail unless it is one. */
export type ClusterMode = "auto" | "force";

export type SearchAlgorithm = "HNSW" | "FLAT";
export type SearchDistance = "L2" | "IP" | "COSINE";

/** A numeric range filter `@field:[lo hi]`; exclusive bounds as in the query syntax `(lo`. */
export interface NumericFilter {
  field: string;
  min: number;
  max: number;
  minExclusive: boolean;
  maxExclusive: boolean;
}

/** Vector search options (issue 5). Defaults are the seed's unless the flag help says why. */
export interface SearchOptions {
  /** `--dataset FILE` (legacy 0xDECDB001 or a schema .yaml); or `--schema` + `--data`. */
  datasetPath?: string;
  schemaPath?: string;
  dataPath?: string;
  indexName: string;
  vectorField: string;
  /** Key prefix of vector hashes (also the index's PREFIX). */
  prefix: string;
  algorithm: SearchAlgorithm;
  /** Absent: from the dataset's metric hint (the banner says which was used). */
  distance?: SearchDistance;
  /** Absent: from the dataset. */
  vectorDim?: number;
  k: number;
  efConstruction?: number;
  hnswM?: number;
  efSearch?: number;
  initialCap?: number;
  nocontent: boolean;
  returnFields: string[];
  withScores: boolean;
  filteredSearch: boolean;
  tagField?: string;
  tagFilter?: string;
  /**
   * --numeric-field: the index's NUMERIC fields. Absent: the dataset's numeric attributes plus
   * the fields --numeric-filter names (resolved by the plan, which opens the dataset).
   */
  numericFields?: string[];
  numericFilters: NumericFilter[];
  /** 0 = all vectors of the dataset. */
  numVectors: number;
  vectorOffset: number;
  skipIndexCreate: boolean;
  skipLoad: boolean;
  recreateIndex: boolean;
  dropIndex: boolean;
  cleanup: boolean;
  reload: boolean;
  /** `--mix vec-query:90,vec-update:10`: weighted workloads on the same connections. */
  mix?: { test: string; weight: number }[];
  /** Seed for vec-update's shifted vectors. */
  updateShift: number;
  /** `--engine`: override platform detection. */
  engine?: "valkey-search" | "elasticache" | "elasticache-serverless" | "memorydb" | "redisearch";
  /** Seconds to wait for the index to catch up after loading. */
  indexWaitTimeoutSec: number;
}

/** `--max-errors`: errors a test may have (any type) before the run exits 1. */
export type ErrorBudget = { kind: "count"; count: number } | { kind: "percent"; percent: number };

/** --key-pattern letters: uniform, sequential, gaussian, zipfian (memtier_benchmark's). */
export type KeyPatternKind = "R" | "S" | "G" | "Z";

/** How `__rand_int__` key numbers are drawn (src/workload/key-patterns/). */
export interface KeyPatternOptions {
  /** Writes and custom commands (the SET side of `--key-pattern SET:GET`). */
  set: KeyPatternKind;
  /** Read-only tests (the GET side). */
  get: KeyPatternKind;
  /** Inclusive key number range (--key-minimum / --key-maximum, else 0 .. -r - 1). */
  minimum: number;
  maximum: number;
  /** Gaussian centre and width (default: the middle of the range, a sixth of its width). */
  median: number;
  stddev: number;
  /** Zipfian exponent (> 0). */
  zipfExponent: number;
}

/** Payload sizes (src/workload/value-sizes.ts): -d, --data-size-range, --data-size-list. */
export type ValueSizeOptions =
  | { kind: "fixed"; bytes: number }
  | { kind: "range"; min: number; max: number; pattern: "R" | "S" }
  | { kind: "list"; entries: { bytes: number; weight: number }[] };

/** `--address-type`: plain keys, or hash fields (HSET/HGET/HMGET) of the same keys. */
export type AddressType = { kind: "key" } | { kind: "hash"; fields: string[] };

export interface BenchConfig {
  connection: ConnectionConfig;
  /** Total client connections (`-c`), spread over the worker threads. */
  clients: number;
  /** Total requests per test (`-n`); ignored when durationSec is set. */
  requests: number;
  /** `-n` was given (not the default): tests that cap it (vec-delete) or do not read it (vec-load) say so. */
  requestsGiven?: true;
  /** Run each test for this long instead of `-n`. */
  durationSec?: number;
  warmup?: Warmup;
  /** `--max-errors`: when set, a test with at most this many errors (of any type, lost requests
   *  included) does not fail the run; without it, any request lost with its connection does. */
  maxErrors?: ErrorBudget;
  /** Payload size in bytes (`-d`). */
  dataSize: number;
  /** Key space for `__rand_int__` (`-r`); 0 = no substitution, as in valkey-benchmark. */
  keyspaceLen: number;
  /** `--sequential`: `__rand_int__` counts 0,1,2.. modulo the keyspace instead of random. */
  sequential: boolean;
  /** --key-pattern and its range; `sequential` is the same as pattern S:S. */
  keys: KeyPatternOptions;
  /** Payload sizes; `{ kind: "fixed", bytes: dataSize }` unless a range or list is given. */
  valueSizes: ValueSizeOptions;
  addressType: AddressType;
  /** --verify-writes: read back every acknowledged write after each write test. */
  verifyWrites: boolean;
  /** --verify-reads: a GET whose value is not what this run last wrote counts as a VERIFY error. */
  verifyReads: boolean;
  pipeline: number;
  /** Worker threads. */
  threads: number;
  seed: number;
  /** Target requests per second over all workers; 0 = unlimited. */
  rps: number;
  /** Significant digits of the latency histograms (`--precision`, as valkey-benchmark uses it). */
  precision: number;
  keepalive: boolean;
  /** Test names as given to `-t`, lowercased; empty = all default tests. */
  tests: string[];
  /** Custom command as given (argv after the options, or `--command` split), for titles. */
  command?: string[];
  /** `command` parsed into its `';'`-separated steps; set exactly when `command` is. */
  commandSequence?: CommandSequence;
  /** How reports title the custom command: passwords hidden, the `-x` value by its size, capped
   *  (src/config/command-secrets.ts); set exactly when `command` is. */
  commandTitle?: string;
  /** Arguments of `command` reports must never show (passwords, the `-x` value). */
  commandSecrets?: string[];
  /**
   * The `-x` value (the last argument of `command`), read as latin1: one character per byte of
   * standard input, so binary input (a FLOAT32 vector) survives; the command compiler sends that
   * argument back byte for byte instead of UTF-8-encoding it.
   */
  stdinValue?: string;
  clusterMode: ClusterMode;
  keyPrefix: string;
  cluster: ClusterOptions;
  search: SearchOptions;
  quiet: boolean;
  csv: boolean;
  loop: boolean;
  idle: boolean;
  verbose: boolean;
  /**
   * Per-node INFO deltas around each test (--server-metrics): "auto" collects them for JSON and
   * prints them in text where the per-node table is printed (clusters, replica sets); "on"
   * prints them in text for a single server too; "off" (--no-server-metrics) takes no snapshots.
   */
  serverMetrics: "auto" | "on" | "off";
  /** --track-metric definitions, in the order given (docs/metrics.md). */
  trackMetrics: MetricDef[];
  /** --metrics-interval: seconds between node samples during each test; undefined = off. */
  metricsIntervalSec?: number;
  /** --metrics-snapshot FILE. */
  metricsSnapshotFile?: string;
  /** --compare-snapshot FILE (checked before connecting, read again after the run). */
  compareSnapshotFile?: string;
  /** --runtime-config, read and checked before connecting. */
  runtimeConfig?: { file: string; settings: RuntimeSetting[] };
  outputFile?: string;
  outputFormat: OutputFormat;
  /** `--interval`: length of the timeline's intervals, seconds. */
  intervalSec: number;
  /** `--hdr-log`: HdrHistogram interval log file. */
  hdrLogFile?: string;
  /** --optimize / --sweep (src/optimize/): absent for an ordinary run. */
  optimize?: OptimizeOptions;
  /** `--shard I/N`: this process's part of a split run (src/engine/shard.ts). */
  shard?: { index: number; count: number };
  /** `--start-at`: epoch ms at which the first test starts. */
  startAtMs?: number;
  /** `--barrier NAME N` and `--barrier-timeout`. */
  barrier?: { name: string; count: number; timeoutSec: number };
}
