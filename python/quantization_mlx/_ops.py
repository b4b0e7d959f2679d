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
# Autograd. x (activations) and, for affine weights, scales and biases are differentiable: a frozen
# quantized base under trainable layers (LoRA), or fine-tuning the per-group scales and biases with
# the integer codes fixed. Ŵ = scale·q + bias per group, so dL/dbias = Σ_group dL/dŴ and
# dL/dscale = Σ_group dL/dŴ·q. w (the codes), indices and quantize itself are not differentiable.


def _group_sums(gw, w, scales, biases, need_s, need_b, group_size, bits, mode):
    """Reduces dL/dŴ (stored layout, float32, w's full batch shape) to (dL/dscales, dL/dbiases)."""
    gs = gw.shape[-1] // scales.shape[-1]
    g = gw.reshape(*scales.shape, gs)
    ds = db = None
    if need_b:
        db = g.sum(-1).to(biases.dtype)
    if need_s:
        # the integer codes q, exactly: dequantize with scale 1 and bias 0
        q = dequantize(w, torch.ones_like(scales), torch.zeros_like(biases), group_size, bits, mode, None,
                       torch.float32)
        ds = (g * q.reshape(g.shape)).sum(-1).to(scales.dtype)
    return ds, db


def _dense_weight_grad(grad, x, transpose, w_batch):
    """dL/dŴ in the stored layout ([N, K] if transpose else [K, N]) summed to w's batch shape."""
    g, xf = grad.float(), x.float()
    if not w_batch:
        g2, x2 = g.reshape(-1, g.shape[-1]), xf.reshape(-1, xf.shape[-1])
        return g2.T @ x2 if transpose else x2.T @ g2
    gw = g.transpose(-1, -2) @ xf if transpose else xf.transpose(-1, -2) @ g
    return gw.sum_to_size(*w_batch, *gw.shape[-2:])


def _qmm_setup(ctx, inputs, output):
    x, w, scales, biases, transpose, group_size, bits, mode = inputs
    need_params = ctx.needs_input_grad[2] or ctx.needs_input_grad[3]
    ctx.save_for_backward(w, scales, biases, x if need_params else None)
    ctx.args = (transpose, group_size, bits, mode)
    ctx.x_shape, ctx.x_dtype = x.shape, x.dtype


def _qmm_backward(ctx, grad):
    w, scales, biases, x = ctx.saved_tensors
    transpose, group_size, bits, mode = ctx.args
    grad = grad.contiguous()
    gx = ds = db = None
    if ctx.needs_input_grad[0]:
        # y = x @ Ŵᵀ  ->  dx = dy @ Ŵ: the same packed w read with the other orientation.
        gx = quantized_matmul(grad, w, scales, biases, not transpose, group_size, bits, mode)
        if gx.shape != ctx.x_shape:
            gx = gx.sum_to_size(ctx.x_shape)  # x's batch dims were broadcast against w's
        gx = gx.to(ctx.x_dtype)
    if ctx.needs_input_grad[2] or ctx.needs_input_grad[3]:
        xb = x if x.dim() > 1 else x.unsqueeze(0)
        gb = grad if grad.dim() > 1 else grad.unsqueeze(0)
        gw = _dense_weight_grad(gb, xb, transpose, tuple(w.shape[:-2]))
        ds, db = _group_sums(gw, w, scales, biases, ctx.needs_input_grad[2], ctx.needs_input_grad[3],
                             group_size, bits, mode)
    return gx, None, ds, db, None, None, None, None


def _gather_setup(ctx, inputs, output):
    x, w, scales, biases, lhs, rhs, transpose, group_size, bits, mode, global_scale, _sorted = inputs
    ctx.save_for_backward(x, w, scales, biases, lhs, rhs, global_scale)
    ctx.args = (transpose, group_size, bits, mode)
    ctx.batch = output.shape[:-2]


def _count(shape) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


def _full_indices(idx, batch_shape, count_shape, device):
    """The index array broadcast to the output batch shape (MLX's default: arange over the operand's batch)."""
    if idx is None:
        idx = torch.arange(_count(count_shape), dtype=torch.int64, device=device).reshape(count_shape)
    return idx.to(torch.int64).broadcast_to(batch_shape).reshape(-1)


