#!/usr/bin/env bash
# The Apple path's MSL, checked as far as Linux allows (issue 7): naga translates every kernel
# variant from WGSL, then clang syntax/type-checks each one against a small shim of
# <metal_stdlib> (crates/qmlx-wgpu/msl/shim). A deliberately broken kernel must fail the check.
# Apple's own Metal compiler has never seen these files.
set -euo pipefail
cd "$(dirname "$0")/.."
CLANG=${CLANG:-$(command -v clang++-19 || command -v clang++ || true)}
if [ -z "$CLANG" ]; then
  echo "SKIP check_msl: no clang++ (apt-get install clang-19)"
  exit 0
fi
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
cargo run -q -p qmlx-wgpu --example gen_msl "$OUT/msl" >/dev/null
SHIM=crates/qmlx-wgpu/msl/shim
check() {
  # MSL float literals without a suffix are float (C++ would make them double): add the suffix.
  sed -E 's/\b([0-9]+\.[0-9]+([eE][-+]?[0-9]+)?)([^0-9fhFH.eE]|$)/\1f\3/g' "$1" > "$OUT/cur.cpp"
  "$CLANG" -x c++ -std=c++17 -fsyntax-only -Wno-unknown-attributes -Wno-ignored-attributes \
    -nostdinc++ -I "$SHIM" "$OUT/cur.cpp" 2>"$OUT/err"
}
pass=0 fail=0
for f in "$OUT"/msl/*.metal; do
  if check "$f"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1)); echo "FAIL $(basename "$f")"; head -n 20 "$OUT/err"
  fi
done
# The check must be able to fail: a misspelt builtin, a wrong-arity call, the non-existent 16×16
# simdgroup matrix naga emits for coop_mat16x16, and a wrong-arity simdgroup multiply.
sed 's/metal::fma(/metal::fmaa(/' "$OUT/msl/dequantize_affine4_gs64.metal" > "$OUT/broken1.metal"
sed '0,/metal::min(/s//metal::min(1u, /' "$OUT/msl/qmv_affine4_gs64.metal" > "$OUT/broken2.metal"
sed 's/metal::simdgroup_float8x8/metal::simdgroup_half16x16/g' "$OUT/msl/qmm_coop8_t_affine4_gs64.metal" > "$OUT/broken3.metal"
sed 's/simdgroup_multiply_accumulate(d,a,b,c)/simdgroup_multiply_accumulate(d,a,b)/' "$OUT/msl/qmm_coop8_n_mxfp44_gs32.metal" > "$OUT/broken4.metal"
for b in broken1 broken2 broken3 broken4; do
  if check "$OUT/$b.metal"; then
    fail=$((fail + 1)); echo "FAIL: deliberately broken MSL ($b) passed the check"
  else
    pass=$((pass + 1))
  fi
done
echo "check_msl: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
