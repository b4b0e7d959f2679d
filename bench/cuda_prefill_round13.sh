#!/usr/bin/env bash
# Prefill stage 13 device round: the stage-11 round script on bench/out/prefill10 (same env options), the candidate
# timed first (bench order new main cublas new_b main_b unless VARIANTS says otherwise).
D=bench/out/prefill10 R=/tmp/r13 VARIANTS=${VARIANTS:-new main cublas new_b main_b} exec bash "$(dirname "$0")/cuda_prefill_round11.sh" "$@"
