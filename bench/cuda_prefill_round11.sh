#!/usr/bin/env bash
# Prefill device round (stages 11, 12): D (default bench/out/prefill8, carried) holds main, new[, new2], COMMIT_*. Every step under its own
# timeout; what comes back is one tarball ($OUT/r.tgz) plus the summary on stdout.
# env: NCU=1 (ncu --set full on one launch each of NCU_ROWS, main's binary), ONLY (QMLX_BENCH_ONLY),
#      VARIANTS (bench order: main new new2 cublas, repeats main_b new_b new2_b), CHECK=1 (full suite of CHECK_BIN in
#      SHARDS shards, default 4), MEMCHECK=1 (memcheck --quick of CHECK_BIN in as many shards, at the same time).
set -uo pipefail
D=${D:-bench/out/prefill8}
R=${R:-/tmp/r11}; mkdir -p $R
chmod +x $D/main $D/new $D/new2 2>/dev/null
hdr="$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | head -1), $(date -u +%FT%TZ), main=$(cat $D/COMMIT_MAIN) new=$(cat $D/COMMIT_NEW 2>/dev/null) new2=$(cat $D/COMMIT_NEW2 2>/dev/null)"
echo "# $hdr" | tee $R/header.txt
ts() { echo "[$(date -u +%T)] $*"; }
# Clocks and power through the whole call (power-capped prefill rows: is the clock the difference to cuBLAS?).
nvidia-smi --query-gpu=timestamp,clocks.sm,power.draw,temperature.gpu,clocks_throttle_reasons.active --format=csv -lms 200 > $R/smi.csv 2>&1 &
SMI=$!
if [ -n "${NCU:-}" ]; then
  # NCU_ROWS: "ONLY:kernel" pairs; launch 1 of the kernel = the 14336x4096 row (4096x4096 is launch 0) at M=4096.
  for row in ${NCU_ROWS:-affine4g64:qmm_sm90_affine4_t256_f16 affine8g64:qmm_sm90_affine8_t256_bf16}; do
    only=${row%%:*}; k=${row##*:}; t0=$(date +%s)
    QMLX_BENCH_PROFILE=1 QMLX_BENCH_ONLY=$only QMLX_BENCH_M=4096 timeout ${NCU_T:-100} ncu --clock-control none -k "regex:^${k}\$" -s 1 -c 1 \
      --set full --import-source yes -f -o $R/$k $D/main bench --prefill > $R/$k.log 2>&1
    echo "ncu $k rc=$? ($(( $(date +%s) - t0 )) s)"
    timeout 40 ncu -i $R/$k.ncu-rep --page details --print-details all > $R/$k.details.txt 2>&1 || timeout 40 ncu -i $R/$k.ncu-rep --page details > $R/$k.details.txt 2>&1
    timeout 40 ncu -i $R/$k.ncu-rep --page raw --csv > $R/$k.raw.csv 2>&1
    timeout 60 ncu -i $R/$k.ncu-rep --page source --csv --print-source sass > $R/$k.sass.csv 2>&1; echo "  source rc=$?"
    grep -E "qmm|Duration|Elapsed Cycles|SM Frequency|Throughput|Issue Slots|Eligible|Warp Cycles Per Issued" $R/$k.details.txt | head -20
  done
fi
if [ -n "${NCU_CUBLAS:-}" ]; then
  # The same shape through cuBLAS (torch), third launch of its GEMM kernel: what the baseline's pipes do.
  t0=$(date +%s)
  timeout ${NCU_T:-100} ncu --clock-control none -k "regex:gemm|nvjet|xmma|cutlass" -s 2 -c 1 --set full -f -o $R/cublas \
    python3 bench/cuda_cublas_profile.py 14336 4096 4096 ${NCU_CUBLAS_DT:-f16} > $R/cublas.log 2>&1
  echo "ncu cublas rc=$? ($(( $(date +%s) - t0 )) s)"
  timeout 40 ncu -i $R/cublas.ncu-rep --page details --print-details all > $R/cublas.details.txt 2>&1 || timeout 40 ncu -i $R/cublas.ncu-rep --page details > $R/cublas.details.txt 2>&1
  timeout 40 ncu -i $R/cublas.ncu-rep --page raw --csv > $R/cublas.raw.csv 2>&1
  grep -E "qmm|gemm|nvjet|Duration|Elapsed Cycles|SM Frequency|Throughput|Issue Slots|Eligible|Warp Cycles Per Issued" $R/cublas.details.txt | head -20
fi
if [ -n "${ONLY:-}" ]; then
  export QMLX_BENCH_ONLY=$ONLY QMLX_BENCH_M=${BENCH_M:-1024,4096}
  for v in ${VARIANTS:-main new cublas new_b main_b}; do
    t0=$(date +%s); ts "bench $v start" >> $R/smi_marks.txt
    case $v in
      cublas) timeout 40 python3 bench/cuda_cublas.py --prefill > $R/b_$v.csv 2>&1 ;;
      *) timeout ${BENCH_T:-60} $D/${v%_b} bench --prefill > $R/b_$v.csv 2>&1 ;;
    esac
    echo "$v rc=$? ($(( $(date +%s) - t0 )) s)"; ts "bench $v end" >> $R/smi_marks.txt
  done
fi
kill $SMI 2>/dev/null
CB=$D/${CHECK_BIN:-new}
if [ -n "${CHECK:-}" ]; then
  t0=$(date +%s); n=${SHARDS:-4}
  for i in $(seq 0 $((n - 1))); do
    ( { echo "# qmlx-cuda correctness (full suite) shard $i/$n, binary $CB: $hdr"
        QMLX_SUITE_SHARD=$i/$n QMLX_SUITE_PROGRESS=1 timeout ${SUITE_T:-150} $CB correctness 2> $R/prog-full-$i.txt; echo "rc=$?"; } > $R/full-$i.log 2>&1 ) &
    if [ -n "${MEMCHECK:-}" ]; then
    ( { echo "# compute-sanitizer memcheck, correctness --quick shard $i/$n, binary $CB: $hdr"
        QMLX_SUITE_SHARD=$i/$n QMLX_SUITE_PROGRESS=1 timeout ${MEMCHECK_T:-170} compute-sanitizer --tool memcheck $CB correctness --quick 2> $R/prog-mem-$i.txt; echo "rc=$?"; } > $R/mem-$i.log 2>&1 ) &
    fi
  done
  wait
  cat $R/full-*.log > $R/correctness.log; [ -n "${MEMCHECK:-}" ] && cat $R/mem-*.log > $R/memcheck.log
  for k in full mem; do
    ls $R/$k-0.log >/dev/null 2>&1 || continue
    echo "$k: $(grep -hE '^correctness|passed' $R/$k-*.log | tail -n 4 | tr '\n' ' ') rc: $(grep -h '^rc=' $R/$k-*.log | tr '\n' ' ')"
    for i in $(seq 0 $((n - 1))); do grep -q '^rc=0' $R/$k-$i.log || { echo "  $k shard $i last progress:"; tail -n 2 $R/prog-$k-$i.txt | cut -c1-200; }; done
  done
  grep -h 'ERROR SUMMARY' $R/mem-*.log 2>/dev/null; grep -h -m 10 FAIL $R/full-*.log
  echo "checks $(( $(date +%s) - t0 )) s"
fi

tar -C $R --exclude="*.ncu-rep" -czf $OUT/r.tgz . ; ls -la $OUT
