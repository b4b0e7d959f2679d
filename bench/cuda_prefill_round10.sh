#!/usr/bin/env bash
# Prefill stage 10 device round (bench/out/prefill7 carried: new, base, COMMIT_NEW, COMMIT_BASE):
# bench variants one after another (same call: ratios from one call only), then [full suite and memcheck --quick
# of the new binary, each in 4 shards, all at once]; every step under its own timeout.
# env: CHECK=1 (CHECK_BIN=new|new3), ONLY (QMLX_BENCH_ONLY), BENCH_M, VARIANTS (base new new3 cublas, repeats base2 new2 new3b, newoff)
set -uo pipefail
D=bench/out/prefill7
hdr="$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | head -1), $(date -u +%FT%TZ), new=$(cat $D/COMMIT_NEW) new3=$(cat $D/COMMIT_NEW3 2>/dev/null) base=$(cat $D/COMMIT_BASE)"
echo "# $hdr"
chmod +x $D/new $D/base; [ -f $D/new3 ] && chmod +x $D/new3; CB=$D/${CHECK_BIN:-new}
# The benchmarks first (one process at a time on the GPU), then the checks.
if [ -n "${ONLY:-}" ]; then
(
export QMLX_BENCH_ONLY=$ONLY QMLX_BENCH_M=${BENCH_M:-1024,4096}
for v in ${VARIANTS:-base new cublas}; do
  t0=$(date +%s)
  case $v in
    new|new2|newb) timeout ${BENCH_T:-80} $D/new bench --prefill > $OUT/b_$v.csv 2>&1 ;;
    new3|new3b) timeout ${BENCH_T:-80} $D/new3 bench --prefill > $OUT/b_$v.csv 2>&1 ;;
    newoff) QMLX_SM90_STORE=0 timeout ${BENCH_T:-80} $D/new bench --prefill > $OUT/b_$v.csv 2>&1 ;;
    base|base2|baseb) timeout ${BENCH_T:-80} $D/base bench --prefill > $OUT/b_$v.csv 2>&1 ;;
    cublas) timeout 40 python3 bench/cuda_cublas.py --prefill > $OUT/b_cublas.csv 2>&1 ;;
  esac
  echo "$v rc=$? ($(( $(date +%s) - t0 )) s)"
done
)
fi
if [ -n "${CHECK:-}" ]; then
  t0=$(date +%s); n=4
  for i in $(seq 0 $((n - 1))); do
    ( { echo "# qmlx-cuda correctness (full suite) shard $i/$n, binary $CB: $hdr"
        QMLX_SUITE_SHARD=$i/$n QMLX_SUITE_PROGRESS=1 timeout ${SUITE_T:-200} $CB correctness 2> /tmp/prog-full-$i; echo "rc=$?"; } > /tmp/full-$i.log 2>&1 ) &
    ( { echo "# compute-sanitizer memcheck, correctness --quick shard $i/$n, binary $CB: $hdr"
        QMLX_SUITE_SHARD=$i/$n QMLX_SUITE_PROGRESS=1 timeout ${MEMCHECK_T:-220} compute-sanitizer --tool memcheck $CB correctness --quick 2> /tmp/prog-mem-$i; echo "rc=$?"; } > /tmp/mem-$i.log 2>&1 ) &
  done
  wait
  cat /tmp/full-*.log > $OUT/correctness.log; cat /tmp/mem-*.log > $OUT/memcheck.log
  for k in full mem; do
    echo "$k: $(grep -hE '^correctness|passed' /tmp/$k-*.log | tail -n 4 | tr '\n' ' ') rc: $(grep -h '^rc=' /tmp/$k-*.log | tr '\n' ' ')"
    for i in $(seq 0 $((n - 1))); do grep -q '^rc=0' /tmp/$k-$i.log || { echo "  $k shard $i last progress:"; tail -n 2 /tmp/prog-$k-$i | cut -c1-200; }; done
  done
  grep -h 'ERROR SUMMARY' /tmp/mem-*.log; grep -h -m 10 FAIL /tmp/full-*.log
  echo "checks $(( $(date +%s) - t0 )) s"
fi
