"""Per-call Python overhead of quantization_mlx in eager mode (issue 3 asks for <= 10 µs).

Times one tiny quantized_matmul (w 4-bit [32, 64]) through each layer, so that the difference
between two rows is what that layer costs. Two inputs: x [0, 64] (an empty batch: the kernel returns
at once, so every row is pure call overhead) and x [1, 64] (a real one-row call, whose kernel time
is the CPU backend's, issue 4):

  rust_run      _rust.gather_qmm on prepared descs: pyo3 argument parsing + op rebuild + kernel
  rust_plan     _rust.plan_matmul alone (the validation the Python layer runs before allocating)
  impl          _impl.quantized_matmul_impl: plan, casts/contiguity, torch.empty, run (no dispatcher)
  torch_op      torch.ops.qmlx.quantized_matmul.default (the registered op, through the dispatcher)
  public        quantization_mlx.quantized_matmul (type checks + the op): what users call
  seed          quantization_mlx.affine_qmm_t (plus the scales/biases casts to x's dtype)
  custom_op     the same impl registered with torch.library.custom_op instead, for comparison
  torch_linear  torch.nn.functional.linear on float tensors of the same size, for scale

Python overhead = public - rust_run (everything our Python layer adds to a call), and
torch_op - rust_run for calls that go through the dispatcher (torch.compile'd graphs, subclasses,
modes, autograd: see _api._direct).

    python bench/python_overhead.py [--out bench/results/python_overhead.md]
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import time

import torch

import quantization_mlx as q
from quantization_mlx import _impl, _rust


def bench(fn, iters=2000, repeats=7):
    for _ in range(200):
        fn()
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter_ns()
        for _ in range(iters):
            fn()
        samples.append((time.perf_counter_ns() - t0) / iters / 1000.0)
    return statistics.median(samples), min(samples)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=None, help="append a markdown table to this file")
    ap.add_argument("--iters", type=int, default=2000)
    args = ap.parse_args()

    torch.manual_seed(0)
    n, k = 32, 64
    w = torch.randn(n, k, dtype=torch.float16)
    wq, s, b = q.quantize(w)
    wf = torch.randn(n, k, dtype=torch.float16)
    op = torch.ops.qmlx.quantized_matmul.default

    @torch.library.custom_op("qmlx_bench::quantized_matmul", mutates_args=())
    def cop(x: torch.Tensor, w: torch.Tensor, scales: torch.Tensor, biases: torch.Tensor, transpose: bool,
            group_size: int, bits: int, mode: str) -> torch.Tensor:
        return _impl.quantized_matmul_impl(x, w, scales, biases, transpose, group_size, bits, mode)

    results = {}
    for m in (0, 1):
        x = torch.randn(m, k, dtype=torch.float16)
        out = torch.empty(m, n, dtype=torch.float16)
        descs = (
            (x.data_ptr(), "float16", x.shape),
            (wq.data_ptr(), "uint32", wq.shape),
            (s.data_ptr(), "float16", s.shape),
            (b.data_ptr(), "float16", b.shape),
        )
        od = (out.data_ptr(), "float16", out.shape)
        metas = [(d[1], d[2]) for d in descs]
        rows = {
            "rust_run": lambda: _rust.gather_qmm(*descs, None, None, None, od, True, "affine", 64, 4, False),
            "rust_plan": lambda: _rust.plan_matmul(*metas, None, None, None, True, "affine", 64, 4, False),
            "impl": lambda: _impl.quantized_matmul_impl(x, wq, s, b, True, 64, 4, "affine"),
            "torch_op": lambda: op(x, wq, s, b, True, None, None, "affine"),
            "public": lambda: q.quantized_matmul(x, wq, s, b),
            "seed": lambda: q.affine_qmm_t(x, wq, s, b, 64, 4),
            "custom_op": lambda: cop(x, wq, s, b, True, 64, 4, "affine"),
            "torch_linear": lambda: torch.nn.functional.linear(x, wf),
        }
        results[m] = {name: bench(fn, args.iters) for name, fn in rows.items()}

    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    except OSError:
        commit = "?"
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    lines = [
        f"### {datetime.date.today()} · commit {commit} · {cpu} ({os.cpu_count()} cores) · "
        f"Python {platform.python_version()} · torch {torch.__version__} · quantization_mlx "
        f"{q.__version__} ({q.build_info()['profile']})",
        "",
        "w 4-bit [32, 64] float16, group 64; median (min) of 7 runs of "
        f"{args.iters} calls, µs per call. x [0, 64]: the kernel returns at once (pure call overhead); "
        "x [1, 64]: a real one-row call.",
        "",
        "| route | x [0, 64] median | min | x [1, 64] median | min |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in results[0]:
        (a, amin), (c, cmin) = results[0][name], results[1][name]
        lines.append(f"| {name} | {a:.2f} | {amin:.2f} | {c:.2f} | {cmin:.2f} |")
    r0 = results[0]
    lines += [
        "",
        f"**Python overhead per call (x [0, 64], medians): public − rust_run = "
        f"{r0['public'][0] - r0['rust_run'][0]:.2f} µs; seed − rust_run = {r0['seed'][0] - r0['rust_run'][0]:.2f} µs; "
        f"through the dispatcher (torch_op − rust_run) = {r0['torch_op'][0] - r0['rust_run'][0]:.2f} µs; "
        f"custom_op route = {r0['custom_op'][0] - r0['rust_run'][0]:.2f} µs.**",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if args.out:
        os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
        with open(args.out, "a") as f:
            f.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
