"""The eager implementations and fake (shape-only) implementations of the four ops.

Each op: read metas -> Rust plan (the single validation, shared with the fake impls) -> cast the
inputs to the op's dtypes as MLX does, make them contiguous -> allocate outputs with torch.empty ->
the device's backend runs the kernel (``_backends``).
"""

from __future__ import annotations

import torch

from . import _rust
from ._backends import backend_for

# torch dtype -> the name the Rust layer parses.
_NAME = {
    torch.float32: "float32",
    torch.float16: "float16",
    torch.bfloat16: "bfloat16",
    torch.uint8: "uint8",
    torch.uint32: "uint32",
    torch.int32: "int32",
    torch.int64: "int64",
}
_TORCH = {v: k for k, v in _NAME.items()}
# Packed weights: int32 holds the same bits as uint32 (the seed's README builds w as int32).
_W_NAME = dict(_NAME)
_W_NAME[torch.int32] = "uint32"
# Gather indices kept as they are; any other integer dtype is cast to int64.
_INDEX_NAME = {torch.int32: "int32", torch.int64: "int64", torch.uint32: "uint32"}


def dtype_name(dt: torch.dtype) -> str:
    n = _NAME.get(dt)
    return n if n is not None else str(dt).removeprefix("torch.")


def _w_name(dt: torch.dtype) -> str:
    n = _W_NAME.get(dt)
    return n if n is not None else str(dt).removeprefix("torch.")


def _meta(t):
    return None if t is None else (dtype_name(t.dtype), t.shape)


def _check_device(arg: str, t, device) -> None:
    if t is not None and t.device != device:
        raise ValueError(f"{arg}: expected a tensor on {device} (the device of the first argument), got one on {t.device}")


def _check_devices(device, **tensors) -> None:
    for arg, t in tensors.items():
        _check_device(arg, t, device)


def _index_name(arg: str, dt: torch.dtype) -> str:
    """The dtype gather indices run as: int32/int64/uint32 kept, other integer dtypes int64."""
    n = _INDEX_NAME.get(dt)
    if n is not None:
        return n
    if dt.is_floating_point or dt.is_complex or dt == torch.bool:
        raise TypeError(f"{arg}: expected an integer dtype, got {dtype_name(dt)}")
    return "int64"


def _index(arg: str, t):
    """Gather indices cast to the dtype they run as (see `_index_name`), contiguous."""
    if t is None:
        return None, None
    n = _index_name(arg, t.dtype)
    if t.dtype not in _INDEX_NAME:
        t = t.to(torch.int64)
    return t.contiguous(), n


# --------------------------------------------------------------------------------------------
# quantize


def quantize_impl(w, group_size, bits, mode, global_scale, rounding):
    backend = backend_for(w.device)
    _check_device("global_scale", global_scale, w.device)
    w_name = dtype_name(w.dtype)
    wq_shape, s_shape, s_name, has_biases = _rust.plan_quantize(
        (w_name, w.shape), _meta(global_scale), mode, group_size, bits, rounding
    )
    w = w.contiguous()
    if global_scale is not None:
        global_scale = global_scale.contiguous()
    dev = w.device
    wq = torch.empty(wq_shape, dtype=torch.uint32, device=dev)
    scales = torch.empty(s_shape, dtype=_TORCH[s_name], device=dev)
    biases = torch.empty(s_shape, dtype=_TORCH[s_name], device=dev) if has_biases else None
    backend.quantize(w, w_name, global_scale, wq, scales, s_name, biases, mode, group_size, bits, rounding)
    return [wq, scales, biases] if has_biases else [wq, scales]


