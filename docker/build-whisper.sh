#!/usr/bin/env bash
# Builds the whisper.cpp addon (native/whisper-addon, scripts/build-whisper.sh) for the CPU level the
# image asks for.
#   WHISPER_MARCH  x86-64-v3 (AVX2/FMA/F16C, the image default: any x86 server since about 2015),
#                  x86-64-v2 (SSE4.2), x86-64 (no vector extensions) or native (this build machine's
#                  CPU only: fastest, but the image may not start elsewhere).
set -euo pipefail
cd "$(dirname "$0")/.."

march="${WHISPER_MARCH:-x86-64-v3}"
case "$march" in
  native|x86-64-v3|x86-64-v2) arch="$march" ;;
  x86-64) arch="generic" ;;
  *) echo "WHISPER_MARCH=$march: allowed native, x86-64, x86-64-v2, x86-64-v3" >&2; exit 2 ;;
esac

echo "==> npm run build:whisper (WHISPER_MARCH=$march)"
WHISPER_CPU_ARCH="$arch" npm run build:whisper
test -f native/whisper-addon/build/rt_whisper.node
