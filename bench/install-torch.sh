#!/usr/bin/env bash
# Installs the PyTorch CPU baseline for the engine benchmark from Debian's packages.
# Debian's python3-torch lives in /usr/bin/python3's dist-packages, so the baseline must be run with
# /usr/bin/python3, not a pyenv/venv python that may come first on PATH.
# libopenblas0-pthread registers itself as the libblas.so.3 alternative; without it torch would fall
# back to the reference BLAS and the baseline would be unfairly slow.
# Idempotent: does nothing (except report) when torch already imports.
set -euo pipefail

PY=/usr/bin/python3

report() {
  "$PY" - <<'PYEOF'
import os, torch
print(f"torch {torch.__version__} at {os.path.dirname(torch.__file__)}; "
      f"cpu_count {os.cpu_count()}; default threads {torch.get_num_threads()}")
PYEOF
  if command -v update-alternatives >/dev/null 2>&1; then
    blas=$(update-alternatives --query libblas.so.3-x86_64-linux-gnu 2>/dev/null | awk '/^Value:/ {print $2}')
    echo "libblas.so.3 -> ${blas:-unknown}"
  fi
}

if [ ! -x "$PY" ]; then
  echo "install-torch: $PY not found; install python3 with apt first" >&2
  exit 1
fi

if "$PY" -c 'import torch' >/dev/null 2>&1; then
  echo "install-torch: torch already importable by $PY, nothing installed"
  report
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-torch: need root (or sudo) to apt-get install" >&2; exit 1
  fi
fi

echo "install-torch: installing python3-torch libopenblas0-pthread with apt-get"
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends python3-torch libopenblas0-pthread

if ! "$PY" -c 'import torch' >/dev/null 2>&1; then
  echo "install-torch: apt-get finished but $PY still cannot import torch" >&2
  exit 1
fi
echo "install-torch: installed"
report
