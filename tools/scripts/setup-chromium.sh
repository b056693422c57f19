#!/usr/bin/env bash
# Installs Debian's `chromium` for the evaluation report's browser test
# (apps/evaluator/src/report/report-browser.spec.ts): playwright-core drives it and downloads no
# browser of its own. Idempotent: when a working chromium is already there it only says so.
#
# Usage: tools/scripts/setup-chromium.sh   (as root, or with passwordless sudo, when it must install)
# Exit status: 0 when chromium runs, 1 (with the reason on stderr) when it cannot be set up.
# CHROMIUM_PATH (default /usr/bin/chromium) is where the test looks; this script checks the same path.
set -euo pipefail
bin="${CHROMIUM_PATH:-/usr/bin/chromium}"

fail() { echo "setup-chromium: $*" >&2; exit 1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else return 1; fi; }
# Debian's /usr/bin/chromium is a wrapper script; --version runs the real binary (and its libraries)
version() { "$bin" --version 2>/dev/null | grep -m1 -i chromium; }

if [ -x "$bin" ] && v=$(version); then
  echo "setup-chromium: ready: $bin ($v)"
  exit 0
fi

[ "$bin" = /usr/bin/chromium ] || fail "CHROMIUM_PATH=$bin does not run, and only /usr/bin/chromium can be installed here"
command -v apt-get >/dev/null || fail "chromium is missing and there is no apt-get to install it (install a Chromium and set CHROMIUM_PATH)"
as_root true 2>/dev/null || fail "chromium is missing and installing it needs root or passwordless sudo"
echo "setup-chromium: installing Debian's chromium (apt-get)"
as_root apt-get update -qq >/dev/null || fail "apt-get update failed (network or permissions)"
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null ||
  fail "apt-get install chromium failed"
v=$(version) || fail "chromium was installed but $bin --version does not run"
echo "setup-chromium: ready: $bin ($v)"
