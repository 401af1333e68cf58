#!/usr/bin/env bash
# Installs what fairthread needs from outside PyPI: uv, Node.js/npm (front-end packages) and, for the test
# suite, PostgreSQL and Debian's Chromium. As root it uses apt-get; otherwise it says what to install.
set -euo pipefail
need_tests=${1:-}
missing_apt=()
have() { command -v "$1" >/dev/null 2>&1; }

if ! have uv; then
  if have pip3 || have pip; then
    (pip3 install --quiet uv 2>/dev/null || pip install --quiet uv) >/dev/null
  fi
  have uv || { echo "fairthread needs uv: install it with 'pip install uv' (https://docs.astral.sh/uv/)." >&2; exit 1; }
fi
have npm || missing_apt+=(nodejs npm)
if [ "$need_tests" = "tests" ]; then
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  { [ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ]; } || have initdb || missing_apt+=(postgresql)
  [ -x /usr/bin/chromium ] || missing_apt+=(chromium)
fi
if [ ${#missing_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && have apt-get; then
    echo "Installing Debian packages: ${missing_apt[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing_apt[@]}" >/dev/null
  else
    echo "Please install these Debian packages first (as root): apt-get install ${missing_apt[*]}" >&2
    exit 1
  fi
fi
