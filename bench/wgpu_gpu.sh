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
#      QMLX_BENCH_ARGS2="--shapes 14336x4096 --ms 2,4,8" runs both binaries a second time with those
#      (QMLX_BENCH_SKIP_BASE2=1: only the new binary, e.g. for layouts the baseline cannot parse);
#      QMLX_WGPU_TESTS="matmul_accuracy" runs only those test binaries (default: both);
#      QMLX_WGPU_TEST_ARGS="qmv" passes a test-name filter to them;
#      QMLX_WGPU_TESTS_LAST=1 runs the tests after the bench instead (see tests() below);
#      QMLX_WGPU_SKIP_TESTS=1 runs no tests (a timing-only round);
#      QMLX_WGPU_STATS="--modes affine2 --layouts ..." first prints the driver's register counts
#      and the occupancy they allow for those qmv variants (qmv_stats; "all": every mode and shape
#      with the default layouts); QMLX_WGPU_STATS_IR=1 also writes the driver's internal
#      representations, if it gives any, to $OUT/qmv-ir/.
#      A bench binary built at an earlier commit, copied to $BIN/wgpu_bench_base (its commit in
#      $BIN/COMMIT_BASE), runs first: a same-run baseline (QMLX_BENCH_BASE_ARGS: its arguments).
#   0. here, for that baseline: bash bench/wgpu_gpu.sh base <commit>
#      builds the CURRENT bench source (without its batch method, which needs the library's
#      WgpuContext::batch) against the library at <commit>, in a git worktree under /tmp.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${QMLX_WGPU_BIN:-bench/out/wgpu-bin}

build() {
  mkdir -p "$BIN"
  cargo build --release -q -p qmlx-wgpu --example wgpu_bench --example qmv_stats
  cp "${CARGO_TARGET_DIR:-target}/release/examples/wgpu_bench" "${CARGO_TARGET_DIR:-target}/release/examples/qmv_stats" "$BIN/"
  cargo test --release -q -p qmlx-wgpu --no-run --message-format=json 2>/dev/null | python3 -c '
import json, shutil, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] in ("quantize_parity", "matmul_accuracy"):
        # Copy, then rename: a test binary of the last build may still be running (lavapipe).
        dst = sys.argv[1] + "/" + m["target"]["name"]
        shutil.copy(m["executable"], dst + ".new")
        shutil.move(dst + ".new", dst)
        print("copied", m["target"]["name"])
' "$BIN"
  # The device tool carries at most 64 MiB: drop the debug info the release profile keeps.
  strip --strip-debug "$BIN/wgpu_bench" "$BIN/qmv_stats" "$BIN/quantize_parity" "$BIN/matmul_accuracy"
  if [ -f "$BIN/wgpu_bench_base" ] && cmp -s "$BIN/wgpu_bench" "$BIN/wgpu_bench_base"; then
    echo "wgpu_gpu.sh build: the bench is the baseline's binary (stale build after 'base'?)" >&2; exit 1
  fi
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

