#!/usr/bin/env bash
# The engine's check on a GPU machine (one NVIDIA H100, Ubuntu 24.04, no Node.js, no network):
# device diagnostic, parity with the CPU, host<->device traffic, and one table timing a full URLVR
# iteration of the GPU-sized model in our engine on webgpu, in our engine on the CPU cores, and in
# PyTorch on CUDA. See runner/engine/device/README.md.
#
#   bash scripts/gpu-check.sh --pack [DIR]     here: build the bundle the GPU machine needs
#                                              (default DIR: out/gpu-bundle, under 64 MiB)
#   bash scripts/gpu-check.sh [--bundle DIR]   there, from the repository root: unpack and run
#   bash scripts/gpu-check.sh --dry-run        anywhere: the same plumbing on the CPU with a small
#                                              model; the webgpu and CUDA rows are skipped
#   --skip-hostkv                              leave out the slow host-KV-cache comparison row
#
# Results (logs, JSON, table.md) go to $OUT when it is set, else to out/gpu-check.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

BUNDLE=out/gpu-bundle
MODE=check
DRY=0
HOSTKV=1
LIMIT_MIB=64
# The Debian packages that made onnxruntime's WebGPU provider find the H100 through Vulkan
# (PLATFORM.md "GPU"): the Vulkan loader and the glvnd libraries its NVIDIA driver loads.
DEBS="libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2"
NVIDIA_ICD=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
NVIDIA_EGL=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json

while [ $# -gt 0 ]; do
  case "$1" in
    --pack) MODE=pack; if [ $# -gt 1 ] && [ "${2#--}" = "$2" ]; then BUNDLE=$2; shift; fi ;;
    --bundle) BUNDLE=$2; shift ;;
    --dry-run) DRY=1 ;;
    --skip-hostkv) HOSTKV=0 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "gpu-check: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

# The runtime part of node_modules: onnxruntime-node's linux/x64 build only (the package also
# ships other platforms), tsx and its esbuild binary to run the TypeScript as the project does,
# and the engine's own imports (zod, onnx-proto and protobufjs without its 20 MB command line).
MODULE_PATHS="node_modules/onnxruntime-node/package.json node_modules/onnxruntime-node/dist
  node_modules/onnxruntime-node/lib node_modules/onnxruntime-node/bin/napi-v6/linux/x64
  node_modules/onnxruntime-common node_modules/tsx node_modules/esbuild node_modules/@esbuild/linux-x64
  node_modules/zod node_modules/onnx-proto node_modules/protobufjs node_modules/@protobufjs node_modules/long"

pack() {
  local dir=$1
  rm -rf "$dir" && mkdir -p "$dir/debs"
  echo "packing into $dir"
  # The official linux-x64 build runs on the GPU machine's glibc 2.39 as it is.
  xz -T0 -6 -c "$(readlink -f "$(command -v node)")" > "$dir/node.xz"
  # shellcheck disable=SC2086
  tar -C "$ROOT" --exclude=node_modules/protobufjs/cli -cf - $MODULE_PATHS | xz -T0 -6 > "$dir/node_modules.tar.xz"
  # As root, apt would warn that its sandbox user cannot write here; it need not drop privileges.
  local sandbox=(); [ "$(id -u)" = 0 ] && sandbox=(-o APT::Sandbox::User=root)
  (cd "$dir/debs" && apt-get "${sandbox[@]}" download $DEBS >/dev/null)
  local bytes
  bytes=$(du -cb "$dir" | tail -1 | cut -f1)
  du -h "$dir"/node.xz "$dir"/node_modules.tar.xz "$dir"/debs
  echo "bundle: $((bytes / 1024 / 1024)) MiB ($bytes bytes) of at most $LIMIT_MIB MiB"
  if [ "$bytes" -gt $((LIMIT_MIB * 1024 * 1024)) ]; then
    echo "gpu-check: the bundle is over $LIMIT_MIB MiB" >&2
    exit 1
  fi
}

