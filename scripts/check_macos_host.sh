#!/usr/bin/env bash
# The Apple host (crates/qmlx-metal) and the Python extension's macOS module that feeds it MPS
# tensors (crates/qmlx-python/src/metal.rs), checked as far as Linux allows (issue 7), each:
#  1. `cargo check --target aarch64-apple-darwin -Zbuild-std` with Debian's rustc-web +
#     rust-web-src (the rustup toolchains here ship no std for Apple targets);
#  2. the same check with a deliberate type error in Apple-only code must FAIL;
#  3. that error must be invisible to a Linux build (proving the code is Apple-only and that
#     step 1 is what checks it).
# Nothing here links or runs on macOS: that needs Apple's SDK and hardware.
set -uo pipefail
cd "$(dirname "$0")/.."
RUSTC_WEB=/usr/bin/rustc
CARGO_WEB=/usr/bin/cargo
if [ ! -x "$RUSTC_WEB" ] || [ ! -x "$CARGO_WEB" ] || [ ! -d /usr/lib/rustlib/src/rust/library ]; then
  echo "SKIP check_macos_host: needs Debian's rustc-web cargo-web rust-web-src (apt-get install them)"
  exit 0
fi
TD=${CARGO_TARGET_DIR:-$PWD/target}/apple-check
apple() { # package, extra rustc flags...
  local pkg=$1; shift
  RUSTC_BOOTSTRAP=1 RUSTC=$RUSTC_WEB "$CARGO_WEB" rustc --profile check -Zbuild-std=std,panic_abort \
    --target aarch64-apple-darwin -p "$pkg" --lib --target-dir "$TD" --quiet -- "$@"
}
pass=0 fail=0
echo "== aarch64-apple-darwin check ($($RUSTC_WEB --version))"
# qmlx-metal (the objc2-metal host) and qmlx-python (its `metal` module: MPS tensors -> host).
for pkg in qmlx-metal qmlx-python; do
  if apple "$pkg" 2>"$TD.$pkg.log"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $pkg does not type-check for Apple"; tail -n 40 "$TD.$pkg.log"; fi
  if apple "$pkg" --cfg qmlx_deliberate_type_error 2>"$TD.$pkg.err.log"; then
    fail=$((fail + 1)); echo "FAIL: a deliberate type error in $pkg's Apple-only code passed the check"
  elif grep -q "mismatched types" "$TD.$pkg.err.log"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1)); echo "FAIL: $pkg's deliberate-error check failed for another reason:"; tail -n 20 "$TD.$pkg.err.log"
  fi
  if cargo rustc --profile check -p "$pkg" --lib --quiet -- --cfg qmlx_deliberate_type_error 2>"$TD.$pkg.linux.log"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1)); echo "FAIL: $pkg's Apple-only error leaked into the Linux build"; tail -n 20 "$TD.$pkg.linux.log"
  fi
done
echo "check_macos_host: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
