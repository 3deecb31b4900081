#!/usr/bin/env bash
# The one prepared run on the GPU machine (issue 5). Builds zoscope's LLM engine, CUDA
# kernels, GPU tests and benchmark against that machine's PyTorch (2.11, CUDA 13), runs the
# GPU kernel tests and the tensor-engine tests, then bench_llm gpu, which also runs the
# Python MeZO reference bench on the same shapes so every ratio comes from one run.
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
cmake --build build-gpu -j "$(nproc)" --target zs_gpu_tests zs_llm_torch_tests bench_llm > "$OUT/build.log" 2>&1 \
  || { grep -E "error" "$OUT/build.log" | head -30; exit 1; }

status=0
step "GPU kernel tests"
./build-gpu/tests/gpu/zs_gpu_tests 2>&1 | tee "$OUT/gpu_tests.log" | grep -E "gpu |OK|FAILED|PASSED|Failure|Expected|actual" || status=1
grep -q "PASSED" "$OUT/gpu_tests.log" && ! grep -q "FAILED" "$OUT/gpu_tests.log" || status=1

step "tensor engine tests (CPU path, same build)"
./build-gpu/tests/llm/zs_llm_torch_tests --gtest_filter='TorchEngine*' --gtest_brief=1 2>&1 | tail -3 || status=1

step "benchmark: OPT-1.3B shapes, fp16, 16 x 128, ours vs the Python MeZO reference"
timeout 300 ./build-gpu/bench/bench_llm gpu --python python3 --model 1.3b 2>&1 | tee "$OUT/bench.log" || status=1

step "done (status $status)"
exit $status
