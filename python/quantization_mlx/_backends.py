"""Where a call runs: one backend object per device type.

Every backend has the same three run methods. They receive tensors that the common layer
(`_impl.py`) has already validated through the Rust plan functions, cast to the op's dtypes, made
contiguous and allocated outputs for; a backend only launches its kernel.

- CPU tensors -> :class:`CpuBackend` (qmlx-core's CPU backend, GIL released while it runs), or the
  wgpu backend when ``QMLX_BACKEND=wgpu`` (issue 7: :class:`WgpuBackend`, cargo feature ``wgpu-backend``).
- CUDA tensors -> :class:`CudaBackend` when the build has CUDA kernels (cargo feature ``cuda`` of
  qmlx-python, built with nvcc); otherwise a clear error.

The backends share one implementation (the ``_run_*`` functions); each names only its ``_rust``
entry points and, for device memory, where to run.
- MPS tensors -> :class:`MpsBackend` when the extension was built on macOS (it then contains the
  Metal host, crates/qmlx-metal; **experimental: not yet run on Apple hardware**); otherwise a
  clear error.
- Anything else -> a clear error.
"""

from __future__ import annotations

import os
from functools import partial

import torch

from . import _rust

__all__ = ["CpuBackend", "MpsBackend", "backend_for", "select_cpu_backend", "BackendUnavailable"]


class BackendUnavailable(RuntimeError):
    """The tensors are on a device this build cannot run on."""


# The three run functions, written once for every backend: each turns its tensors into the descs
# ``(data_ptr, dtype_name, shape)`` the Rust run functions take and calls `entry`, the backend's
# ``_rust`` entry point (with the leading arguments of a device backend already bound to it).


def _run_quantize(entry, w, w_name, global_scale, wq, scales, s_name, biases, mode, group_size, bits, rounding):
    entry(
        (w.data_ptr(), w_name, w.shape),
        None if global_scale is None else (global_scale.data_ptr(), "float32", global_scale.shape),
        (wq.data_ptr(), "uint32", wq.shape),
        (scales.data_ptr(), s_name, scales.shape),
        None if biases is None else (biases.data_ptr(), s_name, biases.shape),
        mode,
        group_size,
        bits,
        rounding,
    )


def _run_dequantize(entry, w, scales, s_name, biases, global_scale, out, out_name, mode, group_size, bits):
    entry(
        (w.data_ptr(), "uint32", w.shape),
        (scales.data_ptr(), s_name, scales.shape),
        None if biases is None else (biases.data_ptr(), s_name, biases.shape),
        None if global_scale is None else (global_scale.data_ptr(), "float32", global_scale.shape),
        (out.data_ptr(), out_name, out.shape),
        mode,
        group_size,
        bits,
    )


def _run_gather_qmm(entry, x, w, scales, s_name, biases, lhs, lhs_name, rhs, rhs_name, global_scale, out, out_name,
                    transpose, mode, group_size, bits, sorted_indices):
    entry(
        (x.data_ptr(), out_name, x.shape),
        (w.data_ptr(), "uint32", w.shape),
        (scales.data_ptr(), s_name, scales.shape),
        None if biases is None else (biases.data_ptr(), s_name, biases.shape),
        None if lhs is None else (lhs.data_ptr(), lhs_name, lhs.shape),
        None if rhs is None else (rhs.data_ptr(), rhs_name, rhs.shape),
        None if global_scale is None else (global_scale.data_ptr(), "float32", global_scale.shape),
        (out.data_ptr(), out_name, out.shape),
        transpose,
        mode,
        group_size,
        bits,
        sorted_indices,
    )


class _HostBackend:
    """A backend on host memory is just its three ``_rust`` entry points; the run methods are the
    shared run functions with the entry point bound (a C-level partial: no extra Python frame on
    the per-call path)."""

    name: str

    def __init__(self, name: str, quantize, dequantize, gather_qmm):
        self.name = name
        self.quantize = partial(_run_quantize, quantize)
        self.dequantize = partial(_run_dequantize, dequantize)
        self.gather_qmm = partial(_run_gather_qmm, gather_qmm)


class CpuBackend(_HostBackend):
    """qmlx-core's CPU backend (rayon threads; the GIL is released while kernels run)."""

    def __init__(self):
        super().__init__("cpu", _rust.quantize, _rust.dequantize, _rust.gather_qmm)


def _built_with(feature: str) -> bool:
    return feature in _rust.compiled()["features"]


