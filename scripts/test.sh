#!/usr/bin/env bash
# The README's test command (`make test`): set up, build, and run every test, then the
# core tests again under AddressSanitizer + UndefinedBehaviorSanitizer.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
build="${1:-build}"
jobs="${ZOSCOPE_JOBS:-$(nproc)}"

./scripts/build.sh "$build"
status=0
echo "== tests ($build) =="
(cd "$build" && ctest --output-on-failure -j "$jobs" --timeout 900) || status=1

echo "== core tests under ASan+UBSan (build-asan) =="
if [ ! -f build-asan/CMakeCache.txt ]; then
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DZOSCOPE_SANITIZE=ON \
    -DZOSCOPE_GUI=OFF -DZOSCOPE_LLM=OFF -DZOSCOPE_BENCH=OFF >/dev/null
fi
cmake --build build-asan -j "$jobs" --target zs_core_tests
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --output-on-failure -j "$jobs" -L core) || status=1

if [ "$status" -eq 0 ]; then echo "ALL TESTS PASSED"; else echo "TESTS FAILED"; fi
exit "$status"
