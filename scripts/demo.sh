#!/usr/bin/env bash
# The first thing to run: installs what is missing, builds dist/valkey-search-benchmark,
# starts a throw-away valkey-server on a free loopback port, and benchmarks PING, SET and GET
# against it, first one request at a time per connection, then pipelined 16 deep.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=lib/ensure-deps.sh
source scripts/lib/ensure-deps.sh
ensure_deps

BIN=dist/valkey-search-benchmark

# Rebuild when the binary is missing or older than any source file.
if [ ! -x "$BIN" ] || [ -n "$(find src package.json -newer "$BIN" -type f -print -quit 2>/dev/null)" ]; then
  if [ ! -f scripts/build.ts ]; then
    echo "demo: cannot build $BIN: scripts/build.ts does not exist yet" >&2
    exit 1
  fi
  echo "== building $BIN" >&2
  if ! npm run --silent build || [ ! -x "$BIN" ]; then
    echo "demo: 'npm run build' did not produce $BIN; see the errors above" >&2
    exit 1
  fi
fi

dir=$(mktemp -d /tmp/vsb-demo-XXXXXX)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT

# Picks a random port in 30000-39999 that nothing answers on, starts the server there, and
# waits (at most 10 s) for PING. A port taken in between makes the server exit: try another.
start_server() {
  local attempt waited
  for attempt in 1 2 3 4 5; do
    port=$((30000 + RANDOM % 10000))
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then continue; fi
    valkey-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --daemonize no \
      --dir "$dir" --logfile "$dir/valkey.log" &
    server_pid=$!
    for ((waited = 0; waited < 100; waited++)); do
      if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
      if [ "$(valkey-cli -h 127.0.0.1 -p "$port" PING 2>/dev/null)" = PONG ]; then return 0; fi
      sleep 0.1
    done
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  done
  echo "demo: could not start valkey-server on 127.0.0.1; last log lines:" >&2
  tail -n 20 "$dir/valkey.log" >&2 || true
  return 1
}

start_server
echo "== valkey-server $(valkey-server --version | awk '{print $3}' | cut -d= -f2) on 127.0.0.1:$port"

run() {
  echo
  echo "\$ $BIN $*"
  "$BIN" "$@"
}

run -h 127.0.0.1 -p "$port" -t ping_mbulk,set,get -n 100000 -c 50
run -h 127.0.0.1 -p "$port" -t ping_mbulk,set,get -n 100000 -c 50 -P 16 -q
