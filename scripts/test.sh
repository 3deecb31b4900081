#!/usr/bin/env bash
# The README's test command (`make test`): set up, build, and run every test, then the
# GUI tests of an app built without LibTorch, then the core, LLM base and CLI tests again
# under AddressSanitizer + UndefinedBehaviorSanitizer,
# then every fuzz target for a short smoke time (scripts/fuzz.sh; ZOSCOPE_FUZZ_SECONDS),
# then a GUI soak (scripts/soak.sh; ZOSCOPE_SOAK_MINUTES, default 6).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
build="${1:-build}"
jobs="${ZOSCOPE_JOBS:-$(nproc)}"

./scripts/build.sh "$build"
status=0
echo "== tests ($build) =="
(cd "$build" && ctest --output-on-failure -j "$jobs" --timeout 900) || status=1

echo "== the app without LibTorch (build-nollm): it builds, says so in the scene panel, its tests pass =="
cmake -S . -B build-nollm -G Ninja -DCMAKE_BUILD_TYPE=Release -DZOSCOPE_LLM=OFF -DZOSCOPE_BENCH=OFF >/dev/null 2>&1
cmake --build build-nollm -j "$jobs" --target zs_gui_tests zoscope
(cd build-nollm && ctest --output-on-failure -j "$jobs" -L gui --timeout 900) || status=1

echo "== core, LLM base and CLI tests and the GUI smoke test under ASan+UBSan (build-asan) =="
# LLM on without LibTorch (no prefix path): zs_llm_base and its tests, the CLI without the
# torch commands; the app without its LLM scene. Configured every time so that older
# build-asan folders pick the options up.
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DZOSCOPE_SANITIZE=ON \
  -DZOSCOPE_GUI=ON -DZOSCOPE_LLM=ON -DZOSCOPE_BENCH=OFF -DZOSCOPE_CUDA=OFF -DCMAKE_PREFIX_PATH= >/dev/null 2>&1
cmake --build build-asan -j "$jobs" --target zs_core_tests zs_llm_base_tests zs_cli_tests zoscope-cli zs_gui_tests zoscope
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --output-on-failure -j "$jobs" -L "core|llm|cli" --timeout 900) || status=1
# The GUI smoke test: every panel, landscape and optimizer, through Mesa's llvmpipe. Leak
# checking is off here: LeakSanitizer reports Mesa's JIT allocations (an unknown module),
# not the app's.
(cd build-asan && ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --output-on-failure -R "GuiSmoke" --timeout 900) || status=1

echo "== fuzz smoke (build-fuzz, ${ZOSCOPE_FUZZ_SECONDS:-10} s per target) =="
./scripts/fuzz.sh all "${ZOSCOPE_FUZZ_SECONDS:-10}" || status=1

echo "== GUI soak (${ZOSCOPE_SOAK_MINUTES:-6} min, seeded random input; scripts/soak.sh) =="
./scripts/soak.sh "${ZOSCOPE_SOAK_MINUTES:-6}" 1 "$build" || status=1

if [ "$status" -eq 0 ]; then echo "ALL TESTS PASSED"; else echo "TESTS FAILED"; fi
exit "$status"
