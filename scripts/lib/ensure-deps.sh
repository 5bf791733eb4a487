# Shared by scripts/test.sh and scripts/demo.sh (source it, then call ensure_deps).
# Installs what this project needs on a Debian machine and does nothing when it is all there:
# Node.js and npm, the npm packages (including the pinned Bun), valkey-server/valkey-cli, openssl,
# and Debian's chromium for the HTML report's browser test.
# Expects the current directory to be the repository root.

# Runs a command as root: directly when we are root, else through sudo.
as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    echo "ensure-deps: need root to run '$*'; run as root or install sudo" >&2
    return 1
  fi
}

_apt_updated=""
apt_install() {
  if [ -z "$_apt_updated" ]; then
    as_root apt-get update -qq
    _apt_updated=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_node() {
  if command -v node >/dev/null && command -v npm >/dev/null; then return 0; fi
  echo "ensure-deps: installing nodejs and npm (apt)" >&2
  apt_install nodejs npm
}

# npm ci only when node_modules does not match package.json: npm ci deletes node_modules first,
# which would be slow and would pull the ground from under anything running from it.
ensure_node_modules() {
  if [ -x node_modules/.bin/tsc ] && npm ls --depth=0 >/dev/null 2>&1; then return 0; fi
  echo "ensure-deps: npm ci" >&2
  npm ci --no-audit --no-fund
}

# The npm package 'bun' ships a placeholder binary that its postinstall script replaces with the
# real one from @oven/bun-<platform>. npm skips that script under --ignore-scripts (or some
# configs), so check the binary and run the script ourselves when it is not the pinned version.
ensure_bun() {
  local want have
  want=$(node -p "require('./package.json').devDependencies.bun")
  have=$(node_modules/.bin/bun --version 2>/dev/null || true)
  if [ "$have" = "$want" ]; then return 0; fi
  echo "ensure-deps: node_modules/.bin/bun is '${have:-not runnable}', running bun's install script" >&2
  (cd node_modules/bun && node install.js)
  have=$(node_modules/.bin/bun --version 2>/dev/null || true)
  if [ "$have" != "$want" ]; then
    echo "ensure-deps: node_modules/.bin/bun is '${have:-not runnable}', expected $want; try 'rm -rf node_modules && npm ci'" >&2
    return 1
  fi
}

ensure_valkey() {
  bash scripts/install-valkey.sh >/dev/null
}

ensure_openssl() {
  if command -v openssl >/dev/null; then return 0; fi
  echo "ensure-deps: installing openssl (apt)" >&2
  apt_install openssl
}

# Headless Chromium for the HTML report's browser test (test/report/html/), driven by the
# playwright-core npm package; Debian's own build, since nothing may download a browser.
ensure_chromium() {
  if command -v chromium >/dev/null; then return 0; fi
  echo "ensure-deps: installing chromium (apt)" >&2
  apt_install --no-install-recommends chromium fonts-liberation
}

ensure_deps() {
  ensure_node
  ensure_node_modules
  ensure_bun
  ensure_valkey
  ensure_openssl
  ensure_chromium
}
