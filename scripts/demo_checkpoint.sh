#!/usr/bin/env bash
# Demo: make a tiny random Llama (transformers, local tokenizer), convert it to a 4-bit MLX
# checkpoint with `qmlx convert`, check it with `qmlx inspect`, then run it through transformers with
# this package's quantized layers and compare with mlx_lm's own forward pass.
#
#   bash scripts/demo_checkpoint.sh [workdir]        (default: a fresh temporary directory)
#
# Needs: .venv from scripts/setup.sh (torch, transformers, mlx, mlx-lm) and the quantization_mlx
# package importable (scripts/test.sh builds it with maturin).
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 TRANSFORMERS_VERBOSITY=error
W=${1:-$(mktemp -d)}
PY=.venv/bin/python

echo "== build qmlx (release)"
cargo build --release --bin qmlx --quiet
QMLX=${CARGO_TARGET_DIR:-target}/release/qmlx

echo "== make a tiny float32 Llama in $W/hf"
rm -rf "$W/hf" "$W/mlx-q4"
$PY tests/checkpoint/make_tiny.py "$W/hf" --dtype float32

echo "== qmlx convert (affine, 4 bits, group 64)"
"$QMLX" convert "$W/hf" "$W/mlx-q4" --bits 4 --group-size 64

echo "== qmlx inspect"
"$QMLX" inspect "$W/mlx-q4"

echo "== forward pass: transformers + quantization_mlx vs mlx_lm"
PYTHONPATH=${PYTHONPATH:-python} $PY - "$W/mlx-q4" <<'PY'
import sys, numpy as np, torch, mlx.core as mx
from mlx_lm import load as mlx_load
from quantization_mlx.loader import load

path = sys.argv[1]
model, tok = load(path)
ids = tok.encode("The quick brown fox jumps over the lazy dog.")
with torch.no_grad():
    ours = model(torch.tensor([ids])).logits[0].numpy()
ref_model, _ = mlx_load(path)
ref = np.array(ref_model(mx.array([ids]))[0])
print(f"logits {ours.shape}: max |ours - mlx_lm| = {np.abs(ours - ref).max():.3g} "
      f"(max |logit| {np.abs(ref).max():.3g})")
seq = list(ids)
with torch.no_grad():
    for _ in range(16):
        seq.append(int(model(torch.tensor([seq])).logits[0, -1].argmax()))
print("greedy 16 tokens:", seq[len(ids):])
PY
echo "demo OK ($W)"
