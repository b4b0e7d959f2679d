#!/usr/bin/env bash
# One GPU-machine round for the whole CUDA + wgpu stack at one commit (issues 5 and 7):
#   1. here:  bash bench/gpu_final.sh build      (qmlx-cuda-check, the Python wheel, the wgpu binaries)
#   2. there: device call, carry ["bench/out/final", "bench/out/wgpu-bin", ".gl"]:
#             bash bench/gpu_final.sh run [suite|pytest|bench|wgpu|two-gpu ...]   (default: all but two-gpu)
# Everything lands in $OUT (logs and CSVs to commit under bench/results/ with the device in the name).
set -uo pipefail
cd "$(dirname "$0")/.."
FIN=bench/out/final

build() {
  set -e
  mkdir -p "$FIN"
  export QMLX_CUDA_ARCHS=${QMLX_CUDA_ARCHS:-90a}
  cargo build --release -q -p qmlx-cuda --bin qmlx-cuda-check
  cp "${CARGO_TARGET_DIR:-target}/release/qmlx-cuda-check" "$FIN/" && strip "$FIN/qmlx-cuda-check"
  rm -f "$FIN"/*.whl
  VIRTUAL_ENV=$PWD/.venv PATH=$PWD/.venv/bin:$PATH .venv/bin/maturin build --release --quiet -o "$FIN" 2>&1 | tail -n 3
  git rev-parse --short HEAD > "$FIN/COMMIT"
  bash bench/wgpu_gpu.sh build >/dev/null
  du -sh "$FIN" bench/out/wgpu-bin
}

header() { echo "# $1: $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | head -1), $(date -u +%FT%TZ), commit $(cat $FIN/COMMIT)"; }

suite() {
  # Full suite and memcheck --quick, each in 4 shards run at once (QMLX_SUITE_SHARD), progress to stderr.
  local n=4 i
  for i in $(seq 0 $((n - 1))); do
    ( { header "qmlx-cuda correctness (full suite, default dispatch) shard $i/$n"
        QMLX_SUITE_SHARD=$i/$n QMLX_SUITE_PROGRESS=1 timeout 240 "$FIN/qmlx-cuda-check" correctness 2> "/tmp/prog-full-$i"; echo "rc=$?"; } > "/tmp/full-$i.log" 2>&1 ) &
    ( { header "compute-sanitizer memcheck, correctness --quick shard $i/$n"
        QMLX_SUITE_SHARD=$i/$n QMLX_SUITE_PROGRESS=1 timeout 300 compute-sanitizer --tool memcheck "$FIN/qmlx-cuda-check" correctness --quick 2> "/tmp/prog-mem-$i"; echo "rc=$?"; } > "/tmp/mem-$i.log" 2>&1 ) &
  done
  wait
  cat /tmp/full-*.log > "$OUT/cuda-correctness.log"; cat /tmp/mem-*.log > "$OUT/cuda-memcheck.log"
  for k in full mem; do
    echo "$k: $(grep -h '^correctness:' /tmp/$k-*.log | tr '\n' ' ') $(grep -h 'ERROR SUMMARY' /tmp/$k-*.log | tr '\n' ' ') $(grep -h '^rc=' /tmp/$k-*.log | tr '\n' ' ')"
    grep -h FAIL /tmp/$k-*.log | head -5
    for i in $(seq 0 $((n - 1))); do grep -q '^rc=0' "/tmp/$k-$i.log" || { echo "  $k shard $i last progress:"; tail -n 2 "/tmp/prog-$k-$i" | cut -c1-200; }; done
  done
}

pytest_cuda() {
  python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site "$FIN"/*.whl || return 1
  { header "pytest with CUDA tensors (wheel built here, QMLX_CUDA_ARCHS=90a)"
    PYTHONPATH=/tmp/site timeout 200 python3 -m pytest tests/python/test_cuda.py tests/python/test_package_api.py \
      tests/python/test_package_torch.py tests/python/test_package_seed.py -q -rs -p no:cacheprovider 2>&1; } > "$OUT/cuda-pytest.log"
  echo "pytest: $(tail -n 1 "$OUT/cuda-pytest.log")"
}

two_gpu() {
  python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site "$FIN"/*.whl || return 1
  { header "pytest, two GPUs (tensors on cuda:1 run on cuda:1; threads/streams)"; nvidia-smi -L
    PYTHONPATH=/tmp/site python3 -m pytest tests/python/test_cuda.py -q -rs -p no:cacheprovider 2>&1; } > "$OUT/cuda-pytest-2gpu.log"
  echo "2-gpu pytest: $(tail -n 1 "$OUT/cuda-pytest-2gpu.log")"
}

bench() {
  { header "qmlx-cuda-check bench (full grid)"; timeout 150 "$FIN/qmlx-cuda-check" bench; } > "$OUT/cuda-bench.csv" 2>&1
  echo "bench rc=$? rows=$(grep -c '^qmm,' "$OUT/cuda-bench.csv")"
  timeout 90 python3 bench/cuda_cublas.py > "$OUT/cublas.csv" 2>&1; echo "cublas rc=$?"
}

wgpu() {
  # Tests after the bench, both test binaries side by side (the qmv layout sweep needs >100 s on the H100).
  OUT=$OUT QMLX_WGPU_TESTS_LAST=1 QMLX_WGPU_TEST_THREADS=${QMLX_WGPU_TEST_THREADS:-8} timeout 260 bash bench/wgpu_gpu.sh run > /dev/null 2>&1; echo "wgpu rc=$? $(grep -c 'test result: ok' "$OUT/wgpu_gpu.txt") ok test binaries"
}

case "${1:-}" in
  build) build ;;
  run)
    shift
    steps=${*:-suite pytest_cuda bench wgpu}
    for s in $steps; do
      t0=$(date +%s); "$s"; echo "  ($s: $(( $(date +%s) - t0 )) s)"
    done ;;
  *) echo "usage: bash bench/gpu_final.sh build | run [suite pytest_cuda bench wgpu two_gpu]" >&2; exit 2 ;;
esac