class _Unavailable:
    """Stands in for a backend this build does not have; every call raises `message`."""

    def __init__(self, name: str, message: str, exc: type = BackendUnavailable):
        self.name = name
        self.message = message
        self.exc = exc

    def _raise(self, *args, **kwargs):
        raise self.exc(self.message)

    quantize = dequantize = gather_qmm = _raise


_CUDA = _Unavailable(
    "cuda",
    "quantization_mlx was built without CUDA: CUDA tensors cannot be used yet. Move the tensors to the CPU "
    "(`.cpu()`), or install a build with the CUDA backend.",
)


class CudaBackend:
    """qmlx-cuda (crates/qmlx-cuda): kernels queued on torch's current stream of the tensors'
    device, into outputs torch allocated; no synchronization. Gather indices out of range never
    read out of bounds: their outputs are NaN and the IndexError is raised by the next CUDA call
    on that device, or at once by :func:`cuda_check`."""

    name = "cuda"

    @staticmethod
    def _place(t):
        """The leading arguments of the CUDA entry points: ``(device index, torch's current stream on it)``."""
        index = t.device.index if t.device.index is not None else torch.cuda.current_device()
        return index, torch.cuda.current_stream(index).cuda_stream

    @staticmethod
    def _aligned(t):
        # The kernels load x and w with 16-byte vectors; a view at an odd offset gets a copy.
        return t if t.data_ptr() % 16 == 0 else t.clone()

    def quantize(self, w, *rest):
        _run_quantize(partial(_rust.cuda_quantize, *self._place(w)), w, *rest)

    def dequantize(self, w, *rest):
        _run_dequantize(partial(_rust.cuda_dequantize, *self._place(w)), w, *rest)

    def gather_qmm(self, x, w, *rest):
        _run_gather_qmm(partial(_rust.cuda_gather_qmm, *self._place(x)), self._aligned(x), self._aligned(w), *rest)


def cuda_check(device=None):
    """Synchronizes a CUDA device and raises the first error its qmlx kernels recorded
    (IndexError: gather index out of range; ValueError: non-finite weight), clearing it."""
    if not _rust.compiled()["cuda_archs"]:
        raise BackendUnavailable(_CUDA.message)
    index = torch.device(device if device is not None else "cuda").index
    _rust.cuda_check_status(torch.cuda.current_device() if index is None else index)


if _rust.compiled()["cuda_archs"]:
    _CUDA = CudaBackend()

_MPS = _Unavailable(
    "mps",
    "quantization_mlx was built without its Metal host, so MPS (Apple GPU) tensors cannot be used: the host is "
    "only built into the extension on macOS (experimental: not yet run on Apple hardware). Move the tensors to "
    "the CPU.",
    NotImplementedError,
)


# --- Metal / MPS (issue 7) ---
class _MpsBuffer:
    """An MPS tensor as the shared run functions see it: ``data_ptr()`` is its storage's
    ``id<MTLBuffer>`` (PyTorch binds MPS tensors as ``getMTLBufferStorage(t)``, a bit cast of
    ``t.storage().data()``, at ``offset = storage_offset * itemsize``:
    aten/src/ATen/native/mps/OperationUtils.h). ``tensor.data_ptr()`` adds the offset to the
    object pointer, which is no buffer at all for a view, so the offset travels separately."""

    __slots__ = ("ptr", "shape")

    def __init__(self, t):
        self.ptr = t.untyped_storage().data_ptr()
        self.shape = t.shape

    def data_ptr(self):
        return self.ptr


def _mps_buffers(offsets: dict, **tensors):
    """Wraps each tensor as an :class:`_MpsBuffer` and records its byte offset under its argument
    name (the names the Rust run functions give their arguments)."""
    out = {}
    for arg, t in tensors.items():
        if t is None:
            out[arg] = None
            continue
        offsets[arg] = t.storage_offset() * t.element_size()
        out[arg] = _MpsBuffer(t)
    return out


