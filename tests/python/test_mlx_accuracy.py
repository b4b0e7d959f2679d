"""Accuracy of quantization_mlx's matmuls and dequantize, against float64 and live MLX (mlx[cpu]).

The metric (issue 2): Ŵ64 = exact float64 of the stored weights, y64 = x64 @ Ŵ64,
err = max|y − y64| / max|y64|; required err ≤ max(1.5 × err of MLX-CPU on the same inputs, floor),
floor 2e-6 (float32) / 1.5e-3 (float16) / 1.2e-2 (bfloat16) of the output dtype.

Stored weights are random packed codes with random scales (no quantizer involved), so these tests
check the matmul alone. Dequantize is checked bit-exactly against the GPU definitions
(affine T(fma_f32(s, q, b)); fp T(value · f32(scale [· f32(g/2688)]))), not against MLX-CPU, which
rounds affine twice (spec §4.4).

Seeds are printed ([seed] lines); replay with QMLX_TEST_SEED=<seed>. Set QMLX_ACCURACY_CSV=<path> to
append every case's (ours, MLX-CPU, bound) errors to a CSV file.
"""

from __future__ import annotations

import importlib
import os

import mlx.core as mx
import numpy as np
import pytest
import torch

import mlx_ref as R

AFFINE_BITS = (1, 2, 3, 4, 5, 6, 8)
GROUP_SIZES = (32, 64, 128)
ALL_MODES = [("affine", gs, b) for b in AFFINE_BITS for gs in GROUP_SIZES] + [
    ("mxfp4", 32, 4), ("mxfp8", 32, 8), ("nvfp4", 16, 4)]


def mode_id(m):
    mode, gs, bits = m
    return mode if mode != "affine" else f"affine-b{bits}-g{gs}"


@pytest.fixture(scope="module")
def qm():
    try:
        return importlib.import_module("quantization_mlx")
    except ImportError as e:  # The package is a hard requirement of this suite: fail, never skip.
        pytest.fail(f"quantization_mlx is not importable ({e}); build it first (bash scripts/test.sh)")


def log_case(case: str, err: float, mlx_err: float | None, bound: float):
    print(f"[accuracy] {case}: err={err:.3e} mlx_cpu_err={mlx_err if mlx_err is None else f'{mlx_err:.3e}'} bound={bound:.3e}")
    path = os.environ.get("QMLX_ACCURACY_CSV")
    if path:
        with open(path, "a") as f:
            f.write(f"{case},{err:.6e},{'' if mlx_err is None else f'{mlx_err:.6e}'},{bound:.6e}\n")


def check_accuracy(case: str, y, y64: np.ndarray, y_mlx=None, floor_dtype: str | None = None):
    """The project's metric; `y_mlx` is MLX-CPU's output on the same inputs (None: floor only)."""
    out_dtype = R.dtype_name(y)
    floor = R.FLOOR[floor_dtype or out_dtype]
    err = R.rel_err(y, y64)
    mlx_err = None
    if y_mlx is not None:
        assert tuple(y.shape) == tuple(y_mlx.shape), f"{case}: shape {tuple(y.shape)} != MLX {tuple(y_mlx.shape)}"
        assert out_dtype == R.dtype_name(y_mlx), f"{case}: dtype {out_dtype} != MLX {R.dtype_name(y_mlx)}"
        # Only the lazy shape/dtype for empty outputs: evaluating an empty quantized_matmul kills
        # MLX-CPU 0.32.4 with SIGFPE (every mode and orientation).
        mlx_err = R.rel_err(y_mlx, y64) if y_mlx.size else 0.0
    bound = max(1.5 * mlx_err, floor) if mlx_err is not None and np.isfinite(mlx_err) else floor
    log_case(case, err, mlx_err, bound)
    assert err <= bound, f"{case}: err {err:.3e} > bound {bound:.3e} (MLX-CPU err {mlx_err})"


def mode_params(mode, gs, bits):
    dgs, dbits = R.MODE_DEFAULTS[mode]
    return gs or dgs, bits or dbits


