"""The public functions: MLX's API (same names, argument names and defaults as ``mlx.core``) and the
seed's 8 kernel functions (``affine_qmm_t`` ... with group_size=128, bits=4 defaults).

Every function checks that its tensor arguments are torch tensors, then calls the registered torch
op (``torch.ops.qmlx.*``), which validates everything else in Rust and raises ``ValueError`` (bad
shape or value), ``TypeError`` (bad dtype) or ``IndexError`` (gather index out of range), each
naming the argument.
"""

from __future__ import annotations

import torch

from . import _backends, _impl, _ops, _rust

_Tensor = torch.Tensor
_FLOATS = (torch.float32, torch.float16, torch.bfloat16)


_is_compiling = torch.compiler.is_compiling
_dispatch_modes = torch._C._len_torch_dispatch_stack
_function_modes = torch._C._is_torch_function_mode_enabled
_functorch = torch._C._are_functorch_transforms_active
_grad_enabled = torch.is_grad_enabled


def _direct(x, w, scales, *optional) -> bool:
    """True when the registered op would only forward to its eager implementation: plain tensors (no
    subclass, no meta), no torch.compile tracing, no dispatch/function modes, no functorch transform,
    nothing that needs autograd. The public functions then call the implementation directly and
    skip the dispatcher's round trip through C++ (bench/python_overhead.py measures both)."""
    if _is_compiling() or _dispatch_modes() or _function_modes() or _functorch():
        return False
    if type(x) is not _Tensor or x.is_meta:
        return False
    if type(w) is not _Tensor or type(scales) is not _Tensor:
        return False
    grad = _grad_enabled()
    if grad and (x.requires_grad or scales.requires_grad):
        return False
    for t in optional:
        if t is not None and (type(t) is not _Tensor or (grad and t.requires_grad)):
            return False
    return True


def _tensor(arg: str, t) -> None:
    if not isinstance(t, _Tensor):
        raise TypeError(f"{arg}: expected a torch.Tensor, got {type(t).__name__}")


def _opt_tensor(arg: str, t) -> None:
    if t is not None and not isinstance(t, _Tensor):
        raise TypeError(f"{arg}: expected a torch.Tensor or None, got {type(t).__name__}")


def _global_scale(g, arg="global_scale"):
    if g is None or isinstance(g, _Tensor):
        return g
    if isinstance(g, (int, float)) and not isinstance(g, bool):
        return torch.tensor(float(g), dtype=torch.float32)
    raise TypeError(f"{arg}: expected a float32 torch.Tensor, a float or None, got {type(g).__name__}")


# ---------------------------------------------------------------------------------------------
# MLX's API


def quantize(w, group_size=None, bits=None, mode="affine", *, global_scale=None, rounding="gpu"):
    """Quantizes ``w`` ``[..., R, K]`` (float32/float16/bfloat16) along its last axis, as ``mx.quantize``.

    Returns ``(wq, scales, biases)`` for ``mode="affine"`` and ``(wq, scales)`` for the fp modes:
    ``wq`` uint32 ``[..., R, K*bits/32]``, ``scales`` ``[..., R, K/group_size]`` (w's dtype for
    affine, uint8 codes for fp modes), ``biases`` like affine scales.

    ``group_size``/``bits`` ``None`` take the mode's defaults (affine 64/4, mxfp4 32/4, mxfp8 32/8,
    nvfp4 16/4). ``global_scale`` (nvfp4 only): a float32 tensor of one element. ``rounding="gpu"``
    (default) reproduces MLX's GPU quantizer (Mac-made checkpoints); ``"cpu"`` reproduces
    ``mx.quantize`` on MLX's CPU backend (affine only: the fp modes have one quantizer, MLX's GPU's).
    """
    global_scale = _global_scale(global_scale)
    if _direct(w, w, w, global_scale):
        return tuple(_impl.quantize_impl(w, group_size, bits, mode, global_scale, rounding))
    _tensor("w", w)
    return tuple(_ops.quantize(w, group_size, bits, mode, global_scale, rounding))


