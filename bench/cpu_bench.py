"""CPU benchmark of qmlx's quantized matmul against the machine, torch and MLX (issue 4).

Runs, in one go on one machine:
  1. `qmlx-bench` (bench/cpu): µs and GB/s of weights for every shape × mode/bits × dtype × M, and
     the machine's read bandwidth (parallel sum over 2 GiB);
  2. torch's dense float32 `linear` on the same shapes and M;
  3. MLX-CPU's `quantized_matmul` on a subset (it is very slow, float16 x especially).
Weights are streamed from memory in every measurement: each configuration rotates over distinct
copies totalling more than 1 GiB (the L3 of the dev machine holds 32 MiB).

Writes bench/results/cpu-<date>.csv (raw rows) and cpu-<date>.md (machine, date, commit, load,
tables); `python bench/plot_cpu.py bench/results/cpu-<date>.csv` draws the plot.

Usage: .venv/bin/python bench/cpu_bench.py [--quick | --focus [--specs LIST]] [--no-mlx] [--tag NAME]
  --focus: the two Llama-3-8B decode shapes 4096×4096 and 14336×4096, seven quantizations (affine 2/3/4/8-bit g64, mxfp4, nvfp4, mxfp8), float32
  x (and float16/bfloat16 x on 4096×4096) (a shorter run for a quiet moment on a shared machine).
  --specs: with --focus, these quantizations instead of the seven (e.g. affine5g64,affine6g64); MLX-CPU then
  times each of them at 4096×4096 M=1 float32 x (plus affine4g64 as in the focus run, if listed).
Both modes also time transpose=False (Ŵ stored [K, N]; 4096×4096, 14336×4096, 4096×14336) at M = 1, 4, 16
for float32 x, with read probes next to each configuration (stage 9; focus: torch also on 4096×14336).
OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are removed from this process's environment (they slow
current BLAS builds; see /work/.library/env/README.md); torch here uses MKL regardless.
"""
import datetime
import os
import platform
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROTATE_BYTES = 1100 << 20
MEASURE_S = 0.4
SHAPES = [(4096, 4096), (14336, 4096), (4096, 14336), (2048, 768)]
MS = [1, 4, 16, 256]


