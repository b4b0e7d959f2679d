"""The ops as torch custom ops: ``torch.ops.qmlx.{quantize, dequantize, quantized_matmul, gather_qmm}``.

Defined with a plain ``torch.library.Library`` (define / impl / register_fake), which costs less
per call than ``torch.library.custom_op`` (bench/python_overhead.py measures both routes). The one
implementation is registered under ``CompositeExplicitAutograd`` so that every device reaches it and
gets the backend's own message (CUDA: built without CUDA, MPS: not supported); the fake
implementations run the same Rust plan functions, so torch.compile / FakeTensor see exactly the
shapes, dtypes and errors of eager mode.
"""

from __future__ import annotations

import torch

from . import _impl

NAMESPACE = "qmlx"

SCHEMAS = {
    "quantize": "quantize(Tensor w, int? group_size, int? bits, str mode, Tensor? global_scale, str rounding) -> Tensor[]",
    "dequantize": "dequantize(Tensor w, Tensor scales, Tensor? biases, int? group_size, int? bits, str mode, "
    "Tensor? global_scale, ScalarType? dtype) -> Tensor",
    "quantized_matmul": "quantized_matmul(Tensor x, Tensor w, Tensor scales, Tensor? biases, bool transpose, "
    "int? group_size, int? bits, str mode) -> Tensor",
    "gather_qmm": "gather_qmm(Tensor x, Tensor w, Tensor scales, Tensor? biases, Tensor? lhs_indices, "
    "Tensor? rhs_indices, bool transpose, int? group_size, int? bits, str mode, Tensor? global_scale, "
    "bool sorted_indices) -> Tensor",
}

_IMPLS = {
    "quantize": (_impl.quantize_impl, _impl.quantize_fake),
    "dequantize": (_impl.dequantize_impl, _impl.dequantize_fake),
    "quantized_matmul": (_impl.quantized_matmul_impl, _impl.quantized_matmul_fake),
    "gather_qmm": (_impl.gather_qmm_impl, _impl.gather_qmm_fake),
}

_lib = torch.library.Library(NAMESPACE, "DEF")
for _name, _schema in SCHEMAS.items():
    _lib.define(_schema)
    _real, _fake = _IMPLS[_name]
    _lib.impl(_name, _real, "CompositeExplicitAutograd")
    torch.library.register_fake(f"{NAMESPACE}::{_name}", _fake, lib=_lib)

quantize = torch.ops.qmlx.quantize.default
dequantize = torch.ops.qmlx.dequantize.default
quantized_matmul = torch.ops.qmlx.quantized_matmul.default
gather_qmm = torch.ops.qmlx.gather_qmm.default


# ---------------------------------------------------------------------------------------------
# Autograd: gradients with respect to x (the activations), so a frozen quantized base can sit under
# trainable layers (LoRA and the like). Ŵ is fixed: gradients for scales/biases are not implemented
# and raise if asked for; w (integer codes) and indices are not differentiable.


def _no_param_grads(ctx, op: str) -> None:
    for i, arg in ((2, "scales"), (3, "biases")):
        if ctx.needs_input_grad[i]:
            raise NotImplementedError(
                f"qmlx::{op}: gradients with respect to {arg} are not implemented (the quantized weight is "
                f"frozen); set {arg}.requires_grad_(False)"
            )


def _qmm_setup(ctx, inputs, output):
    x, w, scales, biases, transpose, group_size, bits, mode = inputs
    ctx.save_for_backward(w, scales, biases)
    ctx.args = (transpose, group_size, bits, mode)
    ctx.x_shape, ctx.x_dtype = x.shape, x.dtype


def _qmm_backward(ctx, grad):
    _no_param_grads(ctx, "quantized_matmul")
    if not ctx.needs_input_grad[0]:
        return None, None, None, None, None, None, None, None
    w, scales, biases = ctx.saved_tensors
    transpose, group_size, bits, mode = ctx.args
    # y = x @ Ŵᵀ  ->  dx = dy @ Ŵ (the same packed w read with the other orientation), and back.
    gx = quantized_matmul(grad.contiguous(), w, scales, biases, not transpose, group_size, bits, mode)
    if gx.shape != ctx.x_shape:
        gx = gx.sum_to_size(ctx.x_shape)  # x's batch dims were broadcast against w's
    return gx.to(ctx.x_dtype), None, None, None, None, None, None, None


def _gather_setup(ctx, inputs, output):
    x, w, scales, biases, lhs, rhs, transpose, group_size, bits, mode, global_scale, _sorted = inputs
    ctx.save_for_backward(w, scales, biases, lhs, rhs, global_scale)
    ctx.args = (transpose, group_size, bits, mode)
    ctx.x_shape, ctx.x_dtype = x.shape, x.dtype
    ctx.batch = output.shape[:-2]


def _full_indices(idx, batch_shape, count_shape):
    """The index array broadcast to the output batch shape (MLX's default: arange over the operand's batch)."""
    if idx is None:
        n = 1
        for d in count_shape:
            n *= d
        idx = torch.arange(n, dtype=torch.int64).reshape(count_shape)
    return idx.to(torch.int64).broadcast_to(batch_shape)


def _gather_backward(ctx, grad):
    _no_param_grads(ctx, "gather_qmm")
    none = (None,) * 11
    if not ctx.needs_input_grad[0]:
        return (None,) + none
    w, scales, biases, lhs, rhs, global_scale = ctx.saved_tensors
    transpose, group_size, bits, mode = ctx.args
    if lhs is None and rhs is None:
        gx = gather_qmm(grad.contiguous(), w, scales, biases, None, None, not transpose, group_size, bits, mode,
                        global_scale, False)
        if gx.shape != ctx.x_shape:
            gx = gx.sum_to_size(ctx.x_shape)
        return (gx.to(ctx.x_dtype),) + none
    batch = tuple(ctx.batch)
    x_shape = tuple(ctx.x_shape)
    rhs_full = _full_indices(rhs, batch, tuple(w.shape[:-2])).to(grad.device)
    lhs_full = _full_indices(lhs, batch, x_shape[:-2]).to(grad.device)
    # dy[i] @ Ŵ[rhs[i]] for every output position, then summed into the x matrix it came from.
    g = gather_qmm(grad.contiguous(), w, scales, biases, None, rhs_full.contiguous(), not transpose, group_size, bits,
                   mode, global_scale, False)
    m, k = x_shape[-2], x_shape[-1]
    x_count = 1
    for d in x_shape[:-2]:
        x_count *= d
    gx = torch.zeros((x_count, m, k), dtype=g.dtype, device=g.device)
    gx.index_add_(0, lhs_full.reshape(-1), g.reshape(-1, m, k))
    return (gx.reshape(x_shape).to(ctx.x_dtype),) + none


torch.library.register_autograd(f"{NAMESPACE}::quantized_matmul", _qmm_backward, setup_context=_qmm_setup, lib=_lib)
torch.library.register_autograd(f"{NAMESPACE}::gather_qmm", _gather_backward, setup_context=_gather_setup, lib=_lib)
