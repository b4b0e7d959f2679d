"""Issue 5's targets from one combined bench file (qmlx-cuda-check bench + bench/cuda_cublas.py, same call).

Usage: python3 bench/cuda_targets.py RESULTS.csv > TARGETS.md
Prints, per target, the measured ratio for each shape: M=1 % of the copy roofline (f16), the M <= 16 time
as a multiple of the M=1 time, M >= 1024 TFLOP/s against cuBLAS of the same dtype, and MoE decode % of the
roofline of the experts touched.
"""
import sys
from collections import defaultdict

qmm, moe, cublas, header = {}, {}, {}, []
for line in open(sys.argv[1]):
    if line.startswith("#"):
        header.append(line.strip())
    r = line.strip().split(",")
    if r[0] == "qmm":
        qmm[(int(r[1]), int(r[2]), r[3], r[4], int(r[5]))] = (float(r[6]), float(r[8]), float(r[9]))
    elif r[0] == "moe":
        moe[(int(r[1]), int(r[2]), r[3], r[4], int(r[5]))] = (float(r[6]), float(r[8]))
    elif r[0] == "cublas":
        dt = {"f16": "float16", "bf16": "bfloat16"}[r[4]]
        cublas[(int(r[1]), int(r[2]), dt, int(r[5]))] = (float(r[6]), float(r[9]))

SHAPES = [(4096, 4096), (14336, 4096), (4096, 14336), (28672, 4096)]
print("\n".join(h for h in header if "device" in h or "commit" in h or "torch" in h))
print()
print("## M=1 (f16): % of the copy-bandwidth roofline (target 85 % for 4/8-bit, 75 % for 3/5/6-bit)\n")
print("| mode | " + " | ".join(f"{n}×{k}" for n, k in SHAPES) + " |")
print("|---|" + "---|" * len(SHAPES))
for mode in ["affine2g64", "affine3g64", "affine4g64", "affine5g64", "affine6g64", "affine8g64", "mxfp4", "mxfp8", "nvfp4"]:
    cells = [f"{qmm[(n, k, mode, 'float16', 1)][1]:.1f} % ({qmm[(n, k, mode, 'float16', 1)][0]:.2f} µs)"
             if (n, k, mode, "float16", 1) in qmm else "–" for n, k in SHAPES]
    print(f"| {mode} | " + " | ".join(cells) + " |")
print("\ncuBLAS fp16 at M=1, same call: " + ", ".join(
    f"{n}×{k} {cublas[(n, k, 'float16', 1)][0]:.2f} µs" for n, k in SHAPES if (n, k, "float16", 1) in cublas))
print("\n## M ≤ 16: time as a multiple of the M=1 time (target ≤ 1.5×), affine 4-bit\n")
print("| dtype | M | " + " | ".join(f"{n}×{k}" for n, k in SHAPES) + " |")
print("|---|---|" + "---|" * len(SHAPES))
for dt in ["float16", "bfloat16"]:
    for m in [2, 4, 8, 16]:
        cells = []
        for n, k in SHAPES:
            a, b = qmm.get((n, k, "affine4g64", dt, m)), qmm.get((n, k, "affine4g64", dt, 1))
            cells.append(f"{a[0] / b[0]:.2f}×" if a and b else "–")
        print(f"| {dt} | {m} | " + " | ".join(cells) + " |")
print("\n## M ≥ 1024: TFLOP/s and ratio to cuBLAS of the same dtype (target ≥ 0.9×)\n")
print("| mode | dtype | M | " + " | ".join(f"{n}×{k}" for n, k in SHAPES) + " |")
print("|---|---|---|" + "---|" * len(SHAPES))
modes = sorted({key[2] for key in qmm})
for mode in modes:
    for dt in ["float16", "bfloat16"]:
        for m in [1024, 4096]:
            cells = []
            for n, k in SHAPES:
                a, c = qmm.get((n, k, mode, dt, m)), cublas.get((n, k, dt, m))
                cells.append(f"{a[2]:.0f} ({a[2] / c[1]:.2f}×)" if a and c else "–")
            if any(x != "–" for x in cells):
                print(f"| {mode} | {dt} | {m} | " + " | ".join(cells) + " |")
print("\ncuBLAS TFLOP/s, same call: " + ", ".join(
    f"{n}×{k} {dt} M={m}: {cublas[(n, k, dt, m)][1]:.0f}" for n, k in SHAPES for dt in ["float16", "bfloat16"]
    for m in [1024, 4096] if (n, k, dt, m) in cublas))
print("\n## MoE decode (Qwen3-30B-A3B layer, sorted rhs): % of the roofline of the experts touched (target 75 %)\n")
print("| N×K | mode | dtype | 1 token | 8 tokens | 64 tokens |")
print("|---|---|---|---|---|---|")
rows = defaultdict(dict)
for (n, k, mode, dt, t), (us, pct) in moe.items():
    rows[(n, k, mode, dt)][t] = f"{pct:.1f} % ({us:.1f} µs)"
for (n, k, mode, dt), c in sorted(rows.items()):
    print(f"| {n}×{k} | {mode} | {dt} | " + " | ".join(c.get(t, "–") for t in [1, 8, 64]) + " |")
