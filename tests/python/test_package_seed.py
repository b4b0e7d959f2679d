"""The seed's 8 functions (kernels-community `mlx-quantization-metal-kernels` v1 API) on CPU tensors:
every batch shape of x (the seed was wrong past 2-D), all bits/group sizes/dtypes, output_features
checked, and the original README's usage example."""

import pytest
import torch
from reference import FLOAT_DTYPES, assert_matmul_close, assert_same_result, dequant_ref, random_weight

import quantization_mlx as q

DT_IDS = {torch.float32: "f32", torch.float16: "f16", torch.bfloat16: "bf16"}
SEED_BITS = (2, 3, 4, 5, 6, 8)
SEED_GS = (32, 64, 128)


def _affine_t(n, k, dtype, gs=128, bits=4, seed=0):
    """Linear weight [n, k] quantized along k: w [n, k*bits/32], scales/biases [n, k/gs]."""
    w = random_weight((n, k), dtype, seed=seed)
    wq, s, b = q.quantize(w, gs, bits)
    return wq, s, b, dequant_ref(wq, s, b, gs, bits)


def _affine_n(n, k, dtype, gs=128, bits=4, seed=0):
    """[K, N] matrix quantized along N (the seed's qmm_n layout): w [k, n*bits/32], scales [k, n/gs]."""
    w = random_weight((k, n), dtype, seed=seed)
    wq, s, b = q.quantize(w, gs, bits)
    return wq, s, b, dequant_ref(wq, s, b, gs, bits)


QMM_X = [(7,), (1, 5), (4, 1), (2, 4), (2, 2, 2), (0,)]  # leading dims before [.., M, K] / [.., K]


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DT_IDS.get)
@pytest.mark.parametrize("bits", SEED_BITS)
@pytest.mark.parametrize("gs", SEED_GS)
def test_affine_qmm_t(gs, bits, dtype):
    n, k = 48, 256
    wq, s, b, w_hat = _affine_t(n, k, dtype, gs, bits, seed=bits + gs)
    for lead in QMM_X:
        x = torch.randn(*lead, k).to(dtype)
        y = q.affine_qmm_t(x, wq, s, b, gs, bits)
        assert y.dtype == dtype and y.shape == (*lead, n)
        assert_matmul_close(y, x, w_hat, True, what=f"affine_qmm_t x{tuple(x.shape)}")
        # batched input equals the per-row results (the seed's v1 bug: rows after the first were garbage)
        if x.dim() == 3 and x.shape[0] > 1:
            for i in range(x.shape[0]):
                assert_same_result(y[i], q.affine_qmm_t(x[i], wq, s, b, gs, bits), what=f"batch row {i}")
        assert torch.equal(y, q.affine_qmm_t_nax(x, wq, s, b, gs, bits))


def test_seed_defaults_are_128_and_4():
    wq, s, b, w_hat = _affine_t(32, 256, torch.float16)  # group 128, 4 bits
    x = torch.randn(3, 256, dtype=torch.float16)
    y = q.affine_qmm_t(x, wq, s, b)
    assert torch.equal(y, q.quantized_matmul(x, wq, s, b, True, 128, 4))
    with pytest.raises(ValueError, match="scales"):
        q.quantized_matmul(x, wq, s, b)  # MLX's defaults (64) do not fit a group-128 weight


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DT_IDS.get)
def test_scales_are_converted_to_x_dtype(dtype):
    wq, s, b, _ = _affine_t(32, 256, torch.float32)
    x = torch.randn(2, 3, 256).to(dtype)
    y = q.affine_qmm_t(x, wq, s, b)
    assert y.dtype == dtype
    s2, b2 = s.to(dtype), b.to(dtype)
    assert torch.equal(y, q.quantized_matmul(x, wq, s2, b2, True, 128, 4))
    assert_matmul_close(y, x, dequant_ref(wq, s2, b2, 128, 4), True)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DT_IDS.get)
