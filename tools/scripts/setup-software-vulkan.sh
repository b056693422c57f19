#!/usr/bin/env bash
# Sets up a software Vulkan driver so the webgpu backend (Dawn over Vulkan) runs on a machine
# without a GPU: CI and these CPU hosts test the webgpu kernels against cpu with it.
#
# Dawn refuses Debian bookworm's own lavapipe (Mesa 22.3: "shaderUniform*ArrayDynamicIndexing
# required") but accepts Mesa 25's, which bookworm-backports ships. We do not install it (it would
# replace the system's Mesa): the .deb is unpacked under the repo's ignored .cache/vulkan/, an ICD
# json points at its libvulkan_lvp.so, and a layer manifest at its device-select layer (used to
# place worker i on GPU i, see packages/backend/src/webgpu-placement.ts). Only the Vulkan loader
# (libvulkan1) is installed, and only when missing. Tests find the ICD at .cache/vulkan/lvp_icd.json
# (packages/backend/src/webgpu-test-adapter.ts). Idempotent: a second run checks two files and exits.
#
# Usage: tools/scripts/setup-software-vulkan.sh   (as root, or with libvulkan1 already installed)
# Exit status: 0 when the ICD is ready, 1 (with the reason on stderr) when it cannot be set up.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD/.cache/vulkan"
icd="$root/lvp_icd.json"
layer="$root/share/vulkan/implicit_layer.d/VkLayer_MESA_device_select.json"
libdir="$root/mesa/usr/lib/x86_64-linux-gnu"

fail() { echo "setup-software-vulkan: $*" >&2; exit 1; }
has_loader() { ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1 '; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else return 1; fi; }

[ "$(uname -m)" = x86_64 ] || fail "only x86_64 is supported (found $(uname -m))"

if ! has_loader; then
  command -v apt-get >/dev/null || fail "the Vulkan loader libvulkan.so.1 is missing and there is no apt-get to install it"
  echo "setup-software-vulkan: installing the Vulkan loader (libvulkan1)"
  as_root apt-get update -qq >/dev/null || fail "apt-get update failed (network or permissions)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libvulkan1 >/dev/null || fail "apt-get install libvulkan1 failed"
  has_loader || fail "libvulkan1 installed but libvulkan.so.1 is still not found by ldconfig"
fi

if [ -f "$icd" ] && [ -f "$layer" ]; then
  echo "setup-software-vulkan: ready: $icd"
  exit 0
fi

if [ ! -f "$libdir/libvulkan_lvp.so" ]; then
  command -v apt-get >/dev/null || fail "no apt-get to download mesa-vulkan-drivers"
  # The Debian archive apt already uses (deb822 or one-line format), plus the backports suite.
  uri=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [ -n "$uri" ] || uri=$(awk '$1=="deb"{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$uri" ] || uri=http://deb.debian.org/debian
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  echo "deb $uri bookworm-backports main" >"$work/bp.list"
  mkdir -p "$work/lists/partial"
  apt_bp=(apt-get -qq -o "Dir::Etc::SourceList=$work/bp.list" -o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$work/lists")
  echo "setup-software-vulkan: downloading mesa-vulkan-drivers from $uri bookworm-backports"
  "${apt_bp[@]}" update >/dev/null 2>"$work/err" || fail "apt-get update of bookworm-backports failed: $(tail -n 2 "$work/err")"
  (cd "$work" && "${apt_bp[@]}" download mesa-vulkan-drivers >/dev/null 2>"$work/err") ||
    fail "apt-get download mesa-vulkan-drivers failed: $(tail -n 2 "$work/err")"
  deb=$(ls "$work"/mesa-vulkan-drivers_*.deb)
  case "$(basename "$deb")" in
    mesa-vulkan-drivers_2[5-9].*) ;;
    *) fail "expected Mesa 25 or later from backports, got $(basename "$deb")" ;;
  esac
  rm -rf "$root/mesa"
  mkdir -p "$root"
  dpkg -x "$deb" "$root/mesa"
  [ -f "$libdir/libvulkan_lvp.so" ] || fail "$(basename "$deb") holds no libvulkan_lvp.so"
  basename "$deb" >"$root/VERSION"
fi

# Manifests last (each through a temporary file), so an interrupted run is redone. Their library
# paths are relative to the manifest, so the checkout may move.
cat >"$icd.tmp" <<'JSON'
{
  "file_format_version": "1.0.1",
  "ICD": { "library_path": "./mesa/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so", "api_version": "1.3.0" }
}
JSON
mv "$icd.tmp" "$icd"
mkdir -p "$(dirname "$layer")"
cat >"$layer.tmp" <<'JSON'
{
  "file_format_version": "1.0.0",
  "layer": {
    "name": "VK_LAYER_MESA_device_select",
    "type": "GLOBAL",
    "library_path": "../../../mesa/usr/lib/x86_64-linux-gnu/libVkLayer_MESA_device_select.so",
    "api_version": "1.3.0",
    "implementation_version": "1",
    "description": "Linux device selection layer",
    "functions": { "vkNegotiateLoaderLayerInterfaceVersion": "vkNegotiateLoaderLayerInterfaceVersion" },
    "disable_environment": { "NODEVICE_SELECT": "1" }
  }
}
JSON
mv "$layer.tmp" "$layer"
echo "setup-software-vulkan: ready: $icd ($(cat "$root/VERSION")); device-select layer: $layer"
