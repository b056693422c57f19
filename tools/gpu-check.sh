#!/usr/bin/env bash
# GPU check, run from the unpacked offline bundle on a GPU host in one go (under 8 minutes):
#   1. the adapter Dawn (webgpu) finds;             2. webgpu-vs-cpu kernel checks (forward + gradients);
#   3. bench on webgpu: small, mid, gpt2-small;     4. the same presets in PyTorch (fp32, tf32, bf16)
#   3b. step profile per preset: fused kernels on/off in one process (dispatches, GPU kernel time,
#       wall / kernel time), host<->GPU copy GB/s;
#      when `python3 -c 'import torch'` works and sees CUDA;
#   5. 1/2/4/8 CPU (wasm) workers on the small preset, as many as the host has cores for;
#   6. 1, 2 and 4 worker processes on the GPU (webgpu; on a one-GPU host 1, 2 and 4 per GPU), with the
#      all-reduce's share of a step (rank 0's all-reduce time over its step).
# Everything goes into one JSON file plus a printed table. Every step runs under `timeout -k 5`
# (a Dawn process once hung at exit); a failed step is recorded and the check goes on.
#
# Usage: tools/gpu-check.sh [--quick] [--out FILE]
#   --quick   tiny preset only, fewer steps, workers 1 and 2 (a software adapter, CI-sized)
#   --out     the JSON file (default: $GPU_CHECK_OUT, else ./gpu-check.json)
# Env: NODE (node binary, default `node`), PYTHON (default python3), SKIP_TORCH=1, BACKEND (default webgpu),
#      TORCH_DEVICE (default cuda; cpu runs the peer without a GPU, to test this script),
#      GPU_CHECK_BUDGET (seconds for the whole check, default 450, quick 840; a step never runs past it).
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)  # the bundle: bin/, node_modules/, tools/
NODE=${NODE:-node}
PYTHON=${PYTHON:-python3}
BACKEND=${BACKEND:-webgpu}
TORCH_DEVICE=${TORCH_DEVICE:-cuda}
out=${GPU_CHECK_OUT:-$PWD/gpu-check.json}
quick=0
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --out) out=$2; shift ;;
    --out=*) out=${1#--out=} ;;
    *) echo "gpu-check: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