class MpsBackend:
    """qmlx-metal (crates/qmlx-metal) on MPS tensors' own buffers — **experimental: not yet run
    on Apple hardware**. Synchronisation is the issue's fallback: ``torch.mps.synchronize()``
    first (torch's queued work on the inputs is done), then the kernels run in the host's own
    command buffer, committed and waited for (GIL released). Encoding into torch's command buffer
    instead would need torch's C++ symbols from Rust, which this package does not link. Gather
    indices are copied to the CPU (the op validates them on the host).

    Considered and not built: ``torch.mps.compile_shader`` with the same naga MSL, which would
    encode into torch's own stream without the full sync. It binds arguments by position (naga's
    array-size buffer sits at slot 15, so filler arguments), passes integer lists as int64 unless
    cast, and would be a second untested Apple path whose only gain, latency, cannot be measured
    without a Mac."""

    name = "mps"

    def __init__(self, quantize, dequantize, gather_qmm, synchronize):
        self._quantize = quantize
        self._dequantize = dequantize
        self._gather_qmm = gather_qmm
        self._synchronize = synchronize

    def quantize(self, w, w_name, global_scale, wq, scales, s_name, biases, mode, group_size, bits, rounding):
        offsets = {}
        b = _mps_buffers(offsets, w=w, global_scale=global_scale, wq=wq, scales=scales, biases=biases)
        self._synchronize()
        _run_quantize(partial(self._quantize, offsets), b["w"], w_name, b["global_scale"], b["wq"], b["scales"], s_name,
                      b["biases"], mode, group_size, bits, rounding)

    def dequantize(self, w, scales, s_name, biases, global_scale, out, out_name, mode, group_size, bits):
        offsets = {}
        b = _mps_buffers(offsets, w=w, scales=scales, biases=biases, global_scale=global_scale, out=out)
        self._synchronize()
        _run_dequantize(partial(self._dequantize, offsets), b["w"], b["scales"], s_name, b["biases"], b["global_scale"],
                        b["out"], out_name, mode, group_size, bits)

    def gather_qmm(self, x, w, scales, s_name, biases, lhs, lhs_name, rhs, rhs_name, global_scale, out, out_name,
                   transpose, mode, group_size, bits, sorted_indices):
        offsets = {}
        b = _mps_buffers(offsets, x=x, w=w, scales=scales, biases=biases, global_scale=global_scale, out=out)
        lhs = None if lhs is None else lhs.cpu()
        rhs = None if rhs is None else rhs.cpu()
        self._synchronize()
        _run_gather_qmm(partial(self._gather_qmm, offsets), b["x"], b["w"], b["scales"], s_name, b["biases"], lhs, lhs_name,
                        rhs, rhs_name, b["global_scale"], b["out"], out_name, transpose, mode, group_size, bits,
                        sorted_indices)


if _built_with("metal"):
    _MPS = MpsBackend(_rust.metal_quantize, _rust.metal_dequantize, _rust.metal_gather_qmm, torch.mps.synchronize)
# --- end Metal / MPS ---
_WGPU = _Unavailable(
    "wgpu",
    "QMLX_BACKEND=wgpu was requested but this build of quantization_mlx has no wgpu backend. "
    "Unset QMLX_BACKEND to use the CPU backend.",
)

# --- wgpu (issue 7) ---
class WgpuBackend(_HostBackend):
    """qmlx-wgpu (crates/qmlx-wgpu): the WGSL kernels on the adapter wgpu picks (Vulkan or Metal;
    Mesa's lavapipe in CI). CPU tensors are copied into GPU buffers and the results copied back,
    so the whole suite can run on it with ``QMLX_BACKEND=wgpu``. Same arguments as CpuBackend."""

    def __init__(self):
        super().__init__("wgpu", _rust.wgpu_quantize, _rust.wgpu_dequantize, _rust.wgpu_gather_qmm)


if _built_with("wgpu"):
    _WGPU = WgpuBackend()
# --- end wgpu ---

_CPU = CpuBackend()
_cpu_backend = _CPU
# device type -> backend (the "cpu" entry follows select_cpu_backend)
_BY_TYPE = {"cpu": _CPU, "cuda": _CUDA, "mps": _MPS}


def select_cpu_backend(name: str | None = None):
    """Chooses the backend that runs CPU tensors: ``"cpu"`` (default) or ``"wgpu"``.

    ``None`` reads ``QMLX_BACKEND`` (unset or empty means ``"cpu"``). Returns the backend object.
    """
    global _cpu_backend
    if name is None:
        name = os.environ.get("QMLX_BACKEND", "") or "cpu"
    name = name.lower()
    if name == "cpu":
        _cpu_backend = _CPU
    elif name == "wgpu":
        _cpu_backend = _WGPU
    else:
        raise ValueError(f"QMLX_BACKEND: expected 'cpu' or 'wgpu', got {name!r}")
    _BY_TYPE["cpu"] = _cpu_backend
    return _cpu_backend


select_cpu_backend()


def backend_for(device: torch.device):
    """The backend for tensors on `device`."""
    b = _BY_TYPE.get(device.type)
    if b is None:
        raise BackendUnavailable(f"quantization_mlx cannot run on {device.type} tensors; move them to the CPU")
    return b
