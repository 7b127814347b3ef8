#!/usr/bin/env bash
# Installs what the service and its tests need on a Debian/Ubuntu machine: the Debian packages that
# are missing (it says which and why first) and the npm dependencies. Safe to run again: it only
# installs what is missing. It starts no server and changes no configuration: the tests start
# private Redis and PostgreSQL servers of their own, and scripts/start.sh starts what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."

# package: why
PACKAGES=(
  "redis-server:the queue and result store (tests start a private one)"
  "redis-tools:redis-cli, for the deploy tests of Sentinel and Cluster"
  "postgresql:initdb and postgres, for the tests' private PostgreSQL cluster"
  "apertium:the translation engine"
  "apertium-eng-spa:English-Spanish pairs for apertium"
  "apertium-eng-cat:English-Catalan pairs for apertium"
  "espeak-ng:speech for the VAD and client tests"
  "sox:audio conversion for the tests"
  "ffmpeg:decodes FLAC/MP3/OGG/WebM/M4A uploads of the OpenAI audio API (WAV needs none)"
  "openssl:generating secrets (scripts/generate-env.sh, deploy/k8s/create-secrets.sh)"
  "python3:node-gyp, to build the native addons"
  "make:building the whisper.cpp addon"
  "g++:building the whisper.cpp addon"
  "cmake:building the whisper.cpp addon"
  "tini:the image's init, checked by the deploy tests"
  "haproxy:validating the shipped load-balancer config"
  "prometheus:promtool and a Prometheus server for the observability tests (each run starts its own)"
  "docker-compose:validating the shipped compose files (no Docker engine needed)"
  "chromium:the web app's browser tests"
  "xvfb:a display for the voice-typing test"
  "xdotool:the CLI's voice typing"
  "xterm:a window for the voice-typing test to type into"
  "x11-utils:xwininfo, for the voice-typing test"
)
source scripts/lib/apt-install.sh
install_missing "${PACKAGES[@]}"

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "==> Installing npm dependencies (compiles whisper.cpp for this CPU, a minute or two)"
  npm ci --no-audit --no-fund
fi
