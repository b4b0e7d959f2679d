"""quantization_mlx.nn modules: QuantizedLinear / QuantizedEmbedding against float64 references of the
stored weights, MLX-named state_dict keys, and clear errors."""

from __future__ import annotations

import os

import pytest
import torch

q = pytest.importorskip("quantization_mlx", reason="the quantization_mlx package is not importable")
from quantization_mlx.nn import QuantizedEmbedding, QuantizedLinear  # noqa: E402

MODES = [("affine", 64, 4), ("affine", 32, 3), ("affine", 128, 8), ("mxfp4", None, None), ("mxfp8", None, None), ("nvfp4", None, None)]


def _seed():
    s = int.from_bytes(os.urandom(4), "little")  # fresh each run; printed for reproduction
    print(f"seed={s}")
    return torch.Generator().manual_seed(s)


@pytest.mark.parametrize("mode,gs,bits", MODES)
@pytest.mark.parametrize("shape", [(1, 128), (3, 256), (2, 3, 128)])
def test_quantized_linear_matches_dequantized_reference(mode, gs, bits, shape):
    g = _seed()
    k = shape[-1]
    lin = torch.nn.Linear(k, 40, bias=True)
    with torch.no_grad():
        lin.weight.copy_(torch.randn(40, k, generator=g) * 0.05)
        lin.bias.copy_(torch.randn(40, generator=g))
    m = QuantizedLinear.from_linear(lin, gs, bits, mode)
    x = torch.randn(*shape, generator=g)
    y = m(x)
    w64 = m.dequantized(torch.float32).double()
    ref = x.double() @ w64.T + lin.bias.detach().double()
    assert y.shape == (*shape[:-1], 40) and y.dtype == torch.float32
    err = float((y.double() - ref).abs().max() / ref.abs().max())
    assert err <= 2e-6, err
    keys = set(m.state_dict())
    assert keys == ({"weight", "scales", "biases", "bias"} if mode == "affine" else {"weight", "scales", "bias"})
    assert m.weight.dtype == torch.uint32


@pytest.mark.parametrize("mode,gs,bits", MODES)
def test_quantized_embedding_lookup_and_as_linear(mode, gs, bits):
    g = _seed()
    w = torch.randn(33, 128, generator=g)
    out = q.quantize(w, gs, bits, mode)
    e = QuantizedEmbedding(33, 128, gs, bits, mode)
    e.weight, e.scales = out[0], out[1]
    if mode == "affine":
        e.biases = out[2]
    e.check_loaded()
    full = e.dequantized()
    ids = torch.tensor([[0, 5, 32], [7, 7, 1]])
    assert torch.equal(e(ids), full[ids])
    x = torch.randn(3, 128, generator=g)
    ref = x.double() @ e.dequantized(torch.float32).double().T
    assert float((e.as_linear(x).double() - ref).abs().max() / ref.abs().max()) <= 2e-6
    with pytest.raises(IndexError, match="ids"):
        e(torch.tensor([33]))
    with pytest.raises(IndexError, match="ids"):
        e(torch.tensor([-1]))
    with pytest.raises(TypeError, match="ids"):
        e(torch.tensor([1.0]))


def test_bad_construction_and_loaded_tensors():
    with pytest.raises(ValueError, match="in_features"):
        QuantizedLinear(100, 8, group_size=64, bits=4)
    with pytest.raises(ValueError, match="mode"):
        QuantizedLinear(128, 8, mode="int4")
    m = QuantizedLinear(128, 8)
    m.scales = torch.zeros(8, 3)
    with pytest.raises(ValueError, match=r"scales: expected shape \(8, 2\)"):
        m.check_loaded("layer.")
    m = QuantizedLinear(128, 8, mode="mxfp4")
    m.scales = torch.zeros(8, 4, dtype=torch.float16)
    with pytest.raises(TypeError, match="uint8"):
        m.check_loaded()
