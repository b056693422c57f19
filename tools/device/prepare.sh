#!/usr/bin/env bash
# Builds dist/device/: what tools/device/gpu-run.sh needs on a GPU host that has no node, no Vulkan
# loader and no registry. Run it here (a machine with node, npm's node_modules and apt), then carry
# dist/device with the working tree (the device tool takes up to 64 MiB of ignored paths):
#   dist/device/rewardkit-linux-x64.tar.gz   the offline bundle (npx nx run trainer:bundle)
#   dist/device/node.xz                      this machine's node binary, xz -9 (~24 MB)
#   dist/device/debs/*.deb                   Debian's Vulkan loader + libglvnd, for NVIDIA's Vulkan ICD
# Usage: tools/device/prepare.sh [--no-bundle]   (idempotent: node.xz and debs are kept once made)
# Fails when the total is over 55 MiB (the tool's 64 MiB, less room for the rest).
set -euo pipefail
cd "$(dirname "$0")/../.."
dev=dist/device
max_mib=55
debs=(libvulkan1 libglvnd0 libglx0 libegl1 libgl1 libgles2 libopengl0)
mkdir -p "$dev/debs"

if [ "${1:-}" != --no-bundle ]; then
  echo "prepare: building the bundle"
  npx tsx tools/bundle/src/build-bundle.ts
fi
cp dist/rewardkit-linux-x64.tar.gz "$dev/"

node_bin=$(command -v node)
if [ ! -s "$dev/node.xz" ] || [ "$node_bin" -nt "$dev/node.xz" ]; then
  echo "prepare: compressing $node_bin ($("$node_bin" --version)) to $dev/node.xz (xz -9, about a minute)"
  xz -9 -T0 -c "$node_bin" >"$dev/node.xz.tmp"
  mv "$dev/node.xz.tmp" "$dev/node.xz"
fi
"$node_bin" --version >"$dev/node.version"

missing=()
for p in "${debs[@]}"; do compgen -G "$dev/debs/${p}_*.deb" >/dev/null || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "prepare: apt-get download ${missing[*]}"
  (cd "$dev/debs" && apt-get download "${missing[@]}" 2>/dev/null) ||
    { apt-get update -qq && (cd "$dev/debs" && apt-get download "${missing[@]}"); }
fi

total=$(du -cb "$dev/rewardkit-linux-x64.tar.gz" "$dev/node.xz" "$dev"/debs/*.deb | tail -n 1 | cut -f1)
ls -la "$dev" "$dev/debs"
mib=$(( (total + 1048575) / 1048576 ))
echo "prepare: $dev holds ${mib} MiB to carry (bundle $(du -h "$dev/rewardkit-linux-x64.tar.gz" | cut -f1), node $(du -h "$dev/node.xz" | cut -f1), debs $(du -ch "$dev"/debs/*.deb | tail -n 1 | cut -f1))"
if [ "$mib" -gt "$max_mib" ]; then
  echo "prepare: over ${max_mib} MiB" >&2
  exit 1
fi
