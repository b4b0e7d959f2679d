"""The MPS route (issue 7) as far as it runs without a Mac.

- The dispatch decision: MPS tensors go to :class:`MpsBackend` exactly when the extension was
  built with the Metal host (macOS); otherwise every op raises a NotImplementedError that says why.
- :class:`MpsBackend` itself, in a loopback: its Rust entry points are replaced by functions that
  do what the Metal host does with a desc (buffer + the byte offset from ``offsets``) but on CPU
  memory, then run the CPU kernels. CPU tensors stand in for MPS tensors (their storage pointer
  plays the ``id<MTLBuffer>``), given as views at non-zero storage offsets, so a wrong pointer
  convention, a missing or misnamed offset, or a missing synchronisation fails here. Results must
  be bit-identical to the CPU backend's.

What stays unverified until it runs on a Mac: the Metal host itself (it only type-checks here:
``scripts/check_macos_host.sh``), torch's buffer convention in the installed torch, and speed.
"""

import pytest
import torch

import quantization_mlx as q
from quantization_mlx import _backends, _rust

_info = q.build_info()
METAL_BUILT = "metal" in _info["features"]

# The Rust run functions' argument names, in order (crates/qmlx-python/src/backend.rs): the keys
# of `offsets` must be these.
NAMES = {
    "quantize": ["w", "global_scale", "wq", "scales", "biases"],
    "dequantize": ["w", "scales", "biases", "global_scale", "out"],
    "gather_qmm": ["x", "w", "scales", "biases", "lhs_indices", "rhs_indices", "global_scale", "out"],
}


def test_mps_dispatch_decision():
    b = _backends.backend_for(torch.device("mps"))
    assert "experimental: not yet run on Apple hardware" in _info["apple_metal"]
    assert hasattr(_rust, "metal_gather_qmm") == METAL_BUILT
    if METAL_BUILT:
        assert isinstance(b, _backends.MpsBackend)
        assert "mps" in _info["backends"]
        return
    assert not isinstance(b, _backends.MpsBackend)
    assert "mps" not in _info["backends"]
    assert "macOS only" in _info["apple_metal"]
    for run in (b.quantize, b.dequantize, b.gather_qmm):
        with pytest.raises(NotImplementedError, match="MPS .*only built into the extension on macOS"):
            run()


class _Loopback:
    """MpsBackend's entry points, emulated on CPU memory: pointer + offsets[name], then the CPU
    kernels. Records the order of synchronisations and runs."""

    def __init__(self):
        self.events = []

    def sync(self):
        self.events.append("sync")

    def entry(self, op, cpu_entry):
        names = NAMES[op]

        def run(offsets, *args):
            self.events.append(op)
            assert set(offsets) <= set(names), f"offsets named {sorted(offsets)}, the Rust arguments are {names}"
            descs = [
                None if d is None else (d[0] + offsets.get(name, 0), d[1], d[2]) for name, d in zip(names, args)
            ]
            cpu_entry(*descs, *args[len(names):])

        return run

    def backend(self):
        return _backends.MpsBackend(
            self.entry("quantize", _rust.quantize),
            self.entry("dequantize", _rust.dequantize),
            self.entry("gather_qmm", _rust.gather_qmm),
            self.sync,
        )


@pytest.fixture
def loopback(monkeypatch):
    """Routes CPU tensors through MpsBackend (in loopback) for the duration of a test."""
    lb = _Loopback()
    monkeypatch.setitem(_backends._BY_TYPE, "cpu", lb.backend())
    return lb


def _cpu(fn):
    prev = _backends._BY_TYPE["cpu"]
    _backends._BY_TYPE["cpu"] = _backends._CPU
    try:
        return fn()
    finally:
        _backends._BY_TYPE["cpu"] = prev


def _view(t, lead=3):
    """`t` as a contiguous view at a non-zero storage offset (with slack behind it)."""
    flat = torch.empty(lead + t.numel() + 5, dtype=t.dtype)
    v = flat[lead:lead + t.numel()].view(t.shape)
    v.copy_(t)
    assert v.storage_offset() == lead and v.is_contiguous()
    return v


def _same(a, b):
    for x, y in zip(a if isinstance(a, (list, tuple)) else [a], b if isinstance(b, (list, tuple)) else [b]):
        assert x.dtype == y.dtype and x.shape == y.shape
        assert torch.equal(x.view(torch.uint8), y.view(torch.uint8))


@pytest.mark.parametrize("mode,gs,bits", [("affine", 64, 4), ("affine", 32, 3), ("mxfp8", None, None), ("nvfp4", None, None)])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16], ids=str)
def test_loopback_quantize_dequantize_views(loopback, mode, gs, bits, dtype):
    w = _view((torch.randn(5, 128) * 0.7).to(dtype))
    g = _view(torch.tensor([2.5])).reshape(()) if mode == "nvfp4" else None
    got = q.quantize(w, gs, bits, mode, global_scale=g) if g is not None else q.quantize(w, gs, bits, mode)
    assert loopback.events == ["sync", "quantize"]
    want = _cpu(lambda: q.quantize(w, gs, bits, mode, global_scale=g) if g is not None else q.quantize(w, gs, bits, mode))
    _same(got, want)
    wq, s = _view(want[0]), _view(want[1])
    b = _view(want[2]) if mode == "affine" else None
    kw = {"global_scale": g} if g is not None else {}
    got = q.dequantize(wq, s, b, gs, bits, mode, **kw)
    assert loopback.events == ["sync", "quantize", "sync", "dequantize"]
    _same(got, _cpu(lambda: q.dequantize(wq, s, b, gs, bits, mode, **kw)))


@pytest.mark.parametrize("transpose,m", [(True, 1), (True, 3), (True, 33), (False, 3)])
def test_loopback_quantized_matmul_views(loopback, transpose, m):
    n, k = (40, 128) if transpose else (128, 64)
    w = torch.randn(n, k) if transpose else torch.randn(k, n)
    wq, s, b = _cpu(lambda: q.quantize(w.to(torch.float16), 64, 4, "affine"))
    # Weight rows sliced out of a bigger stack (offset in whole rows, as a checkpoint view has).
    wq_v = _view(wq, lead=wq.shape[1] * 4)
    x = _view(torch.randn(m, k, dtype=torch.float16))
    got = q.quantized_matmul(x, wq_v, _view(s), _view(b), transpose, 64, 4, "affine")
    assert loopback.events == ["sync", "gather_qmm"]
    _same(got, _cpu(lambda: q.quantized_matmul(x, wq, s, b, transpose, 64, 4, "affine")))


def test_loopback_gather_qmm_indices_and_errors(loopback):
    e, n, k = 4, 24, 64
    wq, s = _cpu(lambda: q.quantize(torch.randn(e, n, k), None, None, "mxfp4"))
    x = _view(torch.randn(6, 1, k, dtype=torch.bfloat16))
    rhs = torch.tensor([3, 0, 0, 2, 3, 1], dtype=torch.int32)
    got = q.gather_qmm(x, _view(wq), _view(s), None, rhs_indices=rhs, transpose=True, mode="mxfp4")
    _same(got, _cpu(lambda: q.gather_qmm(x, wq, s, None, rhs_indices=rhs, transpose=True, mode="mxfp4")))
    assert loopback.events == ["sync", "gather_qmm"]
    # A bad index is the op's IndexError, raised by the Rust validation, never an out-of-bounds read.
    with pytest.raises(IndexError, match="rhs_indices"):
        q.gather_qmm(x, wq, s, None, rhs_indices=torch.tensor([0, 1, 2, 3, 4, 0], dtype=torch.int32), transpose=True, mode="mxfp4")
