"""CUDA tensors through the package (issue 5): dispatch to crates/qmlx-cuda, bit-exact quantize and
dequantize against the CPU, issue 2's float64 metric for the matmuls, gather indices, torch's
current stream, CUDA-graph capture, several threads, a second GPU. Without a GPU (CI) every GPU
test skips with a reason; the build check runs everywhere."""

import threading

import pytest
import torch

import quantization_mlx as q
from quantization_mlx import _backends

HAVE_CUDA = torch.cuda.is_available() and "cuda" in q.build_info()["backends"]
gpu = pytest.mark.skipif(
    not HAVE_CUDA,
    reason="SKIP: needs a CUDA GPU and a build with CUDA kernels (runs on the GPU machine, not in CI)",
)
FLOOR = {torch.float32: 2e-6, torch.float16: 1.5e-3, torch.bfloat16: 1.2e-2}
MODES = [("affine", 64, 4), ("affine", 32, 3), ("affine", 128, 8), ("affine", 64, 2), ("affine", 64, 5),
         ("affine", 64, 6), ("affine", 32, 1), ("mxfp4", 32, 4), ("mxfp8", 32, 8), ("nvfp4", 16, 4)]
DTYPES = [torch.float32, torch.float16, torch.bfloat16]
SEED = torch.seed()


def test_build_info_reports_cuda_archs():
    info = q.build_info()
    print(f"cuda_archs={info['cuda_archs']} backends={info['backends']} seed={SEED}")
    assert ("cuda" in info["backends"]) == bool(info["cuda_archs"])
    assert all(a.startswith("sm_") for a in info["cuda_archs"])


def _w_hat64(parts, gs, bits, mode):
    return q.dequantize(*parts, group_size=gs, bits=bits, mode=mode, dtype=torch.float32).double()


def _err(y, y64):
    return ((y.double() - y64).abs().max() / y64.abs().max()).item()


@gpu
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("mode,gs,bits", MODES)
def test_quantize_dequantize_bit_exact(mode, gs, bits, dtype):
    w = torch.randn(37, 256, dtype=dtype) * 0.05
    rounds = ["gpu", "cpu"] if mode == "affine" else ["gpu"]
    for r in rounds:
        cpu = q.quantize(w, gs, bits, mode, rounding=r)
        dev = q.quantize(w.cuda(), gs, bits, mode, rounding=r)
        for a, b in zip(cpu, dev):
            assert b.is_cuda and torch.equal(a, b.cpu())
    for out_dtype in (None, torch.float32):
        d_cpu = q.dequantize(*cpu, group_size=gs, bits=bits, mode=mode, dtype=out_dtype)
        d_gpu = q.dequantize(*(t.cuda() for t in cpu), group_size=gs, bits=bits, mode=mode, dtype=out_dtype)
        assert torch.equal(d_cpu, d_gpu.cpu())


@gpu
@pytest.mark.parametrize("m", [1, 5, 33])
@pytest.mark.parametrize("transpose", [True, False])
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("mode,gs,bits", MODES)
def test_matmul_metric(mode, gs, bits, dtype, transpose, m):
    n_rows = 45 if transpose else 40  # stored rows: N (transpose) or K
    w = torch.randn(n_rows, 2 * gs if gs > 16 else 64, dtype=dtype) * 0.05
    parts = q.quantize(w, gs, bits, mode)
    w64 = _w_hat64(parts, gs, bits, mode)
    k = w64.shape[1] if transpose else w64.shape[0]
    x = torch.randn(m, k, dtype=dtype)
    y64 = x.double() @ (w64.T if transpose else w64)
    y_cpu = q.quantized_matmul(x, *parts, transpose=transpose, group_size=gs, bits=bits, mode=mode)
    y_gpu = q.quantized_matmul(x.cuda(), *(t.cuda() for t in parts), transpose=transpose, group_size=gs, bits=bits,
                               mode=mode)
    assert y_gpu.is_cuda and y_gpu.dtype == y_cpu.dtype and y_gpu.shape == y_cpu.shape
    e_gpu, e_cpu = _err(y_gpu.cpu(), y64), _err(y_cpu, y64)
    assert e_gpu <= max(1.5 * e_cpu, FLOOR[dtype]), (e_gpu, e_cpu)