def make_case(gen, mode, gs, bits, dtype, transpose, x_shape, w_batch, n_or_k):
    """x [x_shape] (last dim K) and stored weights for it. For transpose=True `n_or_k` is N (free);
    for transpose=False it is ignored: N comes from the stored columns (a multiple of gs)."""
    gs_, bits_ = mode_params(mode, gs, bits)
    k = x_shape[-1]
    if transpose:
        rows, cols = n_or_k, k
    else:
        rows, cols = k, n_or_k
    wq, s, b = R.random_stored(gen, w_batch, rows, cols, gs_, bits_, mode, dtype)
    x = R.np_to_torch(gen.normal(0, 1, x_shape), dtype)
    w64 = R.stored_weights_f64(wq, s, b, gs_, bits_, mode)
    return x, wq, s, b, w64


def mlx_args(x, wq, s, b):
    return R.torch_to_mx(x), R.torch_to_mx(wq), R.torch_to_mx(s), None if b is None else R.torch_to_mx(b)


# ============================================================================================
# quantized_matmul: every mode × dtype × orientation


@pytest.mark.parametrize("transpose", [True, False])
@pytest.mark.parametrize("dtype", R.DTYPES)
@pytest.mark.parametrize("m", ALL_MODES, ids=mode_id)
def test_quantized_matmul_accuracy_every_mode(qm, m, dtype, transpose):
    mode, gs, bits = m
    gs_, _ = mode_params(mode, gs, bits)
    gen = R.rng(f"qmm-{mode_id(m)}-{dtype}-{transpose}")
    mrows = (1, 3, 33)[ALL_MODES.index(m) % 3]
    if transpose:  # K = several groups; N odd (free for transpose=True)
        k, n = 3 * gs_, 13
    else:  # K odd (free), N = the stored columns = two groups
        k, n = 37, 2 * gs_
    x, wq, s, b, w64 = make_case(gen, mode, gs, bits, dtype, transpose, (mrows, k), (), n)
    y = qm.quantized_matmul(x, wq, s, b, transpose, gs, bits, mode)
    y_mlx = mx.quantized_matmul(*mlx_args(x, wq, s, b), transpose=transpose, group_size=gs, bits=bits, mode=mode)
    check_accuracy(f"qmm {mode_id(m)} {dtype} t={transpose} M={mrows}", y, R.qmm_ref64(R.to_f64(x), w64, transpose),
                   y_mlx)


SHAPES = {  # name: (x shape without K, w batch shape)
    "x1d": ((), ()),
    "m1": ((1,), ()),
    "m33": ((33,), ()),
    "rows3d_w2d": ((2, 3), ()),
    "batched": ((2, 3), (2,)),
    "broadcast": ((2, 1, 3), (3,)),
    "broadcast_x": ((1, 5), (2,)),
    "empty": ((0,), ()),
}


@pytest.mark.parametrize("shape", list(SHAPES))
@pytest.mark.parametrize("transpose", [True, False])
@pytest.mark.parametrize("dtype", R.DTYPES)
@pytest.mark.parametrize("m", ALL_MODES, ids=mode_id)
def test_quantized_matmul_accuracy_shapes(qm, m, dtype, transpose, shape):
    mode, gs, bits = m
    gs_, _ = mode_params(mode, gs, bits)
    gen = R.rng(f"qmm-shape-{mode_id(m)}-{dtype}-{transpose}-{shape}")
    lead, w_batch = SHAPES[shape]
    k, n = (2 * gs_, 7) if transpose else (11, gs_)
    x, wq, s, b, w64 = make_case(gen, mode, gs, bits, dtype, transpose, (*lead, k), w_batch, n)
    y = qm.quantized_matmul(x, wq, s, b, transpose=transpose, group_size=gs, bits=bits, mode=mode)
    y_mlx = mx.quantized_matmul(*mlx_args(x, wq, s, b), transpose=transpose, group_size=gs, bits=bits, mode=mode)
    y64 = R.qmm_ref64(R.to_f64(x), w64, transpose)
    assert tuple(y.shape) == y64.shape
    check_accuracy(f"qmm-shape {mode_id(m)} {dtype} t={transpose} {shape}", y, y64, y_mlx)