def dequantize(w, scales, biases=None, group_size=None, bits=None, mode="affine", *, global_scale=None, dtype=None):
    """Dequantizes packed ``w`` ``[..., R, W]`` to ``[..., R, W*32/bits]``, as ``mx.dequantize``.

    The output dtype is ``dtype`` if given, else scales' dtype (affine) or bfloat16 (fp modes), as MLX.
    """
    global_scale = _global_scale(global_scale)
    if dtype is not None and not isinstance(dtype, torch.dtype):
        raise TypeError(f"dtype: expected a torch.dtype or None, got {type(dtype).__name__}")
    if _direct(w, w, scales, biases, global_scale):
        return _impl.dequantize_impl(w, scales, biases, group_size, bits, mode, global_scale, dtype)
    _tensor("w", w)
    _tensor("scales", scales)
    _opt_tensor("biases", biases)
    return _ops.dequantize(w, scales, biases, group_size, bits, mode, global_scale, dtype)


def quantized_matmul(x, w, scales, biases=None, transpose=True, group_size=None, bits=None, mode="affine"):
    """``x @ Ŵᵀ`` (``transpose=True``, w ``[N, K*bits/32]``) or ``x @ Ŵ`` (w ``[K, N*bits/32]``), as
    ``mx.quantized_matmul``.

    With a 2-D w every leading dim of x is a row (x may be 1-D); with a batched w, x's and w's batch
    dims broadcast. Output dtype: promotion of x, scales and biases (affine), x's dtype (fp modes).
    """
    if _direct(x, w, scales, biases):
        return _impl.quantized_matmul_impl(x, w, scales, biases, bool(transpose), group_size, bits, mode)
    _tensor("x", x)
    _tensor("w", w)
    _tensor("scales", scales)
    _opt_tensor("biases", biases)
    return _ops.quantized_matmul(x, w, scales, biases, bool(transpose), group_size, bits, mode)


def gather_qmm(
    x,
    w,
    scales,
    biases=None,
    lhs_indices=None,
    rhs_indices=None,
    transpose=True,
    group_size=None,
    bits=None,
    mode="affine",
    *,
    global_scale=None,
    sorted_indices=False,
):
    """``out[i] = x_flat[lhs[i]] @ op(Ŵ_flat[rhs[i]])`` over the broadcast index shape, as ``mx.gather_qmm``.

    Indices may have any integer dtype; out-of-range indices raise ``IndexError``. With no indices
    this is ``quantized_matmul``. ``global_scale`` (nvfp4): float32, one per w matrix (w's batch
    shape). ``sorted_indices`` is a hint only: unsorted indices still give correct results.
    """
    global_scale = _global_scale(global_scale)
    if _direct(x, w, scales, biases, lhs_indices, rhs_indices, global_scale):
        return _impl.gather_qmm_impl(x, w, scales, biases, lhs_indices, rhs_indices, bool(transpose), group_size,
                                     bits, mode, global_scale, bool(sorted_indices))
    _tensor("x", x)
    _tensor("w", w)
    _tensor("scales", scales)
    _opt_tensor("biases", biases)
    _opt_tensor("lhs_indices", lhs_indices)
    _opt_tensor("rhs_indices", rhs_indices)
    return _ops.gather_qmm(
        x, w, scales, biases, lhs_indices, rhs_indices, bool(transpose), group_size, bits, mode, global_scale,
        bool(sorted_indices),
    )


# ---------------------------------------------------------------------------------------------
# The seed's 8 functions (huggingface kernels-community `mlx-quantization-metal-kernels`, v1 API)


def _float_x(x) -> None:
    _tensor("x", x)
    if x.dtype not in _FLOATS:
        raise TypeError(f"x: expected dtype float32, float16 or bfloat16, got {str(x.dtype).removeprefix('torch.')}")


def _affine_params(x, scales, biases):
    _tensor("scales", scales)
    _tensor("biases", biases)
    # The seed's kernels read scales/biases as x's dtype (transformers casts them before calling).
    dt = x.dtype
    return (scales if scales.dtype == dt else scales.to(dt)), (biases if biases.dtype == dt else biases.to(dt))


def _check_features(output_features, y, w, transpose: bool) -> None:
    """``output_features`` must equal N of the validated op's output ``y`` (N is derived once, in Rust)."""
    if not isinstance(output_features, int) or isinstance(output_features, bool):
        raise TypeError(f"output_features: expected an int, got {type(output_features).__name__}")
    n = y.shape[-1]
    if output_features != n:
        layout = "[N, K*bits/32]" if transpose else "[K, N*bits/32]"
        raise ValueError(f"output_features: expected {n} (w of shape {tuple(w.shape)} is {layout}), got {output_features}")


