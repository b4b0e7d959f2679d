"""Reference helpers for the live-MLX parity and accuracy tests.

Everything here is written from the format spec (`../shared/spec/mlx-format.md`), independently of
the project's Rust code, so that a bug there cannot hide behind a shared helper:

* torch <-> mlx <-> numpy conversions that keep exact bits (bfloat16 travels as raw uint16);
* a numpy unpacker of the LSB-first bitstream (§3) and decoders of FP4 E2M1, FP8 E4M3, E8M0 (§5);
* Ŵ64, the exact float64 value of stored weights (s·q + b, or value·scale), and the float64
  matmul / gather_qmm references built on it (§6, §7);
* the project's accuracy metric err = max|y − y64| / max|y64| and its floors;
* fresh random generators whose seeds are printed (pytest shows them on failure; set
  QMLX_TEST_SEED to replay one).
"""

from __future__ import annotations

import os
import zlib

import numpy as np
import torch

try:  # Imported lazily by the tests so that a missing MLX fails loudly there, not at collection.
    import mlx.core as mx
except ImportError:  # pragma: no cover - reported by the tests' `mlx` fixture
    mx = None

# --------------------------------------------------------------------------------------------
# Seeds


def rng(name: str) -> np.random.Generator:
    """A fresh generator for test `name`; prints its seed (replay with QMLX_TEST_SEED=<seed>)."""
    env = os.environ.get("QMLX_TEST_SEED")
    base = int(env) if env else int.from_bytes(os.urandom(4), "little")
    # Distinct streams per test even when one seed is replayed for the whole run.
    seed = (base ^ zlib.crc32(name.encode())) & 0xFFFFFFFF
    print(f"[seed] {name}: QMLX_TEST_SEED={base} (stream seed {seed})")
    return np.random.default_rng(seed)


# --------------------------------------------------------------------------------------------
# dtypes and conversions

DTYPES = ("float32", "float16", "bfloat16")
TORCH_DTYPE = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}
# The accuracy floors of the project's metric, per activation dtype.
FLOOR = {"float32": 2e-6, "float16": 1.5e-3, "bfloat16": 1.2e-2}
MODE_DEFAULTS = {"affine": (64, 4), "mxfp4": (32, 4), "mxfp8": (32, 8), "nvfp4": (16, 4)}


def mx_dtype(name: str):
    return getattr(mx, name)


def dtype_name(t) -> str:
    """'float32' / 'float16' / 'bfloat16' / 'uint32' ... for a torch tensor or an mx array."""
    if isinstance(t, torch.Tensor):
        return str(t.dtype).removeprefix("torch.")
    return str(t.dtype).removeprefix("mlx.core.")


def torch_to_mx(t: torch.Tensor):
    """Exact-bit copy of a CPU torch tensor as an mx array (bfloat16 via its raw bits)."""
    t = t.detach().cpu().contiguous()
    if t.dtype == torch.bfloat16:
        return mx.array(t.view(torch.int16).numpy().view(np.uint16)).view(mx.bfloat16)
    return mx.array(t.numpy())


def mx_to_torch(a) -> torch.Tensor:
    """Exact-bit copy of an mx array as a CPU torch tensor."""
    if a.dtype == mx.bfloat16:
        return torch.from_numpy(np.array(a.view(mx.uint16)).view(np.int16).copy()).view(torch.bfloat16)
    return torch.from_numpy(np.array(a).copy())


def np_to_torch(a: np.ndarray, dtype: str) -> torch.Tensor:
    """A numpy array (any float or integer) as a torch tensor of `dtype`, rounded once (RNE).

    float64 → bfloat16 goes through float32 only when that is exact, so values come out correctly
    rounded; tests build their data so that it is exact in float32 anyway.
    """
    if dtype in ("uint32", "uint8", "int32", "int64"):
        return torch.from_numpy(np.ascontiguousarray(a).astype(dtype))
    return torch.from_numpy(np.ascontiguousarray(a, dtype=np.float64)).to(TORCH_DTYPE[dtype])


def bits_of(t) -> np.ndarray:
    """Raw bits of a torch tensor / mx array as an unsigned numpy array (for bit-exact compares)."""
    if not isinstance(t, torch.Tensor):
        t = mx_to_torch(t)
    t = t.detach().cpu().contiguous()
    size = t.element_size()
    signed = {1: torch.uint8, 2: torch.int16, 4: torch.int32, 8: torch.int64}[size]
    unsigned = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}[size]
    if t.dtype == torch.uint8:
        return t.numpy().copy()
    return t.view(signed).numpy().view(unsigned).copy()


