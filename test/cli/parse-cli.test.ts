import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCli, type CliIo } from "../../src/cli/parse-cli.ts";
import { FLAGS, type FlagSpec } from "../../src/config/flags.ts";
import type { BenchConfig } from "../../src/config/types.ts";
import { UserError } from "../../src/errors.ts";
import pkg from "../../package.json" with { type: "json" };
import { tlsFiles } from "../support/tls-certs.ts";

const FIXED_NOW = 1_700_000_000_123;
const io = (stdin?: string): CliIo => ({
  stdin: async () => {
    if (stdin === undefined) throw new Error("stdin must not be read");
    return stdin;
  },
  cores: 2,
  nowMs: () => FIXED_NOW,
});

async function bench(argv: string[], stdin?: string): Promise<BenchConfig> {
  const parsed = await parseCli(argv, io(stdin));
  if (parsed.kind !== "bench") throw new Error(`expected a benchmark run, got ${parsed.kind}`);
  return parsed.config;
}

async function userError(argv: string[], stdin?: string): Promise<UserError> {
  try {
    await parseCli(argv, io(stdin));
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error(`expected ${argv.join(" ")} to be rejected`);
}

function at(config: BenchConfig, path: string): unknown {
  let value: unknown = config;
  for (const key of path.split(".")) value = (value as Record<string, unknown>)[key];
  return value;
}

let dir = "";
let caFile = "";
let certFile = "";
let keyFile = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "vsb-cli-"));
  caFile = join(dir, "ca.pem");
  certFile = join(dir, "client.pem");
  keyFile = join(dir, "client.key");
  for (const file of [caFile, certFile, keyFile]) writeFileSync(file, "-----BEGIN TEST-----\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("defaults are valkey-benchmark's", () => {
  test("no arguments give the documented defaults", async () => {
    const config = await bench([]);
    expect(config).toEqual({
      connection: {
        endpoints: [{ host: "127.0.0.1", port: 6379 }],
        socketPath: undefined,
        tls: undefined,
        user: undefined,
        password: undefined,
        dbnum: 0,
        resp3: false,
        connectTimeoutMs: 5000,
        requestTimeoutMs: 30000,
        enableTracking: false,
      },
      clients: 50,
      requests: 100000,
      durationSec: undefined,
      warmup: undefined,
      dataSize: 3,
      keyspaceLen: 0,
      sequential: false,
      keys: { set: "R", get: "R", minimum: 0, maximum: 0, median: 0, stddev: 1, zipfExponent: 0.99 },
      valueSizes: { kind: "fixed", bytes: 3 },
      addressType: { kind: "key" },
      verifyWrites: false,
      verifyReads: false,
      pipeline: 1,
      threads: 1,
      seed: FIXED_NOW % 2 ** 32,
      rps: 0,
      precision: 3,
      keepalive: true,
      tests: [],
      command: undefined,
      commandSequence: undefined,
      clusterMode: "auto",
      cluster: { readFrom: "primary", az: undefined, balanceNodes: false, balanceTolerancePct: 10, imbalanceThresholdPct: 20, announceMap: undefined },
      keyPrefix: "",
      search: {
        datasetPath: undefined,
        schemaPath: undefined,
        dataPath: undefined,
        indexName: "idx",
        vectorField: "embedding",
        prefix: "vec:",
        algorithm: "HNSW",
        distance: undefined,
        vectorDim: undefined,
        k: 10,
        efConstruction: undefined,
        hnswM: undefined,
        efSearch: undefined,
        initialCap: undefined,
        nocontent: true,
        returnFields: [],
        withScores: false,
        filteredSearch: false,
        tagField: undefined,
        tagFilter: undefined,
        numericFields: undefined,
        numericFilters: [],
        numVectors: 0,
        vectorOffset: 0,
        skipIndexCreate: false,
        skipLoad: false,
        recreateIndex: false,
        dropIndex: false,
        cleanup: false,
        reload: false,
        mix: undefined,
        updateShift: 1,
        engine: undefined,
        indexWaitTimeoutSec: 600,
      },
      quiet: false,
      csv: false,
      loop: false,
      idle: false,
      verbose: false,
      serverMetrics: "auto",
      trackMetrics: [],
      metricsIntervalSec: undefined,
      metricsSnapshotFile: undefined,
      compareSnapshotFile: undefined,
      runtimeConfig: undefined,
      outputFile: undefined,
      outputFormat: "text",
      intervalSec: 1,
      hdrLogFile: undefined,
      shard: undefined,
      startAtMs: undefined,
      barrier: undefined,
    });
  });

  test("the time-based seed is a concrete unsigned 32-bit number", async () => {
    const parsed = await parseCli([], { nowMs: () => 2 ** 40 + 77 });
    expect(parsed.kind === "bench" && parsed.config.seed).toBe(77);
  });
});