if [ "$MODE" = pack ]; then
  pack "$BUNDLE"
  exit 0
fi

RES=${OUT:-$ROOT/out/gpu-check}
mkdir -p "$RES"
WORK=$(mktemp -d /tmp/urlvr-gpu.XXXXXX)
log() { echo "== $*" | tee -a "$RES/gpu-check.log"; }

# 1. Node.js and node_modules from the bundle (the GPU machine has neither).
if [ -f "$BUNDLE/node.xz" ]; then
  xz -dc "$BUNDLE/node.xz" > "$WORK/node" && chmod +x "$WORK/node"
  NODE=$WORK/node
else
  NODE=$(command -v node || true)
fi
[ -n "$NODE" ] || { echo "gpu-check: no node and no $BUNDLE/node.xz (run --pack first and carry $BUNDLE)" >&2; exit 1; }
if [ ! -f node_modules/onnxruntime-node/package.json ]; then
  [ -f "$BUNDLE/node_modules.tar.xz" ] || { echo "gpu-check: no node_modules and no $BUNDLE/node_modules.tar.xz" >&2; exit 1; }
  xz -dc "$BUNDLE/node_modules.tar.xz" | tar -xf -
fi
export PATH="$(dirname "$NODE"):$PATH"
TSX=("$NODE" node_modules/tsx/dist/cli.mjs)
log "node $("$NODE" --version) at $NODE; $(nproc) cores; results in $RES"

