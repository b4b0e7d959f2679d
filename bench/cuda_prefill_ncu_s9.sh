#!/usr/bin/env bash
# Session 9 lead: ncu of the affine8 f16 sm_90a kernel at 4096x14336 M=4096 (launch 3 of that kernel),
# main (bf163e2) vs final (8c956f9, prefill stage 15's tile coordinates), then bench A/B of affine8 f16/bf16 M>=1024.
# Binaries in bench/out/main-bin and bench/out/final (bench/gpu_final.sh build); device call from the repo root,
# carry those folders: bash bench/cuda_prefill_ncu_s9.sh. Output: bench/results/cuda-prefill-s9-affine8-ncu-h100.txt.
set -uo pipefail
echo "# $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | head -1), $(date -u +%FT%TZ), main=$(cat bench/out/main-bin/COMMIT) final=$(cat bench/out/final/COMMIT)"
for b in main-bin final; do
  QMLX_BENCH_PROFILE=1 QMLX_BENCH_ONLY=affine8g64 QMLX_BENCH_M=4096 timeout 120 ncu --clock-control none -k "regex:^qmm_sm90_affine8_t256_f16\$" -s 2 -c 1 \
    --section SpeedOfLight --section SchedulerStats --section WarpStateStats --section LaunchStats --section InstructionStats \
    bench/out/$b/qmlx-cuda-check bench --prefill > $OUT/ncu_$b.txt 2>&1
  echo "ncu $b rc=$?"
  grep -E 'qmm_sm90|Duration|Elapsed Cycles|SM Frequency|Registers Per|Executed Ipc A|Issue Slots Busy|Warp Cycles Per Issued|Stall|Eligible Warps|Issued Warp' $OUT/ncu_$b.txt | head -30
done
export QMLX_BENCH_ONLY=affine8g64 QMLX_BENCH_M=1024,4096
for r in 1 2; do for b in main-bin final; do
  timeout 60 bench/out/$b/qmlx-cuda-check bench --prefill > $OUT/bench_${b}_$r.csv 2>&1; echo "bench $b $r rc=$?"
done; done
