/**
 * Every command-line flag, in one table: spelling, value type, default, validation (a valibot
 * schema from src/config/value-schemas.ts), help text and help group. The tokenizer, the help
 * page, the citty command and the config builder all read this table; nothing else defines a flag.
 *
 * Defaults follow valkey-benchmark where it has the flag, else the valkey-bench seed.
 */
import * as v from "valibot";
import type { MetricDef } from "../metrics/metric-def.ts";
import type { NumericFilter } from "./types.ts";
import {
  anyText,
  booleanText,
  integerText,
  keepaliveText,
  MAX_DATA_SIZE_BYTES,
  nonEmptyText,
  numberText,
  outputFormatText,
  readFromText,
  secondsText,
  threadsText,
  warmupText,
  barrierText,
  shardText,
  startAtText,
  errorBudgetText,
  commaListText,
  fieldListText,
  fieldNameText,
  metricDefText,
  mixText,
  numericFilterText,
  searchAlgorithmText,
  searchDistanceText,
  searchEngineText,
  searchPrefixText,
  tagFilterText,
  type TextSchema,
} from "./value-schemas.ts";
import { constraintText, objectiveText, sweepText, toleranceText, tuneText } from "./optimize-values.ts";
import { addressTypeText, keyPatternText, sizeListText, sizePatternText, sizeRangeText } from "./workload-schemas.ts";

export type FlagGroup =
  | "Connection"
  | "TLS"
  | "Cluster"
  | "Load"
  | "Keys and data"
  | "Tests and commands"
  | "Vector search"
  | "Dataset"
  | "Optimizer"
  | "Output"
  | "Server metrics";

export const FLAG_GROUPS: readonly FlagGroup[] = [
  "Connection",
  "TLS",
  "Cluster",
  "Load",
  "Keys and data",
  "Tests and commands",
  "Vector search",
  "Dataset",
  "Optimizer",
  "Output",
  "Server metrics",
];

/**
 * `value`: takes one argument, the last occurrence wins. `list`: takes one argument per
 * occurrence, all kept (`-h a -h b`). `boolean`: no argument; `--no-NAME` turns it off.
 */
export type FlagKind = "value" | "list" | "boolean";

export interface FlagSpec<T> {
  /** Long spelling without dashes; also the flag's identity. */
  long: string;
  /** Single-dash spelling without the dash (`P`, `3`), as in valkey-benchmark. */
  short?: string;
  /** Other long spellings (the seed's `tls-cert` for `cert`). */
  aliases?: readonly string[];
  kind: FlagKind;
  /** Placeholder in help (`<clients>`). */
  valueHint?: string;
  /** Tokens the value takes (default 1); `--barrier NAME N` takes 2, joined with a space. */
  arity?: 2;
  schema: TextSchema<T>;
  default: T | undefined;
  /** The default as help shows it. */
  defaultText: string;
  help: string;
  group: FlagGroup;
  /** Never echo the value (passwords). */
  secret?: boolean;
  /**
   * Another tool's flag this one cannot honour (valkey-benchmark's --tls-ciphersuites,
   * memtier's --data-import): accepted only so that a user who passes it gets the reason. Given,
   * it is the one-line error `<spelling> <refused>` (exit 2, schema.ts checks it before any other
   * rule). Not listed in --help, since all it does is fail; the README's compatibility section
   * lists these flags.
   */
  refused?: string;
  /**
   * Appended to this flag's errors when it was spelled with its short form, which another tool
   * uses for something else (`-k`: valkey-benchmark's keep-alive 1|0, the vector search's k here).
   */
  shortFormNote?: string;
}

type Init<T, D> = Omit<FlagSpec<T>, "kind" | "default" | "defaultText" | "schema"> & {
  schema: TextSchema<T>;
  default: D;
  defaultText?: string;
};

function valueFlag<T, const D extends T | undefined>(init: Init<T, D>): FlagSpec<T> & { default: D } {
  return { ...init, kind: "value", defaultText: init.defaultText ?? String(init.default ?? "none") };
}

function listFlag(init: Omit<Init<string, undefined>, "default"> & { defaultText: string }): FlagSpec<string> {
  return { ...init, kind: "list", default: undefined };
}

function booleanFlag(
  init: Omit<FlagSpec<boolean>, "kind" | "default" | "defaultText" | "schema">,
): FlagSpec<boolean> & { default: boolean } {
  return { ...init, kind: "boolean", schema: booleanText, default: false, defaultText: "off" };
}

/** A boolean flag that is on unless `--no-NAME` is given. */
function booleanFlagOn(
  init: Omit<FlagSpec<boolean>, "kind" | "default" | "defaultText" | "schema">,
): FlagSpec<boolean> & { default: boolean } {
  return { ...init, kind: "boolean", schema: booleanText, default: true, defaultText: "on" };
}

function numericListFlag(
  init: Omit<FlagSpec<NumericFilter>, "kind" | "default" | "defaultText"> & { defaultText: string },
): FlagSpec<NumericFilter> {
  return { ...init, kind: "list", default: undefined };
}