base() {
  local commit=${1:?usage: bash bench/wgpu_gpu.sh base <commit>}
  local wt=/tmp/qmlx-wgpu-base
  mkdir -p "$BIN"
  git worktree remove --force "$wt" 2>/dev/null || true
  git worktree add --detach "$wt" "$commit" >/dev/null
  sed '/\/\/ batch-begin/,/\/\/ batch-end/d' crates/qmlx-wgpu/examples/wgpu_bench.rs > "$wt/crates/qmlx-wgpu/examples/wgpu_bench.rs"
  local target=${CARGO_TARGET_DIR:-$PWD/target} # the repo's target dir: dependencies already built
  (cd "$wt" && CARGO_TARGET_DIR=$target cargo build --release -q -p qmlx-wgpu --example wgpu_bench)
  cp "$target/release/examples/wgpu_bench" "$BIN/wgpu_bench_base"
  strip --strip-debug "$BIN/wgpu_bench_base"
  # Cargo's dep-info paths are relative to the workspace, so the base build now stands for this
  # tree's qmlx-wgpu too, newer than its files: without this touch the next `build` would copy
  # the BASE library's bench and tests (seen in stage 8: both benches byte-identical).
  touch crates/qmlx-wgpu/src/*.rs crates/qmlx-wgpu/shaders/*.wgsl crates/qmlx-wgpu/examples/*.rs crates/qmlx-wgpu/tests/*.rs
  echo "$(git rev-parse --short "$commit") (the library at that commit, the bench source of $(git rev-parse --short HEAD) + working tree without its batch method)" > "$BIN/COMMIT_BASE"
  git worktree remove --force "$wt"
  cat "$BIN/COMMIT_BASE"
}

# The correctness suite. QMLX_WGPU_TEST_THREADS (default 4: the qmv layout sweep builds ~180
# pipelines, over a minute on one thread on the H100) test threads per binary; each binary is
# stopped at QMLX_WGPU_DEADLINE_S seconds into the run (a cut-off run reports no result line):
# default 100 before the bench (room for it in a 200 s call), 230 with QMLX_WGPU_TESTS_LAST=1,
# which runs the tests after the bench, the binaries side by side.
tests() {
  if [ -n "${QMLX_WGPU_SKIP_TESTS:-}" ]; then echo "## correctness: not run (QMLX_WGPU_SKIP_TESTS)"; return; fi
  echo "## correctness (same tests as CI on lavapipe)"
  local deadline=${QMLX_WGPU_DEADLINE_S:-$([ -n "${QMLX_WGPU_TESTS_LAST:-}" ] && echo 230 || echo 100)}
  local limit
  for t in ${QMLX_WGPU_TESTS:-quantize_parity matmul_accuracy}; do
    limit=$(( deadline - SECONDS )); if [ "$limit" -lt 5 ]; then limit=5; fi
    # shellcheck disable=SC2086
    if [ -n "${QMLX_WGPU_TESTS_LAST:-}" ]; then
      (timeout "$limit" "$BIN/$t" --test-threads="${QMLX_WGPU_TEST_THREADS:-4}" ${QMLX_WGPU_TEST_ARGS:-} > "/tmp/wgpu_test_$t.log" 2>&1; echo "$t exit $? at ${SECONDS}s" >> "/tmp/wgpu_test_$t.log") &
    else
      timeout "$limit" "$BIN/$t" --test-threads="${QMLX_WGPU_TEST_THREADS:-4}" ${QMLX_WGPU_TEST_ARGS:-} 2>&1 | grep -E "SKIP|seed|test result|panicked|FAILED" || echo "$t: exit or timeout at ${SECONDS}s"
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
    if [ -n "${QMLX_WGPU_STATS:-}" ]; then
      echo "## qmv registers and occupancy (qmv_stats)"
      local stats_args=()
      if [ "$QMLX_WGPU_STATS" != all ]; then read -r -a stats_args <<< "$QMLX_WGPU_STATS"; fi
      if [ -n "${QMLX_WGPU_STATS_IR:-}" ]; then stats_args+=(--ir "${OUT:-/tmp}/qmv-ir"); fi
      timeout 120 "$BIN/qmv_stats" "${stats_args[@]}" 2>&1 || echo "qmv_stats exit $?"
    fi
    if [ -z "${QMLX_WGPU_TESTS_LAST:-}" ]; then tests; fi
    if [ -x "$BIN/wgpu_bench_base" ]; then
      echo "## baseline: qmv vs copy roofline at $(cat "$BIN/COMMIT_BASE" 2>/dev/null)"
      # shellcheck disable=SC2086
      BENCH_DATE=$(date -u +%F) BENCH_COMMIT=$(cat "$BIN/COMMIT_BASE" 2>/dev/null) timeout "${QMLX_BENCH_TIMEOUT_S:-120}" "$BIN/wgpu_bench_base" ${QMLX_BENCH_BASE_ARGS:-} 2>&1 || echo "baseline bench exit $?"
    fi
    echo "## qmv vs copy roofline"
    layouts=()
    if [ -n "${QMLX_BENCH_LAYOUTS:-}" ]; then layouts=(--layouts "$QMLX_BENCH_LAYOUTS"); fi
    # shellcheck disable=SC2086
    BENCH_DATE=$(date -u +%F) BENCH_COMMIT=$(cat "$BIN/COMMIT") timeout "${QMLX_BENCH_TIMEOUT_S:-120}" "$BIN/wgpu_bench" "${layouts[@]}" ${QMLX_BENCH_ARGS:-} 2>&1 || echo "bench exit $?"
    if [ -n "${QMLX_BENCH_ARGS2:-}" ]; then
      # A second pass of both binaries with other arguments (e.g. x row counts on one shape).
      if [ -x "$BIN/wgpu_bench_base" ] && [ -z "${QMLX_BENCH_SKIP_BASE2:-}" ]; then
        echo "## baseline, second pass ($QMLX_BENCH_ARGS2)"
        # shellcheck disable=SC2086
        BENCH_DATE=$(date -u +%F) BENCH_COMMIT=$(cat "$BIN/COMMIT_BASE" 2>/dev/null) timeout "${QMLX_BENCH_TIMEOUT_S:-120}" "$BIN/wgpu_bench_base" $QMLX_BENCH_ARGS2 2>&1 || echo "baseline bench exit $?"
      fi
      echo "## qmv, second pass ($QMLX_BENCH_ARGS2)"
      # shellcheck disable=SC2086
      BENCH_DATE=$(date -u +%F) BENCH_COMMIT=$(cat "$BIN/COMMIT") timeout "${QMLX_BENCH_TIMEOUT_S:-120}" "$BIN/wgpu_bench" $QMLX_BENCH_ARGS2 2>&1 || echo "bench exit $?"
    fi
    echo "bench done at ${SECONDS}s"
    if [ -n "${QMLX_WGPU_TESTS_LAST:-}" ]; then tests; fi
  } | tee "$OUTF"
}

case "${1:-}" in
  build) build ;;
  base) base "${2:-}" ;;
  run) run ;;
  *) echo "usage: bash bench/wgpu_gpu.sh build|run" >&2; exit 2 ;;
esac