describe("every flag sets its config field", () => {
  const cases: [string[], string, unknown][] = [
    [["-h", "10.0.0.5"], "connection.endpoints", [{ host: "10.0.0.5", port: 6379 }]],
    [["--host", "db.local", "-p", "7000"], "connection.endpoints", [{ host: "db.local", port: 7000 }]],
    [["-h", "a", "-h", "b:7001", "-p", "7002"], "connection.endpoints", [{ host: "a", port: 7002 }, { host: "b", port: 7001 }]],
    [["-h", "[::1]:6380"], "connection.endpoints", [{ host: "::1", port: 6380 }]],
    [["-h", "::1"], "connection.endpoints", [{ host: "::1", port: 6379 }]],
    [["--port=6390"], "connection.endpoints", [{ host: "127.0.0.1", port: 6390 }]],
    [["-s", "/tmp/valkey.sock"], "connection.socketPath", "/tmp/valkey.sock"],
    [["-a", "pw"], "connection.password", "pw"],
    [["--auth", "pw", "--user", "bench"], "connection.user", "bench"],
    [["--dbnum", "5"], "connection.dbnum", 5],
    [["-3"], "connection.resp3", true],
    [["--resp3"], "connection.resp3", true],
    [["--connect-timeout", "250"], "connection.connectTimeoutMs", 250],
    [["--request-timeout", "1000"], "connection.requestTimeoutMs", 1000],
    [["--enable-tracking"], "connection.enableTracking", true],
    [["--keepalive", "0"], "keepalive", false],
    [["--keepalive", "1"], "keepalive", true],
    [["--cluster"], "clusterMode", "force"],
    [["--cluster", "--no-cluster"], "clusterMode", "auto"],
    [["--tls"], "connection.tls", { insecure: false, sni: undefined, caFile: undefined, certFile: undefined, keyFile: undefined }],
    [["--tls", "--sni", "cache.example"], "connection.tls.sni", "cache.example"],
    [["--tls", "--tls-sni", "cache.example"], "connection.tls.sni", "cache.example"],
    [["--tls", "--insecure"], "connection.tls.insecure", true],
    [["--tls", "--tls-skip-verify"], "connection.tls.insecure", true],
    [["-c", "8"], "clients", 8],
    [["--clients", "8"], "clients", 8],
    [["-n", "1000"], "requests", 1000],
    [["--duration", "30"], "durationSec", 30],
    [["--duration", "2.5s"], "durationSec", 2.5],
    [["--warmup", "5"], "warmup", { kind: "seconds", seconds: 5 }],
    [["--warmup", "5s"], "warmup", { kind: "seconds", seconds: 5 }],
    [["--warmup", "1000r"], "warmup", { kind: "requests", requests: 1000 }],
    [["--warmup", "1000req"], "warmup", { kind: "requests", requests: 1000 }],
    [["-P", "16"], "pipeline", 16],
    [["--threads", "2"], "threads", 2],
    [["--threads", "auto"], "threads", 2],
    [["--threads", "auto", "-c", "1"], "threads", 1],
    [["--rps", "5000"], "rps", 5000],
    [["--rps", "0.5"], "rps", 0.5],
    [["-l"], "loop", true],
    [["-I"], "idle", true],
    [["-d", "1024"], "dataSize", 1024],
    [["-d", "0"], "dataSize", 0],
    [["-r", "100000"], "keyspaceLen", 100000],
    [["--random-keys", "10"], "keyspaceLen", 10],
    [["--sequential"], "sequential", true],
    [["--seed", "42"], "seed", 42],
    [["--key-prefix", "bench:"], "keyPrefix", "bench:"],
    [["-t", "SET,get, lrange_100"], "tests", ["set", "get", "lrange_100"]],
    [["-t", "ping"], "tests", ["ping"]],
    [["-q"], "quiet", true],
    [["--quiet=false"], "quiet", false],
    [["--csv"], "csv", true],
    [["--precision", "0"], "precision", 0],
    [["--precision", "4"], "precision", 4],
    [["-v"], "verbose", true],
    [["--output-format", "json"], "outputFormat", "json"],
    [["--output-format=csv"], "outputFormat", "csv"],
  ];
  for (const [argv, path, expected] of cases) {
    test(`${argv.join(" ")} → ${path}`, async () => {
      expect(at(await bench(argv), path)).toEqual(expected);
    });
  }

  test("TLS files are recorded when readable (and valid: checked before connecting)", async () => {
    const { caCert: caFile, clientCert: certFile, clientKey: keyFile } = await tlsFiles();
    const config = await bench(["--tls", "--cacert", caFile, "--cert", certFile, "--key", keyFile]);
    expect(config.connection.tls).toEqual({ sni: undefined, caFile, certFile, keyFile, insecure: false });
    const seedSpelling = await bench(["--tls", "--tls-ca-cert", caFile, "--tls-cert", certFile, "--tls-key", keyFile]);
    expect(seedSpelling.connection.tls).toEqual(config.connection.tls);
  });

  test("-o sets the file and a .json or .csv name implies the format unless --output-format is given", async () => {
    const json = join(dir, "run.json");
    expect(await bench(["-o", json])).toMatchObject({ outputFile: json, outputFormat: "json" });
    expect(await bench(["--output", join(dir, "run.CSV")])).toMatchObject({ outputFormat: "csv" });
    expect(await bench(["-o", join(dir, "run.txt")])).toMatchObject({ outputFormat: "text" });
    expect(await bench(["-o", json, "--output-format", "text"])).toMatchObject({ outputFormat: "text" });
  });

  test("the last occurrence of a single-value flag wins", async () => {
    expect((await bench(["-c", "5", "-c", "7"])).clients).toBe(7);
  });
});