def _sized_matmul(x, w, scales, biases, output_features, transpose, group_size, bits, mode):
    """The seed functions that take ``output_features``: the checks they share, then the op
    (affine scales/biases cast to x's dtype first, as the seed's kernels read them)."""
    _float_x(x)
    _tensor("w", w)
    if mode == "affine":
        scales, biases = _affine_params(x, scales, biases)
    y = quantized_matmul(x, w, scales, biases, transpose, group_size, bits, mode)
    _check_features(output_features, y, w, transpose)
    return y


def affine_qmm_t(x, w, scales, biases, group_size=128, bits=4):
    """``y = x @ Ŵᵀ``: x ``[..., M, K]``, w ``[N, K*bits/32]``, scales/biases ``[N, K/gs]`` -> ``[..., M, N]`` (x's dtype)."""
    _float_x(x)
    s, b = _affine_params(x, scales, biases)
    return quantized_matmul(x, w, s, b, True, group_size, bits, "affine")


def affine_qmm_n(x, w, scales, biases, output_features, group_size=128, bits=4):
    """``y = x @ Ŵ``: x ``[..., M, K]``, w ``[K, N*bits/32]`` (groups along N), scales/biases ``[K, N/gs]`` -> ``[..., M, N]``."""
    return _sized_matmul(x, w, scales, biases, output_features, False, group_size, bits, "affine")


def affine_qmv(x, w, scales, biases, output_features, group_size=128, bits=4):
    """``y = x @ Ŵᵀ`` for vectors: x ``[..., K]``, w ``[N, K*bits/32]``, scales/biases ``[N, K/gs]`` -> ``[..., N]``."""
    return _sized_matmul(x, w, scales, biases, output_features, True, group_size, bits, "affine")


def mxfp4_qmm_n(x, w, scales, output_features):
    """MXFP4 ``y = x @ Ŵ``: x ``[..., M, K]``, w ``[K, N/8]`` uint32, scales ``[K, N/32]`` uint8 (E8M0) -> ``[..., M, N]``."""
    return _sized_matmul(x, w, scales, None, output_features, False, 32, 4, "mxfp4")


def mxfp4_qmv(x, w, scales, output_features):
    """MXFP4 ``y = x @ Ŵᵀ``: x ``[..., K]``, w ``[N, K/8]`` uint32, scales ``[N, K/32]`` uint8 -> ``[..., N]`` (any N)."""
    return _sized_matmul(x, w, scales, None, output_features, True, 32, 4, "mxfp4")


def affine_qmm_t_nax(x, w, scales, biases, group_size=128, bits=4):
    """``affine_qmm_t`` (the seed's matrix-engine variant; same maths, the backend picks its fastest path)."""
    return affine_qmm_t(x, w, scales, biases, group_size, bits)


def affine_qmm_n_nax(x, w, scales, biases, output_features, group_size=128, bits=4):
    """``affine_qmm_n`` (the seed's matrix-engine variant; same maths)."""
    return affine_qmm_n(x, w, scales, biases, output_features, group_size, bits)


def affine_gather_qmm_rhs_nax(x, w, scales, biases, indices, output_features, group_size=128, bits=4, transpose=True):
    """MoE rows: ``y[m] = x[m] @ Ŵ[indices[m]]ᵀ`` (``transpose=False``: ``@ Ŵ[indices[m]]``).

    x ``[M, K]``, w ``[E, N, K*bits/32]`` (or ``[E, K, N*bits/32]``), scales/biases ``[E, N, K/gs]``,
    indices ``[M]`` of any integer dtype, sorted or not -> ``[M, N]`` (x's dtype).
    """
    _float_x(x)
    _tensor("w", w)
    _tensor("indices", indices)
    s, b = _affine_params(x, scales, biases)
    y = gather_qmm(x.unsqueeze(-2), w, s, b, None, indices, transpose, group_size, bits, "affine")
    _check_features(output_features, y, w, bool(transpose))
    return y.squeeze(-2)


# ---------------------------------------------------------------------------------------------


def build_info() -> dict:
    """What this build has: ``version``, ``cuda_archs`` (empty without CUDA), ``cpu_features``
    (detected at run time), ``backends``, ``cpu_backend`` (the one running CPU tensors now),
    ``cpu_threads``, ``features`` (cargo features), ``target``, ``profile``, ``wgpu_adapter`` (the
    adapter the wgpu backend uses: this call opens it; importing the package and CPU/CUDA calls
    never touch Vulkan)."""
    info = dict(_rust.build_info())
    info["cpu_backend"] = _backends.backend_for(torch.device("cpu")).name
    return info