case "$out" in /*) ;; *) out=$PWD/$out ;; esac
pieces=$(mktemp -d)
logs=${out%.json}-logs
mkdir -p "$logs"
t0=$(date +%s)
el() { echo "[+$(( $(date +%s) - t0 ))s] $*"; }

# The whole check's budget: a step never runs past it, so the report is always written.
budget=${GPU_CHECK_BUDGET:-$([ "$quick" = 1 ] && echo 840 || echo 450)}
# step NAME SECONDS CMD...: runs CMD under timeout (its limit, or what is left of the budget less 15 s
# for the report), keeps its output in $logs/NAME.log, records rc and time; skipped when no time is left
step() {
  local name=$1 secs=$2 s rc left
  shift 2
  s=$(date +%s)
  left=$(( budget - (s - t0) - 15 ))
  if [ "$left" -lt 10 ]; then
    el "$name: skipped (budget of ${budget}s spent)"
    printf '{"step":"%s","rc":-1,"seconds":0,"skipped":true}\n' "$name" >>"$pieces/steps.jsonl"
    return 0
  fi
  [ "$secs" -gt "$left" ] && secs=$left
  el "$name (limit ${secs}s)"
  timeout -k 5 "$secs" "$@" >"$logs/$name.log" 2>&1
  rc=$?
  grep -v '^\[' "$logs/$name.log" | grep -v '^$' | tail -n 40
  printf '{"step":"%s","rc":%d,"seconds":%d}\n' "$name" "$rc" "$(( $(date +%s) - s ))" >>"$pieces/steps.jsonl"
  [ "$rc" = 0 ] || echo "  -> $name failed (rc $rc; 124 = timed out), log: $logs/$name.log"
  return 0
}

cd "$root" || exit 1
cores=$(nproc 2>/dev/null || echo 1)
gpus=$(command -v nvidia-smi >/dev/null && nvidia-smi -L 2>/dev/null | tr '\n' ';' || echo "")
printf '{"hostname":"%s","cores":%d,"nvidia_smi":"%s","node":"%s","quick":%d}\n' \
  "$(uname -n)" "$cores" "${gpus//\"/}" "$("$NODE" --version 2>/dev/null)" "$quick" >"$pieces/host.json"
el "host: $cores cores; ${gpus:-no nvidia-smi}; node $("$NODE" --version 2>/dev/null)"

# limits (s): each step's timeout; quick mode is for a software adapter, which compiles shaders slowly
if [ "$quick" = 1 ]; then
  presets="tiny"; steps=2; warmup=1; worker_counts="1,2"; worker_preset=tiny; torch_steps=3
  lim_kernels=300; lim_bench=300; profile_presets="tiny"; copy_mb="4,16"; matmul_n="64"
else
  presets="small mid gpt2-small"; steps=5; warmup=2; worker_counts=""; worker_preset=small; torch_steps=10
  lim_kernels=120; lim_bench=0; profile_presets="small mid gpt2-small"; copy_mb="16,64,256"; matmul_n="1024,2048,4096"
  for n in 1 2 4 8; do [ "$n" -le "$cores" ] && worker_counts="${worker_counts:+$worker_counts,}$n"; done
fi

step adapter 60 "$NODE" bin/kernel-check.cjs --adapter --backend "$BACKEND" --out "$pieces/adapter.json"
step kernels "$lim_kernels" "$NODE" bin/kernel-check.cjs --backend "$BACKEND" --out "$pieces/kernels.json"

for p in $presets; do
  case "$p" in gpt2-small) lim=120 ;; mid) lim=90 ;; *) lim=60 ;; esac
  [ "$lim_bench" -gt 0 ] && lim=$lim_bench
  step "bench-$p" "$lim" "$NODE" bin/bench.cjs --preset "$p" --backend "$BACKEND" --workers '' \
    --steps "$steps" --warmup "$warmup" --out "$pieces/bench-$p.json"
done

# fused kernels on/off alternating on the same batches, dispatches and GPU kernel time; copies once
first=1
for p in $profile_presets; do
  # four modes (fused on, off, fused + tiled matMul, fused + f16 compute), alternating; gpt2-small steps take seconds
  case "$p" in gpt2-small) lim=150; n=2 ;; mid) lim=100; n=3 ;; *) lim=75; n=3 ;; esac
  [ "$quick" = 1 ] && lim=240
  step "profile-$p" "$lim" "$NODE" bin/step-profile.cjs --preset "$p" --backend "$BACKEND" --steps "$n" --warmup 1 --modes on,off,tiled,f16 \
    --copy-mb "$([ "$first" = 1 ] && echo "$copy_mb")" --matmul-n "$([ "$first" = 1 ] && echo "$matmul_n")" \
    $([ "$first" = 1 ] && echo "--overlap --submit-batch 15,128,1024") --out "$pieces/profile-$p.json"
  first=0
done

if [ -n "${SKIP_TORCH:-}" ]; then
  el "torch: skipped (SKIP_TORCH)"
elif ! timeout 60 "$PYTHON" -c 'import torch, sys; sys.exit(0 if sys.argv[1] != "cuda" or torch.cuda.is_available() else 3)' "$TORCH_DEVICE" >/dev/null 2>&1; then
  el "torch: skipped ($PYTHON cannot import torch, or torch sees no CUDA device)"
else
  for p in $presets; do
    # the three modes in one process: Python, torch and CUDA start once
    step "torch-$p" 90 "$PYTHON" tools/gpu/torch_peer.py --preset "$p" --mode fp32,tf32,bf16 --steps "$torch_steps" --device "$TORCH_DEVICE"
    grep '^{' "$logs/torch-$p.log" >>"$pieces/torch.jsonl"
  done
fi

if [ "$quick" = 0 ]; then
  # the GPU-resident step against the host path (read back, JS AdamW, upload), same preset and run
  step bench-small-host 60 env REWARDKIT_PARAMETER_STORE=host "$NODE" bin/bench.cjs --preset small --backend "$BACKEND" \
    --workers '' --steps "$steps" --warmup "$warmup" --out "$pieces/bench-small-host.json"
fi
# worker processes sharing the GPU (one process is host-bound): 1, 2, 4, with the all-reduce's share
# of a step; on a software adapter the tiny preset (each process compiles its shaders on the CPU)
# (quick: 2 and 4 only, one step and no warm-up, to stay near 3 minutes on 2 idle cores; one worker
# has no all-reduce. Each process compiles its shaders on the CPU: at a load of 12 this step alone
# took over 150 s, hence its longer limit there)
if [ "$quick" = 1 ]; then gw=(tiny 2,4 1 0 240); else gw=(mid 1,2,4 3 1 150); fi
step gpu-workers "${gw[4]}" "$NODE" bin/bench.cjs --preset "${gw[0]}" --backend "$BACKEND" --no-in-process \
  --workers "${gw[1]}" --steps "${gw[2]}" --warmup "${gw[3]}" --out "$pieces/gpu-workers.json"

if [ -n "$worker_counts" ]; then
  # the preset's 16 pairs a step (8 workers: 2 each); a small-preset step on one wasm worker takes
  # seconds (14 s of CPU for 32 pairs on a loaded 2-core machine), so few steps
  step workers 150 "$NODE" bin/bench.cjs --preset "$worker_preset" --backend wasm --no-in-process \
    --workers "$worker_counts" --pairs 16 --steps 3 --warmup 1 --out "$pieces/workers.json"
fi

el report
timeout -k 5 60 "$NODE" bin/gpu-report.cjs "$pieces" "$out"
cp -r "$pieces" "$logs/pieces"
rm -rf "$pieces"
el "done: $out (logs: $logs)"
