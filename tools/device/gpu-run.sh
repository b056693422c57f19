#!/usr/bin/env bash
# Device driver: runs the GPU check on a GPU host that has no node, no Vulkan loader and no registry,
# from this repository's working tree plus dist/device/ (built here by tools/device/prepare.sh).
#   1. node from dist/device/node.xz (xz, or Python's lzma where xz is missing);
#   2. the Vulkan loader and libglvnd from dist/device/debs/ when the host lacks them (dpkg -x into /
#      as root, then ldconfig: what worked on the H200 host; without root into a private sysroot on
#      LD_LIBRARY_PATH), and NVIDIA's Vulkan ICD json exported as VK_DRIVER_FILES;
#   3. the bundle unpacked into a scratch directory, then its tools/gpu-check.sh, writing to $OUT.
# $OUT: the folder whose files come back (the device tool sets it; default ./gpu-out).
# Usage: tools/device/gpu-run.sh [--quick] [--software]
#   --quick     tiny preset only (a software adapter, or a first look)
#   --software  use the software Vulkan driver of tools/scripts/setup-software-vulkan.sh (.cache/vulkan)
#               instead of a GPU: to test this script on a CPU machine
# Whole run on a GPU: under 9 minutes (every gpu-check step has its own timeout, the whole check 450 s + 75 s of start-up).
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
dev=$repo/dist/device
OUT=${OUT:-$PWD/gpu-out}
mkdir -p "$OUT"
# everything into $OUT/gpu-run.log too; re-run under tee (not exec > >(tee)), so the log is
# complete when this script returns and the device tool collects $OUT
if [ -z "${GPU_RUN_TEED:-}" ]; then
  GPU_RUN_TEED=1 bash "$0" "$@" 2>&1 | tee -a "$OUT/gpu-run.log"
  exit "${PIPESTATUS[0]}"
fi
t0=$(date +%s)
el() { echo "[gpu-run +$(( $(date +%s) - t0 ))s] $*"; }

quick=() software=0
for a in "$@"; do
  case "$a" in
    --quick) quick=(--quick) ;;
    --software) software=1 ;;
    *) echo "gpu-run: unknown argument $a" >&2; exit 2 ;;
  esac
done
work=${GPU_RUN_WORK:-$(mktemp -d /tmp/rewardkit-gpu.XXXXXX)}
mkdir -p "$work"
[ -f "$dev/rewardkit-linux-x64.tar.gz" ] || { el "missing $dev/rewardkit-linux-x64.tar.gz: run tools/device/prepare.sh first"; exit 1; }

# --- node
if [ -f "$dev/node.xz" ]; then
  if command -v xz >/dev/null; then
    xz -dc "$dev/node.xz" >"$work/node"
  else
    python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$dev/node.xz" "$work/node"
  fi
  chmod +x "$work/node"
  NODE=$work/node
else
  NODE=$(command -v node) || { el "no dist/device/node.xz and no node on PATH"; exit 1; }
fi
el "node: $NODE $("$NODE" --version)"

# --- Vulkan loader + libglvnd (NVIDIA's ICD, libGLX_nvidia.so.0, needs libGLX/libGLdispatch)
has_lib() {
  ldconfig -p 2>/dev/null | grep -q "$1 " && return 0
  local d
  for d in ${LD_LIBRARY_PATH//:/ }; do [ -e "$d/$1" ] && return 0; done
  return 1
}
# GPU_RUN_DEBS=sysroot forces the private sysroot (to test that path on a machine that has the libraries)
if [ "${GPU_RUN_DEBS:-}" != sysroot ] && has_lib libvulkan.so.1 && has_lib libGLX.so.0 && has_lib libGLdispatch.so.0; then
  el "vulkan loader and libglvnd: present"
elif [ "${GPU_RUN_DEBS:-}" != sysroot ] && [ "$(id -u)" = 0 ] && command -v dpkg >/dev/null; then
  el "installing $(ls "$dev"/debs/*.deb | wc -l) debs into / (dpkg -x) and running ldconfig"
  for f in "$dev"/debs/*.deb; do dpkg -x "$f" /; done
  ldconfig
else
  el "unpacking the debs into $work/sysroot (no root): LD_LIBRARY_PATH"
  for f in "$dev"/debs/*.deb; do dpkg-deb -x "$f" "$work/sysroot" || el "cannot unpack $f"; done
  export LD_LIBRARY_PATH="$work/sysroot/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  ls "$work/sysroot/usr/lib/x86_64-linux-gnu" | tr '\n' ' '; echo
fi

# --- which Vulkan driver
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
if [ "$software" = 1 ]; then
  icd=$repo/.cache/vulkan/lvp_icd.json
  [ -f "$icd" ] || { el "no $icd: run tools/scripts/setup-software-vulkan.sh"; exit 1; }
  export VK_ICD_FILENAMES=$icd
  unset VK_DRIVER_FILES
  el "software Vulkan driver: $icd"
elif [ -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ]; then
  for d in /usr/local/nvidia/share/vulkan/icd.d /usr/share/vulkan/icd.d /etc/vulkan/icd.d; do
    if [ -f "$d/nvidia_icd.json" ]; then export VK_DRIVER_FILES=$d/nvidia_icd.json; break; fi
  done
  el "VK_DRIVER_FILES=${VK_DRIVER_FILES:-unset (the loader searches its default paths)}"
fi
command -v nvidia-smi >/dev/null && nvidia-smi -L
ls /usr/local/nvidia/share/vulkan/icd.d /usr/share/vulkan/icd.d /etc/vulkan/icd.d 2>/dev/null | head -n 12

# --- the bundle and the check
tar -xzf "$dev/rewardkit-linux-x64.tar.gz" -C "$work" || { el "cannot unpack the bundle"; exit 1; }
el "bundle: $(cat "$work/rewardkit-linux-x64/BUILD.json" | tr -d '\n ' | cut -c1-160)"
cd "$work" || exit 1
# full: gpu-check's steps add up to under 8 minutes on a GPU; quick on a software adapter is slower
limit=$([ ${#quick[@]} -gt 0 ] && echo 900 || echo $(( ${GPU_CHECK_BUDGET:-450} + 75 )))
NODE=$NODE timeout -k 10 "$limit" rewardkit-linux-x64/tools/gpu-check.sh "${quick[@]}" --out "$OUT/gpu-check.json"
rc=$?
el "gpu-check exited $rc; results: $OUT/gpu-check.json"
[ -n "${GPU_RUN_WORK:-}" ] || rm -rf "$work"
exit "$rc"