BIGGER = [  # (mode, gs, bits, dtype, transpose, M, K, N): a few realistic sizes (MLX-CPU is slow in f16/bf16)
    ("affine", 64, 4, "float32", True, 33, 2048, 67),
    ("affine", 64, 4, "float16", True, 33, 2048, 67),
    ("affine", 64, 4, "bfloat16", True, 33, 2048, 67),
    ("affine", 128, 3, "bfloat16", False, 33, 512, 256),
    ("affine", 32, 6, "float16", False, 5, 1000, 96),
    ("mxfp8", 32, 8, "bfloat16", True, 33, 1024, 67),
    ("nvfp4", 16, 4, "float16", False, 8, 512, 256),
    ("mxfp4", 32, 4, "float32", True, 1, 4096, 67),
]


@pytest.mark.parametrize("case", BIGGER, ids=lambda c: "-".join(map(str, c)))
def test_quantized_matmul_accuracy_bigger(qm, case):
    mode, gs, bits, dtype, transpose, mrows, k, n = case
    gen = R.rng(f"qmm-big-{'-'.join(map(str, case))}")
    x, wq, s, b, w64 = make_case(gen, mode, gs, bits, dtype, transpose, (mrows, k), (), n)
    y = qm.quantized_matmul(x, wq, s, b, transpose, gs, bits, mode)
    y_mlx = mx.quantized_matmul(*mlx_args(x, wq, s, b), transpose=transpose, group_size=gs, bits=bits, mode=mode)
    check_accuracy(f"qmm-big {'-'.join(map(str, case))}", y, R.qmm_ref64(R.to_f64(x), w64, transpose), y_mlx)


@pytest.mark.parametrize("transpose", [True, False])
@pytest.mark.parametrize("m", [("affine", 64, 4), ("mxfp4", 32, 4)], ids=mode_id)
def test_quantized_matmul_non_contiguous_x(qm, m, transpose):
    mode, gs, bits = m
    gen = R.rng(f"qmm-noncontig-{mode_id(m)}-{transpose}")
    k, n = (2 * gs, 9) if transpose else (19, 2 * gs)
    _, wq, s, b, w64 = make_case(gen, mode, gs, bits, "float32", transpose, (3, k), (), n)
    xv = R.np_to_torch(gen.normal(0, 1, (6, 2 * k)), "float32")[::2, ::2]  # a strided view [3, k]
    assert not xv.is_contiguous()
    y = qm.quantized_matmul(xv, wq, s, b, transpose, gs, bits, mode)
    y_mlx = mx.quantized_matmul(*mlx_args(xv, wq, s, b), transpose=transpose, group_size=gs, bits=bits, mode=mode)
    check_accuracy(f"qmm-noncontig {mode_id(m)} t={transpose}", y, R.qmm_ref64(R.to_f64(xv), w64, transpose), y_mlx)


@pytest.mark.parametrize("scale_dtype", R.DTYPES)
@pytest.mark.parametrize("x_dtype", R.DTYPES)
def test_quantized_matmul_affine_dtype_promotion(qm, x_dtype, scale_dtype):
    """Output dtype = promote(x, scales, biases), as MLX (e.g. float16 x with bfloat16 scales → float32)."""
    gen = R.rng(f"qmm-promote-{x_dtype}-{scale_dtype}")
    wq, s, b = R.random_stored(gen, (), 10, 128, 64, 4, "affine", scale_dtype)
    x = R.np_to_torch(gen.normal(0, 1, (3, 128)), x_dtype)
    y = qm.quantized_matmul(x, wq, s, b)
    y_mlx = mx.quantized_matmul(*mlx_args(x, wq, s, b))
    y64 = R.qmm_ref64(R.to_f64(x), R.stored_weights_f64(wq, s, b, 64, 4, "affine"), True)
    check_accuracy(f"qmm-promote x={x_dtype} s={scale_dtype}", y, y64, y_mlx)


# ============================================================================================
# gather_qmm


