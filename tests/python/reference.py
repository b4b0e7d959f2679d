"""Shared test helpers: an independent float64 reference of MLX's formats and ops, and the error metric.

Nothing here calls quantization_mlx's kernels: codes are unpacked from the bitstream with numpy, and
decoded with the tables of spec §3 and §5, so the reference also checks ``dequantize``.

    from reference import dequant_ref, matmul_ref, gather_ref, assert_matmul_close

- ``dequant_ref(w, scales, biases, group_size, bits, mode, global_scale)`` -> float64 torch tensor Ŵ.
- ``matmul_ref(x, w_hat, transpose)`` -> float64 ``x @ Ŵᵀ`` (or ``x @ Ŵ``), MLX's broadcasting.
- ``gather_ref(x, w_hat, lhs, rhs, transpose)`` -> float64 gather_qmm.
- ``assert_matmul_close(y, x, w_hat, transpose, lhs=None, rhs=None)``: the bound
  ``|y - ref| <= 2·u(y.dtype)·(|x| @ |Ŵ|) + 1e-6·(|x| @ |Ŵ|)`` elementwise (u = 2^-24, 2^-11, 2^-8
  for float32, float16, bfloat16), the bound of the seed's v2 tests.
"""

from __future__ import annotations

import numpy as np
import torch

DEFAULTS = {"affine": (64, 4), "mxfp4": (32, 4), "mxfp8": (32, 8), "nvfp4": (16, 4)}
FLOAT_DTYPES = (torch.float32, torch.float16, torch.bfloat16)
UNIT_ROUNDOFF = {torch.float32: 2.0**-24, torch.float16: 2.0**-11, torch.bfloat16: 2.0**-8}

FP4_VALUES = np.array([0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, -0.0, -0.5, -1.0, -1.5, -2.0, -3.0, -4.0, -6.0])


def _fp8_e4m3_table() -> np.ndarray:
    t = np.empty(256, dtype=np.float64)
    for c in range(256):
        sign = -1.0 if c & 0x80 else 1.0
        e, m = (c >> 3) & 0xF, c & 7
        if c & 0x7F == 0x7F:
            t[c] = np.nan
        elif e == 0:
            t[c] = sign * m * 2.0**-9
        else:
            t[c] = sign * 2.0 ** (e - 7) * (1 + m / 8)
    return t


FP8_E4M3 = _fp8_e4m3_table()
E8M0 = np.array([2.0**-127] + [2.0 ** (s - 127) for s in range(1, 255)] + [np.inf])


def resolve(mode: str, group_size, bits):
    gs, b = DEFAULTS[mode]
    return (group_size or gs), (bits or b)


def unpack_codes(wq: torch.Tensor, bits: int) -> np.ndarray:
    """Codes ``[..., R, W*32/bits]`` (int64) of a packed weight: each row is an LSB-first bitstream of
    little-endian uint32 words, element j at stream bits [j*bits, j*bits + bits)."""
    words = wq.detach().cpu().contiguous().view(torch.int32).numpy().view(np.uint32)
    if 32 % bits == 0:  # codes never straddle words
        shifts = np.arange(0, 32, bits, dtype=np.uint32)
        codes = (words[..., None] >> shifts) & np.uint32((1 << bits) - 1)
        return codes.reshape(*words.shape[:-1], -1).astype(np.int64)
    words = words.astype(np.uint64)
    n = words.shape[-1] * 32 // bits
    pos = np.arange(n, dtype=np.int64) * bits
    lo_word, shift = pos // 32, (pos % 32).astype(np.uint64)
    padded = np.concatenate([words, np.zeros(words.shape[:-1] + (1,), np.uint64)], axis=-1)
    window = padded[..., lo_word] | (padded[..., lo_word + 1] << np.uint64(32))  # 64 bits from the code's word
    return ((window >> shift) & np.uint64((1 << bits) - 1)).astype(np.int64)


def _f64(t) -> np.ndarray:
    return t.detach().cpu().to(torch.float64).numpy()


def dequant_ref(w, scales, biases=None, group_size=None, bits=None, mode="affine", global_scale=None) -> torch.Tensor:
    """float64 Ŵ from MLX's storage format (spec §3–§5). ``global_scale`` (nvfp4): a scalar, or one per
    matrix of w's batch shape."""
    gs, b = resolve(mode, group_size, bits)
    q = unpack_codes(w, b)
    if mode == "affine":
        s = np.repeat(_f64(scales), gs, axis=-1)
        o = np.repeat(_f64(biases), gs, axis=-1)
        out = s * q + o
    else:
        sc = scales.detach().cpu().numpy().astype(np.int64)
        vals = FP8_E4M3[q] if mode == "mxfp8" else FP4_VALUES[q]
        if mode == "nvfp4":
            scale = FP8_E4M3[sc]
            if global_scale is not None:
                g = _f64(torch.as_tensor(global_scale))
                scale = scale * (g.reshape(g.shape + (1, 1)) if g.ndim else g) / 2688.0
        else:
            scale = E8M0[sc]
        out = vals * np.repeat(scale, gs, axis=-1)
    return torch.from_numpy(np.ascontiguousarray(out))


