#!/usr/bin/env bash
# The module-boundary lint (eslint.config.mjs), as CI runs it: `bash tools/lint/run-lint.sh [eslint args]`.
# @nx/enforce-module-boundaries reads Nx's cached project graph and, when there is none, skips
# itself with only a warning; so compute the graph first (4 s) and fail if that fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
export NX_DAEMON=false NX_NO_CLOUD=true
npx nx show projects >/dev/null
npx eslint --max-warnings=0 "$@"
