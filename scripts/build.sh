#!/usr/bin/env bash
# Set up (idempotent), configure and build zoscope into $1 (default: build).
# Extra CMake flags come from $ZOSCOPE_CMAKE_FLAGS.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
build="${1:-build}"
./scripts/setup.sh
prefix=""
if [ -x .venv/bin/python ]; then
  prefix="$(.venv/bin/python -c 'import torch; print(torch.utils.cmake_prefix_path)')"
fi
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" ${ZOSCOPE_CMAKE_FLAGS:-}
fi
cmake --build "$build" -j "${ZOSCOPE_JOBS:-$(nproc)}"