def _gather_backward(ctx, grad):
    x, w, scales, biases, lhs, rhs, global_scale = ctx.saved_tensors
    transpose, group_size, bits, mode = ctx.args
    grad = grad.contiguous()
    rest = (None,) * 8
    if lhs is None and rhs is None:  # plain quantized_matmul (with an nvfp4 global scale, maybe)
        gx = ds = db = None
        if ctx.needs_input_grad[0]:
            gx = gather_qmm(grad, w, scales, biases, None, None, not transpose, group_size, bits, mode, global_scale,
                            False)
            gx = (gx.sum_to_size(x.shape) if gx.shape != x.shape else gx).to(x.dtype)
        if ctx.needs_input_grad[2] or ctx.needs_input_grad[3]:
            gw = _dense_weight_grad(grad, x if x.dim() > 1 else x.unsqueeze(0), transpose, tuple(w.shape[:-2]))
            ds, db = _group_sums(gw, w, scales, biases, ctx.needs_input_grad[2], ctx.needs_input_grad[3],
                                 group_size, bits, mode)
        return (gx, None, ds, db) + rest
    batch = tuple(ctx.batch)
    m, k = x.shape[-2], x.shape[-1]
    lhs_full = _full_indices(lhs, batch, tuple(x.shape[:-2]), grad.device)
    rhs_full = _full_indices(rhs, batch, tuple(w.shape[:-2]), grad.device)
    gx = ds = db = None
    if ctx.needs_input_grad[0]:
        # dy[i] @ Ŵ[rhs[i]] for every output position, summed into the x matrix it came from.
        g = gather_qmm(grad, w, scales, biases, None, rhs_full.reshape(batch).contiguous(), not transpose, group_size,
                       bits, mode, global_scale, False)
        gx = torch.zeros((_count(x.shape[:-2]), m, k), dtype=g.dtype, device=g.device)
        gx.index_add_(0, lhs_full, g.reshape(-1, m, k))
        gx = gx.reshape(x.shape).to(x.dtype)
    if ctx.needs_input_grad[2] or ctx.needs_input_grad[3]:
        xs = x.reshape(-1, m, k)[lhs_full].float()
        gp = grad.reshape(-1, m, grad.shape[-1]).float()
        per = gp.transpose(-1, -2) @ xs if transpose else xs.transpose(-1, -2) @ gp
        gw = torch.zeros((_count(w.shape[:-2]), *per.shape[-2:]), dtype=per.dtype, device=per.device)
        gw.index_add_(0, rhs_full, per)
        gw = gw.reshape(*w.shape[:-2], *per.shape[-2:])
        ds, db = _group_sums(gw, w, scales, biases, ctx.needs_input_grad[2], ctx.needs_input_grad[3],
                             group_size, bits, mode)
    return (gx, None, ds, db) + rest


def _dequantize_setup(ctx, inputs, output):
    w, scales, biases, group_size, bits, mode, _global_scale, _dtype = inputs
    ctx.save_for_backward(w, scales, biases)
    ctx.args = (group_size, bits, mode)


def _dequantize_backward(ctx, grad):
    w, scales, biases = ctx.saved_tensors
    group_size, bits, mode = ctx.args
    ds, db = _group_sums(grad.float(), w, scales, biases, ctx.needs_input_grad[1], ctx.needs_input_grad[2],
                         group_size, bits, mode)
    return None, ds, db, None, None, None, None, None


def _quantize_setup(ctx, inputs, output):
    ctx.mark_non_differentiable(*output)


def _quantize_backward(ctx, grads):
    return None, None, None, None, None, None


torch.library.register_autograd(f"{NAMESPACE}::quantized_matmul", _qmm_backward, setup_context=_qmm_setup, lib=_lib)
torch.library.register_autograd(f"{NAMESPACE}::gather_qmm", _gather_backward, setup_context=_gather_setup, lib=_lib)
torch.library.register_autograd(f"{NAMESPACE}::dequantize", _dequantize_backward, setup_context=_dequantize_setup,
                                lib=_lib)
torch.library.register_autograd(f"{NAMESPACE}::quantize", _quantize_backward, setup_context=_quantize_setup, lib=_lib)
