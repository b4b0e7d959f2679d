"""torch modules holding weights in MLX's quantized layout, as ``mlx.nn.QuantizedLinear`` and
``mlx.nn.QuantizedEmbedding`` store them: ``weight`` (uint32, packed), ``scales`` and, for affine,
``biases``, plus an optional linear ``bias``. Their ``state_dict`` keys are the MLX checkpoint's
tensor names, so an MLX checkpoint loads into them directly.

The maths runs in this package's ``quantized_matmul`` / ``dequantize`` (CPU, or CUDA when the
tensors live there and the CUDA backend is built).
"""

from __future__ import annotations

import torch

from . import _api

# Mode defaults (group_size, bits), MLX's; the Rust core validates every combination.
_MODE_DEFAULTS = {"affine": (64, 4), "mxfp4": (32, 4), "mxfp8": (32, 8), "nvfp4": (16, 4)}


def _resolve(mode, group_size, bits):
    if mode not in _MODE_DEFAULTS:
        raise ValueError(f"mode: expected one of {sorted(_MODE_DEFAULTS)}, got {mode!r}")
    gs, b = _MODE_DEFAULTS[mode]
    return (gs if group_size is None else int(group_size)), (b if bits is None else int(bits))


class _Quantized(torch.nn.Module):
    """Shared storage: packed ``weight`` ``[rows, cols*bits/32]``, ``scales`` ``[rows, cols/gs]``
    and (affine) ``biases``, registered as buffers so ``state_dict`` matches MLX's names."""

    def __init__(self, rows, cols, group_size, bits, mode, scales_dtype, device):
        super().__init__()
        self.group_size, self.bits = _resolve(mode, group_size, bits)
        self.mode = mode
        if cols % self.group_size or (cols * self.bits) % 32:
            raise ValueError(
                f"in_features: expected a multiple of group_size={self.group_size} (and of 32/bits), got {cols}"
            )
        affine = mode == "affine"
        sdt = scales_dtype if affine else torch.uint8
        self.register_buffer("weight", torch.zeros(rows, cols * self.bits // 32, dtype=torch.uint32, device=device))
        self.register_buffer("scales", torch.zeros(rows, cols // self.group_size, dtype=sdt, device=device))
        if affine:
            self.register_buffer("biases", torch.zeros(rows, cols // self.group_size, dtype=sdt, device=device))
        else:
            self.biases = None

    def check_loaded(self, prefix=""):
        """Raises ``ValueError`` naming the tensor if the stored shapes/dtypes are not this layer's."""
        rows, words = self._shape
        groups = self._cols // self.group_size
        expect = {"weight": ((rows, words), (torch.uint32, torch.int32)), "scales": ((rows, groups), None)}
        if self.mode == "affine":
            expect["biases"] = ((rows, groups), None)
        for name, (shape, dtypes) in expect.items():
            t = getattr(self, name)
            if t is None:
                raise ValueError(f"{prefix}{name}: missing (mode {self.mode!r} needs it)")
            if tuple(t.shape) != shape:
                raise ValueError(
                    f"{prefix}{name}: expected shape {shape} for {self._cols} inputs with "
                    f"bits={self.bits}, group_size={self.group_size}, got {tuple(t.shape)}"
                )
            if dtypes and t.dtype not in dtypes:
                raise TypeError(f"{prefix}{name}: expected dtype uint32, got {t.dtype}")
        if self.mode == "affine":
            if not self.scales.is_floating_point() or self.biases.dtype != self.scales.dtype:
                raise TypeError(
                    f"{prefix}scales/biases: expected the same float dtype, got {self.scales.dtype} / {self.biases.dtype}"
                )
        elif self.scales.dtype != torch.uint8:
            raise TypeError(f"{prefix}scales: expected dtype uint8 for mode {self.mode!r}, got {self.scales.dtype}")

    def _matmul(self, x):
        return _api.quantized_matmul(
            x, self.weight, self.scales, self.biases, True, self.group_size, self.bits, self.mode
        )

    def dequantized(self, dtype=None):
        """The stored weight as a float tensor ``[rows, cols]``."""
        return _api.dequantize(
            self.weight, self.scales, self.biases, self.group_size, self.bits, self.mode, dtype=dtype
        )


class QuantizedLinear(_Quantized):
    """``y = x @ Ŵᵀ (+ bias)`` with Ŵ in MLX's quantized layout (``mlx.nn.QuantizedLinear``).

    Output dtype follows MLX: promotion of x and the scales for affine, x's dtype for fp modes.
    """

    def __init__(self, in_features, out_features, bias=False, group_size=None, bits=None, mode="affine",
                 *, scales_dtype=torch.float32, device=None):
        super().__init__(out_features, in_features, group_size, bits, mode, scales_dtype, device)
        self.in_features, self.out_features = in_features, out_features
        self._cols, self._shape = in_features, (out_features, in_features * self.bits // 32)
        if bias:
            self.bias = torch.nn.Parameter(torch.zeros(out_features, dtype=scales_dtype, device=device),
                                           requires_grad=False)
        else:
            self.bias = None

    @classmethod
    def from_linear(cls, linear: torch.nn.Linear, group_size=None, bits=None, mode="affine", rounding="gpu"):
        """Quantizes a float ``torch.nn.Linear`` (as ``mlx.nn.QuantizedLinear.from_linear``)."""
        w = linear.weight.detach()
        m = cls(linear.in_features, linear.out_features, linear.bias is not None, group_size, bits, mode,
                scales_dtype=w.dtype, device=w.device)
        out = _api.quantize(w, m.group_size, m.bits, mode, rounding=rounding)
        m.weight, m.scales = out[0], out[1]
        if mode == "affine":
            m.biases = out[2]
        if linear.bias is not None:
            m.bias = torch.nn.Parameter(linear.bias.detach().clone(), requires_grad=False)
        return m

    def forward(self, x):
        y = self._matmul(x)
        if self.bias is not None:
            y = y + self.bias
        return y

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}, "
                f"mode={self.mode}, bits={self.bits}, group_size={self.group_size}")


class QuantizedEmbedding(_Quantized):
    """A token embedding stored quantized along the hidden dim (``mlx.nn.QuantizedEmbedding``):
    looks up the packed rows and dequantizes them. ``as_linear`` serves tied output heads.

    Output dtype follows MLX's ``dequantize``: the scales' dtype for affine, bfloat16 for fp modes
    unless ``out_dtype`` is set.
    """

    def __init__(self, num_embeddings, embedding_dim, group_size=None, bits=None, mode="affine",
                 *, scales_dtype=torch.float32, device=None, out_dtype=None):
        super().__init__(num_embeddings, embedding_dim, group_size, bits, mode, scales_dtype, device)
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self._cols, self._shape = embedding_dim, (num_embeddings, embedding_dim * self.bits // 32)
        self.out_dtype = out_dtype

    def forward(self, ids):
        if ids.dtype.is_floating_point or ids.dtype == torch.bool:
            raise TypeError(f"ids: expected an integer tensor, got {ids.dtype}")
        ids = ids.long()
        if ids.numel() and (int(ids.min()) < 0 or int(ids.max()) >= self.num_embeddings):
            raise IndexError(f"ids: token ids must lie in [0, {self.num_embeddings}), got range "
                             f"[{int(ids.min())}, {int(ids.max())}]")
        flat = ids.reshape(-1)
        rows = _api.dequantize(
            # torch has no uint32 indexing on CUDA: gather the packed rows through an int32 view
            # (same bits; the package reads int32 weights as uint32).
            self.weight.view(torch.int32)[flat], self.scales[flat], None if self.biases is None else self.biases[flat],
            self.group_size, self.bits, self.mode, dtype=self.out_dtype,
        )
        return rows.reshape(*ids.shape, self.embedding_dim)

    def as_linear(self, x):
        """``x @ Êᵀ``: the logits of a tied output head."""
        return self._matmul(x)

    def extra_repr(self):
        return (f"{self.num_embeddings}, {self.embedding_dim}, mode={self.mode}, bits={self.bits}, "
                f"group_size={self.group_size}")


class TiedQuantizedHead(torch.nn.Module):
    """An output head that reuses a :class:`QuantizedEmbedding` (``tie_word_embeddings``); it owns
    no tensors, so ``state_dict`` has no ``lm_head.*`` keys, as in MLX checkpoints."""

    def __init__(self, embedding: QuantizedEmbedding):
        super().__init__()
        object.__setattr__(self, "_embedding", embedding)  # not a submodule: no duplicate keys

    @property
    def weight(self):
        return self._embedding.weight

    def forward(self, x):
        return self._embedding.as_linear(x)
