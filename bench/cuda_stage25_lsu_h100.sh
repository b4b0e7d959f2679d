#!/bin/bash
# Lead, session 10: H100 re-check of stage 25's LSU ring variant on the 8-bit formats (H200 round 2 had mxfp8
# 4096x14336 0.941x main). Alternated three times: LSU on, main 8c956f9, new binary at its default.
D=bench/out/decode; NEW=$D/new/qmlx-cuda-check; MAIN=$D/main/qmlx-cuda-check
chmod +x $NEW $MAIN; T0=$SECONDS
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv,noheader
export QMLX_BENCH_ONLY=affine8g64,mxfp8,affine4g64
b() { tag=$1; shift; env QMLX_BENCH_MS=1 "$@" bench --decode > $OUT/b-$tag.csv 2>&1; echo "$tag rc=$? rows=$(grep -c '^qmm,' $OUT/b-$tag.csv) t=$((SECONDS-T0))"; }
for r in 1 2 3; do b lsu$r QMLX_WARP_RING_LSU=1 $NEW; b main$r $MAIN; b new$r $NEW; done
cd $OUT && tar cf bench.tar b-*.csv && rm b-*.csv
