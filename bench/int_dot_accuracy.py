"""Accuracy of the CPU integer row dots (x split into int8 limbs, `Kernels::Avx512Vnni`) against
float64 and MLX-CPU, on the same inputs (issue 4: the faster path must be at least as accurate as
MLX; the default path must meet the project floors).

Writes cases (x, MLX-quantized weights) under bench/out/int_dot_acc/, runs
`target/release/int_accuracy` on them (every CPU kernel set this machine runs), runs MLX-CPU's
`quantized_matmul` on the same arrays, and prints per case max|y - y64| / max|y64| for each.

Usage: .venv/bin/python bench/int_dot_accuracy.py [--out FILE.md] [--specs affine:64:3,mxfp4:32:4,...] [--orient n]
(default: the 4-bit specs of stage 4; stage 6 added the affine 2/3/8-bit integer dots). `--orient n`:
transpose=False instead (W stored [K, N], grouped along N; M = 1, 3, 16; every kernel set runs its
transpose=False path, the f32 FMAs of `body::axpy_rows`).
"""
import argparse
import os
import subprocess
import sys

import mlx.core as mx
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench", "out", "int_dot_acc")
BIN = os.path.join(ROOT, "target", "release", "int_accuracy")
FLOOR = {"float32": 2e-6, "float16": 1.5e-3, "bfloat16": 1.2e-2}
MX_DT = {"float32": mx.float32, "float16": mx.float16, "bfloat16": mx.bfloat16}
FP4 = np.array([0, 0.5, 1, 1.5, 2, 3, 4, 6, -0.0, -0.5, -1, -1.5, -2, -3, -4, -6], dtype=np.float64)


def to_np64(a):
    return np.array(a.astype(mx.float32), dtype=np.float64)


def raw(a, dtype):
    """Bytes of an MLX array in its own dtype (bf16 through a uint16 view)."""
    if dtype == "bfloat16":
        return np.array(a.view(mx.uint16)).tobytes()
    return np.array(a).tobytes()


def e4m3(b):
    b = b.astype(np.int64)
    s = np.where(b & 0x80, -1.0, 1.0)
    e = (b >> 3) & 0xF
    m = b & 7
    v = np.where(e == 0, m / 8.0 * 2.0 ** -6, (1 + m / 8.0) * 2.0 ** (e - 7))
    return s * v


def weights64(mode, gs, bits, wq, s, b, n, k):
    """Exact stored weights in float64."""
    # Codes: an LSB-first bitstream over the little-endian u32 words of each row.
    stream = np.unpackbits(np.array(wq).view(np.uint8).reshape(n, -1), axis=1, bitorder="little")
    codes = stream[:, : k * bits].reshape(n, k, bits).astype(np.int64) @ (1 << np.arange(bits, dtype=np.int64))
    g = lambda a: np.repeat(a, gs, axis=1)
    if mode == "affine":
        return g(to_np64(s)) * codes + g(to_np64(b))
    sb = np.array(s).astype(np.int64)
    scale = 2.0 ** (sb - 127) if mode in ("mxfp4", "mxfp8") else e4m3(sb)
    return (e4m3(codes) if mode == "mxfp8" else FP4[codes]) * g(scale)


