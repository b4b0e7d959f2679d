"""Bit-level parity of quantization_mlx with the live MLX (mlx[cpu]==0.32.4) and with the spec.

* affine quantize with rounding="cpu" is bit-exact with `mx.quantize` (every bits × group size ×
  dtype), on data with tie groups and all-negative groups so that a wrong rounding rule cannot pass;
* rounding="gpu" differs from MLX-CPU on those groups, equals the spec's §4.3 numbers and a numpy
  transcription of the §4.1 GPU algorithm;
* codecs: FP8 E4M3 / FP4 E2M1 / E8M0 decode over every byte and FP8 encode on edge floats, against
  `mx.from_fp8` / `mx.to_fp8` / `mx.dequantize` of crafted codes (where MLX's CPU and GPU agree);
* the reference helpers themselves are checked against live MLX and the spec's worked examples.

Seeds are printed ([seed] lines); replay with QMLX_TEST_SEED=<seed>.
"""

from __future__ import annotations

import importlib

import mlx.core as mx
import numpy as np
import pytest
import torch

import mlx_ref as R

AFFINE_BITS = (1, 2, 3, 4, 5, 6, 8)
GROUP_SIZES = (32, 64, 128)


@pytest.fixture(scope="module")
def qm():
    try:
        return importlib.import_module("quantization_mlx")
    except ImportError as e:  # The package is a hard requirement of this suite: fail, never skip.
        pytest.fail(f"quantization_mlx is not importable ({e}); build it first (bash scripts/test.sh)")


def assert_bits_equal(ours, theirs, what: str, seed_note: str = ""):
    """Bit-exact equality; any NaN equals any NaN (MLX writes one canonical NaN for 0x7F and 0xFF)."""
    a, b = R.bits_of(ours), R.bits_of(theirs)
    assert a.shape == b.shape, f"{what}: shape {a.shape} != MLX {b.shape}"
    differ = a != b
    if R.dtype_name(ours).startswith(("float", "bfloat")):
        differ &= ~(np.isnan(R.to_f64(ours)) & np.isnan(R.to_f64(theirs)))
    bad = np.argwhere(differ)
    assert bad.size == 0, (
        f"{what}: {len(bad)} of {a.size} differ {seed_note}; first at {tuple(bad[0])}: "
        f"ours {a[tuple(bad[0])]:#x} vs ref {b[tuple(bad[0])]:#x}"
    )


# ============================================================================================
# Reference self-checks (need only MLX)


@pytest.mark.parametrize("bits", AFFINE_BITS)
def test_reference_unpacker_matches_mlx(bits):
    """Our numpy unpacker agrees with mx.dequantize(scale=1, bias=0), which yields the raw codes."""
    gen = R.rng(f"unpacker-{bits}")
    words = gen.integers(0, 2**32, size=(3, 2 * bits), dtype=np.uint32)  # 64 codes per row
    ones = mx.ones((3, 2), dtype=mx.float32)
    got = np.array(mx.dequantize(mx.array(words), ones, mx.zeros_like(ones), group_size=32, bits=bits))
    assert np.array_equal(R.unpack_codes(words, bits).astype(np.float32), got)
    assert np.array_equal(R.pack_codes(R.unpack_codes(words, bits), bits), words)


SPEC_PACKING_EXAMPLES = [  # (bits, codes (padded with zeros to 32), expected leading bytes) — spec §3.4
    (3, [1, 2, 3, 4, 5, 6, 7, 0], "d1 58 1f"),
    (3, [j % 8 for j in range(32)], "88 c6 fa 88 c6 fa 88 c6 fa 88 c6 fa"),
    (6, [1, 2, 3, 63], "81 30 fc"),
    (6, [(5 * j + 1) % 64 for j in range(32)], "81 b1 40 95 f6 91 a9 3b e3 bd 70 30"),
    (5, [1, 2, 3, 4, 5, 6, 7, 31], "41 0c 52 cc f9"),
    (4, [1, 2, 3, 4, 5, 6, 7, 15], "21 43 65 f7"),
    (2, [0, 1, 2, 3, 3, 2, 1, 0] + [0] * 7 + [1], "e4 1b 00 40"),
    (8, [1, 2, 3, 255], "01 02 03 ff"),
    (1, [1, 0, 1, 1, 0, 0, 0, 1], "8d 00 00 00"),
]


