"""Plots a bench/results/cpu-*.csv from bench/cpu_bench.py, one column per shape (float32 x):
top, GB/s of weights vs M per mode (transpose=False dotted) with the same-run read bandwidth and torch's dense f32 linear
(its f32 weight bytes per second); bottom, µs per call vs M with torch and MLX-CPU.
Needs matplotlib (bench only; not a test dependency: pip install matplotlib==3.11.2).
Usage: python bench/plot_cpu.py RESULTS.csv OUT.png"""
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

bw, rows = None, []
for line in open(sys.argv[1]):
    if line.startswith("read_bandwidth_GBps,"):
        bw = float(line.split(",")[1])
    elif line.startswith(("qmlx,", "qmlx_nt,", "torch_f32_linear,", "mlx_cpu_qmm,")):
        f = line.strip().split(",")
        rows.append(dict(kind=f[0], n=int(f[1]), k=int(f[2]), spec=f[3], dtype=f[4], m=int(f[5]), us=float(f[6]), gbps=float(f[7])))
shapes = sorted({(r["n"], r["k"]) for r in rows if r["kind"] == "qmlx"}, key=lambda s: -s[0] * s[1])
specs = sorted({r["spec"] for r in rows if r["kind"] == "qmlx"})
fig, axes = plt.subplots(2, len(shapes), figsize=(4.2 * len(shapes), 6.6), squeeze=False, dpi=55)
cmap = plt.get_cmap("tab20")
for col, (n, k) in enumerate(shapes):
    ax, ax2 = axes[0][col], axes[1][col]
    for i, spec in enumerate(specs):
        pts = sorted((r["m"], r["gbps"]) for r in rows if r["kind"] == "qmlx" and r["spec"] == spec and r["dtype"] == "float32" and (r["n"], r["k"]) == (n, k))
        if pts:
            ax.plot([p[0] for p in pts], [p[1] for p in pts], "-o", color=cmap(i), ms=3, lw=1, label=spec)
        pts = sorted((r["m"], r["us"]) for r in rows if r["kind"] == "qmlx" and r["spec"] == spec and r["dtype"] == "float32" and (r["n"], r["k"]) == (n, k))
        if pts:
            ax2.plot([p[0] for p in pts], [p[1] for p in pts], "-o", color=cmap(i), ms=3, lw=1, label=spec)
    for key, axis in (("gbps", ax), ("us", ax2)):
        for i, spec in enumerate(specs):
            pts = sorted((r["m"], r[key]) for r in rows if r["kind"] == "qmlx_nt" and r["spec"] == spec and r["dtype"] == "float32" and (r["n"], r["k"]) == (n, k))
            if pts:
                axis.plot([p[0] for p in pts], [p[1] for p in pts], ":^", color=cmap(i), ms=3, lw=1, label=f"{spec} transpose=False")
        tp = sorted((r["m"], r[key]) for r in rows if r["kind"] == "torch_f32_linear" and (r["n"], r["k"]) == (n, k))
        if tp:
            axis.plot([p[0] for p in tp], [p[1] for p in tp], "k--", lw=1.5, label="torch f32 linear")
        mp = sorted((r["m"], r[key]) for r in rows if r["kind"] == "mlx_cpu_qmm" and r["spec"] == "affine4g64" and r["dtype"] == "float32" and (r["n"], r["k"]) == (n, k))
        if mp:
            axis.plot([p[0] for p in mp], [p[1] for p in mp], "x:", color="gray", label="MLX-CPU affine4g64")
    ax2.set_xscale("log", base=2)
    ax2.set_yscale("log")
    ax2.set_xlabel("M")
    ax2.set_ylabel("µs per call")
    ax2.grid(alpha=0.3)
    if bw:
        ax.axhline(bw, color="r", ls=":", lw=1.5, label=f"read bw {bw:.0f} GB/s")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_title(f"N×K = {n}×{k}, float32 x", fontsize=9)
    ax.set_ylabel("GB/s of weights")
    ax.grid(alpha=0.3)
axes[0][-1].legend(fontsize=6, loc="lower left", ncol=2)
axes[1][-1].legend(fontsize=6, loc="upper left", ncol=2)
fig.tight_layout()
fig.savefig(sys.argv[2])
