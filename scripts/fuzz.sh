#!/usr/bin/env bash
# libFuzzer runs of zoscope's parsers (tests/fuzz): scripts/fuzz.sh [TARGET|all] [SECONDS]
#   TARGET   one of the fuzz_* targets (default: all of them, one after the other)
#   SECONDS  time per target (default 60)
# Builds the clang + ASan + UBSan + libFuzzer configuration in build-fuzz (ZOSCOPE_FUZZ=ON),
# replays the crash regressions of tests/fuzz/regress/TARGET first, then fuzzes from the
# seed corpus tests/fuzz/corpus/TARGET (new inputs go to build-fuzz/corpus/TARGET).
# Prints one line per target: executions, new corpus size, crashes. Exit status 1 when a
# regression input or the fuzzer found a crash (its input is in build-fuzz/artifacts/).
# ZOSCOPE_FUZZ_RUNS=N stops each target after N executions (long campaigns: SECONDS is
# then the cap per target, e.g. ZOSCOPE_FUZZ_RUNS=1000000 scripts/fuzz.sh all 3600).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
target="${1:-all}"
seconds="${2:-60}"
build=build-fuzz
jobs="${ZOSCOPE_JOBS:-$(nproc)}"
all_targets=(fuzz_experiment fuzz_finetune_spec fuzz_settings fuzz_safetensors fuzz_model_config fuzz_tokenizer_json
             fuzz_vocab_merges fuzz_spm_model fuzz_glue_tsv fuzz_superglue_jsonl fuzz_squad_json fuzz_expression
             fuzz_runs_csv fuzz_step_log fuzz_cli_lists)
if [ "$target" = all ]; then targets=("${all_targets[@]}"); else targets=("$target"); fi

if ! command -v clang++ >/dev/null; then echo "fuzz.sh: clang++ not found (apt-get install clang)" >&2; exit 2; fi
if [ ! -f "$build/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DZOSCOPE_FUZZ=ON \
    -DZOSCOPE_GUI=OFF -DZOSCOPE_TESTS=OFF -DZOSCOPE_BENCH=OFF -DZOSCOPE_CUDA=OFF >/dev/null
fi
cmake --build "$build" -j "$jobs" --target "${targets[@]}"

# The loaders take paths: their per-input files go to memory when /dev/shm exists.
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then export TMPDIR=/dev/shm; fi
status=0
mkdir -p "$build/artifacts"
for t in "${targets[@]}"; do
  exe="$build/tests/fuzz/$t"
  work="$build/corpus/$t"
  mkdir -p "$work"
  log="$build/artifacts/$t.log"
  regress=(tests/fuzz/regress/"$t"/*)
  if [ -e "${regress[0]}" ]; then
    if ! "$exe" -runs=1 "${regress[@]}" >"$log" 2>&1; then
      echo "$t: a regression input crashes again (see $log)"; status=1; continue
    fi
  fi
  rc=0
  touch "$build/artifacts/.start-$t"
  runs=()
  if [ -n "${ZOSCOPE_FUZZ_RUNS:-}" ]; then runs=(-runs="$ZOSCOPE_FUZZ_RUNS"); fi
  t0=$(date +%s)
  nice "$exe" "${runs[@]}" -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 -timeout=20 -print_final_stats=1 \
    -artifact_prefix="$build/artifacts/$t-" "$work" "tests/fuzz/corpus/$t" >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  crashes=$(find "$build/artifacts" -newer "$build/artifacts/.start-$t" -name "$t-*-*" \( -name "*crash-*" -o -name "*leak-*" -o -name "*timeout-*" -o -name "*oom-*" \) | wc -l)
  echo "$t: ${execs:-?} executions in $(( $(date +%s) - t0 )) s (cap ${seconds} s), corpus $(ls "$work" | wc -l) inputs, exit $rc, new crash files $crashes"
  if [ "$rc" -ne 0 ]; then status=1; grep -m3 -E "ERROR|runtime error|==[0-9]+==" "$log" || true; fi
done
exit "$status"
