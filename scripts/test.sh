#!/usr/bin/env bash
# The project's test command (`npm test` runs it). On a fresh Debian machine it installs what is
# missing (see scripts/lib/ensure-deps.sh), then type-checks, builds when a build script exists,
# and runs every test under test/. Extra arguments go to `bun test` (e.g. a path filter).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=lib/ensure-deps.sh
source scripts/lib/ensure-deps.sh
ensure_deps

echo "== typecheck" >&2
node_modules/.bin/tsc --noEmit -p .

echo "== lint (biome.json)" >&2
node_modules/.bin/biome lint --diagnostic-level=error

echo "== imports (layers, cycles: docs/architecture.md)" >&2
node_modules/.bin/bun scripts/check-imports.ts

if [ -f scripts/build.ts ]; then
  echo "== build" >&2
  npm run --silent build
fi

echo "== test" >&2
# Tests start real servers and some wait out reconnect budgets of several seconds: 60 s per test
# (bunfig.toml's [test] timeout is not applied by every bun version; the flag always is). A
# --timeout given to this script comes later on the command line and wins.
node_modules/.bin/bun test --timeout 60000 "$@"