def _moe(dtype=torch.float16, experts=6, n=24, k=128):
    w = torch.randn(experts, n, k, dtype=dtype) * 0.05
    return q.quantize(w, 64, 4)


@gpu
def test_gather_qmm_sorted_rhs_matches_cpu():
    parts = _moe()
    x = torch.randn(10, 1, 128, dtype=torch.float16)
    idx = torch.sort(torch.randint(0, 6, (10,))).values
    y_cpu = q.gather_qmm(x, *parts, rhs_indices=idx, sorted_indices=True)
    y_gpu = q.gather_qmm(x.cuda(), *(t.cuda() for t in parts), rhs_indices=idx.cuda(), sorted_indices=True)
    torch.testing.assert_close(y_gpu.cpu().float(), y_cpu.float(), atol=2e-3, rtol=2e-3)


@gpu
def test_gather_out_of_range_is_an_index_error_without_out_of_bounds_reads():
    parts = [t.cuda() for t in _moe()]
    x = torch.randn(3, 1, 128, dtype=torch.float16, device="cuda")
    y = q.gather_qmm(x, *parts, rhs_indices=torch.tensor([0, 6, 1], device="cuda"))
    with pytest.raises(IndexError, match="rhs_indices"):
        _backends.cuda_check()
    assert torch.isnan(y[1]).all() and not torch.isnan(y[0]).any()
    # Lazily: the next call on the device raises once the stream has run.
    q.gather_qmm(x, *parts, lhs_indices=torch.tensor([0, -1], device="cuda"), rhs_indices=torch.tensor([0, 1], device="cuda"))
    torch.cuda.synchronize()
    with pytest.raises(IndexError, match="lhs_indices"):
        q.dequantize(*(t[0] for t in parts), group_size=64, bits=4)
    _backends.cuda_check()  # cleared


def _linear(dtype=torch.float16, n=256, k=512, dev="cuda"):
    parts = [t.to(dev) for t in q.quantize(torch.randn(n, k, dtype=dtype) * 0.05, 64, 4)]
    return parts


@gpu
def test_runs_on_torchs_current_stream_and_in_cuda_graphs():
    parts = _linear()
    x = torch.randn(4, 512, dtype=torch.float16, device="cuda")
    ref = q.quantized_matmul(x, *parts)
    s = torch.cuda.Stream()
    s.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(s):
        for _ in range(3):  # warm up on the side stream, as torch's graph docs ask
            y = q.quantized_matmul(x, *parts)
    torch.cuda.current_stream().wait_stream(s)
    assert torch.equal(y, ref)
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g):
        yg = q.quantized_matmul(x, *parts)
    x.copy_(torch.randn_like(x))
    g.replay()
    torch.cuda.synchronize()
    assert torch.equal(yg, q.quantized_matmul(x, *parts))


@gpu
def test_many_threads_and_streams():
    parts = _linear()
    xs = [torch.randn(3, 512, dtype=torch.float16, device="cuda") for _ in range(8)]
    refs = [q.quantized_matmul(x, *parts) for x in xs]
    torch.cuda.synchronize()
    outs = [None] * 8
    errors = []

    def work(i):
        try:
            s = torch.cuda.Stream()
            with torch.cuda.stream(s):
                for _ in range(20):
                    outs[i] = q.quantized_matmul(xs[i], *parts)
            s.synchronize()
        except Exception as e:  # surfaced below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for o, r in zip(outs, refs):
        assert torch.equal(o, r)


@pytest.mark.skipif(not HAVE_CUDA or torch.cuda.device_count() < 2, reason="SKIP: needs two CUDA GPUs")
def test_second_gpu():
    parts = _linear(dev="cuda:1")
    x = torch.randn(2, 512, dtype=torch.float16, device="cuda:1")
    y = q.quantized_matmul(x, *parts)
    assert y.device == torch.device("cuda:1")
    ref = q.quantized_matmul(x.cpu(), *(t.cpu() for t in parts))
    torch.testing.assert_close(y.cpu().float(), ref.float(), atol=2e-3, rtol=2e-3)
