#!/usr/bin/env bash
# Builds the stt engine: our N-API binding (native/whisper-addon) statically linked with the
# whisper.cpp 1.9 sources that npm delivers in the nodejs-whisper package, compiled for this CPU's
# vector units. Runs from `npm ci` (postinstall); never downloads anything.
#
#   WHISPER_CPU_ARCH  native (default: everything this CPU has), x86-64-v3 (AVX2/FMA/F16C, for
#                     images that run on other machines), x86-64-v2, or generic
#   WHISPER_CUDA=1    also build the CUDA backend (needs the CUDA toolkit; DEVICE=cuda)
#   WHISPER_BLAS=1    link OpenBLAS (libopenblas-dev); measured no faster here, so off
#   WHISPER_OPENMP=0  ggml's own thread pool instead of OpenMP (steadier on a crowded CPU)
#   WHISPER_FLASH     flash attention is a runtime option (WHISPER_FLASH_ATTN), nothing to build
#   --tools           also build the native C++ benchmark driver (the bench's baseline)
#   --whisper-cli     also build whisper.cpp's own whisper-cli from the same sources, same flags
#                     (baseline of npm run bench -- openai-file), in native/whisper-addon/build-cli
set -euo pipefail
cd "$(dirname "$0")/.."

ARCH="${WHISPER_CPU_ARCH:-native}"
ADDON_DIR="native/whisper-addon"
BUILD_DIR="${ADDON_DIR}/build"
JOBS="$(nproc 2>/dev/null || echo 2)"

WHISPER_SRC="$(node -p "require('path').join(require('path').dirname(require.resolve('nodejs-whisper/package.json')), 'cpp/whisper.cpp')")"
if [ ! -f "${WHISPER_SRC}/include/whisper.h" ]; then
  echo "build-whisper: whisper.cpp sources not found at ${WHISPER_SRC} (is nodejs-whisper installed?)" >&2
  exit 1
fi
command -v cmake >/dev/null || { echo "build-whisper: cmake is missing (apt-get install cmake)" >&2; exit 1; }

NODE_INCLUDE_DIR="$(node -p "require('path').resolve(process.execPath, '../../include/node')")"
if [ ! -f "${NODE_INCLUDE_DIR}/node_api.h" ]; then
  NODEDIR="$(npm config get nodedir 2>/dev/null || true)"
  NODE_INCLUDE_DIR="${NODEDIR}/include/node"
fi
if [ ! -f "${NODE_INCLUDE_DIR}/node_api.h" ]; then
  echo "build-whisper: Node.js headers (node_api.h) not found; install nodejs headers or set npm nodedir" >&2
  exit 1
fi
NAPI_INCLUDE_DIR="$(node -p "require('path').dirname(require.resolve('node-addon-api/package.json'))")"

arch_flags=()
case "$ARCH" in
  native) arch_flags=(-DGGML_NATIVE=ON) ;;
  x86-64-v3) arch_flags=(-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON) ;;
  x86-64-v2) arch_flags=(-DGGML_NATIVE=OFF -DGGML_SSE42=ON) ;;
  generic) arch_flags=(-DGGML_NATIVE=OFF) ;;
  *) echo "build-whisper: WHISPER_CPU_ARCH=${ARCH} is not one of native, x86-64-v3, x86-64-v2, generic" >&2; exit 1 ;;
esac

backend_flags=(-DGGML_BLAS=OFF -DGGML_CUDA=OFF)
[ "${WHISPER_BLAS:-0}" = "1" ] && backend_flags=(-DGGML_BLAS=ON -DGGML_BLAS_VENDOR=OpenBLAS -DGGML_CUDA=OFF)
[ "${WHISPER_CUDA:-0}" = "1" ] && backend_flags+=(-DGGML_CUDA=ON)
if [ "${WHISPER_OPENMP:-1}" = "1" ]; then backend_flags+=(-DGGML_OPENMP=ON); else backend_flags+=(-DGGML_OPENMP=OFF); fi

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)

configure() {
  local src="$1" dir="$2"; shift 2
  # A cache from another generator or source folder cannot be reused.
  if [ -f "${dir}/CMakeCache.txt" ] && ! grep -q "CMAKE_HOME_DIRECTORY:INTERNAL=$(cd "$src" && pwd)" "${dir}/CMakeCache.txt"; then
    rm -rf "$dir"
  fi
  cmake -S "$src" -B "$dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_POSITION_INDEPENDENT_CODE=ON "${arch_flags[@]}" "${backend_flags[@]}" "$@" >/dev/null
}

start=$(date +%s)
echo "build-whisper: whisper.cpp from ${WHISPER_SRC}, CPU level ${ARCH}"
configure "$ADDON_DIR" "$BUILD_DIR" -DWHISPER_SRC="$WHISPER_SRC" \
  -DNODE_INCLUDE_DIR="$NODE_INCLUDE_DIR" -DNAPI_INCLUDE_DIR="$NAPI_INCLUDE_DIR"
cmake --build "$BUILD_DIR" --target rt_whisper -j "$JOBS"
node -e "const b = require('./${BUILD_DIR}/rt_whisper.node'); console.log('build-whisper: whisper.cpp ' + b.version + ': ' + b.systemInfo().trim())"

if [ "${1:-}" = "--whisper-cli" ]; then
  configure "$WHISPER_SRC" "${ADDON_DIR}/build-cli" -DBUILD_SHARED_LIBS=OFF -DWHISPER_BUILD_EXAMPLES=ON \
    -DWHISPER_BUILD_TESTS=OFF -DWHISPER_BUILD_SERVER=OFF -DWHISPER_SDL2=OFF
  cmake --build "${ADDON_DIR}/build-cli" --target whisper-cli -j "$JOBS"
  echo "build-whisper: whisper-cli in ${ADDON_DIR}/build-cli/bin/whisper-cli"
fi
if [ "${1:-}" = "--tools" ]; then
  cmake --build "$BUILD_DIR" --target rt-whisper-bench-driver -j "$JOBS"
  echo "build-whisper: native benchmark driver in ${BUILD_DIR}/rt-whisper-bench-driver"
fi
echo "build-whisper: done in $(( $(date +%s) - start )) s"