@pytest.mark.parametrize("bits", SEED_BITS)
def test_affine_qmm_n(bits, dtype):
    n, k = 256, 96
    for gs in SEED_GS:
        wq, s, b, w_hat = _affine_n(n, k, dtype, gs, bits, seed=bits)
        for lead in QMM_X:
            x = torch.randn(*lead, k).to(dtype)
            y = q.affine_qmm_n(x, wq, s, b, n, gs, bits)
            assert y.dtype == dtype and y.shape == (*lead, n)
            assert_matmul_close(y, x, w_hat, False, what=f"affine_qmm_n gs={gs} x{tuple(x.shape)}")
            assert torch.equal(y, q.affine_qmm_n_nax(x, wq, s, b, n, gs, bits))


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DT_IDS.get)
@pytest.mark.parametrize("bits", SEED_BITS)
def test_affine_qmv(bits, dtype):
    n, k = 40, 256
    for gs in SEED_GS:
        wq, s, b, w_hat = _affine_t(n, k, dtype, gs, bits, seed=bits * 3)
        for lead in [(), (4,), (2, 1), (2, 4), (0,)]:
            x = torch.randn(*lead, k).to(dtype)
            y = q.affine_qmv(x, wq, s, b, n, gs, bits)
            assert y.dtype == dtype and y.shape == (*lead, n)
            assert_matmul_close(y, x, w_hat, True, what=f"affine_qmv gs={gs} x{tuple(x.shape)}")


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DT_IDS.get)
def test_mxfp4_qmm_n(dtype):
    k, n = 80, 128
    w = random_weight((k, n), dtype, seed=4)
    wq, s = q.quantize(w, mode="mxfp4")
    assert wq.shape == (k, n // 8) and s.shape == (k, n // 32) and s.dtype == torch.uint8
    w_hat = dequant_ref(wq, s, None, mode="mxfp4")
    for lead in QMM_X:
        x = torch.randn(*lead, k).to(dtype)
        y = q.mxfp4_qmm_n(x, wq, s, n)
        assert y.dtype == dtype and y.shape == (*lead, n)
        assert_matmul_close(y, x, w_hat, False, what=f"mxfp4_qmm_n x{tuple(x.shape)}")


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DT_IDS.get)
@pytest.mark.parametrize("n", [1, 4, 7, 8, 33])  # N < 8 was wrong in the seed (MLX #3762)
def test_mxfp4_qmv(n, dtype):
    k = 128
    w = random_weight((n, k), dtype, seed=n)
    wq, s = q.quantize(w, mode="mxfp4")
    w_hat = dequant_ref(wq, s, None, mode="mxfp4")
    for lead in [(), (3,), (2, 1), (2, 5)]:
        x = torch.randn(*lead, k).to(dtype)
        y = q.mxfp4_qmv(x, wq, s, n)
        assert y.dtype == dtype and y.shape == (*lead, n)
        assert_matmul_close(y, x, w_hat, True, what=f"mxfp4_qmv n={n} x{tuple(x.shape)}")


@pytest.mark.parametrize("idt", [torch.int64, torch.int32, torch.int16, torch.uint8])
@pytest.mark.parametrize("transpose", [True, False], ids=["t", "n"])
def test_affine_gather_qmm_rhs_nax(transpose, idt):
    e, n, k, gs, bits = 4, 64, 128, 64, 4
    dtype = torch.float16
    shape = (e, n, k) if transpose else (e, k, n)
    w = random_weight(shape, dtype, seed=9)
    wq, s, b = q.quantize(w, gs, bits)
    w_hat = dequant_ref(wq, s, b, gs, bits)
    x = torch.randn(4, k, dtype=dtype)
    indices = torch.tensor([3, 0, 0, 2]).to(idt)  # unsorted, as the v2 test
    y = q.affine_gather_qmm_rhs_nax(x, wq, s, b, indices, n, gs, bits, transpose)
    assert y.shape == (4, n) and y.dtype == dtype
    for m in range(4):
        wm = w_hat[int(indices[m])]
        ref_w = wm if transpose else wm
        assert_matmul_close(y[m], x[m], ref_w, transpose, what=f"row {m}")
        assert_same_result(y[m], q.quantized_matmul(x[m], wq[int(indices[m])], s[int(indices[m])],
                                                    b[int(indices[m])], transpose, gs, bits), what=f"row {m}")
    with pytest.raises(ValueError, match="output_features"):
        q.affine_gather_qmm_rhs_nax(x, wq, s, b, indices, n + 1, gs, bits, transpose)
    with pytest.raises(IndexError, match="rhs_indices"):
        q.affine_gather_qmm_rhs_nax(x, wq, s, b, torch.tensor([0, 1, 2, 4]), n, gs, bits, transpose)


