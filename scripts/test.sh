#!/usr/bin/env bash
# `npm test`: installs what the tests need when it is missing (Debian's Chromium and python3, node_modules),
# then runs the type check, the unit and integration tests (real Postgres) and the browser tests
# (real Chromium against the real start command).
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1 ONNXRUNTIME_NODE_INSTALL=skip

# Chromium for the browser tests; python3 (its full standard library, not python3-minimal) for the
# outside-trainer recipe that runner/outside-trainer.test.ts runs.
PKGS=()
[ -x /usr/bin/chromium ] || PKGS+=(chromium fonts-dejavu-core)
python3 -c "import json, urllib.request" 2>/dev/null || PKGS+=(python3)
if [ ${#PKGS[@]} -gt 0 ]; then
  echo "[test] installing Debian's ${PKGS[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${PKGS[@]}" >/dev/null
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[test] installing dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi

echo "[test] type check"
node_modules/.bin/tsc --noEmit -p .
echo "[test] unit and integration tests"
node_modules/.bin/vitest run
echo "[test] browser tests"
rm -rf .data/e2e-postgres
node_modules/.bin/playwright test