def quantize_fake(w, group_size, bits, mode, global_scale, rounding):
    _check_device("global_scale", global_scale, w.device)
    wq_shape, s_shape, s_name, has_biases = _rust.plan_quantize(
        (dtype_name(w.dtype), _concrete(w.shape)), _fake_meta(global_scale), mode, group_size, bits, rounding
    )
    if not _is_static(w):
        lead, k = list(w.shape[:-1]), w.shape[-1]
        wq_shape = lead + [k * _bits(mode, bits) // 32]
        s_shape = lead + [k // _rust.quant_spec(mode, group_size, bits)[0]]
    wq = w.new_empty(wq_shape, dtype=torch.uint32)
    scales = w.new_empty(s_shape, dtype=_TORCH[s_name])
    if has_biases:
        return [wq, scales, w.new_empty(s_shape, dtype=_TORCH[s_name])]
    return [wq, scales]


# --------------------------------------------------------------------------------------------
# dequantize


def dequantize_impl(w, scales, biases, group_size, bits, mode, global_scale, dtype):
    backend = backend_for(w.device)
    dev = w.device
    _check_device("scales", scales, dev)
    _check_device("biases", biases, dev)
    _check_device("global_scale", global_scale, dev)
    s_name = dtype_name(scales.dtype)
    out_shape, out_name = _rust.plan_dequantize(
        (_w_name(w.dtype), w.shape),
        (s_name, scales.shape),
        _meta(biases),
        _meta(global_scale),
        mode,
        group_size,
        bits,
        None if dtype is None else dtype_name(dtype),
    )
    w = w.contiguous()  # int32 and uint32 weights are the same bits; Rust reads uint32
    scales = scales.contiguous()
    if biases is not None:
        biases = biases.contiguous()
    if global_scale is not None:
        global_scale = global_scale.contiguous()
    out = torch.empty(out_shape, dtype=_TORCH[out_name], device=dev)
    backend.dequantize(w, scales, s_name, biases, global_scale, out, out_name, mode, group_size, bits)
    return out


def dequantize_fake(w, scales, biases, group_size, bits, mode, global_scale, dtype):
    _check_devices(w.device, scales=scales, biases=biases, global_scale=global_scale)
    out_shape, out_name = _rust.plan_dequantize(
        (_w_name(w.dtype), _concrete(w.shape)),
        _fake_meta(scales),
        _fake_meta(biases),
        _fake_meta(global_scale),
        mode,
        group_size,
        bits,
        None if dtype is None else dtype_name(dtype),
    )
    if not _is_static(w):
        out_shape = list(w.shape[:-1]) + [w.shape[-1] * 32 // _bits(mode, bits)]
    return w.new_empty(out_shape, dtype=_TORCH[out_name])


# --------------------------------------------------------------------------------------------
# quantized_matmul / gather_qmm


def gather_qmm_impl(x, w, scales, biases, lhs_indices, rhs_indices, transpose, group_size, bits, mode,
                    global_scale, sorted_indices):
    dev = x.device
    backend = backend_for(dev)
    if w.device != dev:
        _check_device("w", w, dev)
    if scales.device != dev:
        _check_device("scales", scales, dev)
    if biases is not None and biases.device != dev:
        _check_device("biases", biases, dev)
    if lhs_indices is None and rhs_indices is None:
        lhs = lhs_name = rhs = rhs_name = None
    else:
        lhs, lhs_name = _index("lhs_indices", lhs_indices)
        rhs, rhs_name = _index("rhs_indices", rhs_indices)
        _check_device("lhs_indices", lhs, dev)
        _check_device("rhs_indices", rhs, dev)
    if global_scale is not None:
        _check_device("global_scale", global_scale, dev)
        global_scale = global_scale.contiguous()
    out_shape, out_name = _rust.plan_matmul(
        (dtype_name(x.dtype), x.shape),
        (_w_name(w.dtype), w.shape),
        (dtype_name(scales.dtype), scales.shape),
        None if biases is None else (dtype_name(biases.dtype), biases.shape),
        None if lhs is None else (lhs_name, lhs.shape),
        None if rhs is None else (rhs_name, rhs.shape),
        _meta(global_scale),
        transpose,
        mode,
        group_size,
        bits,
        sorted_indices,
    )
    dt = _TORCH[out_name]
    if x.dtype != dt:
        x = x.to(dt)
    x = x.contiguous()
    if biases is not None:
        # Affine: scales and biases are cast to the promoted dtype, as MLX does before its kernels.
        if scales.dtype != dt:
            scales = scales.to(dt)
        if biases.dtype != dt:
            biases = biases.to(dt)
        biases = biases.contiguous()
        s_name = out_name
    else:
        s_name = "uint8"
    out = torch.empty(out_shape, dtype=dt, device=dev)
    backend.gather_qmm(x, w.contiguous(), scales.contiguous(), s_name, biases, lhs, lhs_name, rhs, rhs_name,
                       global_scale, out, out_name, transpose, mode, group_size, bits, sorted_indices)
    return out


def quantized_matmul_impl(x, w, scales, biases, transpose, group_size, bits, mode):
    return gather_qmm_impl(x, w, scales, biases, None, None, transpose, group_size, bits, mode, None, False)


def gather_qmm_fake(x, w, scales, biases, lhs_indices, rhs_indices, transpose, group_size, bits, mode,
                    global_scale, sorted_indices):
    _check_devices(x.device, w=w, scales=scales, biases=biases, lhs_indices=lhs_indices, rhs_indices=rhs_indices,
                   global_scale=global_scale)
    lhs = _fake_index_meta("lhs_indices", lhs_indices)
    rhs = _fake_index_meta("rhs_indices", rhs_indices)
    out_shape, out_name = _rust.plan_matmul(
        (dtype_name(x.dtype), _concrete(x.shape)),
        (_w_name(w.dtype), _concrete(w.shape)),
        _fake_meta(scales),
        _fake_meta(biases),
        lhs,
        rhs,
        _fake_meta(global_scale),
        transpose,
        mode,
        group_size,
        bits,
        sorted_indices,
    )
    if not _is_static(x, w, lhs_indices, rhs_indices):
        out_shape = _symbolic_matmul_shape(x, w, lhs_indices, rhs_indices, transpose, bits, mode)
    return x.new_empty(out_shape, dtype=_TORCH[out_name])


def quantized_matmul_fake(x, w, scales, biases, transpose, group_size, bits, mode):
    return gather_qmm_fake(x, w, scales, biases, None, None, transpose, group_size, bits, mode, None, False)


# --------------------------------------------------------------------------------------------
# Fake-tensor helpers. Under torch.compile(dynamic=True) shapes hold SymInts: validation runs in
# Rust on their hints, and the output shape is rebuilt from the symbolic input dims.



def _is_static(*tensors) -> bool:
    return all(isinstance(d, int) for t in tensors if t is not None for d in t.shape)


def _concrete(shape):
    return [d if isinstance(d, int) else _hint(d) for d in shape]


def _hint(d):
    try:
        return int(d.node.hint)
    except Exception:  # noqa: BLE001 - an unbacked or hint-less SymInt
        return int(d)


def _fake_meta(t):
    return None if t is None else (dtype_name(t.dtype), _concrete(t.shape))


def _fake_index_meta(arg, t):
    return None if t is None else (_index_name(arg, t.dtype), _concrete(t.shape))


def _bits(mode, bits):
    return _rust.quant_spec(mode, None, bits)[1]


def _symbolic_matmul_shape(x, w, lhs, rhs, transpose, bits, mode):
    """The output shape of a validated matmul, in terms of the (symbolic) input dims."""
    n = w.shape[-2] if transpose else w.shape[-1] * 32 // _bits(mode, bits)
    if lhs is None and rhs is None:
        if w.dim() == 2:
            return list(x.shape[:-1]) + [n]
        batch = torch.broadcast_shapes(tuple(x.shape[:-2]), tuple(w.shape[:-2]))
    else:
        lb = tuple(lhs.shape) if lhs is not None else tuple(x.shape[:-2])
        rb = tuple(rhs.shape) if rhs is not None else tuple(w.shape[:-2])
        batch = torch.broadcast_shapes(lb, rb)
    return list(batch) + [x.shape[-2], n]
