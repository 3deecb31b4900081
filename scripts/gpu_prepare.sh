#!/usr/bin/env bash
# Run HERE (not on the GPU machine) before bench/gpu_check.sh: the GPU machine has CUDA,
# CMake, ninja and PyTorch but no Debian -dev packages and no network. This downloads the
# .deb files the LLM build needs into .gpu/debs (git-ignored; pass `.gpu` in the device
# tool's `carry`). gpu_check.sh unpacks them into a private sysroot there.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$here/.gpu/debs"
cd "$here/.gpu/debs"
PKGS=(libeigen3-dev nlohmann-json3-dev libcli11-dev libmuparser-dev libmuparser2v5 libstb-dev libstb0
      fonts-dejavu-core libpcre2-dev libpcre2-8-0 libpcre2-16-0 libpcre2-32-0 libpcre2-posix3
      libsentencepiece-dev libsentencepiece0 libprotobuf-lite32 libgtest-dev libgmock-dev
      libbenchmark-dev libbenchmark1debian pkgconf pkgconf-bin libpkgconf3 libgloo-dev)
apt-get download "${PKGS[@]}" >/dev/null
ls -1 "$here/.gpu/debs" | wc -l | xargs echo "gpu_prepare: .deb files in .gpu/debs:"
du -sh "$here/.gpu/debs"
