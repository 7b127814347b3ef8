#!/usr/bin/env bash
# The whole test suite: set-up, lint, format, typecheck, unit and e2e tests. CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

echo "==> Lint";       npx eslint --max-warnings 0 "{src,test,bench,scripts,web}/**/*.ts"
echo "==> Format";     npx prettier --check "{src,test,bench,scripts,web}/**/*.ts"
echo "==> Typecheck";  npx tsc -p tsconfig.json --noEmit
echo "==> Build";      npx tsc -p tsconfig.build.json && npx tsc -p web/tsconfig.json

mkdir -p test/.artifacts
echo "==> Unit tests"
npx jest --config jest.config.js --json --outputFile=test/.artifacts/unit.json
echo "==> e2e tests (private Redis and PostgreSQL, real engines)"
npx jest --config test/jest-e2e.config.js --runInBand --json --outputFile=test/.artifacts/e2e.json

node -e '
const files = ["test/.artifacts/unit.json", "test/.artifacts/e2e.json"];
let passed = 0, failed = 0;
for (const f of files) { const r = require("./" + f); passed += r.numPassedTests; failed += r.numFailedTests; }
if (passed === 0) { console.error("No test ran"); process.exit(1); }
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
'
