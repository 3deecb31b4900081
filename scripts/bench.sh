#!/usr/bin/env bash
# Runs every benchmark of the build and prints their ratio lines (`make bench`).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
build="${1:-build}"
./scripts/build.sh "$build"
for b in "$build"/bench/bench_core "$build"/bench/bench_gui "$build"/bench/bench_gui_llm "$build"/bench/bench_llm; do
  [ -x "$b" ] || continue
  echo "== $(basename "$b") =="
  "$b" --benchmark_min_time=0.2
done