def gather_pattern(gen, name, m, k, e):
    """(x shape, w batch shape, lhs, rhs, sorted_indices) for a named index pattern; E = e matrices."""
    if name == "none":  # both None: exactly quantized_matmul, batched
        return (e, m, k), (e,), None, None, False
    if name == "rhs_unsorted_flag":  # MoE: one row per token, unsorted expert ids, sorted_indices=True
        rhs = gen.integers(0, e, 9)
        rhs[:2] = [e - 1, 0]  # certainly not sorted
        return (9, 1, k), (e,), None, rhs, True
    if name == "rhs_sorted":
        return (9, 1, k), (e,), None, np.sort(gen.integers(0, e, 9)), True
    if name == "lhs_rhs_broadcast":  # x (4,2,M,K), lhs (2,), rhs (3,1) → out (3,2,M,N)
        return (4, 2, m, k), (e,), gen.integers(0, 8, 2), gen.integers(0, e, (3, 1)), False
    if name == "lhs_only":  # w has one matrix; rhs defaults to [0] and broadcasts
        return (5, m, k), (1,), gen.integers(0, 5, 6), None, False
    if name == "rhs_only_batched_x":
        return (2, m, k), (e,), None, gen.integers(0, e, 2), False
    raise ValueError(name)


PATTERNS = ["none", "rhs_unsorted_flag", "rhs_sorted", "lhs_rhs_broadcast", "lhs_only", "rhs_only_batched_x"]


def run_gather(qm, gen, m, dtype, transpose, pattern, mrows=3, index_dtype=torch.int32):
    mode, gs, bits = m
    gs_, bits_ = mode_params(mode, gs, bits)
    e = 3
    k, n = (2 * gs_, 11) if transpose else (13, gs_)
    x_shape, w_batch, lhs, rhs, sorted_indices = gather_pattern(gen, pattern, mrows, k, e)
    x, wq, s, b, w64 = make_case(gen, mode, gs, bits, dtype, transpose, x_shape, w_batch, n)
    as_t = lambda a: None if a is None else torch.from_numpy(np.asarray(a)).to(index_dtype)  # noqa: E731
    as_m = lambda a: None if a is None else mx.array(np.asarray(a).astype(np.int32))  # noqa: E731
    y = qm.gather_qmm(x, wq, s, b, as_t(lhs), as_t(rhs), transpose, gs, bits, mode, sorted_indices=sorted_indices)
    xm, wm, sm, bm = mlx_args(x, wq, s, b)
    y_mlx = mx.gather_qmm(xm, wm, sm, bm, as_m(lhs), as_m(rhs), transpose=transpose, group_size=gs, bits=bits,
                          mode=mode, sorted_indices=sorted_indices)
    y64 = R.gather_ref64(R.to_f64(x), w64, lhs, rhs, transpose)
    assert tuple(y.shape) == y64.shape, f"gather {pattern}: shape {tuple(y.shape)} != {y64.shape}"
    check_accuracy(f"gather {mode_id(m)} {dtype} t={transpose} {pattern}", y, y64, y_mlx)


@pytest.mark.parametrize("transpose", [True, False])
@pytest.mark.parametrize("dtype", R.DTYPES)
@pytest.mark.parametrize("m", ALL_MODES, ids=mode_id)
def test_gather_qmm_accuracy_every_mode(qm, m, dtype, transpose):
    i = ALL_MODES.index(m) + R.DTYPES.index(dtype) + int(transpose)
    pattern = PATTERNS[i % len(PATTERNS)]
    gen = R.rng(f"gather-{mode_id(m)}-{dtype}-{transpose}")
    run_gather(qm, gen, m, dtype, transpose, pattern, mrows=(1, 3, 33)[i % 3])


@pytest.mark.parametrize("pattern", PATTERNS)
@pytest.mark.parametrize("transpose", [True, False])
@pytest.mark.parametrize("dtype", R.DTYPES)
@pytest.mark.parametrize("m", [("affine", 64, 4), ("affine", 32, 5), ("mxfp4", 32, 4), ("nvfp4", 16, 4)],
                         ids=mode_id)
def test_gather_qmm_accuracy_index_patterns(qm, m, dtype, transpose, pattern):
    gen = R.rng(f"gather-pattern-{mode_id(m)}-{dtype}-{transpose}-{pattern}")
    run_gather(qm, gen, m, dtype, transpose, pattern, index_dtype=torch.int64 if transpose else torch.int32)


