#!/usr/bin/env bash
# Installs valkey-server, valkey-cli and valkey-benchmark (Valkey 8.0) from Debian's
# bookworm-backports suite. The mirror is taken from the machine's existing apt sources,
# so nothing here names a package host. Safe to run again: exits early when installed.
set -euo pipefail

if command -v valkey-server >/dev/null && command -v valkey-benchmark >/dev/null && command -v valkey-cli >/dev/null; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

codename=$( . /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
list=/etc/apt/sources.list.d/vsb-backports.sources

if ! grep -rqs "${codename}-backports" /etc/apt/sources.list /etc/apt/sources.list.d/ ; then
  # Find the first Debian mirror URI already configured (deb822 or one-line format).
  mirror=""
  if compgen -G "/etc/apt/sources.list.d/*.sources" >/dev/null; then
    mirror=$(grep -h '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v -- '-security' | grep '/debian/\?$' | head -n1 || true)
  fi
  if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
    mirror=$(grep -E '^deb\s' /etc/apt/sources.list | awk '{print $2}' | grep -v -- '-security' | head -n1 || true)
  fi
  if [ -z "$mirror" ]; then
    echo "install-valkey: no Debian mirror found in /etc/apt/sources*; add one, or install valkey-server 8 yourself" >&2
    exit 1
  fi
  keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  $SUDO tee "$list" >/dev/null <<SRC
Types: deb
URIs: ${mirror}
Suites: ${codename}-backports
Components: main
Signed-By: ${keyring}
SRC
fi

$SUDO apt-get update -qq
$SUDO apt-get install -y -qq -t "${codename}-backports" valkey-server valkey-tools >/dev/null
# The package starts a system service on port 6379; our tests start their own servers.
if command -v systemctl >/dev/null 2>&1; then $SUDO systemctl stop valkey-server >/dev/null 2>&1 || true; fi
$SUDO pkill -f 'valkey-server.*:6379' >/dev/null 2>&1 || true
valkey-server --version
