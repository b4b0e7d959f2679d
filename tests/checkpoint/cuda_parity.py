"""The transformers loader on CPU and CUDA vs mlx_lm's forward pass, for a machine without mlx.

    python tests/checkpoint/cuda_parity.py prep DIR     # here (mlx, mlx_lm, qmlx): tiny float32 llama ->
                                                        # qmlx convert -> DIR/ckpt, mlx_lm logits + 16 greedy tokens
    python tests/checkpoint/cuda_parity.py check DIR    # on the GPU machine (torch, transformers, the package
                                                        # built with CUDA): CPU and CUDA vs the saved reference
"""

import json
import os
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))
import ckpt_util  # noqa: E402

IDS = list(range(5, 37))


def prep(d):
    import mlx.core as mx
    from mlx_lm import load

    os.makedirs(d, exist_ok=True)
    hf = os.path.join(d, "hf")
    subprocess.run([sys.executable, os.path.join(HERE, "make_tiny.py"), hf, "--dtype", "float32", "--seed", "9"], check=True)
    ckpt_util.qmlx(ckpt_util.find_qmlx(), "convert", hf, os.path.join(d, "ckpt"), "-q")
    m, _ = load(os.path.join(d, "ckpt"))
    np.save(os.path.join(d, "ref_logits.npy"), np.array(m(mx.array([IDS]))[0]))
    with open(os.path.join(d, "ref.json"), "w") as f:
        json.dump({"ids": IDS, "tokens": ckpt_util.mlx_greedy(m, IDS, 16)}, f)


def check(d):
    import torch
    import transformers

    import quantization_mlx as q
    from quantization_mlx.loader import load_model

    print("torch", torch.__version__, "transformers", transformers.__version__, "backends", q.build_info()["backends"],
          torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no CUDA device")
    ref = np.load(os.path.join(d, "ref_logits.npy"))
    r = json.load(open(os.path.join(d, "ref.json")))
    ok = True
    for dev in ["cpu"] + (["cuda"] if torch.cuda.is_available() else []):
        t0 = time.time()
        m = load_model(os.path.join(d, "ckpt"), device=dev)
        with torch.no_grad():
            lg = m(torch.tensor([r["ids"]], device=dev)).logits[0].float().cpu().numpy()
        toks = ckpt_util.torch_greedy(m, r["ids"], 16)
        err = float(np.abs(lg - ref).max())
        same = toks == r["tokens"]
        ok &= err <= 2e-5 and same
        print(f"{dev}: load {time.time() - t0:.2f}s, max|logits - mlx_lm| = {err:.3g} "
              f"(max|logit| {np.abs(ref).max():.3g}), greedy 16 tokens == mlx_lm: {same}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    {"prep": prep, "check": check}[sys.argv[1]](sys.argv[2])
