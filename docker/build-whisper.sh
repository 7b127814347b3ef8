#!/usr/bin/env bash
# Rebuilds smart-whisper's bundled whisper.cpp for one x86 vector level, inside an installed
# node_modules. The image calls it after `npm ci`; it also works on a developer machine.
#
#   WHISPER_MARCH  GCC -march value: x86-64-v3 (AVX2/FMA, the image default: any x86 server since
#                  about 2015), x86-64-v2 (SSE4.2 only, slow), x86-64-v4 (AVX-512), or native (this
#                  CPU only: fastest, but the binary may crash with SIGILL on an older CPU).
#
# When the project defines an npm script `build:whisper`, that script owns the rebuild and reads
# WHISPER_MARCH itself; otherwise smart-whisper is rebuilt here through node-gyp, which passes
# CFLAGS/CXXFLAGS to the compiler.
set -euo pipefail
cd "$(dirname "$0")/.."

march="${WHISPER_MARCH:-x86-64-v3}"
case "$march" in
  native) flags="-march=native -mtune=native" ;;
  x86-64|x86-64-v2|x86-64-v3|x86-64-v4) flags="-march=$march -mtune=generic" ;;
  *) echo "WHISPER_MARCH=$march: allowed native, x86-64, x86-64-v2, x86-64-v3, x86-64-v4" >&2; exit 2 ;;
esac
export WHISPER_MARCH="$march"

if node -e 'process.exit(require("./package.json").scripts?.["build:whisper"] ? 0 : 1)'; then
  echo "==> npm run build:whisper (WHISPER_MARCH=$march)"
  npm run build:whisper
else
  echo "==> Rebuilding smart-whisper with $flags"
  CFLAGS="$flags" CXXFLAGS="$flags" npm rebuild smart-whisper --foreground-scripts
fi
test -f node_modules/smart-whisper/build/Release/smart-whisper.node
