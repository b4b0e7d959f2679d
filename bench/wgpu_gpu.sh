#!/usr/bin/env bash
# qmlx-wgpu on the GPU machine through its Vulkan driver (issue 7): the same correctness suite CI
# runs on lavapipe, then qmv (M = 1) against the copy roofline on 14336×4096, 4096×14336 and
# 28672×4096 (target: >= 70% of the copy bandwidth).
#
# Two steps (the GPU machine has no network and maybe no Rust toolchain):
#   1. here:   bash bench/wgpu_gpu.sh build
#      builds the release test binaries and the bench into bench/out/wgpu-bin/ (git-ignored) and,
#      once, downloads the Vulkan loader debs into .gl/ (the device README's recipe).
#   2. on the GPU machine (device tool, repo root, carry [".gl", "bench/out/wgpu-bin"]):
#      bash bench/wgpu_gpu.sh run
#      prints and writes $OUT/wgpu_gpu.txt: adapter, date, commit, test results, bench table.
#      Commit that file as bench/results/wgpu-gpu-<date>.txt.
#      QMLX_BENCH_LAYOUTS=32x4x128x2,... also times those qmv layouts (see wgpu_bench --layouts);
#      QMLX_BENCH_ARGS="--ms 1,4,8" passes further arguments to the bench (x row counts here);
#      QMLX_WGPU_TESTS="matmul_accuracy" runs only those test binaries (default: both);
#      QMLX_WGPU_TEST_ARGS="qmv" passes a test-name filter to them;
#      QMLX_WGPU_TESTS_LAST=1 runs the tests after the bench instead (see tests() below);
#      QMLX_WGPU_SKIP_TESTS=1 runs no tests (a timing-only round).
#      A bench binary built at an earlier commit, copied to $BIN/wgpu_bench_base (its commit in
#      $BIN/COMMIT_BASE), runs first: a same-run baseline.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${QMLX_WGPU_BIN:-bench/out/wgpu-bin}

build() {
  mkdir -p "$BIN"
  cargo build --release -q -p qmlx-wgpu --example wgpu_bench
  cp "${CARGO_TARGET_DIR:-target}/release/examples/wgpu_bench" "$BIN/"
  cargo test --release -q -p qmlx-wgpu --no-run --message-format=json 2>/dev/null | python3 -c '
import json, shutil, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] in ("quantize_parity", "matmul_accuracy"):
        shutil.copy(m["executable"], sys.argv[1] + "/" + m["target"]["name"])
        print("copied", m["target"]["name"])
' "$BIN"
  # The device tool carries at most 64 MiB: drop the debug info the release profile keeps.
  strip --strip-debug "$BIN/wgpu_bench" "$BIN/quantize_parity" "$BIN/matmul_accuracy"
  git rev-parse HEAD > "$BIN/COMMIT"
  if [ ! -d .gl ] || ! ls .gl/*.deb >/dev/null 2>&1; then
    grep -qx '/.gl/' .git/info/exclude 2>/dev/null || echo /.gl/ >> .git/info/exclude
    mkdir -p .gl /tmp/amd64/partial
    o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
    apt-get $o update -q >/dev/null
    (cd .gl && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2 >/dev/null)
  fi
  ls -la "$BIN" .gl
}

# The correctness suite. QMLX_WGPU_TEST_THREADS (default 1) test threads per binary;
# QMLX_WGPU_TESTS_LAST=1 runs it after the bench, the binaries side by side, each stopped at
# QMLX_WGPU_DEADLINE_S seconds into the run (default 230; a cut-off run reports no result line).
tests() {
  if [ -n "${QMLX_WGPU_SKIP_TESTS:-}" ]; then echo "## correctness: not run (QMLX_WGPU_SKIP_TESTS)"; return; fi
  echo "## correctness (same tests as CI on lavapipe)"
  local limit=$(( ${QMLX_WGPU_DEADLINE_S:-230} - SECONDS )); if [ "$limit" -lt 5 ]; then limit=5; fi
  for t in ${QMLX_WGPU_TESTS:-quantize_parity matmul_accuracy}; do
    # shellcheck disable=SC2086
    if [ -n "${QMLX_WGPU_TESTS_LAST:-}" ]; then
      (timeout "$limit" "$BIN/$t" --test-threads="${QMLX_WGPU_TEST_THREADS:-1}" ${QMLX_WGPU_TEST_ARGS:-} > "/tmp/wgpu_test_$t.log" 2>&1; echo "$t exit $? at ${SECONDS}s" >> "/tmp/wgpu_test_$t.log") &
    else
      "$BIN/$t" --test-threads="${QMLX_WGPU_TEST_THREADS:-1}" ${QMLX_WGPU_TEST_ARGS:-} 2>&1 | grep -E "SKIP|seed|test result|panicked|FAILED" || true
    fi
  done
  wait
  for t in ${QMLX_WGPU_TESTS:-quantize_parity matmul_accuracy}; do
    if [ -f "/tmp/wgpu_test_$t.log" ]; then
      echo "# $t"; grep -E "SKIP|seed|^test |test result|panicked|FAILED| exit " "/tmp/wgpu_test_$t.log" || true
    fi
  done
}

run() {
  OUTF=${OUT:-/tmp}/wgpu_gpu.txt
  for f in .gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
  XDG_RUNTIME_DIR=$(mktemp -d); export XDG_RUNTIME_DIR
  icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  if [ -f "$icd" ]; then export VK_DRIVER_FILES=$icd; fi
  {
    echo "# qmlx-wgpu on the GPU machine (bench/wgpu_gpu.sh run)"
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "commit: $(cat "$BIN/COMMIT")"
    nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null || true
    if [ -z "${QMLX_WGPU_TESTS_LAST:-}" ]; then tests; fi
    if [ -x "$BIN/wgpu_bench_base" ]; then
      echo "## baseline: qmv vs copy roofline at $(cat "$BIN/COMMIT_BASE" 2>/dev/null)"
      BENCH_DATE=$(date -u +%F) BENCH_COMMIT=$(cat "$BIN/COMMIT_BASE" 2>/dev/null) "$BIN/wgpu_bench_base" 2>&1
    fi
    echo "## qmv vs copy roofline"
    layouts=()
    if [ -n "${QMLX_BENCH_LAYOUTS:-}" ]; then layouts=(--layouts "$QMLX_BENCH_LAYOUTS"); fi
    # shellcheck disable=SC2086
    BENCH_DATE=$(date -u +%F) BENCH_COMMIT=$(cat "$BIN/COMMIT") "$BIN/wgpu_bench" "${layouts[@]}" ${QMLX_BENCH_ARGS:-} 2>&1
    echo "bench done at ${SECONDS}s"
    if [ -n "${QMLX_WGPU_TESTS_LAST:-}" ]; then tests; fi
  } | tee "$OUTF"
}

case "${1:-}" in
  build) build ;;
  run) run ;;
  *) echo "usage: bash bench/wgpu_gpu.sh build|run" >&2; exit 2 ;;
esac
