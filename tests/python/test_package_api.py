"""MLX's API on CPU tensors: quantize, dequantize, quantized_matmul, gather_qmm against the float64
reference of reference.py (independent of the package's kernels)."""

import ctypes.util
import itertools
import os
import subprocess
import sys

import numpy as np
import pytest
import torch
from reference import (
    DEFAULTS,
    FLOAT_DTYPES,
    UNIT_ROUNDOFF,
    assert_matmul_close,
    dequant_ref,
    random_weight,
    resolve,
)

import quantization_mlx as q

AFFINE = [(gs, b) for b in (1, 2, 3, 4, 5, 6, 8) for gs in (32, 64, 128)]
MODES = ["affine", "mxfp4", "mxfp8", "nvfp4"]
DT_IDS = {torch.float32: "f32", torch.float16: "f16", torch.bfloat16: "bf16"}


def _quantize(w, mode, gs=None, bits=None, **kw):
    out = q.quantize(w, gs, bits, mode, **kw)
    if mode == "affine":
        wq, s, b = out
    else:
        (wq, s), b = out, None
    return wq, s, b


# ---------------------------------------------------------------------------------------------
# quantize / dequantize


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DT_IDS.get)
@pytest.mark.parametrize("gs,bits", AFFINE)
def test_quantize_affine(gs, bits, dtype):
    w = random_weight((3, 8, 256), dtype, seed=bits * 1000 + gs)
    wq, s, b = q.quantize(w, gs, bits)
    assert wq.dtype == torch.uint32 and wq.shape == (3, 8, 256 * bits // 32)
    assert s.dtype == dtype and b.dtype == dtype and s.shape == b.shape == (3, 8, 256 // gs)
    # dequantize (in float32: one rounding of scale*q + bias) is the reference rounded to float32.
    ref = dequant_ref(wq, s, b, gs, bits)
    got = q.dequantize(wq, s, b, gs, bits, dtype=torch.float32)
    assert torch.equal(got, ref.to(torch.float32))
    # Default output dtype: the scales' dtype, rounded once.
    assert torch.equal(q.dequantize(wq, s, b, gs, bits), ref.to(dtype))
    # Quantization error: at most one step (half a step, or the clipped top of a range whose scale
    # the zero-point trick enlarged), plus the rounding of the stored scale to the dtype.
    n_levels = 2**bits - 1
    step = s.to(torch.float64).abs().repeat_interleave(gs, -1)
    err = (ref - w.to(torch.float64)).abs()
    assert (err <= step * (1.0 + n_levels * UNIT_ROUNDOFF[dtype] * 2) + 1e-6).all()


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DT_IDS.get)
@pytest.mark.parametrize("mode", ["mxfp4", "mxfp8", "nvfp4"])
def test_quantize_fp(mode, dtype):
    gs, bits = DEFAULTS[mode]
    w = random_weight((2, 16, 128), dtype, seed=7)
    wq, s = q.quantize(w, mode=mode)
    assert wq.dtype == torch.uint32 and wq.shape == (2, 16, 128 * bits // 32)
    assert s.dtype == torch.uint8 and s.shape == (2, 16, 128 // gs)
    ref = dequant_ref(wq, s, None, mode=mode)
    # fp values times a power of two (or an e4m3 scale) are exact in float32; default dtype bfloat16.
    assert torch.equal(q.dequantize(wq, s, mode=mode, dtype=torch.float32), ref.to(torch.float32))
    d = q.dequantize(wq, s, mode=mode)
    assert d.dtype == torch.bfloat16 and torch.equal(d, ref.to(torch.bfloat16))
    rel = (ref - w.double()).abs().max() / w.double().abs().max()
    assert rel < (0.3 if bits == 4 else 0.1)


def test_quantize_positional_and_defaults():
    w = random_weight((4, 128))
    a = q.quantize(w)
    b = q.quantize(w, 64, 4)
    c = q.quantize(w, group_size=64, bits=4, mode="affine")
    for x, y, z in zip(a, b, c):
        assert torch.equal(x, y) and torch.equal(x, z)
    assert a[0].shape == (4, 16) and a[1].shape == (4, 2)
    for mode, (gs, bits) in DEFAULTS.items():
        out = q.quantize(w, mode=mode)
        assert len(out) == (3 if mode == "affine" else 2)
        assert out[0].shape == (4, 128 * bits // 32) and out[1].shape == (4, 128 // gs)


def test_quantize_matches_mlx_cpu():
    """rounding="cpu" is bit-exact with mx.quantize on Linux (MLX's CPU); "gpu" is the default."""
    mx = pytest.importorskip("mlx.core")
    w = random_weight((16, 256), seed=3)
    for gs, bits in [(32, 2), (64, 3), (64, 4), (128, 5), (32, 6), (64, 8)]:
        wq, s, b = q.quantize(w, gs, bits, rounding="cpu")
        mwq, ms, mb = mx.quantize(mx.array(w.numpy()), gs, bits)
        assert np.array_equal(wq.view(torch.int32).numpy().view(np.uint32), np.array(mwq))
        assert np.array_equal(s.numpy(), np.array(ms)) and np.array_equal(b.numpy(), np.array(mb))
    # The GPU rule forces hi >= 0: an all-negative group gets a different scale (spec §4.3 example B).
    neg = torch.tensor([[-4.0, -3.0, -2.0, -1.0] * 8])
    _, s_gpu, _ = q.quantize(neg, 32, 4)
    _, s_cpu, _ = q.quantize(neg, 32, 4, rounding="cpu")
    assert float(s_cpu[0, 0]) == pytest.approx(0.2) and float(s_gpu[0, 0]) == pytest.approx(4 / 15)


def test_nvfp4_global_scale():
    w = random_weight((8, 64), seed=5) * 1e-3
    g = w.abs().max().reshape(1)
    wq, s = q.quantize(w, mode="nvfp4", global_scale=g)
    ref = dequant_ref(wq, s, None, mode="nvfp4", global_scale=g)
    got = q.dequantize(wq, s, mode="nvfp4", global_scale=g, dtype=torch.float32)
    assert torch.allclose(got.double(), ref, rtol=2**-22, atol=0)
    assert (ref - w.double()).abs().max() <= 0.3 * float(g)
    # 0-d works too, and a float is taken as a float32 scalar.
    wq0, s0 = q.quantize(w, mode="nvfp4", global_scale=g.reshape(()))
    wq1, s1 = q.quantize(w, mode="nvfp4", global_scale=float(g))
    assert torch.equal(wq0, wq) and torch.equal(s0, s) and torch.equal(wq1, wq) and torch.equal(s1, s)


def test_int32_weights_accepted():
    w = random_weight((8, 128))
    wq, s, b = q.quantize(w)
    wi = wq.view(torch.int32)
    assert torch.equal(q.dequantize(wi, s, b), q.dequantize(wq, s, b))
    x = torch.randn(3, 128)
    assert torch.equal(q.quantized_matmul(x, wi, s, b), q.quantized_matmul(x, wq, s, b))


def test_dequantize_out_dtypes():
    w = random_weight((4, 128), torch.float16)
    wq, s, b = q.quantize(w)
    ref = dequant_ref(wq, s, b)
    for dt in FLOAT_DTYPES:
        d = q.dequantize(wq, s, b, dtype=dt)
        assert d.dtype == dt and torch.equal(d, ref.to(torch.float32).to(dt) if dt != torch.float32 else ref.float())


def test_non_contiguous_inputs_to_quantize_and_dequantize():
    w = random_weight((128, 64)).T  # (64, 128), non-contiguous
    assert not w.is_contiguous()
    wq, s, b = q.quantize(w)
    wq2, s2, b2 = q.quantize(w.contiguous())
    assert torch.equal(wq, wq2) and torch.equal(s, s2) and torch.equal(b, b2)
    big = torch.zeros(3, *wq.shape, dtype=torch.uint32)
    big[1] = wq
    assert torch.equal(q.dequantize(big[1], s, b), q.dequantize(wq, s, b))  # storage offset


def test_empty_quantize_dequantize():
    w = torch.zeros(0, 128)
    wq, s, b = q.quantize(w)
    assert wq.shape == (0, 16) and s.shape == (0, 2)
    assert q.dequantize(wq, s, b).shape == (0, 128)


# ---------------------------------------------------------------------------------------------
# quantized_matmul


def _weight(mode, dtype, n, k, transpose, gs=None, bits=None, batch=(), seed=0):
    """A quantized weight holding Ŵ of shape batch + [n, k] (transpose) or batch + [k, n]."""
    rows, cols = (n, k) if transpose else (k, n)
    w = random_weight((*batch, rows, cols), dtype, seed=seed)
    wq, s, b = _quantize(w, mode, gs, bits)
    gs, bits = resolve(mode, gs, bits)
    return wq, s, b, dequant_ref(wq, s, b, gs, bits, mode)


X_SHAPES = [(), (1,), (5,), (2, 3), (0,), (2, 0)]


@pytest.mark.parametrize("transpose", [True, False], ids=["t", "n"])
@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DT_IDS.get)
@pytest.mark.parametrize("mode", MODES)
def test_quantized_matmul(mode, dtype, transpose):
    n, k = (96 if transpose else 128), 256  # transpose=False needs N % group_size == 0
    wq, s, b, w_hat = _weight(mode, dtype, n, k, transpose)
    for lead in X_SHAPES:
        x = torch.randn(*lead, k).to(dtype)
        y = q.quantized_matmul(x, wq, s, b, transpose, mode=mode)
        assert y.dtype == dtype and y.shape == (*lead, n)
        assert_matmul_close(y, x, w_hat, transpose, what=f"{mode} {dtype} x{tuple(x.shape)}")


@pytest.mark.parametrize("gs,bits", AFFINE)
def test_quantized_matmul_affine_bits(gs, bits):
    for transpose in (True, False):
        wq, s, b, w_hat = _weight("affine", torch.float32, 128, 128, transpose, gs, bits, seed=bits)
        x = torch.randn(7, 128)
        y = q.quantized_matmul(x, wq, s, b, transpose, gs, bits)
        assert_matmul_close(y, x, w_hat, transpose, what=f"gs={gs} bits={bits} t={transpose}")


def test_quantized_matmul_batched_broadcast():
    wq, s, b, w_hat = _weight("affine", torch.float32, 32, 128, True, batch=(3,))
    x = torch.randn(2, 1, 5, 128)
    y = q.quantized_matmul(x, wq, s, b)
    assert y.shape == (2, 3, 5, 32)
    assert_matmul_close(y, x, w_hat, True)
    # x batch broadcasting over w batch and vice versa
    x = torch.randn(3, 4, 128)
    assert_matmul_close(q.quantized_matmul(x, wq, s, b), x, w_hat, True)
    x1 = torch.randn(1, 4, 128)
    assert_matmul_close(q.quantized_matmul(x1, wq, s, b), x1, w_hat, True)


def test_quantized_matmul_non_contiguous_x():
    wq, s, b, w_hat = _weight("affine", torch.float16, 64, 128, True)
    base = torch.randn(128, 10, dtype=torch.float16)
    for x in (base.T, base.T[2:7], torch.randn(4, 3, 256, dtype=torch.float16)[:, 1, ::2]):
        assert not x.is_contiguous()
        y = q.quantized_matmul(x, wq, s, b)
        assert torch.equal(y, q.quantized_matmul(x.contiguous(), wq, s, b))
        assert_matmul_close(y, x, w_hat, True)
    big = torch.randn(5, 128, dtype=torch.float16)
    x = big[3]  # storage offset
    assert_matmul_close(q.quantized_matmul(x, wq, s, b), x, w_hat, True)


def test_quantized_matmul_dtype_promotion():
    w = random_weight((32, 128))
    wq, s, b = q.quantize(w)  # float32 scales
    w_hat = dequant_ref(wq, s, b)
    x = torch.randn(3, 128, dtype=torch.float16)
    y = q.quantized_matmul(x, wq, s, b)
    assert y.dtype == torch.float32
    assert_matmul_close(y, x, w_hat)
    # float16 x with bfloat16 scales promotes to float32 (MLX's rule)
    y2 = q.quantized_matmul(x, wq, s.bfloat16(), b.bfloat16())
    assert y2.dtype == torch.float32
    # fp modes: x's dtype
    wq4, s4 = q.quantize(w, mode="mxfp4")
    assert q.quantized_matmul(x, wq4, s4, mode="mxfp4").dtype == torch.float16


# ---------------------------------------------------------------------------------------------
# gather_qmm


@pytest.mark.parametrize("transpose", [True, False], ids=["t", "n"])
@pytest.mark.parametrize("mode", MODES)
def test_gather_qmm_rhs(mode, transpose):
    e, n, k, m = 4, (32 if transpose else 64), 128, 6
    dtype = torch.bfloat16
    wq, s, b, w_hat = _weight(mode, dtype, n, k, transpose, batch=(e,), seed=11)
    x = torch.randn(m, 1, k).to(dtype)
    idx = torch.tensor([3, 0, 0, 2, 1, 3])  # unsorted
    y = q.gather_qmm(x, wq, s, b, rhs_indices=idx, transpose=transpose, mode=mode)
    assert y.shape == (m, 1, n) and y.dtype == dtype
    assert_matmul_close(y, x, w_hat, transpose, rhs=idx)
    # sorted_indices is a hint only
    srt, _ = idx.sort()
    y2 = q.gather_qmm(x, wq, s, b, rhs_indices=srt, transpose=transpose, mode=mode, sorted_indices=True)
    assert_matmul_close(y2, x, w_hat, transpose, rhs=srt)


def test_gather_qmm_lhs_rhs_broadcast():
    wq, s, b, w_hat = _weight("affine", torch.float32, 16, 64, True, gs=32, batch=(3,))
    x = torch.randn(4, 2, 5, 64)
    lhs = torch.tensor([7, 1], dtype=torch.int32)
    rhs = torch.tensor([[2], [0], [1]], dtype=torch.int64)
    y = q.gather_qmm(x, wq, s, b, lhs, rhs, group_size=32)
    assert y.shape == (3, 2, 5, 16)
    assert_matmul_close(y, x, w_hat, True, lhs=lhs, rhs=rhs)
    # only lhs
    y = q.gather_qmm(x[:, :1].reshape(4, 5, 64)[:3], wq, s, b, lhs_indices=torch.tensor([2, 0, 1]), group_size=32)
    assert y.shape == (3, 5, 16)


@pytest.mark.parametrize("idt", [torch.int8, torch.int16, torch.int32, torch.int64, torch.uint8, torch.uint32])
def test_gather_qmm_index_dtypes(idt):
    wq, s, b, w_hat = _weight("affine", torch.float32, 16, 64, True, gs=64, batch=(3,))
    x = torch.randn(4, 2, 64)
    idx = torch.tensor([2, 0, 1, 2]).to(idt)
    y = q.gather_qmm(x, wq, s, b, rhs_indices=idx)
    assert_matmul_close(y, x, w_hat, True, lhs=torch.arange(4), rhs=idx.to(torch.int64))


def test_gather_qmm_without_indices_is_quantized_matmul():
    wq, s, b, _ = _weight("affine", torch.float32, 16, 64, True, batch=(2,))
    x = torch.randn(2, 3, 64)
    assert torch.equal(q.gather_qmm(x, wq, s, b), q.quantized_matmul(x, wq, s, b))


def test_gather_qmm_nvfp4_global_scale_per_expert():
    e, n, k = 3, 16, 64
    w = random_weight((e, n, k), seed=2) * torch.tensor([1.0, 1e-2, 1e2]).reshape(3, 1, 1)
    gscale = w.abs().amax(dim=(1, 2)).float()
    parts = [q.quantize(w[i], mode="nvfp4", global_scale=gscale[i].reshape(1)) for i in range(e)]
    wq = torch.stack([p[0] for p in parts])
    s = torch.stack([p[1] for p in parts])
    w_hat = dequant_ref(wq, s, None, mode="nvfp4", global_scale=gscale)
    x = torch.randn(5, 1, k)
    idx = torch.tensor([2, 1, 0, 2, 1])
    y = q.gather_qmm(x, wq, s, rhs_indices=idx, mode="nvfp4", global_scale=gscale)
    assert_matmul_close(y, x, w_hat, True, rhs=idx)
    # and the dequantized weight really tracks w (the global scale is applied)
    assert ((w_hat - w.double()).abs().amax(dim=(1, 2)) <= 0.3 * gscale.double()).all()


def test_gather_qmm_empty():
    wq, s, b, _ = _weight("affine", torch.float32, 16, 64, True, batch=(2,))
    y = q.gather_qmm(torch.randn(0, 1, 64), wq, s, b, rhs_indices=torch.zeros(0, dtype=torch.int64))
    assert y.shape == (0, 1, 16)


# ---------------------------------------------------------------------------------------------
# bad inputs: the right exception type, naming the argument


def _w():
    w = random_weight((16, 128))
    return q.quantize(w)


def _cases():
    wq, s, b = _w()
    wq3, s3, b3 = q.quantize(random_weight((2, 16, 128)))
    x = torch.randn(2, 128)
    f = torch.randn(4, 128)
    return [
        ("quantize bits", lambda: q.quantize(f, 64, 7), ValueError, "bits"),
        ("quantize group_size", lambda: q.quantize(f, 48, 4), ValueError, "group_size"),
        ("quantize mode", lambda: q.quantize(f, mode="int4"), ValueError, "mode"),
        ("quantize rounding", lambda: q.quantize(f, rounding="nearest"), ValueError, "rounding"),
        ("quantize 1-d", lambda: q.quantize(torch.randn(128)), ValueError, "w"),
        ("quantize K % gs", lambda: q.quantize(torch.randn(4, 96)), ValueError, "w"),
        ("quantize int dtype", lambda: q.quantize(torch.ones(4, 128, dtype=torch.int32)), TypeError, "w"),
        ("quantize float64", lambda: q.quantize(f.double()), TypeError, "w"),
        ("quantize nan", lambda: q.quantize(torch.full((4, 128), float("nan"))), ValueError, "w"),
        ("quantize fp gs", lambda: q.quantize(f, 64, mode="mxfp4"), ValueError, "group_size"),
        ("quantize global affine", lambda: q.quantize(f, global_scale=torch.ones(1)), ValueError, "global_scale"),
        ("quantize global shape", lambda: q.quantize(f, mode="nvfp4", global_scale=torch.ones(2)), ValueError,
         "global_scale"),
        ("quantize global dtype", lambda: q.quantize(f, mode="nvfp4", global_scale=torch.ones(1).double()),
         TypeError, "global_scale"),
        ("quantize global <= 0", lambda: q.quantize(f, mode="nvfp4", global_scale=torch.zeros(1)), ValueError,
         "global_scale"),
        ("quantize not tensor", lambda: q.quantize([[1.0] * 64]), TypeError, "w"),
        ("dequantize w float", lambda: q.dequantize(f, s, b), TypeError, "w"),
        ("dequantize no biases", lambda: q.dequantize(wq, s), ValueError, "biases"),
        ("dequantize scales shape", lambda: q.dequantize(wq, s[:, :1], b[:, :1]), ValueError, "scales"),
        ("dequantize biases shape", lambda: q.dequantize(wq, s, b[:8]), ValueError, "biases"),
        ("dequantize biases dtype", lambda: q.dequantize(wq, s, b.half()), TypeError, "biases"),
        ("dequantize dtype", lambda: q.dequantize(wq, s, b, dtype=torch.float64), TypeError, "dtype"),
        ("dequantize fp biases", lambda: q.dequantize(wq, s.to(torch.uint8), b, mode="mxfp4", group_size=32),
         ValueError, "biases"),
        ("dequantize fp scales dtype", lambda: q.dequantize(wq, s, mode="mxfp4"), TypeError, "scales"),
        ("qmm x K", lambda: q.quantized_matmul(torch.randn(2, 64), wq, s, b), ValueError, "x"),
        ("qmm x dtype", lambda: q.quantized_matmul(x.double(), wq, s, b), TypeError, "x"),
        ("qmm x int", lambda: q.quantized_matmul(x.int(), wq, s, b), TypeError, "x"),
        ("qmm x 0-d", lambda: q.quantized_matmul(torch.tensor(1.0), wq, s, b), ValueError, "x"),
        ("qmm w dtype", lambda: q.quantized_matmul(x, wq.to(torch.int64), s, b), TypeError, "w"),
        ("qmm w 1-d", lambda: q.quantized_matmul(x, wq[0], s, b), ValueError, "w"),
        ("qmm scales rows", lambda: q.quantized_matmul(x, wq, s[:8], b[:8]), ValueError, "scales"),
        ("qmm biases missing", lambda: q.quantized_matmul(x, wq, s), ValueError, "biases"),
        ("qmm bits", lambda: q.quantized_matmul(x, wq, s, b, bits=3), ValueError, "scales"),
        ("qmm batched w, 2-d x", lambda: q.quantized_matmul(x, wq3, s3, b3), ValueError, "x"),
        ("qmm batch mismatch", lambda: q.quantized_matmul(torch.randn(3, 2, 128), wq3, s3, b3), ValueError, "x"),
        ("qmm x list", lambda: q.quantized_matmul(x.tolist(), wq, s, b), TypeError, "x"),
        ("qmm scales None", lambda: q.quantized_matmul(x, wq, None, b), TypeError, "scales"),
        ("gather rhs range", lambda: q.gather_qmm(x[:, None], wq3, s3, b3, rhs_indices=torch.tensor([0, 2])),
         IndexError, "rhs_indices"),
        ("gather rhs negative", lambda: q.gather_qmm(x[:, None], wq3, s3, b3, rhs_indices=torch.tensor([0, -1])),
         IndexError, "rhs_indices"),
        ("gather lhs range", lambda: q.gather_qmm(x[:, None], wq3, s3, b3, lhs_indices=torch.tensor([5, 0])),
         IndexError, "lhs_indices"),
        ("gather float indices", lambda: q.gather_qmm(x[:, None], wq3, s3, b3, rhs_indices=torch.tensor([0.0, 1.0])),
         TypeError, "rhs_indices"),
        ("gather bool indices", lambda: q.gather_qmm(x[:, None], wq3, s3, b3, rhs_indices=torch.tensor([True])),
         TypeError, "rhs_indices"),
        ("gather index broadcast", lambda: q.gather_qmm(x[:, None], wq3, s3, b3, lhs_indices=torch.tensor([0, 1]),
                                                        rhs_indices=torch.tensor([0, 1, 1])), ValueError, "indices"),
        ("gather 1-d x", lambda: q.gather_qmm(x[0], wq3, s3, b3, rhs_indices=torch.tensor([0])), ValueError, "x"),
        ("gather global affine", lambda: q.gather_qmm(x[:, None], wq3, s3, b3, rhs_indices=torch.tensor([0, 1]),
                                                      global_scale=torch.ones(2)), ValueError, "global_scale"),
    ]


@pytest.mark.parametrize("case", _cases(), ids=lambda c: c[0])
def test_bad_inputs(case):
    _, fn, exc, arg = case
    with pytest.raises(exc) as info:
        fn()
    assert arg in str(info.value), f"message does not name {arg!r}: {info.value}"


def test_cuda_and_mps_tensors_get_a_clear_error():
    wq, s, b = _w()
    meta_x = torch.empty(2, 128, device="meta")
    # meta tensors go through the fake implementation: shapes only, no error
    assert q.quantized_matmul(meta_x, wq.to("meta"), s.to("meta"), b.to("meta")).shape == (2, 16)
    if torch.cuda.is_available() and "cuda" not in q.build_info()["backends"]:
        with pytest.raises(RuntimeError, match="built without CUDA"):
            q.quantized_matmul(torch.randn(2, 128, device="cuda"), wq.cuda(), s.cuda(), b.cuda())
    from quantization_mlx import _backends

    if "cuda" not in q.build_info()["backends"]:  # built with CUDA: tests/python/test_cuda.py
        with pytest.raises(RuntimeError, match="built without CUDA"):
            _backends.backend_for(torch.device("cuda")).gather_qmm()
    if "metal" not in q.build_info()["features"]:  # built on macOS: tests/python/test_mps_backend.py
        with pytest.raises(NotImplementedError, match="MPS"):
            _backends.backend_for(torch.device("mps")).gather_qmm()


def test_mixed_devices_rejected():
    wq, s, b = _w()
    with pytest.raises(ValueError, match="w: expected a tensor on cpu"):
        q.quantized_matmul(torch.randn(2, 128), wq.to("meta"), s, b)
    with pytest.raises(ValueError, match="scales: expected a tensor on meta"):
        q.quantized_matmul(torch.randn(2, 128, device="meta"), wq.to("meta"), s, b.to("meta"))


def test_wgpu_hook(monkeypatch):
    from quantization_mlx import _backends

    wq, s, b = _w()
    try:
        _backends.select_cpu_backend("wgpu")
        assert q.build_info()["cpu_backend"] == "wgpu"
        info = q.build_info()
        if "wgpu" in info["features"] and not str(info["wgpu_adapter"]).startswith("wgpu 30.0.2: unavailable"):
            # Built with the wgpu backend and an adapter exists: it runs (results: test_wgpu_backend.py).
            assert q.quantized_matmul(torch.randn(2, 128), wq, s, b).shape == (2, wq.shape[0])
        else:
            with pytest.raises(RuntimeError, match="wgpu"):
                q.quantized_matmul(torch.randn(2, 128), wq, s, b)
        with pytest.raises(ValueError, match="QMLX_BACKEND"):
            _backends.select_cpu_backend("opencl")
    finally:
        _backends.select_cpu_backend("cpu")
    assert q.build_info()["cpu_backend"] == "cpu"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SKIP: reads /proc/self/maps (Linux only)")
def test_import_and_cpu_calls_load_no_vulkan_driver():
    # Importing the package used to call build_info(), which opened a wgpu device: every Vulkan
    # driver loaded (lavapipe's LLVM included) and a device held on the GPU for the process's life.
    # Control: build_info() itself does open it, so the check can see a loaded driver.
    code = (
        "import torch, quantization_mlx as q\n"
        "w, x = torch.randn(16, 64), torch.randn(2, 64)\n"
        "wq, s, b = q.quantize(w)\n"
        "q.quantized_matmul(x, wq, s, b)\n"
        "loaded = lambda: 'libvulkan' in open('/proc/self/maps').read()\n"
        "before = loaded()\n"
        "wgpu = 'wgpu' in q.build_info()['features']\n"
        "print(before, wgpu, loaded())\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "QMLX_BACKEND"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    before, wgpu, after = out.stdout.split()
    assert before == "False", "importing the package or a CPU call loaded libvulkan"
    if wgpu == "True" and ctypes.util.find_library("vulkan"):
        assert after == "True", "build_info() opens the wgpu adapter; the check saw no driver loaded"


def test_build_info():
    info = q.build_info()
    assert info["version"] == q.__version__
    assert isinstance(info["cuda_archs"], list)
    assert isinstance(info["cpu_features"], list)
    if torch.backends.cpu.get_cpu_capability().startswith("AVX2"):
        assert "avx2" in info["cpu_features"]
    assert "cpu" in info["backends"]


def test_every_mode_dtype_combination_runs_all_four_functions():
    """A small smoke grid over every mode × dtype × transpose through all four functions."""
    for mode, dtype, transpose in itertools.product(MODES, FLOAT_DTYPES, (True, False)):
        wq, s, b, w_hat = _weight(mode, dtype, 64, 64, transpose, batch=(2,))
        x = torch.randn(2, 3, 64).to(dtype)
        assert_matmul_close(q.quantized_matmul(x, wq, s, b, transpose, mode=mode), x, w_hat, transpose)
        idx = torch.tensor([1, 0])
        assert_matmul_close(q.gather_qmm(x, wq, s, b, None, idx, transpose, mode=mode), x, w_hat, transpose, rhs=idx)


def test_readme_python_example():
    """The README's Python example runs as written."""
    import pathlib
    import re

    readme = pathlib.Path(__file__).resolve().parents[2] / "README.md"
    text = readme.read_text()
    section = text[text.index("## Python package"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    scope: dict = {}
    exec(compile(code.replace("print(qm.build_info())", "info = qm.build_info()"), "README.md", "exec"), scope)
    assert scope["y"].shape == (2, 7, 4096) and scope["y"].dtype == torch.bfloat16
    assert scope["y_moe"].shape == (3, 1, 4096)
    assert torch.equal(scope["y_seed"], scope["y"])
