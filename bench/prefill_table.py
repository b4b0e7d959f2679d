"""Joins `qmlx-cuda-check bench --prefill` runs (new path, and baselines run in the same device
call) with bench/cuda_cublas.py --prefill into one CSV row per point. Usage:
  python3 bench/prefill_table.py HEADER_LINE new.csv [label=base.csv ...] cublas.csv > out.csv"""
import sys

def rows(path):
    out = {}
    for line in open(path):
        f = line.strip().split(",")
        if f[0] in ("qmm", "cublas") and len(f) >= 10:
            out[(f[1], f[2], f[3], f[4], f[5])] = (float(f[6]), float(f[9]))
    return out

header, new_path, *rest = sys.argv[1:]
cub_path = rest[-1]
bases = [(a.split("=", 1)[0], rows(a.split("=", 1)[1])) for a in rest[:-1]]
new, cub = rows(new_path), rows(cub_path)
print(f"# {header}")
for path in [new_path] + [a.split("=", 1)[1] for a in rest[:-1]] + [cub_path]:
    for line in open(path):
        if line.startswith(("#", "copy_bandwidth", "torch_copy")):
            print(f"# {path.split('/')[-1]}: {line.strip().lstrip('# ')}")
cols = ["N", "K", "mode", "dtype", "M", "us_new", "TFLOPs_new"]
for label, _ in bases:
    cols += [f"us_{label}", f"TFLOPs_{label}"]
cols += ["us_cublas", "TFLOPs_cublas", "new_vs_cublas"]
print(",".join(cols))
for key, (us, tf) in new.items():
    n, k, mode, dt, m = key
    cdt = "f16" if dt == "float16" else "bf16"
    c = cub.get((n, k, "dense", cdt, m))
    line = [n, k, mode, dt, m, f"{us:.2f}", f"{tf:.1f}"]
    for _, b in bases:
        v = b.get(key)
        line += [f"{v[0]:.2f}", f"{v[1]:.1f}"] if v else ["", ""]
    line += [f"{c[0]:.2f}", f"{c[1]:.1f}", f"{tf / c[1]:.3f}"] if c else ["", "", ""]
    print(",".join(line))
