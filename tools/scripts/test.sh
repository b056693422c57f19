#!/usr/bin/env bash
# The project's one test command (README, .ci/run): type-check, lint, then every jest project in one run,
# closing with a plain `N passed, N failed` line.
set -uo pipefail
cd "$(dirname "$0")/../.."
export NX_DAEMON=false NX_NO_CLOUD=true
echo "== typecheck"
npx tsc -p tsconfig.json --noEmit || { echo "typecheck failed"; echo "0 passed, 1 failed"; exit 1; }
echo "== lint (module boundaries)"
bash tools/lint/run-lint.sh || { echo "lint failed"; echo "0 passed, 1 failed"; exit 1; }
echo "== jest"
mkdir -p tmp
npx jest --json --outputFile=tmp/jest-results.json "$@"
status=$?
node -e '
const r = require("./tmp/jest-results.json");
const skipped = r.numPendingTests + r.numTodoTests;
const failedSuites = r.numFailedTestSuites - r.testResults.filter((s) => s.assertionResults.some((a) => a.status === "failed")).length;
console.log(`${r.numPassedTests} passed, ${r.numFailedTests + Math.max(0, failedSuites)} failed` + (skipped ? `, ${skipped} skipped` : ""));
'
exit $status
