#!/usr/bin/env bash
# Prefill device round (stages 7-8): correctness of the new binary, then bench of new (variants), base (main) and cuBLAS.
# usage (device machine, carrying $D with new, base, COMMIT_NEW, COMMIT_BASE): bash bench/cuda_prefill_round.sh "<suite args>" "<bench ONLY list>" [variants...]
set -uo pipefail
D=${D:-bench/out/prefill4}
SUITE_ARGS=${1:-}
ONLY=${2:-}
shift 2
hdr="$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | head -1), $(date -u +%FT%TZ), new=$(cat $D/COMMIT_NEW) base=$(cat $D/COMMIT_BASE)"
echo "# $hdr"
t0=$(date +%s)
if [ "$SUITE_ARGS" != "none" ]; then
  { echo "# qmlx-cuda correctness $SUITE_ARGS: $hdr"; QMLX_SUITE_PROGRESS=1 timeout ${SUITE_T:-110} $D/new correctness $SUITE_ARGS 2> $OUT/progress.log; echo "rc=$?"; } > $OUT/correctness.log 2>&1
  echo "suite: $(tail -n 2 $OUT/correctness.log | tr '\n' ' ') ($(( $(date +%s) - t0 )) s)"; grep -m 20 FAIL $OUT/correctness.log
fi
if [ -n "${MEMCHECK:-}" ]; then
  t0=$(date +%s)
  { echo "# compute-sanitizer memcheck, correctness --quick: $hdr"; timeout ${MEMCHECK_T:-100} compute-sanitizer --tool memcheck $D/new correctness --quick; echo "rc=$?"; } > $OUT/memcheck.log 2>&1
  echo "memcheck: $(grep -E 'ERROR SUMMARY|^correctness|^rc=' $OUT/memcheck.log | tr '\n' ' ') ($(( $(date +%s) - t0 )) s)"
fi
[ "$ONLY" = "none" ] && exit 0
export QMLX_BENCH_ONLY=$ONLY QMLX_BENCH_M=${BENCH_M:-1024,4096}
for v in "$@"; do
  t0=$(date +%s)
  case $v in
    base) timeout 70 $D/base bench --prefill > $OUT/b_base.csv 2>&1 ;;
    new) timeout 70 $D/new bench --prefill > $OUT/b_new.csv 2>&1 ;;
    # new2 / base2: the same binaries again, later in the call (process-to-process noise)
    new2) timeout 70 $D/new bench --prefill > $OUT/b_new2.csv 2>&1 ;;
    base2) timeout 70 $D/base bench --prefill > $OUT/b_base2.csv 2>&1 ;;
    # np, g<N>: schedule knobs of the persistent-grid build cc97397 (not in the merged kernel)
    np) QMLX_SM90_PERSISTENT=0 timeout 70 $D/new bench --prefill > $OUT/b_np.csv 2>&1 ;;
    # nosplit: stage 8's new binary without the split-K tail (same kernel otherwise)
    nosplit) QMLX_SM90_SPLIT=0 timeout 70 $D/new bench --prefill > $OUT/b_nosplit.csv 2>&1 ;;
    g*) QMLX_SM90_GROUP=${v#g} timeout 70 $D/new bench --prefill > $OUT/b_$v.csv 2>&1 ;;
    cublas) python3 bench/cuda_cublas.py --prefill > $OUT/b_cublas.csv 2>&1 ;;
  esac
  echo "$v rc=$? ($(( $(date +%s) - t0 )) s)"
done