def timed(call, copies, measure_s=MEASURE_S):
    """Fastest over batches of the mean per-call time (seconds), cycling through copies; the same
    rule as `qmlx-bench --min` (the dev machine is shared: only other jobs make a batch slower)."""
    call(copies[0])
    t = time.perf_counter()
    call(copies[len(copies) // 2])
    est = max(time.perf_counter() - t, 1e-6)
    batch = max(1, -(-min(len(copies), int(measure_s / 3 / est)) // 8))
    means, i, start = [], 0, time.perf_counter()
    while len(means) < 3 or time.perf_counter() - start < measure_s:
        t = time.perf_counter()
        for _ in range(batch):
            call(copies[i % len(copies)])
            i += 1
        means.append((time.perf_counter() - t) / batch)
    return min(means)


def bench_torch(shapes, ms, rows):
    import torch

    torch.set_num_threads(os.cpu_count() or 2)
    for n, k in shapes:
        w0 = torch.randn(n, k, dtype=torch.float32)
        nbytes = w0.numel() * 4
        copies = [w0.clone() for _ in range(max(2, -(-ROTATE_BYTES // nbytes)))]
        for m in ms:
            x = torch.randn(m, k, dtype=torch.float32)
            with torch.inference_mode():
                s = timed(lambda w: torch.nn.functional.linear(x, w), copies)
            rows.append(("torch_f32_linear", n, k, "dense_f32", "float32", m, s * 1e6, nbytes / s / 1e9, nbytes))
            print(f"torch f32 linear {n}x{k} M={m}: {s*1e6:.1f} us", flush=True)
        del copies


def bench_mlx(cases, rows):
    import mlx.core as mx

    mx.set_default_device(mx.cpu)
    for n, k, mode, bits, gs, dt, m_list in cases:
        dtype = {"float32": mx.float32, "float16": mx.float16, "bfloat16": mx.bfloat16}[dt]
        w = mx.random.normal((n, k)).astype(dtype)
        q = mx.quantize(w, group_size=gs, bits=bits, mode=mode)
        mx.eval(q)
        parts = list(q)
        nbytes = sum(p.nbytes for p in parts)
        copies = []
        for _ in range(max(2, -(-ROTATE_BYTES // nbytes))):
            c = [p + 0 for p in parts]  # distinct buffers
            mx.eval(c)
            copies.append(c)
        spec = f"affine{bits}g{gs}" if mode == "affine" else mode
        for m in m_list:
            x = mx.random.normal((m, k)).astype(dtype)
            mx.eval(x)

            def call(c):
                if mode == "affine":
                    y = mx.quantized_matmul(x, c[0], c[1], c[2], transpose=True, group_size=gs, bits=bits, mode=mode)
                else:
                    y = mx.quantized_matmul(x, c[0], c[1], transpose=True, group_size=gs, bits=bits, mode=mode)
                mx.eval(y)

            s = timed(call, copies, measure_s=MEASURE_S if dt == "float32" else 0.1)
            rows.append(("mlx_cpu_qmm", n, k, spec, dt, m, s * 1e6, nbytes / s / 1e9, nbytes))
            print(f"MLX-CPU {spec} {dt} {n}x{k} M={m}: {s*1e6:.1f} us", flush=True)
        del copies


def mlx_case(spec):
    """(mode, bits, group size) of a qmlx-bench spec name: affine<B>g<G>, mxfp4, mxfp8, nvfp4."""
    fixed = {"mxfp4": ("mxfp4", 4, 32), "mxfp8": ("mxfp8", 8, 32), "nvfp4": ("nvfp4", 4, 16)}
    if spec in fixed:
        return fixed[spec]
    bits, gs = spec.removeprefix("affine").split("g")
    return ("affine", int(bits), int(gs))


def machine():
    model = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    flags = ""
    try:
        flags = open("/proc/cpuinfo").read()
    except OSError:
        pass
    feats = [f for f in ["avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16", "avx512_fp16"] if f" {f}" in flags]
    return f"{model}, {os.cpu_count()} cores ({' '.join(feats)}), {platform.system()} {platform.release()}"


def main():
    quick = "--quick" in sys.argv
    focus = "--focus" in sys.argv
    no_mlx = "--no-mlx" in sys.argv
    tag = sys.argv[sys.argv.index("--tag") + 1] if "--tag" in sys.argv else ""
    focus_specs = "affine4g64,affine8g64,affine3g64,affine2g64,mxfp4,nvfp4,mxfp8"
    if "--specs" in sys.argv:
        if not focus:
            sys.exit("--specs needs --focus")
        focus_specs = sys.argv[sys.argv.index("--specs") + 1]
    for v in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        os.environ.pop(v, None)
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "crates/qmlx-core/src/cpu", "bench/cpu"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    load0 = os.getloadavg()
    out_dir = os.path.join(ROOT, "bench", "results")
    os.makedirs(os.path.join(ROOT, "bench", "out"), exist_ok=True)
    raw = os.path.join(ROOT, "bench", "out", "qmlx.csv")
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "qmlx-bench"], cwd=ROOT, check=True)
    args = [os.path.join(ROOT, "target", "release", "qmlx-bench"), "--min", "--csv", raw]
    if quick:
        args.append("--quick")
    if focus:
        args += ["--shapes", "4096x4096,14336x4096", "--specs", focus_specs, "--dtypes", "f32,f16,bf16"]
    subprocess.run(args, cwd=ROOT, check=True)
    # transpose=False (x @ Ŵ with Ŵ stored [K, N]): small M, float32 x, the main modes.
    raw_nt = os.path.join(ROOT, "bench", "out", "qmlx_nt.csv")
    if not quick:
        # (With its own read probes: each row's % of the probe next to it, as for transpose=True.)
        nt = [args[0], "--min", "--csv", raw_nt, "--orient", "n", "--m", "1,4,16", "--dtypes", "f32",
              "--specs", "affine4g64,affine8g64,mxfp4", "--shapes", "4096x4096,14336x4096,4096x14336"]
        subprocess.run(nt, cwd=ROOT, check=True)
    bw, rows = None, []
    # The probe's best whole pass (STREAM's statistic) and median window (see qmlx-bench's ReadProbe).
    bw_pass, bw_median = float("nan"), float("nan")
    for path in [raw] + ([raw_nt] if not quick else []):
        for line in open(path):
            f = line.strip().split(",")
            if f[0] == "read_bandwidth_GBps" and path == raw:
                bw = float(f[1])
            elif f[0] == "read_best_pass_GBps" and path == raw:
                bw_pass = float(f[1])
            elif f[0] == "read_median_window_GBps" and path == raw:
                bw_median = float(f[1])
            elif f[0] in ("qmlx", "qmlx_nt"):
                # (The last field: the read probe right before/after the row's configuration.)
                near = float(f[11]) if len(f) > 11 else float("nan")
                rows.append((f[0], int(f[1]), int(f[2]), f[3], f[4], int(f[5]), float(f[6]), float(f[7]), int(f[8]), near))
    # (Focus: 4096×14336 for its transpose=False rows.)
    shapes = [(4096, 4096)] if quick else SHAPES[:3] if focus else SHAPES
    ms = [1, 256] if quick else MS
    bench_torch(shapes, ms, rows)
    if not no_mlx:
        cases = [(4096, 4096, "affine", 4, 64, "float32", ms)]
        if focus:
            cases = [(4096, 4096, "affine", 4, 64, "float32", [1, 4, 16]), (14336, 4096, "affine", 4, 64, "float32", [1])]
            others = [("affine", 8, 64), ("mxfp4", 4, 32), ("nvfp4", 4, 16)]
            if "--specs" in sys.argv:
                others = [mlx_case(s) for s in focus_specs.split(",") if s != "affine4g64"]
                if "affine4g64" not in focus_specs.split(","):
                    cases = []
            cases += [(4096, 4096, mode, bits, gs, "float32", [1]) for mode, bits, gs in others]
        elif not quick:
            cases += [(n, k, "affine", 4, 64, "float32", [1]) for n, k in SHAPES[1:]]
            cases += [(4096, 4096, mode, bits, gs, "float32", [1]) for mode, bits, gs in
                      [("affine", 2, 64), ("affine", 3, 64), ("affine", 8, 64), ("mxfp4", 4, 32), ("mxfp8", 8, 32), ("nvfp4", 4, 16)]]
            cases += [(4096, 4096, "affine", 4, 64, "bfloat16", [1]), (2048, 768, "affine", 4, 64, "float16", [1])]
        bench_mlx(cases, rows)
    load1 = os.getloadavg()
    base = os.path.join(out_dir, f"cpu-{date}{'-' + tag if tag else ''}")
    with open(base + ".csv", "w") as fh:
        fh.write(f"# machine: {machine()}\n# date: {stamp}\n# commit: {commit}{' (+uncommitted kernel changes)' if dirty else ''}\n")
        fh.write(f"# load average before/after: {load0[0]:.2f} / {load1[0]:.2f}\n")
        fh.write(f"read_bandwidth_GBps,{bw:.3f}\n")
        fh.write(f"read_best_pass_GBps,{bw_pass:.3f}\nread_median_window_GBps,{bw_median:.3f}\n")
        fh.write("kind,N,K,spec,dtype,M,us,GBps_weights,weight_bytes,probe_near_GBps\n")
        for r in rows:
            r = tuple(r) + (float("nan"),) * (10 - len(r))
            fh.write(",".join(str(v) if not isinstance(v, float) else f"{v:.3f}" for v in r) + "\n")
    write_markdown(base + ".md", rows, (bw, bw_pass, bw_median), stamp, commit, dirty, load0, load1, " ".join(sys.argv[1:]))
    print(f"wrote {base}.csv and {base}.md")


def write_markdown(path, rows, probe, stamp, commit, dirty, load0, load1, flags):
    bw, bw_pass, bw_median = probe
    torch_us = {(r[1], r[2], r[5]): r[6] for r in rows if r[0] == "torch_f32_linear"}
    mlx_us = {(r[1], r[2], r[3], r[4], r[5]): r[6] for r in rows if r[0] == "mlx_cpu_qmm"}
    lines = [
        "# qmlx CPU benchmark",
        "",
        f"- machine: {machine()}",
        f"- date: {stamp}; commit {commit}{' (+uncommitted kernel changes)' if dirty else ''}",
        "- command: `" + " ".join([".venv/bin/python bench/cpu_bench.py"] + ([flags] if flags else [])) + "`",
        f"- load average before / after: {load0[0]:.2f} / {load1[0]:.2f} (the dev machine is shared; timings are wall clock)",
        f"- read bandwidth, same run (parallel sum over 2 GiB; best over 5 at the start, 3 before every configuration, 3 at the end): **{bw:.1f} GB/s**",
        f"- the same probe's best whole 2 GiB pass (STREAM's statistic: best of many full passes): **{bw_pass:.1f} GB/s**; its median",
        f"  128 MiB window: {bw_median:.1f} GB/s (the best window is the fast memory state where one occurred: cpu-2026-11-28-stage11-notes.md); `% pass` is against the best pass",
        "- probe next to it: the better of the probes (3 passes each) right before and right after the row's configuration; the host's",
        "  memory has a slow (~45–50 GB/s) and a fast (~73–79 GB/s) state that change within seconds, so rows of one run can fall into",
        "  different states: `% read bw` is against the run's best probe, `% probe next to it` against the row's own state",
        "- every time (qmlx, torch, MLX) is the fastest of many short batches (mean µs per call within a batch): the machine is shared",
        "- weights streamed from memory: every configuration rotates over copies totalling > 1 GiB",
        "- GB/s = bytes of packed weights + scales + biases per call / time; vs torch = torch f32 `linear` µs / qmlx µs",
        "- N×K: y[M, N] = x[M, K] @ Ŵᵀ with Ŵ stored [N, K] (transpose=True); rows marked transpose=False store Ŵ as [K, N]",
        "",
        "| N×K | spec | dtype | M | qmlx µs | GB/s | % read bw | % pass | probe next to it GB/s | % probe next to it | torch f32 µs | × torch | MLX-CPU µs | × MLX |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in sorted((r for r in rows if r[0] in ("qmlx", "qmlx_nt")), key=lambda r: r[0] == "qmlx_nt"):
        kind, n, k, spec, dt, m, us, gbps, _, near = r
        if kind == "qmlx_nt":
            spec += " (transpose=False)"
        t = torch_us.get((n, k, m))
        x = mlx_us.get((n, k, spec, dt, m))
        lines.append(
            f"| {n}×{k} | {spec} | {dt} | {m} | {us:.1f} | {gbps:.2f} | {100 * gbps / bw:.0f}% | {100 * gbps / bw_pass:.0f}% | "
            + (f"{near:.1f} | {100 * gbps / near:.0f}% | " if near == near else "– | – | ")
            + (f"{t:.1f} | {t / us:.2f} |" if t else "– | – |")
            + (f" {x:.1f} | {x / us:.1f} |" if x else " – | – |")
        )
    open(path, "w").write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
