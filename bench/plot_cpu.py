"""Plots a bench/results/cpu-*.csv from bench/cpu_bench.py: GB/s of weights vs M per mode (float32 x),
one panel per shape, with the same-run read bandwidth and torch's dense f32 linear (its f32 weight
bytes per second) as reference lines. Needs matplotlib (bench only; not a test dependency).
Usage: python bench/plot_cpu.py RESULTS.csv OUT.png"""
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

bw, rows = None, []
for line in open(sys.argv[1]):
    if line.startswith("read_bandwidth_GBps,"):
        bw = float(line.split(",")[1])
    elif line.startswith(("qmlx,", "torch_f32_linear,", "mlx_cpu_qmm,")):
        f = line.strip().split(",")
        rows.append(dict(kind=f[0], n=int(f[1]), k=int(f[2]), spec=f[3], dtype=f[4], m=int(f[5]), us=float(f[6]), gbps=float(f[7])))
shapes = sorted({(r["n"], r["k"]) for r in rows if r["kind"] == "qmlx"}, key=lambda s: -s[0] * s[1])
specs = sorted({r["spec"] for r in rows if r["kind"] == "qmlx"})
fig, axes = plt.subplots(1, len(shapes), figsize=(4.2 * len(shapes), 3.6), squeeze=False, dpi=80)
cmap = plt.get_cmap("tab20")
for ax, (n, k) in zip(axes[0], shapes):
    for i, spec in enumerate(specs):
        pts = sorted((r["m"], r["gbps"]) for r in rows if r["kind"] == "qmlx" and r["spec"] == spec and r["dtype"] == "float32" and (r["n"], r["k"]) == (n, k))
        if pts:
            ax.plot([p[0] for p in pts], [p[1] for p in pts], "-o", color=cmap(i), ms=3, lw=1, label=spec)
    tp = sorted((r["m"], r["gbps"]) for r in rows if r["kind"] == "torch_f32_linear" and (r["n"], r["k"]) == (n, k))
    if tp:
        ax.plot([p[0] for p in tp], [p[1] for p in tp], "k--", lw=1.5, label="torch f32 linear")
    mp = sorted((r["m"], r["gbps"]) for r in rows if r["kind"] == "mlx_cpu_qmm" and r["spec"] == "affine4g64" and r["dtype"] == "float32" and (r["n"], r["k"]) == (n, k))
    if mp:
        ax.plot([p[0] for p in mp], [p[1] for p in mp], "x:", color="gray", label="MLX-CPU affine4g64")
    if bw:
        ax.axhline(bw, color="r", ls=":", lw=1.5, label=f"read bw {bw:.0f} GB/s")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_title(f"N×K = {n}×{k}, float32 x", fontsize=9)
    ax.set_xlabel("M")
    ax.set_ylabel("GB/s of weights")
    ax.grid(alpha=0.3)
axes[0][-1].legend(fontsize=6, loc="lower left", ncol=2)
fig.tight_layout()
fig.savefig(sys.argv[2])
