#!/bin/bash
# (Session 11: prepared, not run. Build: the int step-index change described in bench/cuda-notes.md stage 26, its
# qmlx-cuda-check into bench/out/reg/int/, 62bc309 into bench/out/reg/fun/, 8c956f9 into bench/out/reg/main/, each
# stripped and xz-compressed; carry ["bench/out/reg"].)
# Session 11, last call: 'int' = main 50356b4 + the consume's step index as int (was long long), against
# 62bc309 ('fun', main's CUDA code now) and 8c956f9 ('main'). Correctness of 'int' first (full suite default
# dispatch and forced, memcheck --quick forced; 4 shards each, at once), then M = 1 alternated twice.
D=bench/out/reg; T0=$SECONDS
for b in main fun int; do xz -d $D/$b/qmlx-cuda-check.xz; chmod +x $D/$b/qmlx-cuda-check; done
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv,noheader
F=$D/int/qmlx-cuda-check
for i in 0 1 2 3; do
  ( QMLX_SUITE_SHARD=$i/4 timeout 150 $F correctness > /tmp/full-$i.log 2>&1; echo "rc=$?" >> /tmp/full-$i.log ) &
  ( QMLX_WARP_FEED=1 QMLX_WARP_RING_POLICY=1 QMLX_SUITE_SHARD=$i/4 timeout 150 $F correctness > /tmp/forced-$i.log 2>&1; echo "rc=$?" >> /tmp/forced-$i.log ) &
  ( QMLX_WARP_FEED=1 QMLX_WARP_RING_POLICY=1 QMLX_SUITE_SHARD=$i/4 timeout 150 compute-sanitizer --tool memcheck $F correctness --quick > /tmp/mem-$i.log 2>&1; echo "rc=$?" >> /tmp/mem-$i.log ) &
done; wait
for k in full forced mem; do echo "$k: $(grep -h '^correctness:' /tmp/$k-*.log | tr '\n' ' ') $(grep -h 'ERROR SUMMARY' /tmp/$k-*.log | tr '\n' ' ') $(grep -h '^rc=' /tmp/$k-*.log | tr '\n' ' ')"; grep -h FAIL /tmp/$k-*.log | head -5; done
cat /tmp/full-*.log /tmp/forced-*.log /tmp/mem-*.log | grep -v '^PASS' > $OUT/cuda-correctness.log
echo "t=$((SECONDS-T0))"
b() { tag=$1; shift; env QMLX_BENCH_MS=1 "$@" bench --decode > $OUT/b-$tag.csv 2>&1; echo "$tag rc=$? rows=$(grep -c '^qmm,' $OUT/b-$tag.csv) t=$((SECONDS-T0))"; }
for r in 1 2; do b main$r $D/main/qmlx-cuda-check; b fun$r $D/fun/qmlx-cuda-check; b int$r $F; done
(cd $OUT && tar cf cuda-bench.tar b-*.csv && rm b-*.csv)
