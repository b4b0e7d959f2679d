#!/usr/bin/env bash
# qmlx-core's NEON kernels (issue 4), built for aarch64-unknown-linux-gnu and run under qemu-user:
# Debian's rustc-web + rust-web-src build std for the target (-Zbuild-std, RUSTC_BOOTSTRAP=1; the
# rustup toolchain here ships no aarch64 std), gcc-aarch64-linux-gnu links, qemu-aarch64 runs the
# lib tests, tests/cpu_kernels.rs (the NEON kernel set vs the scalar reference; the portable set is the
# same Rust source the native x86 run checks, and aarch64 always has NEON, so it is skipped here) and
# tests/matmul_accuracy.rs (the default kernels, NEON on aarch64). Installs nothing: without those
# packages it prints a SKIP line and exits 0. qemu says nothing about speed: nothing here is timed.
set -uo pipefail
cd "$(dirname "$0")/.."
RUSTC_WEB=/usr/bin/rustc CARGO_WEB=/usr/bin/cargo RUSTDOC_WEB=/usr/bin/rustdoc SYSROOT=/usr/aarch64-linux-gnu
missing=""
for f in "$RUSTC_WEB" "$CARGO_WEB" "$RUSTDOC_WEB"; do [ -x "$f" ] || missing="$missing $f"; done
[ -d /usr/lib/rustlib/src/rust/library ] || missing="$missing rust-web-src"
command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || missing="$missing aarch64-linux-gnu-gcc"
command -v qemu-aarch64 >/dev/null 2>&1 || missing="$missing qemu-aarch64"
[ -e "$SYSROOT/lib/ld-linux-aarch64.so.1" ] || missing="$missing $SYSROOT/lib/ld-linux-aarch64.so.1"
if [ -n "$missing" ]; then
  echo "SKIP test_aarch64: NEON kernels NOT tested; missing:$missing"
  echo "SKIP test_aarch64: apt-get install rustc-web cargo-web rust-web-src gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user"
  exit 0
fi
export RUSTC_BOOTSTRAP=1 RUSTC=$RUSTC_WEB RUSTDOC=$RUSTDOC_WEB
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER="qemu-aarch64 -L $SYSROOT"
# A cold build (std included) is the bulk of this step's time in CI: no debuginfo, and the host-only
# proc-macro crates at opt-level 0 (the workspace's `package."*"` opt-level 2 outranks build-override;
# measured here: 4.7 -> 3.3 CPU-minutes for the cold build).
export CARGO_PROFILE_DEV_DEBUG=0
host_opt0=()
for p in syn proc-macro2 quote unicode-ident zerocopy-derive serde_derive bytemuck_derive thiserror-impl; do
  host_opt0+=(--config "profile.dev.package.$p.opt-level=0")
done
TD=${CARGO_TARGET_DIR:-$PWD/target}/aarch64-qemu
LOG=$TD.log
mkdir -p "$TD"
echo "== aarch64 NEON: qmlx-core tests under qemu ($($RUSTC_WEB --version); $(qemu-aarch64 --version | head -n 1))"
"$CARGO_WEB" test "${host_opt0[@]}" -Zbuild-std=std,panic_abort --target aarch64-unknown-linux-gnu --target-dir "$TD" \
  -p qmlx-core --lib --test cpu_kernels --test matmul_accuracy -- --nocapture --skip portable_kernels_match_reference >"$LOG" 2>&1
rc=$?
grep -E "^test result|cases checked|^SKIP|FAILED|panicked|^error" "$LOG" | tail -n 40
if [ "$rc" -ne 0 ]; then
  echo "FAIL test_aarch64 (cargo exit $rc); last lines of $LOG:"
  tail -n 40 "$LOG"
  exit "$rc"
fi
# The cross-check must have run NEON, not skipped it.
if ! grep -qE "^neon_kernels_match_reference: [0-9]+ cases checked" "$LOG"; then
  echo "FAIL test_aarch64: the NEON cross-check did not run (see $LOG)"
  exit 1
fi
echo "test_aarch64: ok (NEON cross-checked under qemu; not timed)"
