#!/usr/bin/env bash
# The whole test suite: set-up, lint, format, typecheck, unit, integration, e2e and deploy tests. CI
# runs exactly this. Every test tier runs even when an earlier one fails, and the summary line
# counts them all.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

echo "==> Lint";       npm run --silent lint
echo "==> Format";     npm run --silent format:check
echo "==> Typecheck";  npm run --silent typecheck
echo "==> Build";      npm run --silent build

mkdir -p test/.artifacts
rm -f test/.artifacts/{unit,integration,e2e,deploy}.json
status=0
echo "==> Unit tests"
npm run --silent test:unit -- --json --outputFile=test/.artifacts/unit.json || status=1
echo "==> Integration tests (private Redis and PostgreSQL, in-process apps, two workers)"
npm run --silent test:integration -- --json --outputFile=test/.artifacts/integration.json || status=1
echo "==> e2e tests (the built service's processes, browsers, faults; one at a time)"
# dist/ was built above: --ignore-scripts skips pretest:e2e's second build (the script still runs).
npm run --silent --ignore-scripts test:e2e -- --json --outputFile=test/.artifacts/e2e.json || status=1
echo "==> Deploy tests (the image and the compose stack in a private Docker engine)"
npm run --silent test:deploy || status=1

node -e '
const fs = require("fs");
let passed = 0, failed = 0;
for (const tier of ["unit", "integration", "e2e", "deploy"]) {
  const file = `test/.artifacts/${tier}.json`;
  if (!fs.existsSync(file)) { console.error(`${tier}: no results (the tier did not run to the end)`); failed++; continue; }
  const r = JSON.parse(fs.readFileSync(file, "utf8"));
  console.log(`${tier}: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
  passed += r.numPassedTests; failed += r.numFailedTests;
}
if (passed === 0) { console.error("No test ran"); process.exit(1); }
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
' || status=1
exit "$status"