@pytest.mark.parametrize("bits,codes,hexbytes", SPEC_PACKING_EXAMPLES)
def test_reference_packer_spec_examples(bits, codes, hexbytes):
    codes = np.array(codes + [0] * (32 - len(codes)), dtype=np.uint8)
    packed = R.pack_codes(codes[None], bits)[0]
    want = bytes.fromhex(hexbytes.replace(" ", ""))
    assert packed.view(np.uint8).tobytes()[: len(want)] == want


def test_reference_decoders_match_mlx():
    """E4M3 decode vs mx.from_fp8; E8M0 and FP4 decode vs mx.dequantize of crafted codes."""
    every = np.arange(256, dtype=np.uint8)
    got = np.array(mx.from_fp8(mx.array(every), dtype=mx.float32)).astype(np.float64)
    assert np.array_equal(R.fp8_e4m3_value(every), got, equal_nan=True)
    # One mxfp4 row per scale byte, every code 2 (= 1.0): the output is the scale itself.
    wq = mx.array(np.full((256, 4), 0x22222222, dtype=np.uint32))
    got = np.array(mx.dequantize(wq, mx.array(every[:, None]), mode="mxfp4", dtype=mx.float32))[:, 0]
    assert np.array_equal(R.e8m0_value(every), got.astype(np.float64))
    codes = np.arange(32, dtype=np.uint8) % 16
    wq = mx.array(R.pack_codes(codes[None], 4))
    got = np.array(mx.dequantize(wq, mx.array(np.array([[127]], np.uint8)), mode="mxfp4", dtype=mx.float32))[0]
    assert np.array_equal(R.fp4_value(codes), got.astype(np.float64))
    assert np.array_equal(np.signbit(R.fp4_value(codes)), np.signbit(got))


# ============================================================================================
# Affine quantize: rounding="cpu" bit-exact with live mx.quantize


