/**
 * memtier_benchmark options users type from habit that this tool spells differently (its
 * `--requests`, `--clients`, `--threads`, `--pipeline`, `--data-size`, `--key-prefix`,
 * `--key-pattern`, `--key-minimum`... are accepted as they are). An unknown option found here is
 * answered with what does the same, instead of only "unknown option".
 */
const MEMTIER_EQUIVALENTS: Record<string, string> = {
  "--server": "-h HOST (or --host)",
  "--test-time": "--duration SECONDS",
  "--ratio": "-t set,get (--mix set:1,get:10 for weights)",
  "--hide-histogram": "-q",
  "--authenticate": "-a PASSWORD (with --user NAME for an ACL user)",
  "--out-file": "-o FILE",
  "--json-out-file": "-o FILE.json",
  "--protocol": "-3 for RESP3 (RESP2 is the default)",
  "--cluster-mode": "--cluster (a cluster is also detected by itself)",
  "--select-db": "--dbnum N",
  "--unix-socket": "-s PATH",
  "--print-percentiles": "always on (the report's percentile lines; -o FILE.json keeps the full histogram)",
  "--rate-limiting": "--rps N (the total rate, split over the threads; memtier's is per connection)",
  "--password": "-a PASSWORD",
  "--run-count": "-l to loop (or run the command again)",
};

/** "; memtier_benchmark's --test-time is --duration SECONDS here", or "" for other options. */
export function foreignFlagNote(spelling: string): string {
  const equivalent = MEMTIER_EQUIVALENTS[spelling];
  return equivalent === undefined ? "" : `; memtier_benchmark's ${spelling} is ${equivalent} here`;
}
