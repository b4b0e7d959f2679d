"""Helpers for the checkpoint tests: locate/run the `qmlx` binary, compare checkpoints tensor by
tensor (bit patterns), and run greedy decoding in mlx_lm and in torch."""

from __future__ import annotations

import glob
import os
import subprocess

import numpy as np

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def find_qmlx():
    """The qmlx binary: $QMLX_BIN, else the newest of target/{release,debug}/qmlx, else None."""
    env = os.environ.get("QMLX_BIN")
    if env:
        return env if os.path.exists(env) else None
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target"))
    found = [p for p in (os.path.join(target, "release", "qmlx"), os.path.join(target, "debug", "qmlx")) if os.path.exists(p)]
    return max(found, key=os.path.getmtime) if found else None


def qmlx(binary, *args, check=True):
    r = subprocess.run([binary, *map(str, args)], capture_output=True, text=True)
    if check and r.returncode != 0:
        raise AssertionError(f"qmlx {' '.join(map(str, args))} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    return r


def load_bits(d):
    """name -> (dtype string, shape, raw bytes) over every shard in directory d."""
    import mlx.core as mx

    out = {}
    for f in sorted(glob.glob(os.path.join(d, "model*.safetensors"))):
        for k, v in mx.load(f).items():
            raw = np.array(v.view(mx.uint8)) if v.size else np.zeros(0, np.uint8)
            out[k] = (str(v.dtype), tuple(v.shape), raw.tobytes())
    return out


def diff_checkpoints(a, b):
    """List of differences between two MLX checkpoint directories' tensors (empty = bit-identical)."""
    ta, tb = load_bits(a), load_bits(b)
    problems = [f"only in {a}: {k}" for k in sorted(set(ta) - set(tb))]
    problems += [f"only in {b}: {k}" for k in sorted(set(tb) - set(ta))]
    for k in sorted(set(ta) & set(tb)):
        if ta[k][:2] != tb[k][:2]:
            problems.append(f"{k}: {ta[k][:2]} vs {tb[k][:2]}")
        elif ta[k][2] != tb[k][2]:
            problems.append(f"{k}: bytes differ")
    return problems, len(ta)


def mlx_greedy(model, ids, steps):
    """Greedy tokens from mlx_lm's generate_step (argmax sampler, KV cache)."""
    import mlx.core as mx
    from mlx_lm.generate import generate_step

    return [int(t) for t, _ in generate_step(mx.array(ids), model, max_tokens=steps)]


def torch_greedy(model, ids, steps):
    """Greedy tokens by full recompute each step (no cache, so no cache semantics to match)."""
    import torch

    seq = list(ids)
    with torch.no_grad():
        for _ in range(steps):
            logits = model(torch.tensor([seq], device=model.device)).logits[0, -1]
            seq.append(int(torch.argmax(logits)))
    return seq[len(ids):]
