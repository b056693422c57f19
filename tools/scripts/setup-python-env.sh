#!/usr/bin/env bash
# Installs PyTorch (CPU) and Hugging Face transformers, offline, into the repo's ignored
# .cache/pyenv, so the Python cross-check (packages/training/src/python-cross-check.spec.ts) can
# score exported models with the real library. The wheels come from the machine image
# (/opt/wheels, /opt/pypi/files, /opt/pypi-more/files); nothing is downloaded. Versions are pinned
# to wheels that resolve offline there.
#
# Idempotent: when the venv already imports the pinned versions it exits at once.
# Exit status: 0 when ready, and 0 with the reason printed when the wheels are absent (another
# machine image: the cross-check then skips and says why); 1 when an install that should work fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv="$PWD/.cache/pyenv"
TORCH=2.13.0+cpu
TRANSFORMERS=5.18.0
FIND=(/opt/wheels /opt/pypi/files /opt/pypi-more/files)

ready() {
  [ -x "$venv/bin/python" ] && "$venv/bin/python" - "$TORCH" "$TRANSFORMERS" <<'PY' 2>/dev/null
import sys, torch, transformers
sys.exit(0 if (torch.__version__, transformers.__version__) == (sys.argv[1], sys.argv[2]) else 1)
PY
}

if ready; then echo "setup-python-env: ready: $venv"; exit 0; fi

shopt -s nullglob
torch_wheels=(/opt/wheels/torch-"$TORCH"-*.whl)
tf_wheels=(/opt/pypi*/files/transformers-"$TRANSFORMERS"-*.whl)
if [ ${#torch_wheels[@]} = 0 ] || [ ${#tf_wheels[@]} = 0 ]; then
  echo "setup-python-env: no wheels of torch $TORCH and transformers $TRANSFORMERS under ${FIND[*]}: Python cross-check not set up (it will skip)"
  exit 0
fi
command -v python3 >/dev/null || { echo "setup-python-env: no python3: Python cross-check not set up (it will skip)"; exit 0; }

rm -rf "$venv"
python3 -m venv "$venv"
links=()
for d in "${FIND[@]}"; do [ -d "$d" ] && links+=(--find-links "$d"); done
"$venv/bin/pip" install --quiet --no-index "${links[@]}" "torch==$TORCH" "transformers==$TRANSFORMERS"
ready || { echo "setup-python-env: installed, but the venv does not import torch $TORCH and transformers $TRANSFORMERS" >&2; exit 1; }
echo "setup-python-env: ready: $venv"
