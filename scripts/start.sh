#!/usr/bin/env bash
# `npm start` / `npm run dev`: install dependencies when they are missing or stale, then start the
# product (scripts/start.ts). Safe to run on a fresh clone.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
# onnxruntime-node's install script downloads CUDA binaries from outside npm; its CPU and WebGPU
# library ships inside the package, so the script is skipped (see package.json allowScripts).
export ONNXRUNTIME_NODE_INSTALL=skip
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[start] installing dependencies (npm ci)..."
  npm ci --no-audit --no-fund
fi
exec node_modules/.bin/tsx scripts/start.ts "$@"