def to_f64(t) -> np.ndarray:
    if not isinstance(t, torch.Tensor):
        t = mx_to_torch(t)
    return t.detach().cpu().to(torch.float64).numpy()


def round_to(a64: np.ndarray, dtype: str) -> np.ndarray:
    """float64 values rounded once to `dtype` (RNE), returned as float64. Requires `a64` exact in f32
    for bfloat16 (checked), since torch converts double → bfloat16 through float."""
    if dtype == "float32":
        return a64.astype(np.float32).astype(np.float64)
    if dtype == "float16":
        with np.errstate(over="ignore"):  # overflow to ±inf is the correct rounding
            return a64.astype(np.float16).astype(np.float64)
    f32 = a64.astype(np.float32)
    assert np.array_equal(f32.astype(np.float64), a64, equal_nan=True), "round_to bfloat16 needs f32-exact input"
    return torch.from_numpy(f32).to(torch.bfloat16).to(torch.float64).numpy()


# --------------------------------------------------------------------------------------------
# Codes and packing (spec §3, §5), written from the spec tables


def unpack_codes(wq: np.ndarray, bits: int) -> np.ndarray:
    """Codes of a packed uint32 array [..., W] → uint8 [..., W*32/bits]: one LSB-first bitstream per row."""
    wq = np.ascontiguousarray(wq, dtype="<u4")
    lead = wq.shape[:-1]
    stream = np.unpackbits(wq.view(np.uint8).reshape(*lead, -1), axis=-1, bitorder="little")
    per = stream.reshape(*lead, -1, bits).astype(np.uint32)
    return (per << np.arange(bits, dtype=np.uint32)).sum(axis=-1).astype(np.uint8)


def pack_codes(codes: np.ndarray, bits: int) -> np.ndarray:
    """Inverse of `unpack_codes`: codes [..., L] (L·bits a multiple of 32) → uint32 [..., L*bits/32]."""
    codes = np.asarray(codes, dtype=np.uint8)
    lead = codes.shape[:-1]
    per = ((codes[..., None] >> np.arange(bits, dtype=np.uint8)) & 1).reshape(*lead, -1)
    return np.packbits(per, axis=-1, bitorder="little").view("<u4").reshape(*lead, -1)


FP4_VALUES = np.array([0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, -0.0, -0.5, -1.0, -1.5, -2.0, -3.0, -4.0, -6.0])


def fp4_value(codes: np.ndarray) -> np.ndarray:
    return FP4_VALUES[np.asarray(codes) & 15]


def fp8_e4m3_value(codes: np.ndarray) -> np.ndarray:
    """E4M3 "fn": e = bits 6..3 (bias 7), m = bits 2..0; e = 0 is subnormal m·2^-9; 0x7F/0xFF NaN."""
    c = np.asarray(codes).astype(np.int64)
    e, m = (c >> 3) & 15, c & 7
    mag = np.where(e == 0, m * 2.0**-9, 2.0 ** (e - 7.0) * (1 + m / 8.0))
    mag = np.where((c & 0x7F) == 0x7F, np.nan, mag)
    return np.where(c & 0x80, -mag, mag)


def e8m0_value(codes: np.ndarray) -> np.ndarray:
    """E8M0: 2^(s−127); byte 0 is 2^-127 (not zero); byte 255 is +inf (Metal/CPU)."""
    s = np.asarray(codes).astype(np.float64)
    v = 2.0 ** (s - 127.0)
    return np.where(s == 255, np.inf, v)


def stored_weights_f64(wq, scales, biases, group_size: int, bits: int, mode: str, global_scale=None) -> np.ndarray:
    """Ŵ64: the exact float64 value of the stored weights, shape [..., rows, cols].

    affine: s·q + b with s, b the stored values; fp: value(code)·scale (·g/2688 for nvfp4 with a
    global scale `g`, which may be per matrix: shape = the batch shape of `wq`).
    """
    wq = bits_of(wq) if isinstance(wq, torch.Tensor) else np.asarray(wq)
    codes = unpack_codes(wq.view(np.uint32), bits)
    if mode == "affine":
        s = np.repeat(to_f64(scales), group_size, axis=-1)
        b = np.repeat(to_f64(biases), group_size, axis=-1)
        return s * codes + b
    sc = bits_of(scales) if isinstance(scales, torch.Tensor) else np.asarray(scales)
    sv = fp8_e4m3_value(sc) if mode == "nvfp4" else e8m0_value(sc)
    vals = fp8_e4m3_value(codes) if mode == "mxfp8" else fp4_value(codes)
    w64 = vals * np.repeat(sv, group_size, axis=-1)
    if global_scale is not None:
        g = to_f64(global_scale) if isinstance(global_scale, torch.Tensor) else np.asarray(global_scale, np.float64)
        batch = w64.shape[:-2]
        # One scalar (shape () or (1,)) for a single matrix; else one per matrix (w's batch shape).
        g = g.reshape(()) if g.size == 1 and not batch else g.reshape(batch + (1, 1))
        w64 = w64 * (g / 2688.0)
    return w64