def test_output_features_checked():
    wq, s, b, _ = _affine_t(32, 256, torch.float16)
    x = torch.randn(256, dtype=torch.float16)
    with pytest.raises(ValueError, match="output_features: expected 32"):
        q.affine_qmv(x, wq, s, b, 33)
    wqn, sn, bn, _ = _affine_n(256, 64, torch.float16)
    with pytest.raises(ValueError, match="output_features: expected 256"):
        q.affine_qmm_n(torch.randn(2, 64, dtype=torch.float16), wqn, sn, bn, 255)
    with pytest.raises(ValueError, match="output_features"):
        q.affine_qmm_n_nax(torch.randn(2, 64, dtype=torch.float16), wqn, sn, bn, 128)
    w4, s4 = q.quantize(random_weight((64, 128)), mode="mxfp4")
    with pytest.raises(ValueError, match="output_features: expected 64"):
        q.mxfp4_qmv(torch.randn(128), w4, s4, 65)
    w4n, s4n = q.quantize(random_weight((64, 128)), mode="mxfp4")
    with pytest.raises(ValueError, match="output_features: expected 128"):
        q.mxfp4_qmm_n(torch.randn(64), w4n, s4n, 64)
    with pytest.raises(TypeError, match="output_features"):
        q.affine_qmv(x, wq, s, b, 32.0)


def test_seed_bad_inputs():
    wq, s, b, _ = _affine_t(32, 256, torch.float16)
    with pytest.raises(TypeError, match="x: expected dtype"):
        q.affine_qmm_t(torch.ones(2, 256, dtype=torch.int32), wq, s, b)
    with pytest.raises(TypeError, match="x: expected a torch.Tensor"):
        q.affine_qmm_t([[0.0] * 256], wq, s, b)
    with pytest.raises(ValueError, match="x"):
        q.affine_qmm_t(torch.randn(2, 128, dtype=torch.float16), wq, s, b)
    with pytest.raises(ValueError, match="bits"):
        q.affine_qmm_t(torch.randn(2, 256, dtype=torch.float16), wq, s, b, 128, 7)
    with pytest.raises(ValueError, match="group_size"):
        q.affine_qmm_t(torch.randn(2, 256, dtype=torch.float16), wq, s, b, 96, 4)
    with pytest.raises(TypeError, match="biases"):
        q.affine_qmm_t(torch.randn(2, 256, dtype=torch.float16), wq, s, None)
    with pytest.raises(TypeError, match="scales"):
        q.mxfp4_qmv(torch.randn(256), wq, s, 32)


def test_original_readme_usage_example():
    """The seed README's example, on the CPU instead of MPS (int32 weights, random scales)."""
    x = torch.randn(1, 32, 4096, dtype=torch.float16, device="cpu")
    w = torch.randint(0, 255, (4096, 512), dtype=torch.int32, device="cpu")  # [N, K_packed]
    scales = torch.randn(4096, 4096 // 128, dtype=torch.float16, device="cpu")
    biases = torch.zeros(4096, 4096 // 128, dtype=torch.float16, device="cpu")

    y = q.affine_qmm_t(x, w, scales, biases, group_size=128, bits=4)
    assert y.shape == (1, 32, 4096) and y.dtype == torch.float16
    w_hat = dequant_ref(w, scales, biases, 128, 4)
    assert_matmul_close(y, x, w_hat, True, what="README example")