def matmul_ref(x: torch.Tensor, w_hat: torch.Tensor, transpose: bool = True) -> torch.Tensor:
    """float64 ``quantized_matmul`` with MLX's shape rules (w 2-D: x's leading dims are rows)."""
    xd = x.detach().cpu().to(torch.float64)
    wm = w_hat.transpose(-1, -2) if transpose else w_hat
    if w_hat.dim() == 2:
        return xd @ wm
    return torch.matmul(xd, wm)


def gather_ref(x, w_hat, lhs=None, rhs=None, transpose=True) -> torch.Tensor:
    """float64 ``gather_qmm``: out[i] = x_flat[lhs[i]] @ op(Ŵ_flat[rhs[i]]) over the broadcast index shape."""
    xd = x.detach().cpu().to(torch.float64)
    xb, wb = tuple(xd.shape[:-2]), tuple(w_hat.shape[:-2])
    if lhs is None:
        lhs = torch.arange(int(np.prod(xb, dtype=np.int64))).reshape(xb)
    if rhs is None:
        rhs = torch.arange(int(np.prod(wb, dtype=np.int64))).reshape(wb)
    lhs, rhs = torch.broadcast_tensors(lhs.cpu().to(torch.int64), rhs.cpu().to(torch.int64))
    xf = xd.reshape(-1, *xd.shape[-2:])
    wf = w_hat.reshape(-1, *w_hat.shape[-2:])
    wm = wf.transpose(-1, -2) if transpose else wf
    out = xf[lhs.reshape(-1)] @ wm[rhs.reshape(-1)]
    return out.reshape(*lhs.shape, *out.shape[-2:])


def error_bound(y_dtype: torch.dtype, magnitude: torch.Tensor) -> torch.Tensor:
    """Allowed |y - ref| given ``magnitude = |x| @ |Ŵ|`` (float64)."""
    return (2 * UNIT_ROUNDOFF[y_dtype] + 1e-6) * magnitude + 1e-30


def assert_matmul_close(y, x, w_hat, transpose=True, lhs=None, rhs=None, what=""):
    """Checks y against the float64 reference with the bound of :func:`error_bound`."""
    if lhs is None and rhs is None:
        ref = matmul_ref(x, w_hat, transpose)
        mag = matmul_ref(x.abs(), w_hat.abs(), transpose)
    else:
        ref = gather_ref(x, w_hat, lhs, rhs, transpose)
        mag = gather_ref(x.abs(), w_hat.abs(), lhs, rhs, transpose)
    assert tuple(y.shape) == tuple(ref.shape), f"{what}: shape {tuple(y.shape)} != reference {tuple(ref.shape)}"
    err = (y.detach().cpu().to(torch.float64) - ref).abs()
    bound = error_bound(y.dtype, mag)
    bad = ~(err <= bound)
    if bad.any():
        i = int(bad.flatten().nonzero()[0])
        raise AssertionError(
            f"{what}: {int(bad.sum())} of {err.numel()} elements exceed the bound; first at flat {i}: "
            f"y={float(y.flatten()[i])}, ref={float(ref.flatten()[i])}, err={float(err.flatten()[i])}, "
            f"bound={float(bound.flatten()[i])}"
        )


def assert_same_result(a, b, what=""):
    """Two ways of computing the same product agree to a few roundings of the output dtype.

    Not bitwise: the CPU kernels pick their blocking by M (a batched call folds batches into M), so the
    summation order, and with it the last bits, may differ between a batched call and its slices.
    Garbage rows (the seed's batching bug) or a wrong matrix fail by orders of magnitude.
    """
    assert a.shape == b.shape and a.dtype == b.dtype, f"{what}: {a.shape}/{a.dtype} vs {b.shape}/{b.dtype}"
    a64, b64 = a.detach().cpu().to(torch.float64), b.detach().cpu().to(torch.float64)
    scale = float(a64.abs().max()) if a64.numel() else 0.0
    tol = 8 * UNIT_ROUNDOFF[a.dtype] * scale
    diff = float((a64 - b64).abs().max()) if a64.numel() else 0.0
    assert diff <= tol, f"{what}: max |difference| {diff} > {tol} (8 roundings of max |y| = {scale})"


def random_weight(shape, dtype=torch.float32, seed=0, scale=1.0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(shape, generator=g, dtype=torch.float32) * scale).to(dtype)
