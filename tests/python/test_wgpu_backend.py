"""The wgpu backend behind the package (issue 7): with the CPU backend switched to ``wgpu``
(what ``QMLX_BACKEND=wgpu`` does at import), CPU tensors run through the WGSL kernels on the
adapter wgpu picks (Mesa's lavapipe in CI). quantize/dequantize must be bit-exact with the CPU
backend, matmuls close to it; errors keep their Python types. The full suite can also be run
with ``QMLX_BACKEND=wgpu`` set."""

import pytest
import torch

import quantization_mlx as q
from quantization_mlx import _backends

_info = q.build_info()
if "wgpu" not in _info["features"]:
    pytest.skip("SKIP: this build of quantization_mlx has no wgpu feature", allow_module_level=True)
if str(_info.get("wgpu_adapter", "")).startswith("wgpu 30.0.2: unavailable"):
    pytest.skip(f"SKIP: no wgpu adapter ({_info['wgpu_adapter']})", allow_module_level=True)


@pytest.fixture
def on(request):
    """Runs a callable on the given CPU backend and restores the previous one."""
    prev = _backends.backend_for(torch.device("cpu")).name

    def run(name, fn):
        _backends.select_cpu_backend(name)
        try:
            return fn()
        finally:
            _backends.select_cpu_backend(prev)

    return run


CASES = [("affine", 64, 4), ("affine", 32, 3), ("affine", 128, 8), ("mxfp4", None, None), ("mxfp8", None, None), ("nvfp4", None, None)]
DTYPES = [torch.float32, torch.float16, torch.bfloat16]


def test_build_info_names_the_adapter(on):
    info = on("wgpu", q.build_info)
    assert info["cpu_backend"] == "wgpu"
    assert info["wgpu_adapter"].startswith("wgpu 30.0.2: ")
    assert "not yet run on Apple hardware" in info["apple_metal"]


@pytest.mark.parametrize("mode,gs,bits", CASES)
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_quantize_dequantize_bit_exact(on, mode, gs, bits, dtype):
    g = torch.Generator().manual_seed(1234)
    w = (torch.randn(6, 256, generator=g) * 0.5).to(dtype)
    cpu = on("cpu", lambda: q.quantize(w, gs, bits, mode))
    gpu = on("wgpu", lambda: q.quantize(w, gs, bits, mode))
    for a, b in zip(cpu, gpu):
        assert torch.equal(a.view(torch.uint8), b.view(torch.uint8))
    args = (cpu[0], cpu[1], cpu[2] if mode == "affine" else None, gs, bits, mode)
    for out in DTYPES:
        d_cpu = on("cpu", lambda: q.dequantize(*args, dtype=out))
        d_gpu = on("wgpu", lambda: q.dequantize(*args, dtype=out))
        assert torch.equal(d_cpu.view(torch.uint8), d_gpu.view(torch.uint8))


@pytest.mark.parametrize("mode,gs,bits", CASES)
@pytest.mark.parametrize("transpose", [True, False])
@pytest.mark.parametrize("m", [1, 3, 33])
def test_quantized_matmul_matches_cpu(on, mode, gs, bits, transpose, m):
    g = torch.Generator().manual_seed(m)
    w = torch.randn(64, 128, generator=g)
    wq = q.quantize(w, gs, bits, mode)
    s, b = wq[1], (wq[2] if mode == "affine" else None)
    k = 128 if transpose else 64
    x = torch.randn(2, m, k, generator=g)
    y_cpu = on("cpu", lambda: q.quantized_matmul(x, wq[0], s, b, transpose, gs, bits, mode))
    y_gpu = on("wgpu", lambda: q.quantized_matmul(x, wq[0], s, b, transpose, gs, bits, mode))
    scale = y_cpu.abs().max().item()
    assert (y_cpu - y_gpu).abs().max().item() <= 4e-6 * scale


def test_gather_qmm_and_errors(on):
    g = torch.Generator().manual_seed(7)
    w = torch.randn(4, 32, 64, generator=g)
    wq, s, b = q.quantize(w, 32, 4)
    x = torch.randn(9, 1, 64, generator=g)
    idx = torch.tensor([0, 0, 1, 1, 1, 2, 3, 3, 3], dtype=torch.int32)
    y_cpu = on("cpu", lambda: q.gather_qmm(x, wq, s, b, rhs_indices=idx, group_size=32, bits=4, sorted_indices=True))
    y_gpu = on("wgpu", lambda: q.gather_qmm(x, wq, s, b, rhs_indices=idx, group_size=32, bits=4, sorted_indices=True))
    assert (y_cpu - y_gpu).abs().max().item() <= 4e-6 * y_cpu.abs().max().item()
    bad = torch.tensor([0, 4], dtype=torch.int32)
    with pytest.raises(IndexError):
        on("wgpu", lambda: q.gather_qmm(x[:2], wq, s, b, rhs_indices=bad, group_size=32, bits=4))
    w_bad = torch.randn(2, 64)
    w_bad[1, 3] = float("nan")
    with pytest.raises(ValueError, match="row 1"):
        on("wgpu", lambda: q.quantize(w_bad, 32, 4))
