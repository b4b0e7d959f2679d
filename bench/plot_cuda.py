"""Plots bench/results/cuda-bench-*.csv: time vs M per shape for qmlx-cuda and cuBLAS fp16, with the
memory roofline of 4-bit weights. Usage: plot_cuda.py RESULTS.csv OUT.png"""
import csv, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

rows, bw = [], None
for line in open(sys.argv[1]):
    if line.startswith("copy_bandwidth_GBps,"):
        bw = float(line.split(",")[1]) * 1e9
    if line.startswith(("qmm,", "cublas,")):
        r = line.strip().split(",")
        dt = {"float16": "f16", "bfloat16": "bf16", "float32": "f32"}.get(r[4], r[4])
        rows.append(dict(kind=r[0], N=int(r[1]), K=int(r[2]), mode=r[3], dtype=dt, M=int(r[5]), us=float(r[6])))
shapes = sorted({(r["N"], r["K"]) for r in rows})
fig, axes = plt.subplots(1, len(shapes), figsize=(5 * len(shapes), 4), squeeze=False)
for ax, (n, k) in zip(axes[0], shapes):
    for kind, mode, dt, style in [("cublas", "dense", "f16", "k-"), ("qmm", "affine4g64", "f16", "b-o"),
                                  ("qmm", "affine8g64", "f16", "g-s"), ("qmm", "mxfp4", "f16", "m-^"),
                                  ("qmm", "affine3g64", "f16", "c-v")]:
        pts = sorted((r["M"], r["us"]) for r in rows if r["kind"] == kind and r["mode"] == mode and r["dtype"] == dt and (r["N"], r["K"]) == (n, k))
        if pts:
            ax.plot([p[0] for p in pts], [p[1] for p in pts], style, label=f"{mode} {dt}" if kind == "qmm" else "cuBLAS fp16", ms=3)
    if bw:
        ms = sorted({r["M"] for r in rows})
        roof = [(n * k * 4.5 / 8 + (m * k + m * n) * 2) / bw * 1e6 for m in ms]
        ax.plot(ms, roof, "r:", label="4-bit g64 memory roofline")
    ax.set_xscale("log", base=2); ax.set_yscale("log")
    ax.set_title(f"N×K = {n}×{k}"); ax.set_xlabel("M"); ax.set_ylabel("µs per call"); ax.grid(alpha=0.3)
axes[0][0].legend(fontsize=7)
fig.tight_layout()
fig.savefig(sys.argv[2], dpi=110)
