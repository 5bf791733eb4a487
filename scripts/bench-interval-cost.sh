#!/usr/bin/env bash
# Client CPU cost of per-interval recording: two builds (e.g. before and after a change, or one
# build at two --interval values) run alternately against the same server, and the table shows
# each run's client CPU seconds (user + sys) per million requests and its throughput.
#
#   bash scripts/bench-interval-cost.sh BIN_A BIN_B PORT [ROUNDS] [-- extra benchmark flags]
#   e.g. BIN_A with --interval 3600 (one interval) vs BIN_B with --interval 0.1:
#   ARGS_A="--interval 3600" ARGS_B="--interval 0.1" bash scripts/bench-interval-cost.sh dist/valkey-search-benchmark dist/valkey-search-benchmark 41800 5
set -euo pipefail
a=$1 b=$2 port=$3 rounds=${4:-3}
shift $(( $# < 4 ? $# : 4 ))
[ "${1:-}" = "--" ] && shift
n=${N:-2000000}
common=(-p "$port" -t get -P 16 -c 20 -r 100000 -n "$n" -q "$@")
run() { # bin extra-args...
  local bin=$1; shift
  local start end
  /usr/bin/time -f "%U %S" -o /tmp/.vsb-cost-time "$bin" "${common[@]}" "$@" > /tmp/.vsb-cost-out
  local cpu rps
  cpu=$(awk '{print $1 + $2}' /tmp/.vsb-cost-time)
  rps=$(sed -n 's/.*: \([0-9.]*\) requests per second.*/\1/p' /tmp/.vsb-cost-out | head -1)
  echo "$cpu $rps"
}
printf "%-5s %-6s %12s %14s\n" round build cpu_s_per_M rps
for r in $(seq 1 "$rounds"); do
  for which in A B; do
    if [ $which = A ]; then read -r cpu rps < <(run "$a" ${ARGS_A:-}); else read -r cpu rps < <(run "$b" ${ARGS_B:-}); fi
    printf "%-5s %-6s %12.3f %14s\n" "$r" "$which" "$(echo "$cpu * 1000000 / $n" | bc -l)" "$rps"
  done
done
