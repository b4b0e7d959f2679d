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
