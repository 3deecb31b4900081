#!/usr/bin/env bash
# The README's run command (`make run`): set up, build, then open the desktop app where a
# display exists; otherwise render the default preset headless and say where it went.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
build="${1:-build}"
./scripts/build.sh "$build"
preset="${ZOSCOPE_PRESET:-rosenbrock}"
out="${ZOSCOPE_OUT:-out/demo}"
if [ -x "$build/app/gui/zoscope" ] && { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }; then
  exec "$build/app/gui/zoscope" --experiment "preset:$preset"
fi
echo "No display: running the '$preset' preset headless into $out/"
"$build/app/cli/zoscope-cli" run "preset:$preset" --out "$out"
if [ -x "$build/app/gui/zoscope" ]; then
  "$build/app/gui/zoscope" --headless --experiment "preset:$preset" --frames 120 --screenshot "$out/gui.png" \
    && echo "wrote $out/gui.png (the app rendered headless through EGL)"
fi
echo "Open $out/figure.png and $out/figure.svg for the trajectory figure."
