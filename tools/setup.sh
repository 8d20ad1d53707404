#!/usr/bin/env bash
# Installs what the workspace needs on a fresh machine: pnpm (without corepack, which cannot verify
# signatures against some registry mirrors), the dependencies, and the Kafka broker's jars.
# Sourced by dev.sh, test.sh and .ci/run; safe to run again (each step is skipped when done).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PNPM_VERSION=$(node -p "require('./package.json').packageManager.split('@')[1]")
if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  echo "[setup] installing pnpm $PNPM_VERSION"
  npm install --global --silent "pnpm@$PNPM_VERSION"
fi

# node-rdkafka is a native addon: point node-gyp at the running Node's own headers, so the build
# needs no download.
export npm_config_nodedir="${npm_config_nodedir:-$(dirname "$(dirname "$(command -v node)")")}"

if [ ! -f node_modules/.pnpm/lock.yaml ] || ! cmp -s pnpm-lock.yaml node_modules/.pnpm/lock.yaml; then
  echo "[setup] installing dependencies (the first time builds node-rdkafka: about 2 minutes)"
  pnpm install --frozen-lockfile
fi

pnpm --silent kafka:fetch

# The API fuzz test drives schemathesis (PyPI) from a virtual environment of its own, with every
# Python dependency pinned in tools/testkit/schemathesis/requirements.txt. (Debian's python3 can import venv
# without python3-venv, but then has no ensurepip and cannot make one.)
SCHEMATHESIS_ENV=.cache/schemathesis
if ! cmp -s tools/testkit/schemathesis/requirements.txt "$SCHEMATHESIS_ENV/requirements.txt" 2>/dev/null; then
  if command -v python3 >/dev/null && python3 -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
    echo "[setup] installing schemathesis for the API fuzz test (about 20 s)"
    rm -rf "$SCHEMATHESIS_ENV"
    python3 -m venv "$SCHEMATHESIS_ENV"
    "$SCHEMATHESIS_ENV/bin/pip" install --quiet --disable-pip-version-check --requirement tools/testkit/schemathesis/requirements.txt
    cp tools/testkit/schemathesis/requirements.txt "$SCHEMATHESIS_ENV/requirements.txt"
  else
    echo "[setup] Python 3.10+ with venv is missing and the API fuzz test needs it (Debian/Ubuntu: apt-get install python3-venv)" >&2
    if [ "${CI:-}" = true ]; then exit 1; fi
  fi
fi

# Debian packages the tests need, installed when this runs as root on a machine with apt-get (as in
# CI's container); elsewhere one line says what to install. apt_install PACKAGE WHAT-FOR
apt_install() {
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null || return 0
  echo "[setup] installing $1 with apt-get, for $2"
  local apt_log
  apt_log=$(mktemp)
  if { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install --yes "$1"; } >"$apt_log" 2>&1; then
    rm -f "$apt_log"
  else
    tail -5 "$apt_log" >&2
  fi
}

# The browser tests drive the system's Chromium through playwright-core: Playwright's own browser
# download cannot work on a machine that reaches only package registries.
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ] && [ -z "${CHROMIUM_PATH:-}" ]; then
  apt_install chromium 'the browser tests (about a minute)'
fi
if [ ! -x "$CHROMIUM" ]; then
  echo "[setup] Chromium is missing at $CHROMIUM and the browser tests need it: install it (Debian/Ubuntu: apt-get install chromium, as root) or set CHROMIUM_PATH" >&2
  # CI must not go on to a run whose browser tests can only fail.
  if [ "${CI:-}" = true ]; then exit 1; fi
fi

# Several instances of a service run behind HAProxy (`pnpm dev --instances N`, the rolling-deploy
# and balancer tests): the platform's own package, as in production.
if ! PATH="$PATH:/usr/sbin:/usr/local/sbin" command -v haproxy >/dev/null; then
  apt_install haproxy 'the load balancer in front of several instances (a few seconds)'
fi
if ! PATH="$PATH:/usr/sbin:/usr/local/sbin" command -v haproxy >/dev/null; then
  echo "[setup] HAProxy is missing and the balancer tests and pnpm dev --instances need it: install it (Debian/Ubuntu: apt-get install haproxy, as root; macOS: brew install haproxy)" >&2
  if [ "${CI:-}" = true ]; then exit 1; fi
fi
