#!/usr/bin/env bash
# Prefill stage 9 device round (bench/out/prefill6 carried: new, base, COMMIT_NEW, COMMIT_BASE): [suite] [memcheck] [ncu] then bench variants; every step under its own timeout.
# env: SUITE (none|quick|full|prefill), MEMCHECK=1, NCU=1, ONLY, BENCH_M, VARIANTS
set -uo pipefail
D=bench/out/prefill6
hdr="$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | head -1), $(date -u +%FT%TZ), new=$(cat $D/COMMIT_NEW) base=$(cat $D/COMMIT_BASE)"
echo "# $hdr"
chmod +x $D/new $D/base
t0=$(date +%s)
# MEMCHECK=1 runs compute-sanitizer memcheck on correctness --quick alongside the suite (both on the GPU at once).
if [ -n "${MEMCHECK:-}" ]; then
  { echo "# compute-sanitizer memcheck, correctness --quick: $hdr"; timeout ${MEMCHECK_T:-100} compute-sanitizer --tool memcheck $D/new correctness --quick; echo "rc=$?"; } > $OUT/memcheck.log 2>&1 &
  mc=$!
fi
case ${SUITE:-none} in
  none) ;;
  *) args=""; [ "$SUITE" = quick ] && args="--quick"
     only=""; [ "$SUITE" = prefill ] && only=prefill
     { echo "# qmlx-cuda correctness $args ${only:+QMLX_SUITE_ONLY=$only}: $hdr"; QMLX_SUITE_ONLY=$only QMLX_SUITE_PROGRESS=1 timeout ${SUITE_T:-130} $D/new correctness $args 2> $OUT/progress.log; echo "rc=$?"; } > $OUT/correctness.log 2>&1
     [ -z "$only" ] && unset QMLX_SUITE_ONLY
     echo "suite: $(tail -n 2 $OUT/correctness.log | tr '\n' ' ') ($(( $(date +%s) - t0 )) s)"; grep -m 20 FAIL $OUT/correctness.log; tail -n 2 $OUT/progress.log ;;
esac
if [ -n "${MEMCHECK:-}" ]; then
  wait $mc
  echo "memcheck: $(grep -E 'ERROR SUMMARY|^correctness|^rc=' $OUT/memcheck.log | tr '\n' ' ') ($(( $(date +%s) - t0 )) s)"
fi
if [ -n "${NCU:-}" ]; then
  t0=$(date +%s)
  QMLX_BENCH_ONLY=${NCU_ONLY:-affine4g64} QMLX_BENCH_M=1024 timeout 90 ncu --clock-control none -k regex:${NCU_K:-qmm_sm90_affine4_t256_f16$} -c 1 --section SpeedOfLight --section WarpStateStats --section SchedulerStats --section ComputeWorkloadAnalysis --section MemoryWorkloadAnalysis --section SourceCounters $D/${NCU_BIN:-new} bench --prefill --quick > $OUT/ncu.txt 2>&1
  echo "ncu rc=$? ($(( $(date +%s) - t0 )) s)"
fi
[ -z "${ONLY:-}" ] && exit 0
export QMLX_BENCH_ONLY=$ONLY QMLX_BENCH_M=${BENCH_M:-1024,4096}
for v in ${VARIANTS:-new base cublas}; do
  t0=$(date +%s)
  case $v in
    new|new2) timeout 70 $D/new bench --prefill > $OUT/b_$v.csv 2>&1 ;;
    base|base2) timeout 70 $D/base bench --prefill > $OUT/b_$v.csv 2>&1 ;;
    cublas) timeout 40 python3 bench/cuda_cublas.py --prefill > $OUT/b_cublas.csv 2>&1 ;;
  esac
  echo "$v rc=$? ($(( $(date +%s) - t0 )) s)"
done