/** A repeatable flag with a typed value per occurrence. */
function typedListFlag<T>(init: Omit<FlagSpec<T>, "kind" | "default"> & { defaultText: string }): FlagSpec<T> {
  return { ...init, kind: "list", default: undefined };
}

export const FLAGS = {
  // Connection
  host: listFlag({
    long: "host",
    short: "h",
    valueHint: "host[:port]",
    schema: nonEmptyText,
    defaultText: "127.0.0.1",
    help: "Server host; repeat for several seed nodes. host:port and [ipv6]:port set the port too",
    group: "Connection",
  }),
  port: valueFlag({
    long: "port",
    short: "p",
    valueHint: "port",
    schema: integerText(1, 65535),
    default: 6379,
    help: "Server port for every host given without one",
    group: "Connection",
  }),
  socket: valueFlag({
    long: "socket",
    short: "s",
    valueHint: "path",
    schema: nonEmptyText,
    default: undefined,
    help: "Unix socket path (overrides host and port)",
    group: "Connection",
  }),
  password: valueFlag({
    long: "auth",
    short: "a",
    valueHint: "password",
    schema: anyText,
    default: undefined,
    help: "Password for AUTH (never printed or written to reports)",
    group: "Connection",
    secret: true,
  }),
  user: valueFlag({
    long: "user",
    valueHint: "username",
    schema: nonEmptyText,
    default: undefined,
    help: "ACL user: sends AUTH username password. Needs -a",
    group: "Connection",
  }),
  uri: valueFlag({
    long: "uri",
    short: "u",
    valueHint: "uri",
    schema: nonEmptyText,
    default: undefined,
    help:
      "Server URI valkey://[user[:password]@]host[:port][/db] (also redis://; valkeys:// and rediss:// use TLS). " +
      "Percent-encode special characters in the password. -a, --user and --dbnum override its parts",
    group: "Connection",
    secret: true,
  }),
  dbnum: valueFlag({
    long: "dbnum",
    valueHint: "db",
    schema: integerText(0),
    default: 0,
    help: "SELECT this database number",
    group: "Connection",
  }),
  resp3: booleanFlag({ long: "resp3", short: "3", help: "Use the RESP3 protocol (HELLO 3)", group: "Connection" }),
  connectTimeout: valueFlag({
    long: "connect-timeout",
    valueHint: "ms",
    schema: integerText(1),
    default: 5000,
    help: "Give up connecting (TCP, TLS and handshake) after this many milliseconds",
    group: "Connection",
  }),
  requestTimeout: valueFlag({
    long: "request-timeout",
    valueHint: "ms",
    schema: integerText(1),
    default: 30000,
    help: "Fail a request with no reply after this many milliseconds",
    group: "Connection",
  }),
  enableTracking: booleanFlag({
    long: "enable-tracking",
    help: "Send CLIENT TRACKING on before the benchmark",
    group: "Connection",
  }),
  keepalive: valueFlag({
    long: "keepalive",
    valueHint: "0|1",
    schema: keepaliveText,
    default: true,
    defaultText: "1",
    help: "1 = keep connections open, 0 = reconnect after each request (valkey-benchmark's -k)",
    group: "Connection",
  }),
  cluster: booleanFlag({
    long: "cluster",
    help: "Require cluster mode (without it a cluster is detected automatically)",
    group: "Connection",
  }),
  // Cluster
  readFrom: valueFlag({
    long: "rfr",
    aliases: ["read-from"],
    valueHint: "mode",
    schema: readFromText,
    default: "primary",
    help: "Nodes that serve read-only tests: primary, prefer-replica, round-robin (primaries and replicas) or az-affinity (replicas in --az first); replicas get READONLY. valkey-benchmark's no/yes/all work too",
    group: "Cluster",
  }),
  az: valueFlag({
    long: "az",
    valueHint: "zone",
    schema: nonEmptyText,
    default: undefined,
    help: "This client's availability zone, for --rfr az-affinity",
    group: "Cluster",
  }),
  balanceNodes: booleanFlag({
    long: "balance-nodes",
    help: "Throttle fast nodes so every node completes about the same number of requests (within --balance-tolerance)",
    group: "Cluster",
  }),
  balanceTolerance: valueFlag({
    long: "balance-tolerance",
    valueHint: "percent",
    schema: numberText(0.1, "a percentage of at least 0.1"),
    default: 10,
    help: "How far ahead of the slowest node (percent of its completed requests) a node may get with --balance-nodes",
    group: "Cluster",
  }),
  imbalanceThreshold: valueFlag({
    long: "imbalance-threshold",
    valueHint: "percent",
    schema: numberText(0, "a percentage >= 0"),
    default: 20,
    help: "Warn when the busiest node did this many percent more than the least busy: requests per connection (per node with --balance-nodes); for FT.SEARCH on a cluster, searches each shard executed",
    group: "Cluster",
  }),
  clusterAnnounceMap: valueFlag({
    long: "cluster-announce-map",
    valueHint: "old=new,...",
    schema: nonEmptyText,
    default: undefined,
    help: "Rewrite node addresses the cluster announces but this client cannot reach (host or host:port pairs, comma-separated)",
    group: "Cluster",
  }),
  // TLS
  tls: booleanFlag({ long: "tls", help: "Connect with TLS (certificates are verified)", group: "TLS" }),
  sni: valueFlag({
    long: "sni",
    aliases: ["tls-sni"],
    valueHint: "host",
    schema: nonEmptyText,
    default: undefined,
    defaultText: "the host",
    help: "Server name for SNI and certificate verification",
    group: "TLS",
  }),
  cacert: valueFlag({
    long: "cacert",
    aliases: ["tls-ca-cert"],
    valueHint: "file",
    schema: nonEmptyText,
    default: undefined,
    defaultText: "system CAs",
    help: "CA certificate (PEM) to verify the server with",
    group: "TLS",
  }),
  cacertdir: valueFlag({
    long: "cacertdir",
    aliases: ["tls-ca-cert-dir"],
    valueHint: "dir",
    schema: nonEmptyText,
    default: undefined,
    help: "Directory of CA certificates (PEM files, e.g. an OpenSSL hashed directory) to verify the server with",
    group: "TLS",
  }),
  tlsCiphers: valueFlag({
    long: "tls-ciphers",
    valueHint: "list",
    schema: nonEmptyText,
    default: undefined,
    defaultText: "the TLS library's",
    help: "Ciphers offered for TLS 1.2 and older, in OpenSSL syntax (e.g. ECDHE-RSA-AES256-GCM-SHA384); TLS 1.3 suites are fixed",
    group: "TLS",
  }),
  tlsCiphersuites: valueFlag({
    long: "tls-ciphersuites",
    valueHint: "list",
    schema: nonEmptyText,
    default: undefined,
    help: "Not supported: Bun's TLS library (BoringSSL) always offers the standard TLS 1.3 suites; given, it is an error",
    group: "TLS",
    refused: "is not supported: Bun's TLS library (BoringSSL) always offers the standard TLS 1.3 suites; drop it (--tls-ciphers still picks TLS 1.2 ciphers)",
  }),
  cert: valueFlag({
    long: "cert",
    aliases: ["tls-cert"],
    valueHint: "file",
    schema: nonEmptyText,
    default: undefined,
    help: "Client certificate (PEM); needs --key",
    group: "TLS",
  }),
  key: valueFlag({
    long: "key",
    aliases: ["tls-key"],
    valueHint: "file",
    schema: nonEmptyText,
    default: undefined,
    help: "Client private key (PEM); needs --cert",
    group: "TLS",
  }),
  insecure: booleanFlag({
    long: "insecure",
    aliases: ["tls-skip-verify"],
    help: "Skip server certificate verification",
    group: "TLS",
  }),
  // Load
  clients: valueFlag({
    long: "clients",
    short: "c",
    valueHint: "clients",
    schema: integerText(1),
    default: 50,
    help: "Parallel connections in total, spread over the threads",
    group: "Load",
  }),
  requests: valueFlag({
    long: "requests",
    short: "n",
    valueHint: "requests",
    // The shared request counter is a 32-bit integer, as valkey-benchmark's is.
    schema: integerText(1, 2_000_000_000),
    default: 100000,
    help: "Requests per test; vec-load does not read it (it writes each vector of the --num-vectors slice once), vec-delete stops at the vectors it may delete",
    group: "Load",
  }),
  duration: valueFlag({
    long: "duration",
    valueHint: "seconds",
    schema: secondsText,
    default: undefined,
    help: "Run each test for this many seconds (30 or 30s) instead of -n; not together with -n. vec-load does not read it, vec-delete may end earlier (after the vectors it may delete)",
    group: "Load",
  }),
  warmup: valueFlag({
    long: "warmup",
    valueHint: "5s|1000r",
    schema: warmupText,
    default: undefined,
    help: "Run each test first for N seconds (5 or 5s) or N requests (1000r or 1000req) and discard the results; not vec-load or vec-delete",
    group: "Load",
  }),
  maxErrors: valueFlag({
    long: "max-errors",
    valueHint: "N|P%",
    schema: errorBudgetText,
    default: undefined,
    defaultText: "none: any request lost with its connection exits 1",
    help: "Errors a test may have (any type, lost requests included) and still exit 0, as a count or a percentage of its requests; for failover tests. A test where no request succeeded exits 1 whatever it allows",
    group: "Load",
  }),
  pipeline: valueFlag({
    long: "pipeline",
    short: "P",
    valueHint: "numreq",
    schema: integerText(1),
    default: 1,
    help: "Requests in flight per connection (1 = no pipelining)",
    group: "Load",
  }),
  threads: valueFlag({
    long: "threads",
    valueHint: "N|auto",
    schema: threadsText,
    default: 1,
    help: "Worker threads; auto = one per core (capped at -c)",
    group: "Load",
  }),
  rps: valueFlag({
    long: "rps",
    valueHint: "rate",
    schema: numberText(0, "a rate >= 0 (0 = unlimited)"),
    default: 0,
    defaultText: "0 = unlimited",
    help: "Target requests per second over all threads; latency counts from each request's scheduled time",
    group: "Load",
  }),
  loop: booleanFlag({ long: "loop", short: "l", help: "Run the tests forever", group: "Load" }),
  idle: booleanFlag({ long: "idle", short: "I", help: "Idle mode: open -c connections and wait", group: "Load" }),
  // Keys and data
  dataSize: valueFlag({
    long: "data-size",
    short: "d",
    valueHint: "bytes",
    schema: integerText(0, MAX_DATA_SIZE_BYTES, "536870912 (512 MiB)"),
    default: 3,
    help: "Value size for SET/GET and __data__ in bytes (at most 512 MiB)",
    group: "Keys and data",
  }),
  keyspaceLen: valueFlag({
    long: "keyspacelen",
    short: "r",
    aliases: ["random-keys"],
    valueHint: "keyspacelen",
    schema: integerText(0),
    default: 0,
    defaultText: "0 = one fixed key",
    help:
      "Replace __rand_int__ with a number in 0..keyspacelen-1 (random, or counting with --sequential). " +
      "On a cluster every key of the built-in tests (and {tag} in a custom command) also gets the hash tag of a slot " +
      "drawn at random per request among the slots of the connection's node, as in valkey-benchmark: " +
      "-r N then makes up to N x 16384 distinct keys over the cluster (N per shard with --verify-writes/--verify-reads)",
    group: "Keys and data",
  }),
  sequential: booleanFlag({
    long: "sequential",
    help: "__rand_int__ counts 0,1,2.. modulo -r instead of being random",
    group: "Keys and data",
  }),
  seed: valueFlag({
    long: "seed",
    valueHint: "num",
    schema: integerText(0, 0xffffffff),
    default: undefined,
    defaultText: "time-based; the value used is in the JSON report",
    help: "Seed for the random keys and data",
    group: "Keys and data",
  }),
  keyPrefix: valueFlag({
    long: "key-prefix",
    valueHint: "prefix",
    schema: anyText,
    default: "",
    defaultText: '"" = valkey-benchmark\'s key names',
    help: "Prefix for every key the built-in tests use",
    group: "Keys and data",
  }),
  keyPattern: valueFlag({
    long: "key-pattern",
    valueHint: "P|SET:GET",
    schema: keyPatternText,
    default: undefined,
    defaultText: "R (S with --sequential)",
    help:
      "How __rand_int__ keys are drawn: R uniform, S sequential, G gaussian, Z zipfian (or uniform, sequential, gaussian, zipfian). " +
      "SET:GET (like S:R) gives writes and reads their own pattern. Needs -r or --key-maximum",
    group: "Keys and data",
  }),
  keyMinimum: valueFlag({
    long: "key-minimum",
    valueHint: "n",
    schema: integerText(0),
    default: 0,
    help: "Smallest key number drawn (a subset of the keyspace; memtier's name)",
    group: "Keys and data",
  }),
  keyMaximum: valueFlag({
    long: "key-maximum",
    valueHint: "n",
    schema: integerText(0, 999_999_999_999),
    default: undefined,
    defaultText: "-r minus 1",
    help: "Largest key number drawn, inclusive (instead of -r: keys key:0 .. key:N)",
    group: "Keys and data",
  }),
  keyMedian: valueFlag({
    long: "key-median",
    valueHint: "n",
    schema: numberText(0),
    default: undefined,
    defaultText: "the middle of the range",
    help: "--key-pattern G: the centre of the gaussian",
    group: "Keys and data",
  }),
  keyStddev: valueFlag({
    long: "key-stddev",
    valueHint: "n",
    schema: numberText(Number.MIN_VALUE, "a number > 0"),
    default: undefined,
    defaultText: "a sixth of the range",
    help: "--key-pattern G: the standard deviation of the gaussian",
    group: "Keys and data",
  }),
  keyZipfExp: valueFlag({
    long: "key-zipf-exp",
    valueHint: "s",
    schema: numberText(Number.MIN_VALUE, "a number > 0"),
    default: 0.99,
    help: "--key-pattern Z: the exponent s (P(k) ~ 1/k^s; the range's minimum is the hottest key)",
    group: "Keys and data",
  }),
  dataSizeRange: valueFlag({
    long: "data-size-range",
    valueHint: "MIN-MAX",
    schema: sizeRangeText,
    default: undefined,
    help: "Value sizes from MIN to MAX bytes (instead of -d), drawn as --data-size-pattern says",
    group: "Keys and data",
  }),
  dataSizePattern: valueFlag({
    long: "data-size-pattern",
    valueHint: "R|S",
    schema: sizePatternText,
    default: "R",
    help: "--data-size-range: R = a random size per value, S = each size of the range in turn",
    group: "Keys and data",
  }),
  dataSizeList: valueFlag({
    long: "data-size-list",
    valueHint: "size:weight,...",
    schema: sizeListText,
    default: undefined,
    help: "Value sizes with weights, like 32:60,1024:30,65536:10 (instead of -d)",
    group: "Keys and data",
  }),
  dataImport: valueFlag({
    long: "data-import",
    valueHint: "file",
    schema: anyText,
    default: undefined,
    help: "Not supported (out of scope): values are generated; given, it is an error",
    group: "Keys and data",
    refused: "is out of scope: values are generated (-d, --data-size-range, --data-size-list); drop it",
  }),
  addressType: valueFlag({
    long: "address-type",
    valueHint: "key|hash:F1,F2",
    schema: addressTypeText,
    default: { kind: "key" },
    defaultText: "key",
    help: "hash:F1,F2 makes the set and get tests HSET key F1 v F2 v and HGET (HMGET for several fields) on the same keys",
    group: "Keys and data",
  }),
  verifyWrites: booleanFlag({
    long: "verify-writes",
    help:
      "Record every SET/HSET the server acknowledged (memory: 8 bytes per key number of the range, times the shards in a cluster, shared by all threads; at most 2^27 in all) " +
      "and read each written key back from the primaries after the test: present / stale / missing per node. Exit 1 if any is stale or missing. " +
      "Values carry a 24-byte stamp, so sizes must be >= 24",
    group: "Keys and data",
  }),
  verifyReads: booleanFlag({
    long: "verify-reads",
    help: "Check each GET/HGET value against what this run last wrote to the key; a mismatch counts as a VERIFY error (uses the --verify-writes record)",
    group: "Keys and data",
  }),
  // Tests and commands
  tests: valueFlag({
    long: "tests",
    short: "t",
    valueHint: "tests",
    schema: nonEmptyText,
    default: undefined,
    defaultText: "all",
    help: "Comma-separated tests to run (set,get,lrange,...); ignored when a command is given",
    group: "Tests and commands",
  }),
  command: valueFlag({
    long: "command",
    valueHint: '"CMD args"',
    schema: nonEmptyText,
    default: undefined,
    help: "Command to benchmark as one shell-quoted string, instead of a command after the options",
    group: "Tests and commands",
  }),
  stdinArg: booleanFlag({
    long: "stdin-arg",
    short: "x",
    help: "Read the command's last argument from standard input",
    group: "Tests and commands",
  }),
  // Vector search
  searchIndex: valueFlag({
    long: "search-index",
    valueHint: "name",
    schema: fieldNameText,
    default: "idx",
    help: "Vector search: name of the index to create or reuse",
    group: "Vector search",
  }),
  searchVectorField: valueFlag({
    long: "search-vector-field",
    valueHint: "field",
    schema: fieldNameText,
    default: "embedding",
    help: "Vector search: hash field holding the vector (FLOAT32 bytes)",
    group: "Vector search",
  }),
  searchPrefix: valueFlag({
    long: "search-prefix",
    valueHint: "prefix",
    schema: searchPrefixText,
    default: "vec:",
    help: "Vector search: key prefix of the vector hashes (also the index's PREFIX)",
    group: "Vector search",
  }),
  searchAlgorithm: valueFlag({
    long: "search-algorithm",
    valueHint: "HNSW|FLAT",
    schema: searchAlgorithmText,
    default: "HNSW",
    help: "Vector search: index algorithm",
    group: "Vector search",
  }),
  searchDistance: valueFlag({
    long: "search-distance",
    valueHint: "L2|IP|COSINE",
    schema: searchDistanceText,
    default: undefined,
    defaultText: "the dataset's metric hint, else L2; the banner says which",
    help: "Vector search: distance metric of the index and of recall",
    group: "Vector search",
  }),
  vectorDim: valueFlag({
    long: "vector-dim",
    valueHint: "dim",
    schema: integerText(1, 32768),
    default: undefined,
    defaultText: "the dataset's",
    help: "Vector search: vector dimension; must match the dataset (a check, not an override)",
    group: "Vector search",
  }),
  searchK: valueFlag({
    long: "search-k",
    short: "k",
    valueHint: "k",
    schema: integerText(1, 10000),
    default: 10,
    help: "Vector search: neighbours per query (KNN k; recall@k). valkey-benchmark's -k (keepalive) is --keepalive here",
    group: "Vector search",
    shortFormNote: "valkey-benchmark's -k 1|0 (keep-alive) is --keepalive 1|0 here",
  }),
  efConstruction: valueFlag({
    long: "ef-construction",
    valueHint: "n",
    schema: integerText(1, 4096),
    default: undefined,
    defaultText: "the server's (200)",
    help: "Vector search: HNSW EF_CONSTRUCTION, sent only when given",
    group: "Vector search",
  }),
  hnswM: valueFlag({
    long: "hnsw-m",
    valueHint: "m",
    schema: integerText(2, 2048),
    default: undefined,
    defaultText: "the server's (16)",
    help: "Vector search: HNSW M (links per node), sent only when given",
    group: "Vector search",
  }),
  efSearch: valueFlag({
    long: "ef-search",
    valueHint: "ef",
    schema: integerText(1, 4096),
    default: undefined,
    defaultText: "the index's EF_RUNTIME",
    help: "Vector search: EF_RUNTIME inside each query's KNN clause (HNSW only)",
    group: "Vector search",
  }),
  initialCap: valueFlag({
    long: "initial-cap",
    valueHint: "vectors",
    schema: integerText(1),
    default: undefined,
    defaultText: "the server's",
    help: "Vector search: INITIAL_CAP of the vector index, sent only when given",
    group: "Vector search",
  }),
  nocontent: booleanFlagOn({
    long: "nocontent",
    help: "Vector search: queries send NOCONTENT (keys only); --no-nocontent fetches the fields",
    group: "Vector search",
  }),
  returnFields: valueFlag({
    long: "return-fields",
    valueHint: "a,b",
    schema: commaListText,
    default: undefined,
    help: "Vector search: RETURN these hash fields with each result (turns NOCONTENT off)",
    group: "Vector search",
  }),
  withScores: booleanFlag({
    long: "with-scores",
    help: "Vector search: return each result's distance (turns NOCONTENT off); MRR and NDCG then rank results by these scores",
    group: "Vector search",
  }),
  filteredSearch: booleanFlag({
    long: "filtered-search",
    help: "Vector search: queries use the dataset's per-query tag and numeric filters (ground truth must be filtered too)",
    group: "Vector search",
  }),
  tagField: valueFlag({
    long: "tag-field",
    valueHint: "field",
    schema: fieldNameText,
    default: undefined,
    defaultText: "category when the dataset has tags",
    help: "Vector search: TAG field indexed and written from the dataset's tags",
    group: "Vector search",
  }),
  tagFilter: valueFlag({
    long: "tag-filter",
    valueHint: "a|b",
    schema: tagFilterText,
    default: undefined,
    help: "Vector search: every query filters on @tag-field:{a|b} (any of the values)",
    group: "Vector search",
  }),
  numericField: valueFlag({
    long: "numeric-field",
    valueHint: "a,b",
    schema: fieldListText,
    default: undefined,
    defaultText: "the dataset's numeric attributes and the --numeric-filter fields",
    help: "Vector search: NUMERIC fields of the index, each written per vector (the dataset's value, else its id)",
    group: "Vector search",
  }),
  numericFilter: numericListFlag({
    long: "numeric-filter",
    valueHint: "f:[lo hi]",
    schema: numericFilterText,
    defaultText: "none",
    help: "Vector search: numeric range filter on every query, ANDed when repeated; ( makes a bound exclusive, -inf/+inf allowed",
    group: "Vector search",
  }),
  skipIndexCreate: booleanFlag({
    long: "skip-index-create",
    help: "Vector search: neither create nor check the index (it must exist)",
    group: "Vector search",
  }),
  skipLoad: booleanFlag({
    long: "skip-load",
    help: "Vector search: the vectors are already loaded; vec-query and others use them as they are",
    group: "Vector search",
  }),
  recreateIndex: booleanFlag({
    long: "recreate-index",
    help: "Vector search: drop an existing index whose definition differs and create it from the flags",
    group: "Vector search",
  }),
  dropIndex: booleanFlag({
    long: "dropindex",
    help: "Vector search: FT.DROPINDEX before creating the index (keys stay; they are re-indexed)",
    group: "Vector search",
  }),
  cleanup: booleanFlag({
    long: "cleanup",
    help: "Vector search: at the end drop the index and delete this run's vector keys (its ids under --search-prefix, nothing else)",
    group: "Vector search",
  }),
  reload: booleanFlag({
    long: "reload",
    help: "Vector search: vec-load writes every vector, even those already present (found with SCAN)",
    group: "Vector search",
  }),
  mix: valueFlag({
    long: "mix",
    valueHint: "test:weight,...",
    schema: mixText,
    default: undefined,
    help: "Vector search: one test running a weighted mix of tests on the same connections, like vec-query:90,vec-update:10",
    group: "Vector search",
  }),
  updateShift: valueFlag({
    long: "update-shift",
    valueHint: "n",
    schema: integerText(0),
    default: 1,
    help: "Vector search: vec-update writes vector (id + n) mod count into key id, so values change and ids stay (0 rewrites identical vectors: recall stays valid)",
    group: "Vector search",
  }),
  engine: valueFlag({
    long: "engine",
    valueHint: "name",
    schema: searchEngineText,
    default: undefined,
    defaultText: "detected from MODULE LIST, INFO and the endpoint name",
    help: "Vector search: the search platform (valkey-search, elasticache, elasticache-serverless, memorydb, redisearch)",
    group: "Vector search",
  }),
  indexWaitTimeout: valueFlag({
    long: "index-wait-timeout",
    valueHint: "seconds",
    schema: secondsText,
    default: 600,
    help: "Vector search: how long to wait for the index to catch up after loading",
    group: "Vector search",
  }),
  // Dataset
  dataset: valueFlag({
    long: "dataset",
    valueHint: "file",
    schema: nonEmptyText,
    default: undefined,
    help: "Dataset: vectors, queries and ground truth (legacy .bin or a schema .yaml next to its .bin); vector tests need one",
    group: "Dataset",
  }),
  schema: valueFlag({
    long: "schema",
    valueHint: "file.yaml",
    schema: nonEmptyText,
    default: undefined,
    help: "Dataset: schema file of a schema-format dataset; needs --data",
    group: "Dataset",
  }),
  data: valueFlag({
    long: "data",
    valueHint: "file.bin",
    schema: nonEmptyText,
    default: undefined,
    help: "Dataset: data file of a schema-format dataset; needs --schema",
    group: "Dataset",
  }),
  numVectors: valueFlag({
    long: "num-vectors",
    valueHint: "n",
    schema: integerText(0),
    default: 0,
    defaultText: "0 = all",
    help: "Dataset: use this many vectors (from --vector-offset): how many vec-load writes (-n does not set it)",
    group: "Dataset",
  }),
  vectorOffset: valueFlag({
    long: "vector-offset",
    valueHint: "n",
    schema: integerText(0),
    default: 0,
    help: "Dataset: first vector used",
    group: "Dataset",
  }),
  // Optimizer (src/optimize/; docs/optimizer.md)
  optimize: booleanFlag({
    long: "optimize",
    help: "Search for the cheapest configuration meeting --constraint (trials of the one test in -t, on the loaded index); needs --tune",
    group: "Optimizer",
  }),
  sweep: typedListFlag({
    long: "sweep",
    valueHint: "name=a,b,c",
    schema: sweepText,
    defaultText: "none",
    help: "Measure every combination of the values (repeat per parameter) and report the Pareto front; names as for --tune",
    group: "Optimizer",
  }),
  objective: valueFlag({
    long: "objective",
    valueHint: "goal",
    schema: objectiveText,
    default: "maximize:qps",
    help: "What the chosen configuration optimizes: maximize:qps, minimize:p99 or minimize:ef_search",
    group: "Optimizer",
  }),
  constraint: typedListFlag({
    long: "constraint",
    valueHint: "metric<=|>=value",
    schema: constraintText,
    defaultText: "none",
    help: "A target the chosen setting must meet (repeatable): recall>=0.95, qps>=10000, p50<=2ms, p99<=5ms, p999<=20ms (ms default; us, s accepted)",
    group: "Optimizer",
  }),
  tune: typedListFlag({
    long: "tune",
    valueHint: "name:lo..hi|a,b",
    schema: tuneText,
    defaultText: "none",
    help: "A parameter to search (repeatable): ef_search, clients, pipeline, threads as LOW..HIGH or A,B,C; m, ef_construction with --tune-rebuild",
    group: "Optimizer",
  }),
  tuneRebuild: booleanFlag({
    long: "tune-rebuild",
    help: "Allow tuning m / ef_construction: each value drops and re-creates the index over the loaded keys (the report gives build time and index memory)",
    group: "Optimizer",
  }),
  maxOptimizeIterations: valueFlag({
    long: "max-optimize-iterations",
    valueHint: "trials",
    schema: integerText(1, 100_000),
    default: 50,
    help: "At most this many trials in --optimize (re-measurements included)",
    group: "Optimizer",
  }),
  tolerance: valueFlag({
    long: "tolerance",
    valueHint: "fraction",
    schema: toleranceText,
    default: 0.04,
    help: "Relative QPS / p99 difference treated as noise: such near-ties are re-measured and the cheaper setting wins",
    group: "Optimizer",
  }),
  // Output
  quiet: booleanFlag({ long: "quiet", short: "q", help: "Quiet: one line per test (requests per second, p50)", group: "Output" }),
  csv: booleanFlag({ long: "csv", help: "Print valkey-benchmark's CSV lines", group: "Output" }),
  precision: valueFlag({
    long: "precision",
    valueHint: "digits",
    schema: integerText(0, 4),
    default: 3,
    help: "Significant digits of the latency histograms (0..4), as valkey-benchmark's code uses it (its help says decimal places; its output always has 3)",
    group: "Output",
  }),
  output: valueFlag({
    long: "output",
    short: "o",
    valueHint: "file",
    schema: nonEmptyText,
    default: undefined,
    help: "Also write the report to this file (format from --output-format, or the .json/.csv/.html extension; .html is the self-contained HTML report)",
    group: "Output",
  }),
  outputFormat: valueFlag({
    long: "output-format",
    valueHint: "text|json|csv|html",
    schema: outputFormatText,
    default: "text",
    help: "Report format",
    group: "Output",
  }),
  interval: valueFlag({
    long: "interval",
    valueHint: "seconds",
    schema: v.pipe(secondsText, v.check((s: number) => s >= 0.1 && s <= 3600, "must be between 0.1 and 3600 seconds")),
    default: 1,
    defaultText: "1",
    help: "Per-interval results (requests, errors, throughput, p50/p99/max, recall) every this many seconds, in the JSON timeline and the HTML report",
    group: "Output",
  }),
  hdrLog: valueFlag({
    long: "hdr-log",
    valueHint: "file",
    schema: nonEmptyText,
    default: undefined,
    help: "Write HdrHistogram interval logs (one per --interval, tagged with the test) that HdrHistogram's tools read",
    group: "Output",
  }),
  // Distributed runs (docs/distributed.md)
  shard: valueFlag({
    long: "shard",
    valueHint: "I/N",
    schema: shardText,
    default: undefined,
    help: "Do part I (0-based) of a run split over N processes: -n, --rps, keyspace and dataset ranges divided; merge the JSON files with `merge`",
    group: "Load",
  }),
  startAt: valueFlag({
    long: "start-at",
    valueHint: "time",
    schema: startAtText,
    default: undefined,
    help: "Start the first test at this time (RFC 3339, e.g. 2026-01-31T12:00:00Z, or unix ms), after connecting; needs synchronised clocks",
    group: "Load",
  }),
  barrier: valueFlag({
    long: "barrier",
    valueHint: "name> <count",
    arity: 2,
    schema: barrierText,
    default: undefined,
    help: "Start when COUNT processes reached barrier NAME: one INCR on the target server, then polling; the keys are removed afterwards",
    group: "Load",
  }),
  barrierTimeout: valueFlag({
    long: "barrier-timeout",
    valueHint: "seconds",
    schema: secondsText,
    default: 600,
    help: "Give up waiting at --barrier after this many seconds",
    group: "Load",
  }),
  // On by default: a snapshot is one INFO call per node right before and right after each
  // measured run, over its own connection, so it costs the benchmark nothing it measures.
  serverMetrics: booleanFlagOn({
    long: "server-metrics",
    help:
      "Per-node server metrics around each test (INFO commandstats/stats/memory/search deltas): always in JSON; " +
      "in the text report on clusters and replica sets, or everywhere when given. --no-server-metrics turns them off",
    group: "Output",
  }),
  verbose: booleanFlag({ long: "verbose", short: "v", help: "Log connections and setup steps", group: "Output" }),
  // Server metrics (docs/metrics.md)
  trackMetric: typedListFlag({
    long: "track-metric",
    valueHint: "section:field[:sub][:agg[:diff]][@nodes]",
    schema: metricDefText,
    defaultText: "none",
    help:
      "Also report this INFO metric per node and over the nodes; repeatable. agg sum|avg|min|max|none, diff rate|delta|memory|percent|none, " +
      "nodes @primaries|@replicas|@all; field: a name, a,b alternatives, prefix* or /regex/ (e.g. stats:total_commands_processed:sum:rate, commandstats:cmdstat_set:calls)",
    group: "Server metrics",
  }),
  metricsInterval: valueFlag({
    long: "metrics-interval",
    valueHint: "seconds",
    schema: secondsText,
    default: undefined,
    defaultText: "off",
    help: "Sample every node's INFO this often during each test (on separate connections) into a per-node timeline; 1 is the useful value",
    group: "Server metrics",
  }),
  metricsSnapshot: valueFlag({
    long: "metrics-snapshot",
    valueHint: "file",
    schema: nonEmptyText,
    default: undefined,
    help: "Write every node's final INFO (all sections) and the run's metric values to this JSON file",
    group: "Server metrics",
  }),
  compareSnapshot: valueFlag({
    long: "compare-snapshot",
    valueHint: "file",
    schema: nonEmptyText,
    default: undefined,
    help: "Compare this run's node state with a --metrics-snapshot file of an earlier run, per metric and per node",
    group: "Server metrics",
  }),
  runtimeConfig: valueFlag({
    long: "runtime-config",
    valueHint: "file",
    schema: nonEmptyText,
    default: undefined,
    help: "CONFIG SET these parameters (YAML or 'name value' lines) on every node before the run, verified, and restore them afterwards (also after Ctrl-C or a failure)",
    group: "Server metrics",
  }),
} as const satisfies Record<string, FlagSpec<unknown>>;

export type FlagName = keyof typeof FLAGS;

/** How help and errors name a flag: the valkey-benchmark short form when there is one. */
export function flagLabel(flag: FlagSpec<unknown>): string {
  return flag.short === undefined ? `--${flag.long}` : `-${flag.short}`;
}

/** Parses one flag's text with its schema; the issue becomes a UserError-ready message. */
export function parseFlagText<T>(
  flag: FlagSpec<T>,
  text: string,
  spelling: string,
): { ok: true; value: T } | { ok: false; message: string } {
  const result = v.safeParse(flag.schema, text);
  if (result.success) return { ok: true, value: result.output };
  const shown = flag.secret ? "" : ` (got ${text === "" ? '""' : text})`;
  const note = flag.shortFormNote !== undefined && flag.short !== undefined && spelling === `-${flag.short}` ? `; ${flag.shortFormNote}` : "";
  return { ok: false, message: `${spelling} ${result.issues[0].message}${shown}${note}` };
}
