"""Markdown A/B tables from a tagged qmlx-cuda-check bench CSV (rows `tag,kind,N,K,mode,dtype,M,us,...`, tags
`<name><run>` as the device scripts write them): per (mode, dtype, shape, M) the fastest time of each named
side over its runs, and the candidate's time as a ratio of the baseline's.

    python3 bench/cuda_ab_table.py FILE.csv --base main --new new [--m 1]
    python3 bench/cuda_ab_table.py FILE.csv --base semA,semB,semC --new snew   # several tags = one side
    python3 bench/cuda_ab_table.py FILE.csv --ratios m16n --m 1,2,4,8,16      # M > 1 over M = 1, one side
"""
import argparse
import csv
import re


def load(path, tags, ms):
    best = {}
    for row in csv.reader(line for line in open(path) if not line.startswith("#")):
        if len(row) < 9 or row[1] != "qmm":
            continue
        name = re.sub(r"\d+$", "", row[0])
        if name not in tags or int(row[6]) not in ms:
            continue
        key = (row[4], row[5], f"{row[2]}×{row[3]}", int(row[6]))
        us, pct = float(row[7]), float(row[9])
        if key not in best or us < best[key][0]:
            best[key] = (us, pct)
    return best


def weights(shape):
    n, k = shape.split("×")
    return int(n) * int(k)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv")
    ap.add_argument("--base")
    ap.add_argument("--new")
    ap.add_argument("--ratios")
    ap.add_argument("--m", default="1")
    a = ap.parse_args()
    ms = {int(m) for m in a.m.split(",")}
    order = lambda k: (k[0], k[1], weights(k[2]), k[3])
    if a.ratios:
        side = load(a.csv, set(a.ratios.split(",")), ms)
        others = sorted(ms - {1})
        print("| mode | dtype | shape | M=1 µs | " + " | ".join(f"M={m} / M=1" for m in others) + " |")
        print("|---|---|---|---|" + "---|" * len(others))
        for k in sorted((k for k in side if k[3] == 1), key=order):
            cells = " | ".join(f"{side[(k[0], k[1], k[2], m)][0] / side[k][0]:.2f}×" for m in others)
            print(f"| {k[0]} | {k[1]} | {k[2]} | {side[k][0]:.2f} | {cells} |")
        return
    base, new = load(a.csv, set(a.base.split(",")), ms), load(a.csv, set(a.new.split(",")), ms)
    print("| mode | dtype | shape | M | base µs (% roofline) | new µs (% roofline) | new / base |")
    print("|---|---|---|---|---|---|---|")
    for k in sorted(base, key=order):
        if k in new:
            (bu, bp), (nu, np_) = base[k], new[k]
            print(f"| {k[0]} | {k[1]} | {k[2]} | {k[3]} | {bu:.2f} ({bp:.1f} %) | {nu:.2f} ({np_:.1f} %) | {nu / bu:.3f} |")


if __name__ == "__main__":
    main()