@pytest.mark.parametrize("order", ["sorted", "unsorted"])
@pytest.mark.parametrize("transpose", [True, False])
@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
@pytest.mark.parametrize("m", [("affine", 64, 4), ("mxfp4", 32, 4), ("nvfp4", 16, 4)], ids=mode_id)
def test_gather_qmm_accuracy_moe_sizes(qm, m, dtype, transpose, order):
    """MoE-like rhs gather at sizes where a sorted-rhs fast path may kick in (one row per token,
    L = 133 tokens over E = 4 experts), always with sorted_indices=True: unsorted ids must still give
    the right answer (the flag is only a hint)."""
    mode, gs, bits = m
    gen = R.rng(f"gather-moe-{mode_id(m)}-{dtype}-{transpose}-{order}")
    e, tokens = 4, 133
    k, n = (256, 67) if transpose else (67, 2 * gs)
    rhs = gen.integers(0, e, tokens)
    rhs = np.sort(rhs) if order == "sorted" else rhs
    x, wq, s, b, w64 = make_case(gen, mode, gs, bits, dtype, transpose, (tokens, 1, k), (e,), n)
    y = qm.gather_qmm(x, wq, s, b, None, torch.from_numpy(rhs), transpose, gs, bits, mode, sorted_indices=True)
    xm, wm, sm, bm = mlx_args(x, wq, s, b)
    y_mlx = mx.gather_qmm(xm, wm, sm, bm, None, mx.array(rhs.astype(np.int32)), transpose=transpose, group_size=gs,
                          bits=bits, mode=mode, sorted_indices=True)
    check_accuracy(f"gather-moe {mode_id(m)} {dtype} t={transpose} {order}", y,
                   R.gather_ref64(R.to_f64(x), w64, None, rhs, transpose), y_mlx)


@pytest.mark.parametrize("transpose", [True, False])
@pytest.mark.parametrize("dtype", R.DTYPES)
def test_gather_qmm_nvfp4_global_scale(qm, dtype, transpose):
    """One float32 global scale per expert. MLX-CPU refuses it (GPU only), so: float64 and the floor."""
    gen = R.rng(f"gather-nvfp4-gs-{dtype}-{transpose}")
    e, k, n = 3, (64 if transpose else 21), (9 if transpose else 32)
    x_shape, w_batch, lhs, rhs, sorted_indices = gather_pattern(gen, "rhs_unsorted_flag", 1, k, e)
    x, wq, s, _, _ = make_case(gen, "nvfp4", 16, 4, dtype, transpose, x_shape, w_batch, n)
    g = torch.from_numpy(gen.uniform(0.5, 2000.0, e).astype(np.float32))
    w64 = R.stored_weights_f64(wq, s, None, 16, 4, "nvfp4", global_scale=g)
    y = qm.gather_qmm(x, wq, s, None, None, torch.from_numpy(rhs), transpose, 16, 4, "nvfp4", global_scale=g,
                      sorted_indices=sorted_indices)
    with pytest.raises(ValueError, match="only supported on the GPU"):  # why there is no MLX comparison
        mx.gather_qmm(R.torch_to_mx(x), R.torch_to_mx(wq), R.torch_to_mx(s), None, None, mx.array(rhs.astype(np.int32)),
                      transpose=transpose, mode="nvfp4", global_scale=R.torch_to_mx(g))
    assert y.dtype == x.dtype
    check_accuracy(f"gather nvfp4+global_scale {dtype} t={transpose}", y,
                   R.gather_ref64(R.to_f64(x), w64, None, rhs, transpose))


# ============================================================================================
# dequantize: bit-exact with the GPU definitions, default dtypes as MLX


