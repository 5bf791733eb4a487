#!/usr/bin/env bash
# Throw-away valkey-server processes on 127.0.0.1 for manual benchmarking.
#   bash scripts/servers.sh start [standalone|tls|acl|unix|cluster|replicas]   (default standalone)
#   bash scripts/servers.sh stop  [KIND]                                        (default: all)
#   bash scripts/servers.sh status
# Each KIND runs at most once; its ports are picked at random in 30000-39999 and printed.
# State (pid, description, log) lives in .tmp/servers/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

KINDS="standalone tls acl unix cluster replicas"
STATE=.tmp/servers
BUN=node_modules/.bin/bun

usage() {
  echo "usage: bash scripts/servers.sh start|stop|status [${KINDS// /|}]" >&2
  exit 2
}

is_kind() { [[ " $KINDS " == *" $1 "* ]]; }

alive() { [ -f "$STATE/$1.pid" ] && kill -0 "$(cat "$STATE/$1.pid")" 2>/dev/null; }

start() {
  local kind=$1
  if alive "$kind"; then
    cat "$STATE/$kind.txt"
    return 0
  fi
  if [ ! -x "$BUN" ]; then
    echo "servers: $BUN not found; run 'bash scripts/test.sh' or 'npm ci' first" >&2
    exit 1
  fi
  mkdir -p "$STATE"
  rm -f "$STATE/$kind.txt" "$STATE/$kind.pid"
  # setsid: the servers outlive this shell and ignore the terminal's Ctrl-C.
  setsid "$BUN" scripts/lib/servers.ts "$kind" "$STATE/$kind.txt" >"$STATE/$kind.log" 2>&1 </dev/null &
  echo $! >"$STATE/$kind.pid"
  local waited=0
  until [ -f "$STATE/$kind.txt" ]; do
    if ! alive "$kind" || [ $waited -ge 600 ]; then
      echo "servers: starting $kind failed; log:" >&2
      cat "$STATE/$kind.log" >&2
      stop "$kind"
      exit 1
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  cat "$STATE/$kind.txt"
}

stop() {
  local kind=$1 pid waited=0
  [ -f "$STATE/$kind.pid" ] || return 0
  pid=$(cat "$STATE/$kind.pid")
  if kill -TERM "$pid" 2>/dev/null; then
    while kill -0 "$pid" 2>/dev/null && [ $waited -lt 100 ]; do sleep 0.1; waited=$((waited + 1)); done
    kill -KILL "$pid" 2>/dev/null || true # its watchdog then kills the servers
  fi
  rm -f "$STATE/$kind.pid" "$STATE/$kind.txt" "$STATE/$kind.log"
  echo "stopped $kind"
}

cmd=${1:-}
kind=${2:-}
[ -z "$kind" ] || is_kind "$kind" || usage
case "$cmd" in
  start) start "${kind:-standalone}" ;;
  stop)
    if [ -n "$kind" ]; then stop "$kind"; else for k in $KINDS; do stop "$k"; done; fi
    ;;
  status)
    for k in $KINDS; do if alive "$k"; then cat "$STATE/$k.txt"; fi; done
    ;;
  *) usage ;;
esac