# --------------------------------------------------------------------------------------------
# float64 matmul references and the accuracy metric (spec §6, §7)


def qmm_ref64(x64: np.ndarray, w64: np.ndarray, transpose: bool) -> np.ndarray:
    """y64 = x64 @ Ŵᵀ (transpose) or x64 @ Ŵ, with numpy's (= MLX's, for these cases) broadcasting."""
    wm = np.swapaxes(w64, -1, -2) if transpose else w64
    return np.matmul(x64, wm)


def default_indices(batch_shape) -> np.ndarray:
    return np.arange(int(np.prod(batch_shape, dtype=np.int64))).reshape(batch_shape)


def gather_ref64(x64, w64, lhs, rhs, transpose: bool) -> np.ndarray:
    """out[i] = X_flat[lhs[i]] @ op(Ŵ_flat[rhs[i]]), lhs and rhs broadcast together (§7.1)."""
    if lhs is None and rhs is None:
        return qmm_ref64(x64, w64, transpose)
    xb, wb = x64.shape[:-2], w64.shape[:-2]
    lhs = default_indices(xb) if lhs is None else np.asarray(lhs)
    rhs = default_indices(wb) if rhs is None else np.asarray(rhs)
    lhs, rhs = np.broadcast_arrays(lhs, rhs)
    xf = x64.reshape(-1, *x64.shape[-2:])
    wf = w64.reshape(-1, *w64.shape[-2:])
    wm = np.swapaxes(wf[rhs.reshape(-1)], -1, -2) if transpose else wf[rhs.reshape(-1)]
    out = np.matmul(xf[lhs.reshape(-1)], wm)
    return out.reshape(*lhs.shape, *out.shape[-2:])


def rel_err(y, y64: np.ndarray) -> float:
    """err = max|y − y64| / max|y64| (inf if y has NaN/inf or a different shape)."""
    yf = to_f64(y)
    if yf.shape != y64.shape:
        return float("inf")
    if yf.size == 0:
        return 0.0
    if not np.isfinite(yf).all():
        return float("inf")
    denom = np.abs(y64).max()
    num = np.abs(yf - y64).max()
    return float(num / denom) if denom > 0 else float(num)


# --------------------------------------------------------------------------------------------
# Random stored weights (independent of any quantizer)


def random_stored(gen: np.random.Generator, batch, rows: int, cols: int, group_size: int, bits: int, mode: str,
                  scale_dtype: str):
    """Random packed weights with sane scales: (wq uint32, scales, biases-or-None) as torch tensors.

    Codes are uniform; affine scales are ±(0.5..1.5)/(2^b−1) with the bias centring the range, fp
    scales are bytes near 2^0 (NaN codes of fp8 are avoided: they would poison every output).
    """
    shape = (*batch, rows, cols)
    codes = gen.integers(0, 1 << bits, size=shape, dtype=np.uint8)
    if mode == "mxfp8":
        codes = np.where((codes & 0x7F) == 0x7F, codes ^ 1, codes).astype(np.uint8)
    wq = torch.from_numpy(pack_codes(codes, bits).view(np.int32).copy()).view(torch.uint32)
    gshape = (*batch, rows, cols // group_size)
    if mode == "affine":
        n = (1 << bits) - 1
        s = gen.uniform(0.5, 1.5, gshape) * gen.choice([-1.0, 1.0], gshape) / n
        b = -s * n / 2 + gen.normal(0, 0.1, gshape) * np.abs(s) * n / 2  # roughly centred, as real weights
        s_t, b_t = np_to_torch(s, scale_dtype), np_to_torch(b, scale_dtype)
        return wq, s_t, b_t
    if mode == "nvfp4":
        # E4M3 bytes for 0.25 .. 2 (e = 5..8), never NaN.
        sb = (gen.integers(5, 9, gshape) << 3 | gen.integers(0, 8, gshape)).astype(np.uint8)
    else:
        sb = gen.integers(124, 131, gshape).astype(np.uint8)
    return wq, torch.from_numpy(sb), None
