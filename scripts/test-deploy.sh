#!/usr/bin/env bash
# npm run test:deploy: the image and the compose stack for real, in a private Docker engine.
#   1. installs what is missing from Debian (docker.io, docker-compose, debootstrap, prometheus);
#   2. starts a private dockerd (its own data root, socket and exec root under DEPLOY_CACHE_DIR;
#      no default bridge, no iptables rules: nothing of the host's network or services changes);
#   3. builds the stand-ins for the official base images (test/deploy/standins, reused while their
#      inputs are unchanged) and the project image from docker/Dockerfile;
#   4. runs test/deploy/*.docker-spec.ts (compose up, scale, kill, stop, restart; Prometheus);
#   5. removes the project image and its build cache, stops dockerd, and checks that no network
#      interface of its own is left. The stand-ins stay in the cache for the next run.
# Must run as root (dockerd). DEPLOY_CACHE_DIR defaults to ~/.cache/realtime-stt/deploy.
set -euo pipefail
cd "$(dirname "$0")/.."
cache="${DEPLOY_CACHE_DIR:-$HOME/.cache/realtime-stt/deploy}"
exec_root=/run/rt-deploy-docker
image="${IMAGE:-realtime-stt:latest}"
started_at=$(date +%s)
elapsed() { echo "$(($(date +%s) - $1)) s"; }

if [ "$(id -u)" -ne 0 ]; then
  echo "test:deploy starts its own Docker engine, which needs root: run it as root (sudo -E npm run test:deploy)" >&2
  exit 1
fi

source scripts/lib/apt-install.sh
install_missing \
  "docker.io:the Docker engine the deploy tests start privately" \
  "docker-compose:runs docker/compose.yaml" \
  "debootstrap:the Debian root filesystem of the stand-in base images" \
  "prometheus:scrapes the stack in the observability test"

mkdir -p "$cache"
export DOCKER_HOST="unix://$cache/docker.sock"
pidfile="$cache/dockerd.pid"
links_before=$(ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort)

stop_engine() {
  [ -f "$pidfile" ] || return 0
  local pid
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  rm -f "$pidfile"
}

cleanup() {
  local status=$?
  set +e
  echo "==> Clean-up: removing $image and its build cache"
  docker image rm -f "$image" >/dev/null 2>&1
  docker image prune -f >/dev/null 2>&1
  docker builder prune -af >/dev/null 2>&1
  echo "    engine data root after clean-up: $(du -sh "$cache/data-root" 2>/dev/null | cut -f1) (the stand-ins)"
  stop_engine
  local left
  left=$(comm -13 <(echo "$links_before") <(ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort))
  if [ -n "$left" ]; then
    echo "Network interfaces left behind by the test's engine: $left" >&2
    status=1
  fi
  echo "==> test:deploy finished in $(elapsed "$started_at") (exit $status)"
  exit "$status"
}
trap cleanup EXIT

# An engine left by an interrupted run is stopped first; then ours.
stop_engine
echo "==> Starting a private dockerd (data root $cache/data-root)"
dockerd --data-root "$cache/data-root" --exec-root "$exec_root" --host "$DOCKER_HOST" \
  --pidfile "$pidfile" --bridge=none --iptables=false --ip6tables=false --storage-driver overlay2 \
  >"$cache/dockerd.log" 2>&1 &
for _ in $(seq 1 60); do docker version >/dev/null 2>&1 && break; sleep 0.5; done
docker version >/dev/null 2>&1 || { tail -20 "$cache/dockerd.log" >&2; echo "dockerd did not start (log above, $cache/dockerd.log)" >&2; exit 1; }
disk_before=$(du -sm "$cache/data-root" | cut -f1)

step=$(date +%s)
bash test/deploy/standins/build-standins.sh "$cache/standins"
echo "    stand-ins ready ($(elapsed "$step"))"

step=$(date +%s)
echo "==> docker build -f docker/Dockerfile -t $image (cold: about 10 minutes on 2 cores; log $cache/build.log)"
if ! docker build --network host -f docker/Dockerfile -t "$image" . >"$cache/build.log" 2>&1; then
  tail -30 "$cache/build.log" >&2
  echo "docker build failed (log above, $cache/build.log)" >&2
  exit 1
fi
grep -E '^Step [0-9]+/' "$cache/build.log" | tail -1 | sed 's/^/    last: /'
echo "    image built ($(elapsed "$step")): $(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}'); engine data root $(du -sh "$cache/data-root" | cut -f1) (was ${disk_before} MB)"
docker history --format '{{.Size}}\t{{.CreatedBy}}' "$image" | grep -v '^0B' | sort -h -r | head -4 \
  | cut -c1-110 | sed 's/^/    layer: /'

step=$(date +%s)
mkdir -p test/.artifacts
status=0
DEPLOY_IMAGE="$image" npx jest --config test/jest-deploy.config.js --json --outputFile=test/.artifacts/deploy.json || status=$?
echo "    deploy tests ($(elapsed "$step"))"
exit "$status"
