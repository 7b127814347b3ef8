#!/usr/bin/env bash
# Installs what is missing, builds, fetches the whisper model when it is not there yet, and runs
# every role in one process (ROLE=all) on local Redis.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "==> Building"
npx tsc -p tsconfig.build.json
npx tsc -p web/tsconfig.json

model_size="${MODEL_SIZE:-base}"
models_dir="${MODELS_DIR:-models}"
if [ -z "${WHISPER_MODEL:-}" ] && [ ! -f "${models_dir}/ggml-${model_size}.bin" ]; then
  echo "==> Fetching the whisper model ${model_size} (MODEL_SIZE) into ${models_dir}/"
  if ! npm run --silent models -- "${model_size}"; then
    echo "!! No whisper model yet: the service starts, but /health/ready stays 503 and nothing is"
    echo "!! transcribed until ${models_dir}/ggml-${model_size}.bin exists (npm run models -- ${model_size},"
    echo "!! or set WHISPER_MODEL to a ggml file you have)."
  fi
fi
exec node dist/main.js