# 2. The Vulkan loader and glvnd, and the NVIDIA driver's ICD and EGL vendor files.
if [ "$DRY" = 0 ]; then
  if [ -d "$BUNDLE/debs" ]; then
    if [ "$(id -u)" = 0 ]; then
      for f in "$BUNDLE"/debs/*.deb; do dpkg -x "$f" /; done
      ldconfig
    else
      # Without root: unpack beside the run and let the loader find the libraries there.
      for f in "$BUNDLE"/debs/*.deb; do dpkg -x "$f" "$WORK/sysroot"; done
      export LD_LIBRARY_PATH="$WORK/sysroot/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    fi
  fi
  [ -f "$NVIDIA_ICD" ] && export VK_DRIVER_FILES=${VK_DRIVER_FILES:-$NVIDIA_ICD}
  [ -f "$NVIDIA_EGL" ] && export __EGL_VENDOR_LIBRARY_FILENAMES=${__EGL_VENDOR_LIBRARY_FILENAMES:-$NVIDIA_EGL}
  log "VK_DRIVER_FILES=${VK_DRIVER_FILES:-unset} __EGL_VENDOR_LIBRARY_FILENAMES=${__EGL_VENDOR_LIBRARY_FILENAMES:-unset}"
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee -a "$RES/gpu-check.log"
fi

DEVICE=webgpu
[ "$DRY" = 1 ] && DEVICE=cpu
FAILED=0
# step NAME TIMEOUT_S COMMAND...: runs one step with its log in $RES/NAME.log; a failure is
# recorded and the check goes on, so one bad step never hides the others' results.
step() {
  local name=$1 limit=$2; shift 2
  log "$name: $*"
  local t0=$SECONDS rc=0
  timeout "$limit" "$@" > "$RES/$name.log" 2>&1 || rc=$?
  tail -n 40 "$RES/$name.log"
  log "$name: exit $rc after $((SECONDS - t0)) s"
  [ "$rc" = 0 ] || FAILED=1
}

# Steps run in order of what matters most, each cut at its own limit, so a slow one never starves
# the others of a 10-minute call. Host<->device traffic is counted on the CPU and needs no GPU:
# `npm run device -- --traffic` anywhere.
DRYFLAG=""; [ "$DRY" = 1 ] && DRYFLAG=--dry-run
BENCH=$("${TSX[@]}" scripts/gpu/shape.ts bench $DRYFLAG)
TORCH=$("${TSX[@]}" scripts/gpu/shape.ts torch $DRYFLAG)
export CPU_THREADS=$(nproc) SHAPE="$BENCH"
rm -f "$RES"/bench-*.json* "$RES"/torch-*.json*
[ "$HOSTKV" = 0 ] && echo "skipped (--skip-hostkv; the first check measured it: docs/gpu.md)" > "$RES/bench-webgpu-hostkv.json.skipped"

# 3. Diagnostic (backends, sessions, node placement) and parity with the CPU.
step device 150 "${TSX[@]}" runner/engine/cli/device.ts --device "$DEVICE" --parity --json "$RES/device.json"

# 4. The timed iteration of the GPU-sized model: webgpu, PyTorch CUDA, the CPU cores.
if [ "$DRY" = 1 ]; then
  echo "skipped (--dry-run)" > "$RES/bench-webgpu.json.skipped"
  echo "skipped (--dry-run)" > "$RES/bench-webgpu-hostkv.json.skipped"
  echo "skipped (--dry-run)" > "$RES/torch-cuda.json.skipped"
else
  # shellcheck disable=SC2086
  step bench-webgpu 120 "${TSX[@]}" bench/engine.ts --device webgpu --kv-cache device --skip-torch $BENCH --json "$RES/bench-webgpu.json"
  PY=""
  for p in python3 /usr/bin/python3 python; do
    if command -v "$p" >/dev/null && "$p" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" 2>/dev/null; then PY=$p; break; fi
  done
  if [ -z "$PY" ]; then
    echo "no python with CUDA-enabled torch found" > "$RES/torch-cuda.json.skipped"
    FAILED=1
  else
    # stdout is the one JSON line; the log holds stderr.
    log "torch-cuda: $PY bench/torch_iteration.py --device cuda $TORCH"
    # shellcheck disable=SC2086
    timeout 100 "$PY" bench/torch_iteration.py --device cuda $TORCH > "$RES/torch-cuda.json" 2> "$RES/torch-cuda.log" || { FAILED=1; rm -f "$RES/torch-cuda.json"; }
    tail -n 5 "$RES/torch-cuda.log"
  fi
fi
# shellcheck disable=SC2086
step bench-cpu 150 "${TSX[@]}" bench/engine.ts --device cpu --threads "$CPU_THREADS" --skip-torch $BENCH --json "$RES/bench-cpu.json"

# What bounds the iteration there: the update's matrix products (GFLOP/s) and the fixed cost of a
# session run, in our engine and in PyTorch on the same card.
ROWS=""; [ "$DRY" = 1 ] && ROWS="--rows 2048"
# shellcheck disable=SC2086
step kernels 60 "${TSX[@]}" runner/engine/cli/device.ts --device "$DEVICE" --kernels $ROWS
[ -n "${PY:-}" ] && step torch-kernels 60 "$PY" bench/torch_matmul.py --device cuda

# 5. A real training run of the shipped default model on the device: a few steps, step-0 validation included.
step train 100 "${TSX[@]}" runner/engine/cli/train.ts --model models/arith-small --device "$DEVICE" --steps 5 --val-every 5 --out "$RES/train-$DEVICE.jsonl"

# 6. The webgpu iteration again with the KV cache sent from the host on every decode step (how the
# engine sampled before the cache stayed on the GPU): what keeping it there saves.
# shellcheck disable=SC2086
[ "$DRY" = 0 ] && [ "$HOSTKV" = 1 ] && step bench-webgpu-hostkv 100 "${TSX[@]}" bench/engine.ts --device webgpu --kv-cache host --skip-torch $BENCH --json "$RES/bench-webgpu-hostkv.json"

log "table"
"${TSX[@]}" scripts/gpu/table.ts "$RES" > "$RES/table.log" 2>&1 || FAILED=1
tee -a "$RES/gpu-check.log" < "$RES/table.log"
rm -rf "$WORK"
log "done: $([ "$FAILED" = 0 ] && echo "every step passed" || echo "some step FAILED: see the logs in $RES")"
exit "$FAILED"
