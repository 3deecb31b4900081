#!/usr/bin/env bash
# The one prepared run on the GPU machine (issues 5 and 9). Builds zoscope's LLM engine,
# CUDA kernels, GPU tests, CLI and benchmark against that machine's PyTorch (2.11, CUDA 13),
# runs the GPU kernel tests (per-tensor statistics included), the kernels' host-twin tests
# and the tensor-engine tests, then
# bench_llm gpu at OPT-1.3B and OPT-6.7B shapes (each runs the Python MeZO reference on the
# same shapes so every ratio comes from one run, and prints every pass over the weights in
# GB/s against a device-to-device copy), then a short CUDA fine-tune of the default model
# through zoscope-cli (bench/gpu_finetune.json), checked for a result row per run; before
# it, bench_llm dist (issue 13): its NCCL row (1 GPU, world 1) against the plain step, and
# the app's loss plane at OPT-1.3B shapes (bench_llm plane, 21 x 21).
# Budget: under 8 minutes on an H200 including the build; each stage has its own timeout.
# Before: scripts/gpu_prepare.sh here; then the device tool with carry [".gpu"] and the
# command `bash bench/gpu_check.sh` (timeout ~560 s). Logs land in $OUT (or /tmp/zs_gpu).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT="${OUT:-/tmp/zs_gpu}"
mkdir -p "$OUT"
exec > >(tee "$OUT/gpu_check.log") 2>&1
t0=$(date +%s)
step() { echo "== [$(( $(date +%s) - t0 )) s] $*"; }

step "machine"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.get_device_name())'

step "sysroot from .gpu/debs"
SYS=/tmp/zs_sysroot
mkdir -p "$SYS"
for f in .gpu/debs/*.deb; do dpkg -x "$f" "$SYS"; done
export PATH="$SYS/usr/bin:$PATH"
export PKG_CONFIG_SYSROOT_DIR="$SYS"
export PKG_CONFIG_PATH="$SYS/usr/lib/x86_64-linux-gnu/pkgconfig:$SYS/usr/share/pkgconfig"
export PKG_CONFIG="$SYS/usr/bin/pkgconf"
export LD_LIBRARY_PATH="$SYS/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}"
TORCH_PREFIX="$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')"

step "configure"
cmake -S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DZOSCOPE_GUI=OFF -DZOSCOPE_WERROR=OFF \
  -DCMAKE_PREFIX_PATH="$TORCH_PREFIX;$SYS/usr" -DPKG_CONFIG_EXECUTABLE="$SYS/usr/bin/pkgconf" \
  -DZS_FONT_FILE="$SYS/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf" -DTORCH_CUDA_ARCH_LIST=9.0 \
  > "$OUT/configure.log" 2>&1 || { tail -40 "$OUT/configure.log"; exit 1; }
grep -E "zoscope: CUDA" "$OUT/configure.log" || { echo "CUDA kernels not enabled"; tail -40 "$OUT/configure.log"; exit 1; }

step "build"
cmake --build build-gpu -j "$(nproc)" --target zs_gpu_tests zs_kernel_twin_tests zs_llm_torch_tests bench_llm zoscope-cli \
  > "$OUT/build.log" 2>&1 || { grep -E "error" "$OUT/build.log" | head -30; exit 1; }

status=0
step "GPU kernel tests"
timeout 120 ./build-gpu/tests/gpu/zs_gpu_tests 2>&1 | tee "$OUT/gpu_tests.log" | grep -E "gpu |OK|FAILED|PASSED|Failure|Expected|actual|Which is" || status=1
grep -q "PASSED" "$OUT/gpu_tests.log" && ! grep -q "FAILED" "$OUT/gpu_tests.log" || status=1

step "kernel host twin + tensor engine tests (CPU, same build)"
timeout 120 ./build-gpu/tests/gpu/zs_kernel_twin_tests --gtest_brief=1 2>&1 | tail -3 || status=1
timeout 60 ./build-gpu/tests/llm/zs_llm_torch_tests --gtest_filter='TorchEngine*' --gtest_brief=1 2>&1 | tail -3 || status=1

for model in 1.3b 6.7b; do
  step "benchmark: OPT-$model shapes, fp16, 16 x 128, ours vs the Python MeZO reference, passes vs copy"
  timeout 150 ./build-gpu/bench/bench_llm gpu --python python3 --model "$model" 2>&1 | tee "$OUT/bench_$model.log" || status=1
done

step "distributed: bench_llm dist (2 gloo ranks vs 1 process on the CPU; 1-GPU NCCL vs the non-distributed step)"
export ZOSCOPE_CACHE_DIR="${ZOSCOPE_CACHE_DIR:-/tmp/zs_cache}"
timeout 150 ./build-gpu/bench/bench_llm dist --steps 200 2>&1 | tee "$OUT/bench_dist.log" || status=1
grep -q "1-GPU NCCL step" "$OUT/bench_dist.log" || { echo "no NCCL row"; status=1; }

step "benchmark: the app's loss plane at OPT-1.3B shapes, 21 x 21 nodes (fp16, 8 x 128 tokens; target 8 s)"
# The two filter-normalised directions are drawn on the CPU first (about 20 s at 1.3B).
timeout 150 ./build-gpu/bench/bench_llm plane --model 1.3b --grid 21 --device cuda 2>&1 | tee "$OUT/bench_plane.log" || status=1

step "CUDA fine-tune of the default model (zoscope-cli finetune, device cuda)"
export ZOSCOPE_CACHE_DIR="${ZOSCOPE_CACHE_DIR:-/tmp/zs_cache}"
rm -rf "$OUT/ft_cuda"
timeout 150 ./build-gpu/app/cli/zoscope-cli finetune bench/gpu_finetune.json --out "$OUT/ft_cuda" 2>&1 | tee "$OUT/finetune_cuda.log" \
  | grep -vE "^(MeZO|AdaMeZO|ZO-Adam): step" || status=1
# Tested: one row per run with a finite dev accuracy and the full forward-pass budget.
python3 - "$OUT/ft_cuda/results.csv" <<'PY' || status=1
import csv, math, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert [r["run"] for r in rows] == ["MeZO", "AdaMeZO", "ZO-Adam"], rows
for r in rows:
    acc = float(r["dev_accuracy"])
    assert math.isfinite(acc) and 0 <= acc <= 1, r
    assert int(r["forward_passes"]) == 600, r
print("finetune check: 3 runs, dev accuracy", ", ".join(r["dev_accuracy"] for r in rows))
PY

step "done (status $status)"
exit $status
