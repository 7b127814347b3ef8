#!/usr/bin/env bash
# Installs what is missing, builds, and runs every role in one process (ROLE=all) on local Redis.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npx tsc -p tsconfig.build.json
npx tsc -p web/tsconfig.json
exec node dist/main.js
