#!/usr/bin/env bash
# npm run start:local: installs what is missing, builds, fetches the whisper model when it is not
# there yet, and runs every role in one process (ROLE=all). Without REDIS_URL it uses the Redis on
# 127.0.0.1:6379, or starts one of its own for as long as the service runs (data in .cache/redis).
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
    echo "!! The whisper model could not be fetched. The service starts, but /health/ready stays 503"
    echo "!! and nothing is transcribed until ${models_dir}/ggml-${model_size}.bin exists: run"
    echo "!! 'npm run models -- ${model_size}' when online, copy ggml-${model_size}.bin from a machine"
    echo "!! that has it, or set WHISPER_MODEL to a ggml file you have."
  fi
fi

redis_pid=""
if [ -z "${REDIS_URL:-}" ] && ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "==> Starting redis-server on 127.0.0.1:6379 for this run (data in .cache/redis)"
  mkdir -p .cache/redis
  # Its own session: Ctrl-C must not stop Redis before the service has drained into it.
  setsid redis-server --bind 127.0.0.1 --port 6379 --dir .cache/redis --appendonly yes \
    --maxmemory-policy noeviction --logfile redis.log &
  redis_pid=$!
  for _ in $(seq 1 50); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.1; done
  redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || { echo "Redis did not start: see .cache/redis/redis.log"; exit 1; }
fi

if [ -z "$redis_pid" ]; then exec node dist/main.js; fi
# Our own Redis stops after the service. The service runs in its own session too, so that Ctrl-C
# reaches it once, as the SIGTERM below, and it drains before Redis goes.
setsid node dist/main.js &
service_pid=$!
trap 'kill -TERM "$service_pid" 2>/dev/null || true' INT TERM
status=0
wait "$service_pid" || status=$?
# A signal interrupts the first wait; the service is still draining.
kill -0 "$service_pid" 2>/dev/null && { wait "$service_pid" || status=$?; }
kill -TERM "$redis_pid" 2>/dev/null || true
wait "$redis_pid" 2>/dev/null || true
exit "$status"
