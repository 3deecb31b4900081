#!/usr/bin/env bash
# zoscope setup: installs every build/test dependency from Debian (apt) and PyPI (pip).
# Idempotent: a second run checks and returns in seconds. Used by both README commands.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

APT_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  libeigen3-dev nlohmann-json3-dev libcli11-dev libmuparser-dev libstb-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libpcre2-dev libsentencepiece-dev
  libgloo-dev  # the headers of the Gloo that LibTorch's c10d uses (distributed fine-tuning)
  libimgui-dev libglfw3-dev libgl-dev libegl-dev libegl1 libgl1-mesa-dri libegl-mesa0 libglx-mesa0
  fonts-dejavu-core xvfb xauth python3-venv
  libopengl-dev
  clang libclang-rt-14-dev  # libFuzzer + sanitizers for scripts/fuzz.sh
)
# Torch pinned to the version the GPU benchmarks run with (bench/gpu_check.sh; docs/llm-engine.md#gpu-engine);
# the wheel carries LibTorch.
TORCH_VERSION="${ZOSCOPE_TORCH_VERSION:-2.11.0}"
PY_PACKAGES=("torch==${TORCH_VERSION}" "transformers==5.17.0" "safetensors" "numpy")

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing apt packages: ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Python venv (LibTorch + the reference stack for benchmarks); skipped with ZOSCOPE_NO_TORCH=1.
if [ "${ZOSCOPE_NO_TORCH:-0}" != "1" ]; then
  PY="${ZOSCOPE_PYTHON:-python3}"
  if [ ! -x .venv/bin/python ]; then
    echo "setup: creating .venv" >&2
    "$PY" -m venv .venv
  fi
  stamp=".venv/.zoscope-${TORCH_VERSION}-v1"
  if [ ! -f "$stamp" ]; then
    echo "setup: pip installing ${PY_PACKAGES[*]} (first run downloads ~3 GB)" >&2
    .venv/bin/python -m pip install -q --upgrade "${PY_PACKAGES[@]}"
    touch "$stamp"
  fi
fi
echo "setup: ok" >&2