def make_x(kind, rng, m, k):
    x = rng.uniform(-1, 1, size=(m, k))
    if kind == "outliers":  # a few elements 100x the rest
        idx = rng.choice(k, size=6, replace=False)
        x[:, idx] *= 100.0
    elif kind == "mixed":  # groups of 64 with magnitudes over 4 decades
        x *= np.repeat(10.0 ** rng.uniform(-3, 1, size=(m, k // 64 + 1)), 64, axis=1)[:, :k]
    elif kind == "normal":
        x = rng.standard_normal((m, k))
    elif kind == "offset":  # large common mean (cancellation in the bias/offset terms)
        x = 1.0 + 0.01 * x
    return x


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out")
    ap.add_argument("--specs", help="comma-separated mode:group_size:bits")
    ap.add_argument("--seed", type=int, default=20261126, help="draw of W and x (default: stage 4's)")
    ap.add_argument("--orient", default="t", help="t: transpose=True (default); n: transpose=False")
    args = ap.parse_args()
    mx.set_default_device(mx.cpu)
    rng = np.random.default_rng(args.seed)
    specs = [("affine", 64, 4), ("affine", 32, 4), ("affine", 128, 4), ("mxfp4", 32, 4), ("nvfp4", 16, 4)]
    if args.specs:
        specs = [(m, int(g), int(b)) for m, g, b in (t.split(":") for t in args.specs.split(","))]
    cases = []
    i = 0
    for mode, gs, bits in specs:
        for dtype in ["float32", "float16", "bfloat16"]:
            for xk in ["uniform", "normal", "outliers", "mixed", "offset"]:
                nt = args.orient == "n"
                mks = [(1, 4096), (4, 4096 + {16: 32, 32: 32, 64: 64}.get(gs, 128))]
                if nt:  # K rows with a tail of the 64-row blocks; N = 384 (not a multiple of 256)
                    mks = [(1, 4096), (3, 4096 + 40), (16, 4096)]
                for m, k in mks:
                    if mode != "affine" or gs != 64:
                        if m > 1 and xk not in ("uniform", "outliers"):
                            continue
                    n = 384 if nt else 256
                    d = os.path.join(OUT, f"c{i:03d}")
                    os.makedirs(d, exist_ok=True)
                    w = mx.array(rng.standard_normal((k, n) if nt else (n, k)).astype(np.float32)).astype(MX_DT[dtype])
                    q = mx.quantize(w, group_size=gs, bits=bits, mode=mode)
                    wq, s = q[0], q[1]
                    b = q[2] if mode == "affine" else None
                    x = mx.array(make_x(xk, rng, m, k).astype(np.float32)).astype(MX_DT[dtype])
                    y_mlx = mx.quantized_matmul(x, wq, s, b, transpose=not nt, group_size=gs, bits=bits, mode=mode)
                    mx.eval(y_mlx)
                    if nt:
                        y64 = to_np64(x) @ weights64(mode, gs, bits, wq, s, b, k, n)
                    else:
                        y64 = to_np64(x) @ weights64(mode, gs, bits, wq, s, b, n, k).T
                    with open(os.path.join(d, "meta.txt"), "w") as f:
                        f.write(f"{mode} {gs} {bits} {dtype} {m} {n} {k}{' nt' if nt else ''}\n")
                    open(os.path.join(d, "x.bin"), "wb").write(raw(x, dtype))
                    open(os.path.join(d, "wq.bin"), "wb").write(np.array(wq).tobytes())
                    open(os.path.join(d, "s.bin"), "wb").write(raw(s, dtype) if mode == "affine" else np.array(s).tobytes())
                    if b is not None:
                        open(os.path.join(d, "b.bin"), "wb").write(raw(b, dtype))
                    cases.append((d, mode, gs, bits, dtype, xk, m, k, y64, to_np64(y_mlx)))
                    i += 1
    subprocess.run([BIN] + [c[0] for c in cases], check=True)
    lines = ["| spec | dtype | x | M×K | floor | MLX-CPU | reference (scalar) | avx512 (f32 kernels) | avx512vnni | avx512vnni path | vnni / MLX | vnni / avx512 |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    worst = {}
    for d, mode, gs, bits, dtype, xk, m, k, y64, y_mlx in cases:
        den = np.abs(y64).max()
        err = lambda y: np.abs(y.reshape(y64.shape) - y64).max() / den
        e = {kn: err(np.fromfile(os.path.join(d, f"y_{kn}.bin"), dtype=np.float32).astype(np.float64))
             for kn in ["reference", "avx512", "avx512vnni"]}
        e_mlx = err(y_mlx)
        # Which kernels avx512vnni ran (kernels::int_dot_limbs): integer dots for 2/3/4-bit codes
        # (2/3: with VBMI), f16/bf16 x at any M, f32 x for single x rows (2/4-bit; M = 4 is one
        # block of 4) or any M (3-bit); 8-bit codes: the f32 kernels (stage-6 commit 1e32763 ran
        # integer dots for 8-bit with f16/bf16 x).
        if args.orient == "n":
            path = "transpose=False f32 FMAs"
        elif mode == "mxfp8":
            # Stage 6b: codes made bf16 for single x rows; bf16/f16 x as 1/2 bf16 terms (vdpbf16ps),
            # f32 x as is with f32 FMAs (3866eaa; before it: 3 bf16 terms).
            path = {"bfloat16": "bf16, 1 term", "float16": "bf16, 2 terms", "float32": "bf16 codes, f32 FMAs"}[dtype] if m == 1 else "f32 kernels"
        elif bits == 8:
            path = "f32 kernels"
        elif dtype != "float32":
            path = "int, 2 limbs"
        else:
            # (5/6-bit since stage 12: M = 1 and blocks of 4; the script's M = 4 is one block of 4.)
            path = "int, 3 limbs" if m == 1 or bits in (3, 5, 6) else "f32 kernels"
        spec = f"{mode}{'' if mode != 'affine' else f'{bits}g{gs}'}"
        r_mlx = e["avx512vnni"] / e_mlx
        r_f = e["avx512vnni"] / e["avx512"]
        if path.startswith(("int", "bf16", "transpose=False")):
            w = worst.setdefault((spec, dtype), [0.0, 0.0, 0.0])
            w[0], w[1], w[2] = max(w[0], r_mlx), max(w[1], r_f), max(w[2], e["avx512vnni"] / FLOOR[dtype])
        lines.append(f"| {spec} | {dtype} | {xk} | {m}×{k} | {FLOOR[dtype]:.1e} | {e_mlx:.2e} | {e['reference']:.2e} | "
                     f"{e['avx512']:.2e} | {e['avx512vnni']:.2e} | {path} | {r_mlx:.2f} | {r_f:.2f} |")
    lines += ["", "Integer-dot cases, worst per spec and dtype (error ratios; ≤ 1 = no worse):", "",
              "| spec | dtype | max vnni/MLX | max vnni/avx512 | max vnni/floor |", "|---|---|---|---|---|"]
    lines += [f"| {s} | {d} | {v[0]:.2f} | {v[1]:.2f} | {v[2]:.2f} |" for (s, d), v in sorted(worst.items())]
    text = "\n".join(lines)
    print(text)
    if args.out:
        open(args.out, "w").write(text + "\n")


if __name__ == "__main__":
    sys.exit(main())
