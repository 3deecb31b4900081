#!/usr/bin/env bash
# GUI soak: scripts/soak.sh [MINUTES] [SEED] [BUILD]   (defaults: 2 minutes, seed 1, build)
# Builds the app, then runs `zoscope --headless --soak MINUTES --seed SEED` (app/gui/soak.h):
# seeded random input through the app's own actions and Dear ImGui's input -- panels, sliders
# dragged past their ends, landscapes, optimizers added and removed, typed expressions
# (broken ones too), experiment files opened (corrupt ones too), exports, window resizes,
# playback keys, pans and zooms. It fails (exit 1) on a crash (any signal), a frame that
# leaves a GL error, an error shown on more than one line, or resident memory growing by
# 5% or more after warm-up (the first quarter); it prints the actions, frames, the distinct
# error lines shown and the memory figures. ZOSCOPE_SOAK_SIZE=WxH sets the start size.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
minutes="${1:-2}"
seed="${2:-1}"
build="${3:-build}"
jobs="${ZOSCOPE_JOBS:-$(nproc)}"
if [ ! -f "$build/CMakeCache.txt" ]; then ./scripts/build.sh "$build"; fi
cmake --build "$build" -j "$jobs" --target zoscope
dir="$(mktemp -d "${TMPDIR:-/tmp}/zoscope-soak.XXXXXX")"
trap 'rm -rf "$dir"' EXIT
rc=0
# The wall-clock guard: the soak's own time plus its checkpoints and the last exports.
timeout --signal=KILL "$(awk -v m="$minutes" 'BEGIN { printf "%d", m * 60 * 1.5 + 600 }')" \
  "$build/app/gui/zoscope" --headless --size "${ZOSCOPE_SOAK_SIZE:-1280x800}" --soak "$minutes" --seed "$seed" \
  --soak-dir "$dir" || rc=$?
if [ "$rc" -eq 0 ]; then
  echo "soak.sh: PASS ($minutes min, seed $seed)"
elif [ "$rc" -eq 137 ]; then
  echo "soak.sh: FAIL: killed by the time guard or signal 9: a hang? (seed $seed; rerun with the same seed to replay)"
elif [ "$rc" -gt 128 ]; then
  echo "soak.sh: FAIL: the app died with signal $((rc - 128)) (seed $seed; rerun with the same seed to replay)"
else
  echo "soak.sh: FAIL (exit $rc, seed $seed)"
fi
exit "$rc"
