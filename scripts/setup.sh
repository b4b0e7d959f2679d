#!/usr/bin/env bash
# Installs everything the tests and the demo need into ./.venv (idempotent). Pinned versions.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/pip install -q --disable-pip-version-check -r requirements-dev.txt

# --- wgpu / Apple (issue 7): Mesa's software Vulkan driver (lavapipe) runs the WGSL kernel tests,
# clang-19 checks the MSL generated from them, and rustc-web + cargo-web + rust-web-src type-check
# the macOS host for aarch64-apple-darwin. Debian packages, installed only when missing (needs
# root + apt; without them those tests and checks print SKIP lines instead of running).
# aarch64 NEON (issue 4): gcc-aarch64-linux-gnu + libc6-dev-arm64-cross link and qemu-user runs
# qmlx-core's tests for aarch64 (scripts/test_aarch64.sh; std built by the rustc-web above).
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  missing=""
  for p in mesa-vulkan-drivers libvulkan1 clang-19 rustc-web cargo-web rust-web-src \
    gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
  done
  if [ -n "$missing" ]; then
    echo "setup: apt-get install$missing"
    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing; } >/tmp/qmlx-apt.log 2>&1 \
      || echo "WARN setup: apt-get install$missing failed (see /tmp/qmlx-apt.log); wgpu/MSL/macOS checks will SKIP"
  fi
fi
# --- end wgpu / Apple ---

# --- CUDA (issue 5): nvcc from PyPI compiles crates/qmlx-cuda's kernels (no GPU needed) ---
.venv/bin/pip install -q --disable-pip-version-check --no-deps -r requirements-cuda.txt
# --- end CUDA ---
