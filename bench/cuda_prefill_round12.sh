#!/usr/bin/env bash
# Prefill stage 12 device round: the stage-11 round script on bench/out/prefill9 (same env options).
D=bench/out/prefill9 R=/tmp/r12 exec bash "$(dirname "$0")/cuda_prefill_round11.sh" "$@"