describe("-u server URIs", () => {
  test("user, password, host, port and db come from the URI; valkeys enables TLS", async () => {
    const config = await bench(["-u", "valkeys://bench:s3cr%40t@cache.example:6380/2"]);
    expect(config.connection).toMatchObject({
      endpoints: [{ host: "cache.example", port: 6380 }],
      user: "bench",
      password: "s3cr@t",
      dbnum: 2,
      tls: { insecure: false },
    });
  });

  test("redis:// without port or db uses -p and db 0, without TLS", async () => {
    const config = await bench(["-u", "redis://:pw@h", "-p", "7005"]);
    expect(config.connection).toMatchObject({ endpoints: [{ host: "h", port: 7005 }], password: "pw", dbnum: 0 });
    expect(config.connection.tls).toBeUndefined();
    expect(config.connection.user).toBeUndefined();
  });

  test("explicit -a, --user and --dbnum override the URI's parts", async () => {
    const config = await bench(["-u", "rediss://u:p@h:1/3", "-a", "other", "--user", "admin", "--dbnum", "0"]);
    expect(config.connection).toMatchObject({ user: "admin", password: "other", dbnum: 0 });
  });

  test("-h hosts are added after the URI's host as further seeds", async () => {
    const config = await bench(["-u", "valkey://h1:7000", "-h", "h2:7001"]);
    expect(config.connection.endpoints).toEqual([{ host: "h1", port: 7000 }, { host: "h2", port: 7001 }]);
  });
});