def exact_sum(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a + b in float64, asserting (TwoSum) that it is exact, so that one later rounding is exact."""
    s = a + b
    bb = s - a
    err = (a - (s - bb)) + (b - bb)
    assert not np.any(err), "float64 reference is not exact for these inputs"
    return s


@pytest.mark.parametrize("dtype", R.DTYPES)
@pytest.mark.parametrize("gs", GROUP_SIZES)
@pytest.mark.parametrize("bits", AFFINE_BITS)
def test_dequantize_affine_is_fma_f32_rounded_once(qm, bits, gs, dtype):
    gen = R.rng(f"deq-affine-{bits}-{gs}-{dtype}")
    wq, s, b = R.random_stored(gen, (2,), 3, 2 * gs, gs, bits, "affine", dtype)
    codes = R.unpack_codes(R.bits_of(wq), bits).astype(np.float64)
    s64 = np.repeat(R.to_f64(s), gs, axis=-1)
    b64 = np.repeat(R.to_f64(b), gs, axis=-1)
    fma32 = exact_sum(s64 * codes, b64).astype(np.float32).astype(np.float64)  # fma_f32: one rounding
    out = qm.dequantize(wq, s, b, gs, bits)
    m_out = mx.dequantize(R.torch_to_mx(wq), R.torch_to_mx(s), R.torch_to_mx(b), group_size=gs, bits=bits)
    assert R.dtype_name(out) == dtype == R.dtype_name(m_out), "affine default dtype = scales' dtype"
    assert np.array_equal(R.to_f64(out), R.round_to(fma32, dtype)), f"affine dequantize != T(fma_f32(s,q,b)) ({dtype})"
    # dtype= overrides: the f32 fma rounded once to the requested type.
    for other in R.DTYPES:
        out = qm.dequantize(wq, s, b, gs, bits, dtype=R.TORCH_DTYPE[other])
        assert R.dtype_name(out) == other
        assert np.array_equal(R.to_f64(out), R.round_to(fma32, other)), f"dequantize dtype={other} from {dtype} scales"


@pytest.mark.parametrize("dtype", [None, "float32", "float16", "bfloat16"])
@pytest.mark.parametrize("mode", ["mxfp4", "mxfp8", "nvfp4"])
def test_dequantize_fp_modes(qm, mode, dtype):
    """T(value · scale): exact products here, so also bit-exact with MLX-CPU; default dtype bfloat16."""
    gen = R.rng(f"deq-{mode}-{dtype}")
    gs, bits = R.MODE_DEFAULTS[mode]
    wq, s, _ = R.random_stored(gen, (2,), 5, 4 * gs, gs, bits, mode, "float32")
    kw = {} if dtype is None else {"dtype": R.TORCH_DTYPE[dtype]}
    out = qm.dequantize(wq, s, None, gs, bits, mode, **kw)
    mkw = {} if dtype is None else {"dtype": R.mx_dtype(dtype)}
    m_out = mx.dequantize(R.torch_to_mx(wq), R.torch_to_mx(s), group_size=gs, bits=bits, mode=mode, **mkw)
    assert R.dtype_name(out) == (dtype or "bfloat16") == R.dtype_name(m_out)
    w64 = R.stored_weights_f64(wq, s, None, gs, bits, mode)
    assert np.array_equal(R.to_f64(out), R.round_to(w64, dtype or "bfloat16"), equal_nan=True)
    assert np.array_equal(R.bits_of(out), R.bits_of(m_out))


@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16"])
def test_dequantize_nvfp4_global_scale_order(qm, dtype):
    """nvfp4 with a global scale g: T(value · f32(scale · f32(g/2688))) (the order that reproduces the
    GPU fixtures, spec §1). Built in float64 from the spec, rounding where the definition rounds."""
    gen = R.rng(f"deq-nvfp4-gs-{dtype}")
    wq, s, _ = R.random_stored(gen, (), 8, 64, 16, 4, "nvfp4", "float32")
    g = np.float32(gen.uniform(0.1, 3000.0))
    out = qm.dequantize(wq, s, None, 16, 4, "nvfp4", global_scale=torch.tensor([g]), dtype=R.TORCH_DTYPE[dtype])
    f32 = lambda a: np.asarray(a, np.float64).astype(np.float32).astype(np.float64)  # noqa: E731
    factor = f32(np.float64(g) / 2688.0)
    scale = f32(R.fp8_e4m3_value(R.bits_of(s)) * factor)  # exact product of two f32, rounded once
    vals = R.fp4_value(R.unpack_codes(R.bits_of(wq), 4))
    want = R.round_to(f32(vals * np.repeat(scale, 16, axis=-1)), dtype)
    assert np.array_equal(R.to_f64(out), want), f"nvfp4 dequantize with global_scale={g!r} ({dtype})"


@pytest.mark.parametrize("transpose", [True, False])
@pytest.mark.parametrize("mode", ["affine", "mxfp4", "mxfp8", "nvfp4"])
def test_matmuls_mode_defaults(qm, mode, transpose):
    """group_size=None / bits=None take the mode's defaults (affine 64/4, mxfp4 32/4, mxfp8 32/8, nvfp4 16/4),
    for quantized_matmul and gather_qmm alike."""
    gen = R.rng(f"defaults-{mode}-{transpose}")
    gs, bits = R.MODE_DEFAULTS[mode]
    k, n = (2 * gs, 5) if transpose else (7, 2 * gs)
    x, wq, s, b, w64 = make_case(gen, mode, None, None, "bfloat16", transpose, (2, 3, k), (2,), n)
    y = qm.quantized_matmul(x, wq, s, b, transpose=transpose, mode=mode)
    y_mlx = mx.quantized_matmul(*mlx_args(x, wq, s, b), transpose=transpose, mode=mode)
    check_accuracy(f"defaults qmm {mode} t={transpose}", y, R.qmm_ref64(R.to_f64(x), w64, transpose), y_mlx)
    rhs = np.array([1, 0])
    y = qm.gather_qmm(x, wq, s, b, rhs_indices=torch.from_numpy(rhs), transpose=transpose, mode=mode)
    xm, wm, sm, bm = mlx_args(x, wq, s, b)
    y_mlx = mx.gather_qmm(xm, wm, sm, bm, rhs_indices=mx.array(rhs.astype(np.int32)), transpose=transpose, mode=mode)
    check_accuracy(f"defaults gather {mode} t={transpose}", y, R.gather_ref64(R.to_f64(x), w64, None, rhs, transpose),
                   y_mlx)


KERNEL_FEATURES = {  # QMLX_CPU_KERNELS value → CPU features it needs (crates/qmlx-core/src/cpu/kernels)
    "reference": (),
    "portable": (),
    "avx2": ("avx2", "fma", "f16c"),
    "avx512": ("avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "avx512dq"),
    "avx512vnni": ("avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512vnni"),
    "neon": ("neon",),  # aarch64 only (build_info's cpu_features probes "neon" there)
}


@pytest.mark.skipif(os.environ.get("QMLX_MLX_SUBRUN") == "1", reason="already inside a per-kernel sub-run")
@pytest.mark.parametrize("kernels", list(KERNEL_FEATURES))
def test_every_cpu_kernel_set_against_mlx(qm, kernels):
    """The CPU backend picks its kernels once per process (QMLX_CPU_KERNELS overrides), so the main run
    covers only the fastest set this machine has: re-run the matmul grids once per kernel set."""
    import subprocess
    import sys

    features = set(qm.build_info().get("cpu_features", []))
    missing = [f for f in KERNEL_FEATURES[kernels] if f not in features]
    if missing:
        pytest.skip(f"CPU kernels '{kernels}' need {missing}, which this machine lacks")
    supported = [k for k, need in KERNEL_FEATURES.items() if all(f in features for f in need)]
    if kernels == supported[-1] and not os.environ.get("QMLX_CPU_KERNELS"):
        pytest.skip(f"CPU kernels '{kernels}' are this machine's default: the main run already covered them")
    env = dict(os.environ, QMLX_CPU_KERNELS=kernels, QMLX_MLX_SUBRUN="1")
    env.pop("QMLX_ACCURACY_CSV", None)
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", os.path.abspath(__file__),
           "-k", "every_mode or moe_sizes or bigger or shapes"]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=os.path.dirname(os.path.abspath(__file__)))
    tail = (r.stdout + r.stderr)[-4000:]
    print(tail)
    assert r.returncode == 0, f"QMLX_CPU_KERNELS={kernels}: sub-run failed\n{tail}"
    assert "is not one of" not in r.stderr, f"QMLX_CPU_KERNELS={kernels} was not honoured:\n{r.stderr[-2000:]}"