def affine_test_groups(gen, n_groups: int, gs: int, bits: int, dtype: str) -> np.ndarray:
    """`n_groups` groups (float64, exact in `dtype`) cycling through: N(0, σ) data, tie groups,
    all-negative groups, all-positive groups, the all-zero group, and a constant group.

    Tie group: values in {0, n} ∪ {k, k + ½} scaled by 2^p (and optionally negated), so that
    scale = ∓2^p, bias = ±n·2^p and every k + ½ lands exactly on a code midpoint (spec §4.3 C).
    It always holds a midpoint with an even floor, where half-even and half-away disagree.
    """
    n = (1 << bits) - 1
    kmax = min(n, 128)  # k + 1/2 must be exact in bfloat16 (8 significant bits)
    out = np.empty((n_groups, gs))
    kinds = ("normal", "tie", "negative", "tie", "positive", "zero", "normal", "tie", "const")
    for g in range(n_groups):
        kind = kinds[g % len(kinds)]
        p = 2.0 ** int(gen.integers(-10, 1))
        if kind == "normal":
            v = gen.normal(0, gen.choice([0.02, 1.0, 30.0]), gs)
        elif kind == "tie":
            k = gen.integers(0, kmax, gs).astype(np.float64)
            v = k + gen.choice([0.0, 0.5], gs)
            v = np.minimum(v, n)
            v[:2] = [0.0, float(n)]
            v[2] = 2 * gen.integers(0, (kmax + 1) // 2) + 0.5  # even floor → codes differ
            v = gen.permutation(v) * p * gen.choice([-1.0, 1.0])
        elif kind == "negative":
            v = -gen.uniform(1.0, 4.0, gs) * p
            if g % 2:
                v[: gs // 2] = np.tile([-4.0, -3.0, -2.0, -1.0], gs // 8) * p  # spec §4.3 B pattern
        elif kind == "positive":
            v = gen.uniform(1.0, 4.0, gs) * p
        elif kind == "zero":
            v = np.zeros(gs)
        else:
            v = np.full(gs, gen.normal() * p)
        out[g] = v
    # Round the random ones to the dtype (the engineered ones are exact already).
    return R.to_f64(R.np_to_torch(out.astype(np.float32).astype(np.float64), dtype))


@pytest.mark.parametrize("dtype", R.DTYPES)
@pytest.mark.parametrize("gs", GROUP_SIZES)
@pytest.mark.parametrize("bits", AFFINE_BITS)
def test_affine_quantize_cpu_rounding_bit_exact_with_mlx(qm, bits, gs, dtype):
    gen = R.rng(f"affine-cpu-{bits}-{gs}-{dtype}")
    batch, rows, groups_per_row = (2,), 5, 3
    groups = affine_test_groups(gen, int(np.prod(batch)) * rows * groups_per_row, gs, bits, dtype)
    w = R.np_to_torch(groups.reshape(*batch, rows, groups_per_row * gs), dtype)
    assert np.array_equal(R.to_f64(w).reshape(-1, gs), groups)
    ours = qm.quantize(w, gs, bits, "affine", rounding="cpu")
    theirs = mx.quantize(R.torch_to_mx(w), group_size=gs, bits=bits)
    assert len(ours) == 3
    assert ours[0].dtype == torch.uint32 and ours[1].dtype == w.dtype and ours[2].dtype == w.dtype
    for name, a, b in zip(("wq", "scales", "biases"), ours, theirs):
        assert_bits_equal(a, b, f"{name} (bits={bits}, gs={gs}, {dtype})")


# ============================================================================================
# Affine quantize: rounding="gpu" differs from MLX-CPU where it must, and follows spec §4.1


def gpu_affine_reference(w64: np.ndarray, gs: int, bits: int, dtype: str):
    """Numpy transcription of spec §4.1 (MLX Metal/CUDA) in IEEE float32: (codes, scales64, biases64)."""
    f = np.float32
    n = f((1 << bits) - 1)
    g = w64.reshape(-1, gs).astype(f)
    hi = np.maximum(f(0), g.max(axis=1))
    lo = g.min(axis=1)

    def round_away(x):
        t = np.trunc(x)
        return t + np.where(np.abs(x - t) >= f(0.5), np.sign(x), f(0)).astype(f)

    with np.errstate(divide="ignore", invalid="ignore"):
        if bits == 1:
            scale, bias = np.maximum(hi - lo, f(1e-7)), lo
        else:
            s0 = np.maximum((hi - lo) / n, f(1e-7))
            side = np.abs(lo) > np.abs(hi)
            s1 = np.where(side, s0, -s0)
            edge = np.where(side, lo, hi)
            q0 = round_away(edge / s1)
            scale = np.where(q0 == 0, s1, edge / q0)
            bias = np.where(q0 == 0, f(0), edge)
        q = round_away((g - bias[:, None]) / scale[:, None])
    codes = np.clip(q, 0, n).astype(np.uint8)
    sh = w64.shape[:-1] + (w64.shape[-1] // gs,)
    s_t = R.to_f64(torch.from_numpy(scale.astype(f)).to(R.TORCH_DTYPE[dtype])).reshape(sh)
    b_t = R.to_f64(torch.from_numpy(bias.astype(f)).to(R.TORCH_DTYPE[dtype])).reshape(sh)
    return codes.reshape(w64.shape), s_t, b_t


@pytest.mark.parametrize("dtype", R.DTYPES)
@pytest.mark.parametrize("bits", AFFINE_BITS)
def test_affine_quantize_gpu_rounding_differs_from_mlx_cpu_and_follows_spec(qm, bits, dtype):
    gs = 32
    gen = R.rng(f"affine-gpu-{bits}-{dtype}")
    groups = affine_test_groups(gen, 9 * 4, gs, bits, dtype)
    w = R.np_to_torch(groups.reshape(4, 9 * gs), dtype)
    wq, s, b = qm.quantize(w, gs, bits)  # rounding="gpu" is the default
    mq, ms, mb = mx.quantize(R.torch_to_mx(w), group_size=gs, bits=bits)
    codes = R.unpack_codes(R.bits_of(wq), bits).reshape(-1, gs)
    mcodes = R.unpack_codes(np.array(mq), bits).reshape(-1, gs)
    # Group kinds cycle with period 9 (see affine_test_groups): 1, 3, 7 are tie groups, 2 all-negative.
    kind = np.arange(groups.shape[0]) % 9
    tie_groups = np.isin(kind, (1, 3, 7))
    neg_groups = kind == 2
    differs = (codes != mcodes).any(axis=1) | (R.bits_of(s).reshape(-1) != R.bits_of(ms).reshape(-1))
    assert differs[tie_groups].all(), f"gpu rounding equals MLX-CPU on tie groups {np.where(tie_groups & ~differs)}"
    assert differs[neg_groups].all(), f"gpu rounding equals MLX-CPU on all-negative groups {np.where(neg_groups & ~differs)}"
    # And it is exactly spec §4.1.
    rc, rs, rb = gpu_affine_reference(R.to_f64(w), gs, bits, dtype)
    assert np.array_equal(codes.reshape(rc.shape), rc), "codes differ from the spec §4.1 transcription"
    assert np.array_equal(R.to_f64(s), rs), "scales differ from the spec §4.1 transcription"
    assert np.array_equal(R.to_f64(b), rb), "biases differ from the spec §4.1 transcription"


@pytest.mark.parametrize("dtype", R.DTYPES)
@pytest.mark.parametrize("bits", [2, 3, 4, 8])
def test_affine_quantize_realistic_weights(qm, bits, dtype):
    """A Llama-like N(0, 0.02) slab: rounding="cpu" bit-exact with mx.quantize, rounding="gpu" bit-exact
    with the spec §4.1 transcription (the two differ on a small fraction of groups, spec §4.2)."""
    gen = R.rng(f"affine-realistic-{bits}-{dtype}")
    w = R.np_to_torch(gen.normal(0, 0.02, (128, 1024)).astype(np.float32).astype(np.float64), dtype)
    ours = qm.quantize(w, 64, bits, rounding="cpu")
    theirs = mx.quantize(R.torch_to_mx(w), group_size=64, bits=bits)
    for name, a, b in zip(("wq", "scales", "biases"), ours, theirs):
        assert_bits_equal(a, b, f"realistic {name} (bits={bits}, {dtype})")
    wq, s, b = qm.quantize(w, 64, bits, rounding="gpu")
    rc, rs, rb = gpu_affine_reference(R.to_f64(w), 64, bits, dtype)
    assert np.array_equal(R.unpack_codes(R.bits_of(wq), bits), rc)
    assert np.array_equal(R.to_f64(s), rs) and np.array_equal(R.to_f64(b), rb)
    cpu_codes = R.unpack_codes(R.bits_of(ours[0]), bits)
    print(f"[realistic] bits={bits} {dtype}: gpu vs cpu rounding: {(R.bits_of(s) != R.bits_of(ours[1])).mean():.3%} "
          f"of scales, {(rc != cpu_codes).mean():.3%} of codes differ")


def test_affine_spec_example_b_all_negative(qm):
    """Spec §4.3 B: w = [−4,−3,−2,−1] repeated, float32, 4-bit, gs 32."""
    w = torch.tensor([[-4.0, -3.0, -2.0, -1.0] * 8])
    wq, s, b = qm.quantize(w, 32, 4, rounding="gpu")
    assert s.item() == np.float32(0.26666668) and b.item() == -4.0
    assert R.unpack_codes(R.bits_of(wq), 4)[0, :4].tolist() == [0, 4, 7, 11]
    wq, s, b = qm.quantize(w, 32, 4, rounding="cpu")
    assert s.item() == np.float32(0.2) and b.item() == -4.0
    assert R.unpack_codes(R.bits_of(wq), 4)[0, :4].tolist() == [0, 5, 10, 15]
    mq, ms, mb = mx.quantize(mx.array(w.numpy()), group_size=32, bits=4)
    assert_bits_equal(wq, mq, "example B wq (cpu)")


def test_affine_spec_example_c_ties(qm):
    """Spec §4.3 C: group [0..15, 6.5, 7.5, 0…]: scale −1, bias 15; 6.5 → 8 (CPU) / 9 (GPU)."""
    v = list(range(16)) + [6.5, 7.5] + [0.0] * 14
    w = torch.tensor([v])
    for rounding, c65, c75 in (("gpu", 9, 8), ("cpu", 8, 8)):
        wq, s, b = qm.quantize(w, 32, 4, rounding=rounding)
        assert s.item() == -1.0 and b.item() == 15.0, rounding
        codes = R.unpack_codes(R.bits_of(wq), 4)[0]
        assert codes[:16].tolist() == [15 - i for i in range(16)], rounding
        assert (codes[16], codes[17]) == (c65, c75), rounding
        deq = qm.dequantize(wq, s, b, 32, 4)
        assert deq[0, 16].item() == (6.0 if rounding == "gpu" else 7.0)
    assert_bits_equal(wq, mx.quantize(mx.array(w.numpy()), group_size=32, bits=4)[0], "example C wq (cpu)")


def test_affine_spec_example_a_and_one_bit(qm):
    """Spec §4.3 A (CPU = GPU, words given) and §4.6 1-bit midpoints."""
    w = torch.tensor([[k / 10 - 1 for k in range(32)]], dtype=torch.float32)
    for rounding in ("gpu", "cpu"):
        wq, s, b = qm.quantize(w, 32, 4, rounding=rounding)
        assert R.bits_of(wq)[0].tolist() == [0xBCCDDEEF, 0x8899AAAB, 0x44556677, 0x00112233]
        assert s.item() == np.float32(-0.21) and b.item() == np.float32(2.1)
    w = torch.tensor([[0.0, 1.0, 0.5, 0.49, 0.51] + [0.0] * 27])
    for rounding, mid in (("cpu", 0), ("gpu", 1)):
        wq, _, _ = qm.quantize(w, 32, 1, rounding=rounding)
        assert R.unpack_codes(R.bits_of(wq), 1)[0, :5].tolist() == [0, 1, mid, 0, 1], rounding


# ============================================================================================
# Codecs against live MLX


def fp_dequant(qm, codes: np.ndarray, scale_bytes: np.ndarray, mode: str, dtype=None):
    """Our dequantize of crafted codes [rows, L] and scale bytes [rows, L/gs]; also MLX's."""
    gs, bits = R.MODE_DEFAULTS[mode]
    words = R.pack_codes(codes, bits)
    wq = torch.from_numpy(words.view(np.int32).copy()).view(torch.uint32)
    sc = torch.from_numpy(np.ascontiguousarray(scale_bytes, dtype=np.uint8))
    kw = {} if dtype is None else {"dtype": R.TORCH_DTYPE[dtype]}
    ours = qm.dequantize(wq, sc, None, gs, bits, mode, **kw)
    mkw = {} if dtype is None else {"dtype": R.mx_dtype(dtype)}
    theirs = mx.dequantize(mx.array(words), mx.array(sc.numpy()), group_size=gs, bits=bits, mode=mode, **mkw)
    return ours, theirs


@pytest.mark.parametrize("dtype", [None, "float32", "float16", "bfloat16"])
def test_fp8_decode_every_byte_matches_mlx(qm, dtype):
    """All 256 E4M3 codes (0x7F/0xFF NaN) through mxfp8 dequantize with scale 2^0, vs mx.from_fp8 and
    mx.dequantize. E4M3 values are exact in every output dtype, so MLX's CPU and GPU agree here."""
    codes = np.arange(256, dtype=np.uint8).reshape(8, 32)
    ours, theirs = fp_dequant(qm, codes, np.full((8, 1), 127, np.uint8), "mxfp8", dtype)
    assert ours.dtype == (torch.bfloat16 if dtype is None else R.TORCH_DTYPE[dtype])
    assert R.dtype_name(ours) == R.dtype_name(theirs)
    assert_bits_equal(ours, theirs, f"mxfp8 dequantize of every code ({dtype})")
    from_fp8 = mx.from_fp8(mx.array(codes), dtype=R.mx_dtype(dtype or "bfloat16"))
    assert_bits_equal(ours, from_fp8, f"vs mx.from_fp8 ({dtype})")


@pytest.mark.parametrize("mode", ["mxfp4", "nvfp4"])
@pytest.mark.parametrize("dtype", [None, "float32", "float16", "bfloat16"])
def test_fp4_decode_every_code_matches_mlx(qm, mode, dtype):
    gen = R.rng(f"fp4-decode-{mode}-{dtype}")
    codes = np.tile(np.arange(16, dtype=np.uint8), (4, 4))
    if mode == "mxfp4":
        sb = gen.integers(120, 135, (4, 2)).astype(np.uint8)
    else:
        sb = (gen.integers(3, 12, (4, 4)) << 3 | gen.integers(0, 8, (4, 4))).astype(np.uint8)
    ours, theirs = fp_dequant(qm, codes, sb, mode, dtype)
    assert R.dtype_name(ours) == R.dtype_name(theirs)
    assert_bits_equal(ours, theirs, f"{mode} dequantize of every code ({dtype})")
    assert np.array_equal(np.signbit(R.to_f64(ours)), np.signbit(R.to_f64(theirs)))  # −0 for code 8


@pytest.mark.parametrize("dtype", ["float32", "bfloat16", "float16"])
def test_e8m0_decode_every_byte_matches_mlx(qm, dtype):
    """Every E8M0 byte (0 → 2^-127, 255 → inf) as the scale of code 2 (= 1.0), mxfp4.

    float32/bfloat16 cover every byte, and MLX-CPU agrees with the GPU there. For float16, MLX's CPU
    computes the scale in float16 (it under/overflows, spec §5.6), so compare with MLX only for bytes
    whose value fits float16 and compare the rest with the GPU rule: the f32 product rounded once.
    """
    every = np.arange(256, dtype=np.uint8)[:, None]
    codes = np.full((256, 32), 2, np.uint8)
    ours, theirs = fp_dequant(qm, codes, every, "mxfp4", dtype)
    want = R.round_to(R.e8m0_value(every[:, 0]).astype(np.float32).astype(np.float64), dtype)
    got = R.to_f64(ours)
    assert np.array_equal(got, np.repeat(want[:, None], 32, axis=1)), f"e8m0 decode ({dtype}) vs spec"
    if dtype == "float16":
        in_range = (every[:, 0] >= 127 - 24) & (every[:, 0] <= 127 + 15)
        assert_bits_equal(ours[in_range], R.mx_to_torch(theirs)[torch.from_numpy(in_range)], "e8m0 f16 in range")
    else:
        assert_bits_equal(ours, theirs, f"e8m0 decode ({dtype}) vs mx.dequantize")


def test_e4m3_scale_decode_every_byte_matches_mlx(qm):
    """Every nvfp4 scale byte (E4M3, 0x7F/0xFF NaN) as the scale of code 2 (= 1.0)."""
    every = np.arange(256, dtype=np.uint8)[:, None]
    ours, theirs = fp_dequant(qm, np.full((256, 16), 2, np.uint8), every, "nvfp4", "float32")
    assert_bits_equal(ours, theirs, "nvfp4 E4M3 scale decode")


def fp8_edge_values() -> np.ndarray:
    """Float32 magnitudes ≤ 448 where an E4M3 encoder can go wrong: every E4M3 value, every
    midpoint (ties: RNE), midpoints ± 1 ulp, the subnormal range and its ties, f32 subnormals, 0."""
    f = np.float32
    vals = R.fp8_e4m3_value(np.arange(0x7F, dtype=np.uint8))  # 0 .. 448, finite, non-negative
    mids = (vals[:-1] + vals[1:]) / 2  # exact in f32
    mids32 = mids.astype(f)
    edge = [vals.astype(f), mids32, np.nextafter(mids32, f(0)), np.nextafter(mids32, f(1000)),
            f([2.0**-10, 3 * 2.0**-10, 2.0**-11, 2.0**-12, 2.0**-20, 1e-30, 1e-40, 1e-45, 2.0**-6, 2.0**-7]),
            np.nextafter(f(2.0**-6), f(0))[None], f([440.0, 447.99997, 432.0, 416.0, 0.0])]
    e = np.concatenate(edge).astype(f)
    return e[e <= 448]


@pytest.mark.parametrize("scale_exp", [0, -3, 5])
def test_fp8_encode_edge_values_match_mx_to_fp8(qm, scale_exp):
    """mxfp8 quantize of crafted float32 groups whose max is 448·2^e (so the E8M0 scale is exactly
    2^e): every element code must equal mx.to_fp8(w / 2^e), for both signs (−0 → 0x80)."""
    gen = R.rng(f"fp8-encode-{scale_exp}")
    mags = fp8_edge_values()
    vals = np.concatenate([mags, -mags, gen.uniform(-448, 448, 200).astype(np.float32)])
    vals = gen.permutation(vals)
    per = 31  # slot 0 of every group holds ±448, fixing the scale
    n_groups = -(-len(vals) // per)
    body = np.zeros(n_groups * per, np.float32)
    body[: len(vals)] = vals
    groups = np.concatenate([gen.choice([-448.0, 448.0], (n_groups, 1)).astype(np.float32),
                             body.reshape(n_groups, per)], axis=1)
    w = torch.from_numpy(groups * np.float32(2.0**scale_exp))  # one group per row
    # The GPU rule encodes w · (1/d), with 1/d an exact power of two: the f32 product is w / d rounded once.
    scaled = w.numpy() * np.float32(2.0**-scale_exp)
    wq, sc = qm.quantize(w, 32, 8, "mxfp8")
    assert (sc.numpy() == 127 + scale_exp).all(), "E8M0 scale of a group with max 448·2^e must be 2^e"
    codes = R.unpack_codes(R.bits_of(wq), 8).reshape(-1)
    want = np.array(mx.to_fp8(mx.array(scaled.reshape(-1))))
    bad = np.nonzero(codes != want)[0]
    assert bad.size == 0, (
        f"{bad.size} fp8 codes differ from mx.to_fp8; first: x={scaled.reshape(-1)[bad[0]]!r} "
        f"ours={codes[bad[0]]:#04x} mlx={want[bad[0]]:#04x}")


def test_fp8_encode_saturation_ties_via_nvfp4_scale(qm):
    """The nvfp4 scale byte is E4M3(amax/6) (RNE, saturating ≥ 448): compare with mx.to_fp8 on
    amaxes whose amax/6 hits E4M3 midpoints, subnormals and values beyond 448 (saturation)."""
    gen = R.rng("nvfp4-scale-encode")
    f = np.float32
    t = np.concatenate([fp8_edge_values(), f([448.0, 449.0, 464.0, 480.0, 500.0, 1e4, 1e30, 3e38]),
                        gen.uniform(0, 600, 64).astype(f)])
    t = t[t > 0]
    with np.errstate(over="ignore"):
        amax = (t.astype(np.float64) * 6).astype(f)
    amax = amax[np.isfinite(amax)]
    groups = gen.uniform(-1, 1, (len(amax), 16)).astype(f) * amax[:, None]
    groups[np.arange(len(amax)), gen.integers(0, 16, len(amax))] = amax * gen.choice([-1, 1], len(amax))
    pad = (-len(amax)) % 2  # rows of 32 elements: 2 groups of 16
    groups = np.concatenate([groups, np.ones((pad, 16), f)])
    wq, sc = qm.quantize(torch.from_numpy(groups.reshape(-1, 32)), 16, 4, "nvfp4")
    want = np.array(mx.to_fp8(mx.array(np.abs(groups).max(axis=1) / f(6))))
    got = sc.numpy().reshape(-1)
    bad = np.nonzero(got != want)[0]
    assert bad.size == 0, f"{bad.size} nvfp4 scale bytes differ from mx.to_fp8(amax/6); first amax={np.abs(groups[bad[0]]).max()!r}"


def fp4_spec_encode(x: np.ndarray) -> np.ndarray:
    """Spec §5.1 table: RNE to E2M1 with saturation, sign kept (−0 → code 8)."""
    a = np.abs(x)
    mag = np.select([a > 5, a >= 3.5, a > 2.5, a >= 1.75, a > 1.25, a >= 0.75, a > 0.25], [7, 6, 5, 4, 3, 2, 1], 0)
    return (mag | np.where(np.signbit(x), 8, 0)).astype(np.uint8)


@pytest.mark.parametrize("dtype", R.DTYPES)
def test_mx_quantize_matches_mlx_cpu_where_defined(qm, dtype):
    """mxfp4 and mxfp8 quantize vs live mx.quantize on data where MLX's CPU fallback and its GPU
    agree (spec §5.4): no fp4 ties, no negatives rounding to −0, no all-zero groups. Also every
    mxfp4 code vs the spec's encoder table on data full of ties and −0 (the GPU rule)."""
    gen = R.rng(f"mx-quantize-{dtype}")
    rows = 6
    # mxfp8: any non-zero data (elements use to_fp8 on both paths).
    # MLX-CPU computes amax/448 in the input dtype (spec §5.4): keep amax = 448·1.5·2^k, far from a
    # power of two, so that rounding cannot move its ceil and both paths pick the same scale.
    amax8 = 448 * 1.5 * 2.0 ** gen.integers(-12, 3, (rows, 1))
    v8 = np.clip(gen.normal(0, 0.4, (rows, 96)), -1, 1) * amax8
    v8[:, ::32] = amax8 * gen.choice([-1, 1], (rows, 3))
    w8 = R.np_to_torch(v8, dtype)
    ours = qm.quantize(w8, mode="mxfp8")
    theirs = mx.quantize(R.torch_to_mx(w8), mode="mxfp8")
    assert len(ours) == 2
    assert_bits_equal(ours[0], theirs[0], f"mxfp8 wq ({dtype})")
    assert_bits_equal(ours[1], theirs[1], f"mxfp8 scales ({dtype})")
    # mxfp4: values d·(grid value + jitter kept clear of the midpoints), amax exactly 6·d.
    nonzero = np.array([1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15])
    grid = R.FP4_VALUES[gen.choice(nonzero, (rows, 96))]
    jitter = gen.uniform(-0.2, 0.2, grid.shape) * np.where(np.abs(grid) <= 1, 0.3, 1.0)
    v = np.clip(grid + np.where(np.abs(grid) == 6, 0, jitter), -6, 6)
    v[:, ::32] = 6.0 * gen.choice([-1, 1], (rows, 3))
    d = 2.0 ** gen.integers(-4, 4, (rows, 1))
    w4 = R.np_to_torch(np.repeat(d, 96, axis=1) * v, dtype)
    ours = qm.quantize(w4, 32, 4, "mxfp4")
    theirs = mx.quantize(R.torch_to_mx(w4), group_size=32, bits=4, mode="mxfp4")
    assert_bits_equal(ours[0], theirs[0], f"mxfp4 wq ({dtype})")
    assert_bits_equal(ours[1], theirs[1], f"mxfp4 scales ({dtype})")
    # GPU rule with ties and −0: codes = spec encoder(w / d) with d = 2^ceil(log2(amax/6)) = 1 here.
    ties = np.array([0.25, 0.75, 1.25, 1.75, 2.5, 3.5, 5.0, -0.25, -0.1, -0.0, 0.0, 6.0])
    tv = gen.choice(np.concatenate([ties, -ties]), (rows, 96))
    tv[:, ::32] = 6.0
    wt = R.np_to_torch(tv, dtype)
    wq, sc = qm.quantize(wt, 32, 4, "mxfp4")
    assert (sc.numpy() == 127).all()
    assert np.array_equal(R.unpack_codes(R.bits_of(wq), 4), fp4_spec_encode(R.to_f64(wt)))