describe("custom commands", () => {
  test("the first non-option starts the command; later option-like tokens belong to it", async () => {
    const config = await bench(["-n", "1000", "-r", "100", "SET", "foo:__rand_int__", "__data__", "-P", "5"]);
    expect(config.requests).toBe(1000);
    expect(config.pipeline).toBe(1);
    expect(config.command).toEqual(["SET", "foo:__rand_int__", "__data__", "-P", "5"]);
    expect(config.commandSequence).toEqual([{ repeat: 1, args: ["SET", "foo:__rand_int__", "__data__", "-P", "5"] }]);
  });

  test("';' separates steps and a leading number repeats a step", async () => {
    const config = await bench(["3", "SET", "a", "b", ";", "GET", "a"]);
    expect(config.command).toEqual(["3", "SET", "a", "b", ";", "GET", "a"]);
    expect(config.commandSequence).toEqual([
      { repeat: 3, args: ["SET", "a", "b"] },
      { repeat: 1, args: ["GET", "a"] },
    ]);
  });

  test("-- ends the options, so a command may start with a dash or be named dataset", async () => {
    expect((await bench(["--", "-weird", "x"])).command).toEqual(["-weird", "x"]);
    expect((await bench(["--", "dataset", "x"])).command).toEqual(["dataset", "x"]);
  });

  test("--command is split like a shell would", async () => {
    const config = await bench(["--command", `SET "my key" 'a b' plain`]);
    expect(config.command).toEqual(["SET", "my key", "a b", "plain"]);
    expect(config.commandSequence).toEqual([{ repeat: 1, args: ["SET", "my key", "a b", "plain"] }]);
  });

  test("-x appends all of standard input, unmodified, as the last argument", async () => {
    const config = await bench(["-x", "SET", "key"], "value from stdin\n");
    expect(config.command).toEqual(["SET", "key", "value from stdin\n"]);
    expect(config.commandSequence).toEqual([{ repeat: 1, args: ["SET", "key", "value from stdin\n"] }]);
  });

  test("-x does not read standard input when the command line is invalid", async () => {
    expect((await userError(["-x", "-P", "0", "SET", "k"])).message).toMatch(/^-P/);
    expect((await userError(["-x", "-t", "sett", "SET", "k"])).message).toMatch(/^-t/);
    expect((await userError(["-x", "SET", "k", ";"])).message).toMatch(/empty step/);
  });

  test("-x also applies to --command, and stdin is not read without -x", async () => {
    expect((await bench(["-x", "--command", "SET k"], "v")).command).toEqual(["SET", "k", "v"]);
    expect((await bench(["SET", "k", "v"])).command).toEqual(["SET", "k", "v"]);
  });
});

describe("help, version and subcommands", () => {
  test("--help lists every flag spelling with its default, except those accepted only to be refused", async () => {
    const parsed = await parseCli(["-n", "5", "--help"]);
    if (parsed.kind !== "help") throw new Error("expected help");
    for (const flag of Object.values(FLAGS) as FlagSpec<unknown>[]) {
      if (flag.refused) {
        expect(parsed.text).not.toContain(`--${flag.long}`);
        continue;
      }
      expect(parsed.text).toContain(`--${flag.long}`);
      if (flag.short !== undefined) expect(parsed.text).toContain(`-${flag.short}, --${flag.long}`);
      for (const alias of flag.aliases ?? []) expect(parsed.text).toContain(`--${alias}`);
      const first = flag.short === undefined ? `--${flag.long}` : `-${flag.short}, --${flag.long}`;
      const start = parsed.text.search(new RegExp(`\\n  ${first}[ ,\\n]`));
      expect(start).toBeGreaterThan(0);
      const end = parsed.text.slice(start + 1).search(/\n {2}-|\n\n/);
      const squashed = parsed.text.slice(start, start + 1 + end).replace(/\s+/g, " ");
      expect(squashed).toContain(`(default: ${flag.defaultText})`);
    }
    expect(parsed.text).toContain("--warmup <5s|1000r>");
    expect(parsed.text).toContain("dataset");
  });

  test("-h is never help: it takes a host", async () => {
    expect((await bench(["-h", "example"])).connection.endpoints[0].host).toBe("example");
    expect((await userError(["-h"])).message).toMatch(/^-h needs a host name.*--help/);
  });

  test("--version prints the name and package.json version", async () => {
    expect(await parseCli(["--version"])).toEqual({ kind: "version", text: `valkey-search-benchmark ${pkg.version}` });
  });

  test("a first positional 'dataset' hands the rest to the subcommand", async () => {
    expect(await parseCli(["dataset", "info", "-h", "x"])).toEqual({
      kind: "subcommand",
      name: "dataset",
      argv: ["info", "-h", "x"],
    });
  });
});

