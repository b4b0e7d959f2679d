#!/usr/bin/env bash
# The Apple host (crates/qmlx-metal), checked as far as Linux allows (issue 7):
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
apple() {
  RUSTC_BOOTSTRAP=1 RUSTC=$RUSTC_WEB "$CARGO_WEB" rustc --profile check -Zbuild-std=std,panic_abort \
    --target aarch64-apple-darwin -p qmlx-metal --lib --target-dir "$TD" --quiet -- "$@"
}
pass=0 fail=0
echo "== aarch64-apple-darwin check of qmlx-metal ($($RUSTC_WEB --version))"
if apple 2>"$TD.log"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: Apple host does not type-check"; tail -n 40 "$TD.log"; fi
if apple --cfg qmlx_deliberate_type_error 2>"$TD.err.log"; then
  fail=$((fail + 1)); echo "FAIL: a deliberate type error in Apple-only code passed the check"
elif grep -q "mismatched types" "$TD.err.log"; then
  pass=$((pass + 1))
else
  fail=$((fail + 1)); echo "FAIL: the deliberate-error check failed for another reason:"; tail -n 20 "$TD.err.log"
fi
if cargo rustc --profile check -p qmlx-metal --lib --quiet -- --cfg qmlx_deliberate_type_error 2>"$TD.linux.log"; then
  pass=$((pass + 1))
else
  fail=$((fail + 1)); echo "FAIL: the Apple-only error leaked into the Linux build"; tail -n 20 "$TD.linux.log"
fi
echo "check_macos_host: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