describe("invalid input is rejected with exit code 2 and a message naming the flag", () => {
  const cases: [string[], RegExp][] = [
    [["-P", "0"], /^-P must be at least 1 \(got 0\)$/],
    [["-c", "0"], /^-c must be at least 1/],
    [["-n", "0"], /^-n must be between 1 and 2000000000/],
    [["-n", "1e3"], /^-n must be a whole number/],
    [["-p", "0"], /^-p must be between 1 and 65535/],
    [["-p", "65536"], /^-p must be between 1 and 65535/],
    [["-h", "host:99999"], /^-h: port must be between 1 and 65535/],
    [["-h", "[::1"], /^-h has an unclosed '\['/],
    [["--duration", "10", "-n", "100"], /^--duration and -n are mutually exclusive/],
    [["--duration", "0"], /^--duration must be a number of seconds greater than 0/],
    [["--duration", "abc"], /^--duration must be a number of seconds/],
    [["--warmup", "5x"], /^--warmup must be seconds \(5 or 5s\) or a request count/],
    [["--user", "bob"], /^--user needs a password/],
    [["--tls", "--cert", "/tmp"], /^--cert needs --key/],
    [["--tls", "--key", "/tmp"], /^--key needs --cert/],
    [["--cacert", "/tmp/x"], /^--cacert only applies to TLS connections/],
    [["--insecure"], /^--insecure only applies to TLS/],
    [["-t", "sett"], /^-t: unknown test 'sett'; did you mean 'set'\?$/],
    [["-t", "nonsense_test_name"], /^-t: unknown test 'nonsense_test_name' \(known tests: ping, /],
    [["-t", ","], /^-t needs at least one test name/],
    [["-u", "http://h:1"], /^-u must start with valkey:\/\//],
    [["-u", "valkey://h:0"], /^-u port must be between 1 and 65535/],
    [["-u", "valkey://h/x"], /^-u database must be a number/],
    [["--threads", "0"], /^--threads must be a whole number between 1 and 1024, or auto/],
    [["--threads", "many"], /^--threads must be/],
    [["--threads", "4", "-c", "2"], /^--threads \(4\) must not exceed -c \(2\)/],
    [["-d", "-1"], /^-d must be between 0 and/],
    [["-d", String(512 * 1024 * 1024 + 1)], /^-d must be between 0 and 536870912 \(512 MiB\) \(got 536870913\)$/],
    [["-r", "-5"], /^-r must be at least 0/],
    [["--rps", "-1"], /^--rps must be a rate >= 0/],
    [["--precision", "5"], /^--precision must be between 0 and 4/],
    [["--keepalive", "2"], /^--keepalive must be 1 .* or 0/],
    [["--seed", "abc"], /^--seed must be a whole number/],
    [["--dbnum", "-1"], /^--dbnum must be at least 0/],
    [["--connect-timeout", "0"], /^--connect-timeout must be at least 1/],
    [["--output-format", "xml"], /^--output-format must be text, json, csv or html \(html needs -o FILE\) \(got xml\)$/],
    [["-o", "/nonexistent-dir/run.json"], /^-o \/nonexistent-dir\/run.json: cannot use directory \/nonexistent-dir: no such file/],
    [["-s", "/tmp/sock", "--tls"], /^-s cannot be combined with TLS/],
    [["-s", "/tmp/sock", "-u", "valkeys://h"], /^-s cannot be combined with TLS/],
    [["-s", "/tmp/sock", "--cluster"], /^-s cannot be combined with --cluster/],
    [["--command", "GET a", "GET", "b"], /^--command and a command after the options/],
    [["--command", "SET 'a"], /^--command has an unterminated ' quote/],
    [["--command", "  "], /^--command is empty/],
    [["-x"], /^-x needs a command/],
    [["SET", "a", ";", ";", "GET", "a"], /empty step between ';'/],
    [["0", "SET", "a", "b"], /repeat count before SET must be at least 1/],
    [["--bogus"], /^unknown option --bogus/],
    [["--pipelin", "3"], /^unknown option --pipelin; did you mean '--pipeline'\?/],
    [["--no-port"], /^unknown option --no-port/],
    [["-qx"], /^unknown option -qx/],
    [["-n"], /^-n needs a value: -n <requests>$/],
    [["--quiet=maybe"], /^--quiet takes no value/],
    [["-q", "dataset"], /^options before 'dataset' are not used/],
  ];
  for (const [argv, pattern] of cases) {
    test(`${argv.join(" ")}`, async () => {
      const error = await userError(argv);
      expect(error.exitCode).toBe(2);
      expect(error.message).toMatch(pattern);
      expect(error.message).not.toContain("\n");
    });
  }

  test("unreadable TLS files are named in the error", async () => {
    const missing = join(dir, "missing.pem");
    expect((await userError(["--tls", "--cacert", missing])).message).toBe(`--cacert: cannot read ${missing}: no such file`);
    expect((await userError(["--tls", "--tls-cert", dir, "--tls-key", keyFile])).message).toBe(
      `--tls-cert: cannot read ${dir}: not a regular file`,
    );
    if (process.getuid?.() !== 0) {
      const locked = join(dir, "locked.key");
      writeFileSync(locked, "x");
      chmodSync(locked, 0o000);
      expect((await userError(["--tls", "--cert", certFile, "--key", locked])).message).toBe(
        `--key: cannot read ${locked}: permission denied`,
      );
    }
  });
});

describe("secrets never appear in errors", () => {
  const password = "Hunter2-Secret";
  const cases: string[][] = [
    ["-u", `valkey://user:${password}@h:99999`],
    ["-u", `valkeys://user:${password}@h/notadb`],
    ["-u", `ftp://user:${password}@h`],
    ["-u", `valkey://user:${password}%zz@h`],
    ["-u", `valkey://user:${password}@`],
    ["-a", password, "-P", "0"],
    ["-a", password, "--user", "u", "--cert", "x", "--tls"],
    ["-a", password, "-a"],
    ["--auth", password, "--user", "u", "-h", "h:0"],
    ["-u", `valkey://u:${password}@h`, "--duration", "1", "-n", "1"],
  ];
  for (const argv of cases) {
    test(argv.join(" ").replaceAll(password, "***"), async () => {
      const error = await userError(argv);
      expect(error.message).not.toContain(password);
    });
  }

  test("a bad URI is shown with its password replaced by ***", async () => {
    const error = await userError(["-u", `valkey://user:${password}@h:99999`]);
    expect(error.message).toContain("valkey://user:***@h:99999");
  });
});

describe("vector search flags", () => {
  // A readable file stands in for the dataset: the config only checks that it can be read.
  const ds = () => ["--dataset", caFile];
  /** The flags with a dataset, and a vector test unless they pick tests themselves. */
  const vector = (argv: string[]) => (argv.includes("-t") || argv.includes("--mix") ? [...ds(), ...argv] : [...ds(), "-t", "vec-query", ...argv]);
  const cases: [string[], string, unknown][] = [
    [["--search-index", "books"], "search.indexName", "books"],
    [["--search-vector-field", "v"], "search.vectorField", "v"],
    [["--search-prefix", "doc:"], "search.prefix", "doc:"],
    [["--search-algorithm", "flat"], "search.algorithm", "FLAT"],
    [["--search-distance", "cosine"], "search.distance", "COSINE"],
    [["--vector-dim", "128"], "search.vectorDim", 128],
    [["-k", "100"], "search.k", 100],
    [["--search-k", "5"], "search.k", 5],
    [["--ef-construction", "400", "--hnsw-m", "32", "--ef-search", "64", "--initial-cap", "1000"], "search", expect.objectContaining({ efConstruction: 400, hnswM: 32, efSearch: 64, initialCap: 1000 })],
    [["--no-nocontent"], "search.nocontent", false],
    [["--return-fields", "a, b"], "search", expect.objectContaining({ returnFields: ["a", "b"], nocontent: false })],
    [["--with-scores"], "search", expect.objectContaining({ withScores: true, nocontent: false })],
    [["--tag-field", "color", "--tag-filter", "red | blue"], "search", expect.objectContaining({ tagField: "color", tagFilter: "red|blue" })],
    [["--numeric-filter", "price:[10 (20]"], "search.numericFilters", [{ field: "price", min: 10, max: 20, minExclusive: false, maxExclusive: true }]],
    [["--numeric-filter", "price:(-inf,5]", "--numeric-filter", "price:[1 +inf]"], "search.numericFilters", [
      { field: "price", min: -Infinity, max: 5, minExclusive: true, maxExclusive: false },
      { field: "price", min: 1, max: Infinity, minExclusive: false, maxExclusive: false },
    ]],
    // Without --numeric-field the plan adds the filters' fields to the dataset's attributes.
    [["--numeric-filter", "price:[1 2]"], "search.numericFields", undefined],
    [["--numeric-field", "price"], "search.numericFields", ["price"]],
    [["--numeric-field", "price, year", "--numeric-filter", "year:[1990 2000]"], "search.numericFields", ["price", "year"]],
    [["--num-vectors", "1000", "--vector-offset", "10"], "search", expect.objectContaining({ numVectors: 1000, vectorOffset: 10 })],
    [["--mix", "vec-query:90,vec_update:10"], "search.mix", [{ test: "vec-query", weight: 90 }, { test: "vec-update", weight: 10 }]],
    [["--engine", "MemoryDB"], "search.engine", "memorydb"],
    [["--index-wait-timeout", "30s"], "search.indexWaitTimeoutSec", 30],
    [["--update-shift", "0"], "search.updateShift", 0],
    [["-t", "vecload,vec_query"], "tests", ["vec-load", "vec-query"]],
  ];
  for (const [argv, path, expected] of cases) {
    test(`${argv.join(" ")} → ${path}`, async () => {
      expect(at(await bench(vector(argv)), path)).toEqual(expected);
    });
  }

  const errors: [string[], string][] = [
    [["-t", "vec-load"], "-t vec-load needs a dataset: add --dataset FILE (or --schema FILE --data FILE)"],
    [["-k", "0"], "-k must be between 1 and 10000 (got 0)"],
    [["--ef-search", "5000"], "--ef-search must be between 1 and 4096 (got 5000)"],
    [["--search-algorithm", "IVF"], "--search-algorithm must be HNSW or FLAT (got IVF)"],
    [["--mix", "vec-query"], "--mix must be TEST:WEIGHT pairs"],
    [["--mix", "vec-load:1"], "--mix: vec-load cannot be part of a mix"],
    [["--schema", "x.yaml"], "--schema needs --data"],
    [["--reload", "--skip-load"], "--reload with --skip-load"],
    [["--recreate-index", "--skip-index-create"], "--recreate-index with --skip-index-create"],
    [["--skip-index-create", "--hnsw-m", "8"], "--hnsw-m shapes a new index, but --skip-index-create creates none"],
    [["--nocontent", "--with-scores"], "--nocontent returns keys only, but --with-scores asks for fields"],
    [["--numeric-field", "a", "--numeric-filter", "b:[1 2]"], "--numeric-filter b:[...] filters on 'b' but the index's NUMERIC fields are a: use --numeric-field a,b or filter on one of them"],
    [["--numeric-field", "a,c", "--numeric-filter", "a:[1 2]", "--numeric-filter", "b:[1 2]"], "NUMERIC fields are a,c: use --numeric-field a,c,b"],
    [["--numeric-field", "a,,b"], "--numeric-field must be field names separated by commas"],
    [["--numeric-field", "a,a"], "--numeric-field must name each field once"],
    [["--numeric-filter", "b:[5 1]"], "--numeric-filter must have LOW <= HIGH"],
    [["--filtered-search", "--tag-filter", "a"], "--filtered-search with --tag-filter"],
  ];
  for (const [argv, message] of errors) {
    test(`${argv.join(" ")} is rejected naming the flag`, async () => {
      const withDataset = argv[0] === "-t" || argv[0] === "--schema" ? argv : vector(argv);
      const error = await userError(withDataset);
      expect(error.message).toContain(message);
      expect(error.message).not.toContain("\n");
    });
  }

  test("vector flags without a vector test are refused, not ignored", async () => {
    expect((await userError(["-t", "set", "--ef-search", "64"])).message).toBe("--ef-search applies to vector tests only: add -t vec-load,vec-query (or --mix), or drop --ef-search");
    expect((await userError(ds())).message).toBe("--dataset applies to vector tests only: add -t vec-load,vec-query (or --mix), or drop --dataset");
    // valkey-benchmark's habitual -k 1|0 (keep-alive): the error says where keep-alive went.
    const keepalive = "valkey-benchmark's -k 1|0 (keep-alive) is --keepalive 1|0 here";
    expect((await userError(["-t", "get", "-k", "1"])).message).toBe(`-k applies to vector tests only: add -t vec-load,vec-query (or --mix), or drop -k; ${keepalive}`);
    expect((await userError(["-t", "get", "-k", "0"])).message).toBe(`-k must be between 1 and 10000 (got 0); ${keepalive}`);
    expect((await userError(["-t", "get", "--search-k", "0"])).message).toBe("--search-k must be between 1 and 10000 (got 0)");
    // memtier_benchmark's spellings: the equivalent here, not only "unknown option".
    expect((await userError(["--test-time", "30"])).message).toBe("unknown option --test-time; memtier_benchmark's --test-time is --duration SECONDS here (see --help)");
    expect((await userError(["--ratio", "1:10"])).message).toContain("memtier_benchmark's --ratio is -t set,get (--mix set:1,get:10 for weights) here");
    expect((await userError(["--durtion", "3"])).message).toBe("unknown option --durtion; did you mean '--duration'? (see --help)");
    expect(at(await bench([...ds(), "--mix", "set:1,get:1"]), "search.mix")).toEqual([{ test: "set", weight: 1 }, { test: "get", weight: 1 }]);
  });

  test("-n, --duration and --warmup with vec-load alone are refused naming --num-vectors, not ignored", async () => {
    const load = [...ds(), "-t", "vec-load"];
    expect((await userError([...load, "-n", "2000"])).message).toBe(
      "-n 2000: vec-load writes each vector of the dataset slice exactly once, so it takes no request count; to load 2000 vectors use --num-vectors 2000 (counted from --vector-offset), or drop -n",
    );
    expect((await userError([...load, "--requests", "5"])).message).toStartWith("--requests 5: vec-load writes each vector");
    expect((await userError([...load, "--duration", "10"])).message).toBe(
      "--duration: vec-load writes each vector of the dataset slice exactly once and then stops, so it takes no duration; drop --duration (--num-vectors N loads fewer vectors)",
    );
    expect((await userError([...load, "--warmup", "5s"])).message).toStartWith("--warmup: vec-load runs without a warmup");
    expect((await userError([...ds(), "-t", "vec-delete", "--warmup", "1000r"])).message).toStartWith("--warmup: vec-delete runs without a warmup");
    expect((await userError([...ds(), "-t", "vec-load,vec-delete", "--warmup", "1s"])).message).toStartWith("--warmup: vec-load and vec-delete run without a warmup");
  });

  test("-n and --duration with vec-load and a test that reads them are accepted (they count that test)", async () => {
    const n2000 = await bench([...ds(), "-t", "vec-load,vec-query", "-n", "2000"]);
    expect(n2000).toMatchObject({ requests: 2000, requestsGiven: true });
    expect(await bench([...ds(), "-t", "vec-load,vec-delete", "-n", "30"])).toMatchObject({ requests: 30, requestsGiven: true });
    expect(await bench([...ds(), "-t", "vec-load,set", "--duration", "5"])).toMatchObject({ durationSec: 5 });
    expect(await bench([...ds(), "-t", "vec-load", "--mix", "vec-query:1", "-n", "50", "--warmup", "1s"])).toMatchObject({ requests: 50 });
    expect(await bench([...ds(), "-t", "vec-load", "-n", "10", "PING"])).toMatchObject({ requests: 10 });
    expect(await bench([...ds(), "-t", "vec-load,vec-query", "--warmup", "1s"])).toMatchObject({ warmup: { kind: "seconds", seconds: 1 } });
    // The default -n stays what it was, and is not marked as given.
    const plain = await bench([...ds(), "-t", "vec-load"]);
    expect(plain.requests).toBe(100000);
    expect(plain.requestsGiven).toBeUndefined();
  });

  test("--dataset must be readable", async () => {
    expect((await userError(["--dataset", join(dir, "missing.bin")])).message).toBe(`--dataset: cannot read ${join(dir, "missing.bin")}: no such file`);
  });
});
